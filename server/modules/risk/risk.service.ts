// 负向测评 (risk screening against the negative list). A county keeps one negative list per year
// (from the defaults or copied from its newest earlier list); the township screens each village
// graded 弱村 that year, marking every item present or absent, with evidence for a present one; the
// weights of the present items give the risk level and a proposed outcome (risk.rules.ts propose).
// The outcome is a proposal: the three-level decision (issue 10 item 5) decides. A village a
// department report points at (item 4) is screened for that report, whatever its grade, once the
// county has requested a screening (report status screening_requested): trigger 'report' with the
// report's id, no grade id. The screening page lists those reports for the township to pick.
//
// The county's lists: risk.lists.service.ts. Every screening stores the thresholds it was judged by,
// and screenings are append-only.
import type { Transaction } from 'kysely';
import type { Db } from '../../db/database.ts';
import type { DB } from '../../db/schema.ts';
import { AppError } from '../../errors.ts';
import { assertRole, type CurrentUser, type Role } from '../../lib/access.ts';
import { actorOf, recordAudit } from '../audit/audit.service.ts';
import { gradeOfYear, villageGradesUnder } from '../grading/grading.service.ts';
import { reportForScreening, requestedReportsOf, unansweredRequestsUnder } from '../deptreports/deptreports.service.ts';
import { countyOf, getRegion, getRegionInScope, type RegionRow } from '../regions/regions.service.ts';
import * as repo from './risk.repository.ts';
import {
  describeRisk,
  LEVEL_LABEL,
  marksRefusal,
  OUTCOME_LABEL,
  PREVENTION_LABEL,
  propose,
  scoreOf,
  type RiskType,
} from './risk.rules.ts';
import type { RiskVillagesReply, ScreeningInput, ScreeningSummary, ScreeningView } from './risk.schemas.ts';
import { invalid, RISK_READERS, toListView } from './risk.lists.service.ts';

export { RISK_READERS } from './risk.lists.service.ts';
export const SCREENING_READERS: readonly Role[] = ['city', 'county', 'township', 'village'];

export function proposalText(outcome: repo.ScreeningRow['outcome'], preventionLevel: 1 | 2 | 3 | null): string {
  const base = `建议：${OUTCOME_LABEL[outcome]}`;
  return preventionLevel === null ? base : `${base}（${PREVENTION_LABEL[preventionLevel]}防控）`;
}

function toSummary(s: repo.ScreeningRow, types: RiskType[]): ScreeningSummary {
  return {
    id: s.id,
    year: s.year,
    trigger: s.trigger,
    gradeId: s.gradeId,
    reportId: s.reportId,
    score: s.score,
    level: s.level,
    levelLabel: `${LEVEL_LABEL[s.level]}风险`,
    types,
    outcome: s.outcome,
    preventionLevel: s.preventionLevel,
    proposalText: proposalText(s.outcome, s.preventionLevel),
    ruleText: describeRisk(s),
    actorName: s.actorName,
    screenedAt: s.screenedAt.toISOString(),
  };
}

export async function listVillages(
  db: Db,
  user: CurrentUser,
  query: { regionId?: number | undefined; year: number },
): Promise<RiskVillagesReply> {
  assertRole(user, RISK_READERS);
  const region = await getRegionInScope(db, user, query.regionId ?? user.regionId);
  if (region.level === 'village') throw invalid('regionId', '请选择乡镇、县或市');
  const county = countyOf(region);
  const list = county === null ? undefined : await repo.listOf(db, county, query.year);
  const [graded, screened, requests] = await Promise.all([
    villageGradesUnder(db, region.id, query.year),
    repo.latestScreeningsUnder(db, region.id, query.year),
    unansweredRequestsUnder(db, region.id),
  ]);
  const types = await repo.typesOf(
    db,
    screened.map((s) => s.id),
  );
  const byVillage = new Map(screened.map((s) => [s.villageId, s]));
  const villages = graded
    .filter((v) => v.grade?.grade === 'weak' || byVillage.has(v.villageId) || requests.has(v.villageId))
    .map((v) => {
      const s = byVillage.get(v.villageId);
      const requestedReports = requests.get(v.villageId) ?? 0;
      return { ...v, screening: s ? toSummary(s, types.get(s.id) ?? []) : null, requestedReports };
    });
  return {
    year: query.year,
    list: list ? { id: list.id, ruleText: describeRisk(list) } : null,
    mayScreen: user.role === 'township' && list !== undefined,
    villages,
  };
}

/** For other modules (the board): the risk level of each village under the region screened in the year (its latest screening). */
export async function villageRiskLevelsUnder(
  db: Db,
  regionId: number,
  year: number,
): Promise<{ villageId: number; level: repo.ScreeningRow['level'] }[]> {
  const rows = await repo.latestScreeningsUnder(db, regionId, year);
  return rows.map((r) => ({ villageId: r.villageId, level: r.level }));
}

async function villageInScope(db: Db, user: CurrentUser, villageId: number): Promise<RegionRow> {
  const village = await getRegionInScope(db, user, villageId);
  if (village.level !== 'village') throw invalid('villageId', '请选择一个村');
  return village;
}

const FOR_WHOM = '负向测评针对评定为弱村的村，以及县委组织部据部门报送启动排查的村';

