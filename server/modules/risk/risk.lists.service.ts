// The county's negative list of a year: created from the defaults or copied from its newest earlier
// list, edited by the county, read by the county, the city and the townships below. A list in use
// keeps its items, weights and thresholds (409, only wording may change): every screening also
// stores the thresholds it was judged by.
import type { Transaction } from 'kysely';
import type { Db } from '../../db/database.ts';
import type { DB } from '../../db/schema.ts';
import { AppError, forbidden, notFound } from '../../errors.ts';
import { assertRole, inScope, type CurrentUser, type Role } from '../../lib/access.ts';
import { actorOf, recordAudit } from '../audit/audit.service.ts';
import { getCountyForReading, getRegion, getRegionInScope } from '../regions/regions.service.ts';
import * as repo from './risk.repository.ts';
import { DEFAULT_RISK_ITEMS, DEFAULT_THRESHOLDS, describeRisk, listRefusal, type ListItem } from './risk.rules.ts';
import type { CreateListInput, ListReply, ListView, PutListInput } from './risk.schemas.ts';

/** Who reads lists and screening lists; the county edits lists, the township screens. */
export const RISK_READERS: readonly Role[] = ['city', 'county', 'township'];

export const invalid = (field: string, message: string) =>
  new AppError('VALIDATION_FAILED', message, [{ field, message }]);
const mayEditList = (user: CurrentUser, path: readonly number[]) => user.role === 'county' && inScope(user, path);

export async function toListView(db: Db, user: CurrentUser, row: repo.ListRow, path: number[]): Promise<ListView> {
  return {
    ...row,
    ruleText: describeRisk(row),
    items: await repo.listItems(db, row.id),
    editable: mayEditList(user, path),
    updatedAt: row.updatedAt.toISOString(),
  };
}

export async function getList(
  db: Db,
  user: CurrentUser,
  query: { regionId?: number | undefined; year: number },
): Promise<ListReply> {
  assertRole(user, RISK_READERS);
  const county = await getCountyForReading(db, user, query.regionId, '负面清单由县制定：请选择一个县');
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
