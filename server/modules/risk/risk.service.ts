// 负向测评 (risk screening against the negative list). A county keeps one negative list per year
// (from the defaults or copied from its newest earlier list); the township screens each village
// graded 弱村 that year, marking every item present or absent, with evidence for a present one; the
// weights of the present items give the risk level and a proposed outcome (risk.rules.ts propose).
// The outcome is a proposal: the three-level decision (issue 10 item 5) decides. A village a
// department report points at (item 4) will be screened with trigger 'report' and its report id.
//
// As with the 堡垒指数 sheet, a list in use keeps its items, weights and thresholds (only wording may
// change), every screening stores the thresholds it was judged by, and screenings are append-only.
import type { Transaction } from 'kysely';
import type { Db } from '../../db/database.ts';
import type { DB } from '../../db/schema.ts';
import { AppError, forbidden, notFound } from '../../errors.ts';
import { assertRole, inScope, type CurrentUser, type Role } from '../../lib/access.ts';
import { actorOf, recordAudit } from '../audit/audit.service.ts';
import { gradeOfYear, villageGradesUnder } from '../grading/grading.service.ts';
import { getRegion, getRegionInScope, type RegionRow } from '../regions/regions.service.ts';
import * as repo from './risk.repository.ts';
import {
  DEFAULT_RISK_ITEMS,
  DEFAULT_THRESHOLDS,
  describeRisk,
  LEVEL_LABEL,
  listRefusal,
  marksRefusal,
  OUTCOME_LABEL,
  PREVENTION_LABEL,
  propose,
  scoreOf,
  type ListItem,
  type RiskType,
} from './risk.rules.ts';
import type {
  CreateListInput,
  ListReply,
  ListView,
  PutListInput,
  RiskVillagesReply,
  ScreeningInput,
  ScreeningSummary,
  ScreeningView,
} from './risk.schemas.ts';

export const RISK_READERS: readonly Role[] = ['city', 'county', 'township'];
export const SCREENING_READERS: readonly Role[] = ['city', 'county', 'township', 'village'];

const invalid = (field: string, message: string) => new AppError('VALIDATION_FAILED', message, [{ field, message }]);
const countyOf = (region: RegionRow): number | null => (region.level === 'city' ? null : (region.path[1] ?? null));
const mayEditList = (user: CurrentUser, path: readonly number[]) => user.role === 'county' && inScope(user, path);

async function toListView(db: Db, user: CurrentUser, row: repo.ListRow, path: number[]): Promise<ListView> {
  return {
    ...row,
    ruleText: describeRisk(row),
    items: await repo.listItems(db, row.id),
    editable: mayEditList(user, path),
    updatedAt: row.updatedAt.toISOString(),
  };
}

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

async function readableCounty(db: Db, user: CurrentUser, regionId: number | undefined): Promise<RegionRow> {
  const id = regionId ?? user.regionPath[1];
  const region = id === undefined ? undefined : await getRegion(db, id);
  if (!region || !(inScope(user, region.path) || user.regionPath.includes(region.id))) throw notFound();
  if (region.level !== 'county') throw invalid('regionId', '负面清单由县制定：请选择一个县');
  return region;
}

export async function getList(
  db: Db,
  user: CurrentUser,
  query: { regionId?: number | undefined; year: number },
): Promise<ListReply> {
  assertRole(user, RISK_READERS);
  const county = await readableCounty(db, user, query.regionId);
  const [row, previous] = await Promise.all([
    repo.listOf(db, county.id, query.year),
    repo.previousList(db, county.id, query.year),
  ]);
  return {
    list: row ? await toListView(db, user, row, county.path) : null,
    previousYear: previous?.year ?? null,
    mayCreate: !row && mayEditList(user, county.path),
  };
}

async function listView(db: Db, user: CurrentUser, id: number): Promise<ListView> {
  const row = await repo.findList(db, id);
  const region = row && (await getRegion(db, row.regionId));
  if (!row || !region) throw notFound();
  return toListView(db, user, row, region.path);
}

export async function createList(db: Db, user: CurrentUser, input: CreateListInput): Promise<ListView> {
  assertRole(user, ['county']);
  const county = await getRegionInScope(db, user, input.regionId);
  if (county.level !== 'county') throw invalid('regionId', '负面清单由县制定：请选择一个县');
  const id = await db.transaction().execute((trx) => createListIn(trx, user, county, input));
  return listView(db, user, id);
}

/** The list of a county (checked by the caller) and year, made in the caller's transaction. */
export async function createListIn(
  trx: Transaction<DB>,
  user: CurrentUser,
  county: { id: number; name: string },
  input: CreateListInput,
): Promise<number> {
  if (await repo.listOf(trx, county.id, input.year)) {
    throw new AppError('CONFLICT', `${county.name} ${input.year} 年度的负面清单已经建立`);
  }
  let items: ListItem[] = [...DEFAULT_RISK_ITEMS];
  let thresholds = DEFAULT_THRESHOLDS;
  if (input.from === 'previous') {
    const prev = await repo.previousList(trx, county.id, input.year);
    if (!prev) throw invalid('from', `${county.name} 在 ${input.year} 年以前没有负面清单可复制`);
    items = (await repo.listItems(trx, prev.id)).map(({ type, title, weight }) => ({ type, title, weight }));
    thresholds = prev;
  }
  const newId = await repo.insertList(trx, {
    regionId: county.id,
    year: input.year,
    highMin: thresholds.highMin,
    middleMin: thresholds.middleMin,
    createdBy: user.id,
  });
  await repo.replaceItems(trx, newId, items);
  await recordAudit(
    trx,
    actorOf(user),
    'risk.list.create',
    { type: 'risk_list', id: newId, regionId: county.id },
    { year: input.year, from: input.from },
  );
  return newId;
}

