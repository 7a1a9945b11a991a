// 堡垒指数 (positive evaluation): townships score their villages item by item on the county's sheet of
// the year (grading.sheets.service.ts); the total maps to 强村 / 中等村 / 弱村 by the sheet's cut-offs
// (grading.rules.ts grade). Every scoring stores the numbers it was judged by, and scorings are
// append-only: a new scoring of the same village and year is a new row, the latest counts, the
// earlier stay as evidence. Other modules read grades through currentGrade, gradeOfYear and
// villageGradesUnder.
import type { Transaction } from 'kysely';
import type { Db } from '../../db/database.ts';
import type { DB } from '../../db/schema.ts';
import { AppError } from '../../errors.ts';
import { assertRole, type CurrentUser, type Role } from '../../lib/access.ts';
import { actorOf, recordAudit } from '../audit/audit.service.ts';
import { countyOf, getRegion, getRegionInScope, type RegionRow } from '../regions/regions.service.ts';
import * as repo from './grading.repository.ts';
import {
  describeGrading,
  grade,
  GRADE_LABEL,
  scoringRefusal,
  sumMax,
  totalOf,
  type FortressGrade,
} from './grading.rules.ts';
import type { GradeSummary, ScoringInput, VillageGradeView, VillagesReply } from './grading.schemas.ts';
import { GRADING_READERS, invalid, toSheetView } from './grading.sheets.service.ts';

export { GRADING_READERS } from './grading.sheets.service.ts';
export const VILLAGE_READERS: readonly Role[] = ['city', 'county', 'township', 'village'];

export function toGradeSummary(g: repo.GradeRow): GradeSummary {
  return {
    id: g.id,
    year: g.year,
    total: g.total,
    maxTotal: g.maxTotal,
    grade: g.grade,
    gradeLabel: GRADE_LABEL[g.grade],
    ruleText: describeGrading(g, g.maxTotal),
    actorName: g.actorName,
    scoredAt: g.scoredAt.toISOString(),
  };
}

export async function listVillages(
  db: Db,
  user: CurrentUser,
  query: { regionId?: number | undefined; year: number },
): Promise<VillagesReply> {
  assertRole(user, GRADING_READERS);
  const region = await getRegionInScope(db, user, query.regionId ?? user.regionId);
  if (region.level === 'village') throw invalid('regionId', '请选择乡镇、县或市');
  const county = countyOf(region);
  const sheet = county === null ? undefined : await repo.sheetOf(db, county, query.year);
  const items = sheet ? await repo.listItems(db, sheet.id) : [];
  return {
    year: query.year,
    sheet: sheet ? { id: sheet.id, ruleText: describeGrading(sheet, sumMax(items)), maxTotal: sumMax(items) } : null,
    mayScore: user.role === 'township' && sheet !== undefined,
    villages: await villageGradesUnder(db, region.id, query.year),
  };
}

async function villageInScope(db: Db, user: CurrentUser, villageId: number): Promise<RegionRow> {
  const village = await getRegionInScope(db, user, villageId);
  if (village.level !== 'village') throw invalid('villageId', '请选择一个村');
  return village;
}

export async function getVillageGrade(
  db: Db,
  user: CurrentUser,
  villageId: number,
  year: number,
): Promise<VillageGradeView> {
  assertRole(user, VILLAGE_READERS);
  const village = await villageInScope(db, user, villageId);
  const [township, county] = await Promise.all([
    getRegion(db, village.path[2] ?? 0),
    getRegion(db, countyOf(village) ?? 0),
  ]);
  const sheet = county ? await repo.sheetOf(db, county.id, year) : undefined;
  const scorings = await repo.gradesOf(db, villageId, year);
  const [latest, ...earlier] = scorings;
  return {
    village: { id: village.id, name: village.name, townshipName: township?.name ?? '', countyName: county?.name ?? '' },
    year,
    sheet: sheet && county ? await toSheetView(db, user, sheet, county.path) : null,
    current: latest ? { ...toGradeSummary(latest), items: await repo.itemScores(db, latest.id) } : null,
    history: earlier.map(toGradeSummary),
    mayScore: user.role === 'township' && sheet !== undefined,
  };
}

export async function scoreVillage(
  db: Db,
  user: CurrentUser,
  villageId: number,
  input: ScoringInput,
): Promise<VillageGradeView> {
  const village = await villageInScope(db, user, villageId);
  assertRole(user, ['township']);
  await db.transaction().execute((trx) => scoreVillageIn(trx, user, village, input));
  return getVillageGrade(db, user, villageId, input.year);
}

/** A scoring of the village (scope and role checked by the caller) in the caller's transaction. */
export async function scoreVillageIn(
  trx: Transaction<DB>,
  user: CurrentUser,
  village: RegionRow,
  input: ScoringInput,
): Promise<number> {
  const villageId = village.id;
  const county = countyOf(village) as number;
  const scores = input.items.map((i) => ({ ...i, note: i.note.trim() }));
  const sheet = await repo.sheetOf(trx, county, input.year);
  if (!sheet) {
    throw new AppError('INVALID_STATE', `本县 ${input.year} 年度尚未制定堡垒指数评分表，请县委组织部先制定`);
  }
  // the sheet cannot change under a scoring (putSheet locks it too); its cut-offs are read again
  // under the lock, since the county may have committed new ones while this scoring waited for it
  await repo.lockSheet(trx, sheet.id);
  const locked = (await repo.findSheet(trx, sheet.id)) as repo.SheetRow;
  const items = await repo.listItems(trx, sheet.id);
  const why = scoringRefusal(items, scores);
  if (why) throw invalid(why.field, why.message);
  const total = totalOf(scores);
  const maxTotal = sumMax(items);
  const result: FortressGrade = grade(total, locked);
  const id = await repo.insertGrade(
    trx,
    {
      sheetId: sheet.id,
      year: input.year,
      villageId,
      total,
      maxTotal,
      strongMin: locked.strongMin,
      middleMin: locked.middleMin,
      grade: result,
      actorName: user.displayName || user.username,
      scoredBy: user.id,
    },
    scores,
  );
  await recordAudit(
    trx,
    actorOf(user),
    'grading.score',
    { type: 'village_grade', id, regionId: villageId },
    { year: input.year, total, maxTotal, grade: result, scores: scores.map((s) => [s.itemId, s.score]) },
  );
  return id;
}

/** For other modules (the exit gate): the village's latest scoring of the newest year from `fromYear` on. */
export async function currentGrade(db: Db, villageId: number, fromYear: number): Promise<GradeSummary | null> {
  const row = await repo.latestGradeFrom(db, villageId, fromYear);
  return row ? toGradeSummary(row) : null;
}

/** For other modules (the risk screening): the village's current scoring of exactly this year. */
export async function gradeOfYear(db: Db, villageId: number, year: number): Promise<GradeSummary | null> {
  const [row] = await repo.gradesOf(db, villageId, year);
  return row ? toGradeSummary(row) : null;
}

/** For other modules (the risk screening list): the villages under a region with their current grade of the year. */
export async function villageGradesUnder(db: Db, regionId: number, year: number) {
  const rows = await repo.villagesWithGrades(db, regionId, year);
  return rows.map((r) => ({ ...r, grade: r.grade ? toGradeSummary(r.grade) : null }));
}