/** Why the village cannot be screened now (requested: reports about it whose screening the county requested). */
function blockedBy(
  grade: Awaited<ReturnType<typeof gradeOfYear>>,
  year: number,
  hasList: boolean,
  requested: number,
): string | null {
  if (!hasList) return `本县 ${year} 年度尚未制定负面清单，请县委组织部先制定`;
  if (requested > 0) return null;
  if (!grade) return `该村尚无 ${year} 年度的堡垒指数评分：${FOR_WHOM}`;
  if (grade.grade !== 'weak') return `该村 ${year} 年度堡垒指数为${grade.gradeLabel}：${FOR_WHOM}`;
  return null;
}

/** A screening for a report: the report must be about this village, its screening requested by the county. */
async function checkReport(db: Db, villageId: number, reportId: number): Promise<void> {
  const report = await reportForScreening(db, reportId);
  if (!report || report.villageId !== villageId) throw invalid('reportId', '所选报送不是关于该村的部门报送');
  if (report.status === 'dismissed') throw new AppError('INVALID_STATE', '该报送已被县委组织部驳回，不能据此排查');
  if (report.status !== 'screening_requested') {
    throw new AppError('INVALID_STATE', '该报送尚未由县委组织部启动排查（待处理），不能据此排查');
  }
}

export async function getScreening(db: Db, user: CurrentUser, villageId: number, year: number): Promise<ScreeningView> {
  assertRole(user, SCREENING_READERS);
  const village = await villageInScope(db, user, villageId);
  const [township, county] = await Promise.all([
    getRegion(db, village.path[2] ?? 0),
    getRegion(db, countyOf(village) ?? 0),
  ]);
  const list = county ? await repo.listOf(db, county.id, year) : undefined;
  const [grade, all, reports] = await Promise.all([
    gradeOfYear(db, villageId, year),
    repo.screeningsOf(db, villageId, year),
    requestedReportsOf(db, villageId),
  ]);
  const blocked = blockedBy(grade, year, list !== undefined, reports.length);
  const types = await repo.typesOf(
    db,
    all.map((s) => s.id),
  );
  const [latest, ...earlier] = all;
  return {
    village: { id: village.id, name: village.name, townshipName: township?.name ?? '', countyName: county?.name ?? '' },
    year,
    grade,
    list: list && county ? await toListView(db, user, list, county.path) : null,
    current: latest
      ? { ...toSummary(latest, types.get(latest.id) ?? []), marks: await repo.marksOf(db, latest.id) }
      : null,
    history: earlier.map((s) => toSummary(s, types.get(s.id) ?? [])),
    // the village secretary does not read department reports (deptreports READER_ROLES)
    reports: user.role === 'village' ? [] : reports,
    mayScreen: user.role === 'township' && blocked === null,
    blocked,
  };
}

export async function screenVillage(
  db: Db,
  user: CurrentUser,
  villageId: number,
  input: ScreeningInput,
): Promise<ScreeningView> {
  const village = await villageInScope(db, user, villageId);
  assertRole(user, ['township']);
  await db.transaction().execute((trx) => screenVillageIn(trx, user, village, input));
  return getScreening(db, user, villageId, input.year);
}

/** A screening of a village graded 弱村, or for a report about it (input.reportId) whose screening the
 * county requested, whatever its grade (scope and role checked by the caller), in the caller's transaction. */
export async function screenVillageIn(
  trx: Transaction<DB>,
  user: CurrentUser,
  village: RegionRow,
  input: ScreeningInput,
): Promise<number> {
  const villageId = village.id;
  const county = countyOf(village) as number;
  const marks = input.marks.map((m) => ({ ...m, evidence: m.evidence.trim() }));
  const list = await repo.listOf(trx, county, input.year);
  const grade = await gradeOfYear(trx, villageId, input.year);
  const reportId = input.reportId ?? null;
  if (reportId !== null) await checkReport(trx, villageId, reportId);
  // for a report only the list is needed; otherwise the village must be graded 弱村
  const blocked = blockedBy(grade, input.year, list !== undefined, reportId === null ? 0 : 1);
  if (blocked || !list || (reportId === null && !grade)) throw new AppError('INVALID_STATE', blocked ?? '不能排查');
  const gradeId = reportId === null ? (grade?.id ?? null) : null;
  // the list cannot change under a screening (putList locks it too); its thresholds are read again
  // under the lock, since the county may have committed new ones while this screening waited for it
  await repo.lockList(trx, list.id);
  const locked = (await repo.findList(trx, list.id)) as repo.ListRow;
  const items = await repo.listItems(trx, list.id);
  const why = marksRefusal(items, marks);
  if (why) throw invalid(why.field, why.message);
  const { score, types } = scoreOf(items, marks);
  const proposal = propose(score, types.length, locked);
  const id = await repo.insertScreening(
    trx,
    {
      listId: list.id,
      year: input.year,
      villageId,
      trigger: reportId === null ? 'weak_grade' : 'report',
      gradeId,
      reportId,
      score,
      highMin: locked.highMin,
      middleMin: locked.middleMin,
      level: proposal.level,
      outcome: proposal.outcome,
      preventionLevel: proposal.preventionLevel,
      screenedBy: user.id,
      actorName: user.displayName || user.username,
    },
    marks,
  );
  await recordAudit(
    trx,
    actorOf(user),
    'risk.screen',
    { type: 'risk_screening', id, regionId: villageId },
    { year: input.year, gradeId, reportId, score, types, ...proposal },
  );
  return id;
}