function frozenRefusal(before: repo.ItemRow[], row: repo.ListRow, input: PutListInput): string | null {
  const same =
    input.highMin === row.highMin &&
    input.middleMin === row.middleMin &&
    input.items.length === before.length &&
    input.items.every((it, i) => {
      const b = before[i];
      return b !== undefined && it.id === b.id && it.type === b.type && it.weight === b.weight;
    });
  if (same) return null;
  return `已有 ${row.usedBy} 个村按本清单排查：为免改变已得出的风险等级，清单项、分值和等级线不能再修改，只能修改清单项的文字`;
}

export async function putList(db: Db, user: CurrentUser, id: number, input: PutListInput): Promise<ListView> {
  const row = await repo.findList(db, id);
  const region = row && (await getRegion(db, row.regionId));
  if (!row || !region || !(inScope(user, region.path) || user.regionPath.includes(region.id))) throw notFound();
  if (!mayEditList(user, region.path)) throw forbidden();
  const items = input.items.map((it) => ({ ...it, title: it.title.trim() }));
  const why = listRefusal(items, input);
  if (why) throw invalid(why.field, why.message);
  await db.transaction().execute(async (trx) => {
    await repo.lockList(trx, id);
    const locked = (await repo.findList(trx, id)) as repo.ListRow;
    const before = await repo.listItems(trx, id);
    const foreign = items.find((it) => it.id !== undefined && !before.some((b) => b.id === it.id));
    if (foreign) throw invalid('items', `清单项 ${foreign.id} 不在本清单中`);
    if (locked.usedBy > 0) {
      const frozen = frozenRefusal(before, locked, input);
      if (frozen) throw new AppError('INVALID_STATE', frozen, { usedBy: locked.usedBy });
      await repo.renameItems(trx, items as { id: number; title: string }[]);
    } else {
      await repo.replaceItems(trx, id, items);
      await repo.updateThresholds(trx, id, input.highMin, input.middleMin);
    }
    await recordAudit(
      trx,
      actorOf(user),
      'risk.list.update',
      { type: 'risk_list', id, regionId: row.regionId },
      { highMin: input.highMin, middleMin: input.middleMin, items: items.length },
    );
  });
  return listView(db, user, id);
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
  const [graded, screened] = await Promise.all([
    villageGradesUnder(db, region.id, query.year),
    repo.latestScreeningsUnder(db, region.id, query.year),
  ]);
  const types = await repo.typesOf(
    db,
    screened.map((s) => s.id),
  );
  const byVillage = new Map(screened.map((s) => [s.villageId, s]));
  const villages = graded
    .filter((v) => v.grade?.grade === 'weak' || byVillage.has(v.villageId))
    .map((v) => {
      const s = byVillage.get(v.villageId);
      return { ...v, screening: s ? toSummary(s, types.get(s.id) ?? []) : null };
    });
  return {
    year: query.year,
    list: list ? { id: list.id, ruleText: describeRisk(list) } : null,
    mayScreen: user.role === 'township' && list !== undefined,
    villages,
  };
}

async function villageInScope(db: Db, user: CurrentUser, villageId: number): Promise<RegionRow> {
  const village = await getRegionInScope(db, user, villageId);
  if (village.level !== 'village') throw invalid('villageId', '请选择一个村');
  return village;
}

function blockedBy(grade: Awaited<ReturnType<typeof gradeOfYear>>, year: number, hasList: boolean): string | null {
  if (!hasList) return `本县 ${year} 年度尚未制定负面清单，请县委组织部先制定`;
  if (!grade) return `该村尚无 ${year} 年度的堡垒指数评分：负向测评针对评定为弱村的村`;
  if (grade.grade !== 'weak') return `该村 ${year} 年度堡垒指数为${grade.gradeLabel}：负向测评针对评定为弱村的村`;
  return null;
}

export async function getScreening(db: Db, user: CurrentUser, villageId: number, year: number): Promise<ScreeningView> {
  assertRole(user, SCREENING_READERS);
  const village = await villageInScope(db, user, villageId);
  const [township, county] = await Promise.all([
    getRegion(db, village.path[2] ?? 0),
    getRegion(db, countyOf(village) ?? 0),
  ]);
  const list = county ? await repo.listOf(db, county.id, year) : undefined;
  const [grade, all] = await Promise.all([gradeOfYear(db, villageId, year), repo.screeningsOf(db, villageId, year)]);
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
    mayScreen: user.role === 'township' && blockedBy(grade, year, list !== undefined) === null,
    blocked: blockedBy(grade, year, list !== undefined),
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

/** A screening of a village graded 弱村 (scope and role checked by the caller), in the caller's transaction. */
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
  const blocked = blockedBy(grade, input.year, list !== undefined);
  if (blocked || !list || !grade) throw new AppError('INVALID_STATE', blocked ?? '不能排查');
  await repo.lockList(trx, list.id);
  const items = await repo.listItems(trx, list.id);
  const why = marksRefusal(items, marks);
  if (why) throw invalid(why.field, why.message);
  const { score, types } = scoreOf(items, marks);
  const proposal = propose(score, types.length, list);
  const id = await repo.insertScreening(
    trx,
    {
      listId: list.id,
      year: input.year,
      villageId,
      trigger: 'weak_grade',
      gradeId: grade.id,
      reportId: null,
      score,
      highMin: list.highMin,
      middleMin: list.middleMin,
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
    { year: input.year, gradeId: grade.id, score, types, ...proposal },
  );
  return id;
}
