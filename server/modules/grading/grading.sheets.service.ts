// The county's 堡垒指数 sheet of a year: created from the defaults or copied from its newest earlier
// sheet, edited by the county, read by the county, the city and the townships below (and above: a
// township reads its county's sheet).
//
// Frozen once used: when any village has been scored on a sheet, its items' maxima, the set of
// items and the cut-offs can no longer change (409, with the reason), only the items' wording. A
// sheet edit that moved maxima or cut-offs would silently regrade villages already scored, and a
// year's grades must be comparable across the county.
import type { Transaction } from 'kysely';
import type { Db } from '../../db/database.ts';
import type { DB } from '../../db/schema.ts';
import { AppError, forbidden, notFound } from '../../errors.ts';
import { assertRole, inScope, type CurrentUser, type Role } from '../../lib/access.ts';
import { actorOf, recordAudit } from '../audit/audit.service.ts';
import { getCountyForReading, getRegion, getRegionInScope } from '../regions/regions.service.ts';
import * as repo from './grading.repository.ts';
import { DEFAULT_CUTOFFS, DEFAULT_SHEET, describeGrading, sheetRefusal, sumMax } from './grading.rules.ts';
import type { CreateSheetInput, PutSheetInput, SheetReply, SheetView } from './grading.schemas.ts';

/** Who reads sheets and grade lists; the county edits sheets, the township scores. */
export const GRADING_READERS: readonly Role[] = ['city', 'county', 'township'];

export const invalid = (field: string, message: string) =>
  new AppError('VALIDATION_FAILED', message, [{ field, message }]);

/** The county a region lies in (itself when it is one); null for a city. */

const mayEditSheet = (user: CurrentUser, regionPath: readonly number[]) =>
  user.role === 'county' && inScope(user, regionPath);

export async function toSheetView(
  db: Db,
  user: CurrentUser,
  row: repo.SheetRow,
  regionPath: number[],
): Promise<SheetView> {
  const items = await repo.listItems(db, row.id);
  const maxTotal = sumMax(items);
  return {
    id: row.id,
    regionId: row.regionId,
    regionName: row.regionName,
    year: row.year,
    strongMin: row.strongMin,
    middleMin: row.middleMin,
    maxTotal,
    ruleText: describeGrading(row, maxTotal),
    items,
    usedBy: row.usedBy,
    editable: mayEditSheet(user, regionPath),
    updatedAt: row.updatedAt.toISOString(),
  };
}

export async function getSheet(
  db: Db,
  user: CurrentUser,
  query: { regionId?: number | undefined; year: number },
): Promise<SheetReply> {
  assertRole(user, GRADING_READERS);
  const county = await getCountyForReading(db, user, query.regionId, '堡垒指数评分表由县制定：请选择一个县');
  const [row, previous] = await Promise.all([
    repo.sheetOf(db, county.id, query.year),
    repo.previousSheet(db, county.id, query.year),
  ]);
  return {
    sheet: row ? await toSheetView(db, user, row, county.path) : null,
    previousYear: previous?.year ?? null,
    mayCreate: !row && mayEditSheet(user, county.path),
  };
}

export async function createSheet(db: Db, user: CurrentUser, input: CreateSheetInput): Promise<SheetView> {
  assertRole(user, ['county']);
  const county = await getRegionInScope(db, user, input.regionId);
  if (county.level !== 'county') throw invalid('regionId', '堡垒指数评分表由县制定：请选择一个县');
  const id = await db.transaction().execute((trx) => createSheetIn(trx, user, county, input));
  return sheetView(db, user, id);
}

/** The sheet of a county (checked by the caller) and year, made in the caller's transaction. */
export async function createSheetIn(
  trx: Transaction<DB>,
  user: CurrentUser,
  county: { id: number; name: string },
  input: CreateSheetInput,
): Promise<number> {
  const existing = await repo.sheetOf(trx, county.id, input.year);
  if (existing) throw new AppError('CONFLICT', `${county.name} ${input.year} 年度的堡垒指数评分表已经建立`);
  let items: { section: (typeof DEFAULT_SHEET)[number]['section']; title: string; maxScore: number }[] = [
    ...DEFAULT_SHEET,
  ];
  let cutoffs = DEFAULT_CUTOFFS;
  if (input.from === 'previous') {
    const prev = await repo.previousSheet(trx, county.id, input.year);
    if (!prev) throw invalid('from', `${county.name} 在 ${input.year} 年以前没有评分表可复制`);
    items = (await repo.listItems(trx, prev.id)).map(({ section, title, maxScore }) => ({
      section,
      title,
      maxScore,
    }));
    cutoffs = prev;
  }
  const newId = await repo.insertSheet(trx, {
    regionId: county.id,
    year: input.year,
    strongMin: cutoffs.strongMin,
    middleMin: cutoffs.middleMin,
    createdBy: user.id,
  });
  await repo.replaceItems(trx, newId, items);
  await recordAudit(
    trx,
    actorOf(user),
    'grading.sheet.create',
    { type: 'grading_sheet', id: newId, regionId: county.id },
    { year: input.year, from: input.from },
  );
  return newId;
}

async function sheetView(db: Db, user: CurrentUser, id: number): Promise<SheetView> {
  const row = await repo.findSheet(db, id);
  const region = row && (await getRegion(db, row.regionId));
  if (!row || !region) throw notFound();
  return toSheetView(db, user, row, region.path);
}

/** A sheet in use keeps its items (ids, sections, maxima) and cut-offs: only wording may change. */
function frozenRefusal(before: repo.ItemRow[], row: repo.SheetRow, input: PutSheetInput): string | null {
  const same =
    input.strongMin === row.strongMin &&
    input.middleMin === row.middleMin &&
    input.items.length === before.length &&
    input.items.every((it, i) => {
      const b = before[i];
      return b !== undefined && it.id === b.id && it.section === b.section && it.maxScore === b.maxScore;
    });
  if (same) return null;
  return (
    `已有 ${row.usedBy} 个村按本评分表评分：为免改变已评定的等次，评分项、分值和等次线不能再修改，` +
    `只能修改评分项的文字`
  );
}

export async function putSheet(db: Db, user: CurrentUser, id: number, input: PutSheetInput): Promise<SheetView> {
  const row = await repo.findSheet(db, id);
  const region = row && (await getRegion(db, row.regionId));
  if (!row || !region || !(inScope(user, region.path) || user.regionPath.includes(region.id))) throw notFound();
  if (!mayEditSheet(user, region.path)) throw forbidden();
  const items = input.items.map((it) => ({ ...it, title: it.title.trim() }));
  const why = sheetRefusal(items, input);
  if (why) throw invalid(why.field, why.message);
  await db.transaction().execute(async (trx) => {
    await repo.lockSheet(trx, id);
    const locked = (await repo.findSheet(trx, id)) as repo.SheetRow;
    const before = await repo.listItems(trx, id);
    const foreign = items.find((it) => it.id !== undefined && !before.some((b) => b.id === it.id));
    if (foreign) throw invalid('items', `评分项 ${foreign.id} 不在本评分表中`);
    if (locked.usedBy > 0) {
      const frozen = frozenRefusal(before, locked, input);
      if (frozen) throw new AppError('INVALID_STATE', frozen, { usedBy: locked.usedBy });
      await repo.renameItems(trx, items as { id: number; title: string }[]);
    } else {
      await repo.replaceItems(trx, id, items);
      await repo.updateCutoffs(trx, id, input.strongMin, input.middleMin);
    }
    await recordAudit(
      trx,
      actorOf(user),
      'grading.sheet.update',
      { type: 'grading_sheet', id, regionId: row.regionId },
      { strongMin: input.strongMin, middleMin: input.middleMin, items: items.length, maxTotal: sumMax(items) },
    );
  });
  return sheetView(db, user, id);
}
