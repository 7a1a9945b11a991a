// SQL of the 负面清单: county lists and their items, village screenings (append-only: the latest of a
// village and year counts) and their marks.
import { sql, type Transaction } from 'kysely';
import type { Db } from '../../db/database.ts';
import type { DB } from '../../db/schema.ts';
import { RISK_TYPES, type Outcome, type RiskLevel, type RiskType } from './risk.rules.ts';

export interface ListRow {
  id: number;
  regionId: number;
  regionName: string;
  year: number;
  highMin: number;
  middleMin: number;
  usedBy: number;
  updatedAt: Date;
}

export interface ItemRow {
  id: number;
  type: RiskType;
  title: string;
  weight: number;
}

function lists(db: Db) {
  return db
    .selectFrom('risk_list as l')
    .innerJoin('region as r', 'r.id', 'l.region_id')
    .select([
      'l.id',
      'l.region_id as regionId',
      'r.name as regionName',
      'l.year',
      'l.high_min as highMin',
      'l.middle_min as middleMin',
      sql<number>`(select count(distinct s.village_id)::int from risk_screening s where s.list_id = l.id)`.as('usedBy'),
      'l.updated_at as updatedAt',
    ]);
}

export const findList = (db: Db, id: number): Promise<ListRow | undefined> =>
  lists(db).where('l.id', '=', id).executeTakeFirst();

export const listOf = (db: Db, regionId: number, year: number): Promise<ListRow | undefined> =>
  lists(db).where('l.region_id', '=', regionId).where('l.year', '=', year).executeTakeFirst();

export const previousList = (db: Db, regionId: number, year: number): Promise<ListRow | undefined> =>
  lists(db).where('l.region_id', '=', regionId).where('l.year', '<', year).orderBy('l.year', 'desc').executeTakeFirst();

export async function listItems(db: Db, listId: number): Promise<ItemRow[]> {
  return db
    .selectFrom('risk_item')
    .select(['id', sql<RiskType>`type`.as('type'), 'title', 'weight'])
    .where('list_id', '=', listId)
    .orderBy('position')
    .orderBy('id')
    .execute();
}

export async function lockList(trx: Transaction<DB>, id: number): Promise<void> {
  await trx.selectFrom('risk_list').select('id').where('id', '=', id).forUpdate().execute();
}

export async function insertList(
  trx: Transaction<DB>,
  l: { regionId: number; year: number; highMin: number; middleMin: number; createdBy: number },
): Promise<number> {
  const row = await trx
    .insertInto('risk_list')
    .values({
      region_id: l.regionId,
      year: l.year,
      high_min: l.highMin,
      middle_min: l.middleMin,
      created_by: l.createdBy,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function updateThresholds(trx: Transaction<DB>, id: number, highMin: number, middleMin: number) {
  await trx
    .updateTable('risk_list')
    .set({ high_min: highMin, middle_min: middleMin, updated_at: sql`now()` })
    .where('id', '=', id)
    .execute();
}

/** Sets the items of a list nobody was screened on yet: those with an id are kept (updated in
 * place), the others added, and the list's items not named removed. */
export async function replaceItems(
  trx: Transaction<DB>,
  listId: number,
  items: readonly { id?: number | undefined; type: RiskType; title: string; weight: number }[],
): Promise<void> {
  const kept = items.flatMap((it) => (it.id === undefined ? [] : [it.id]));
  let removal = trx.deleteFrom('risk_item').where('list_id', '=', listId);
  if (kept.length > 0) removal = removal.where('id', 'not in', kept);
  await removal.execute();
  for (const [i, it] of items.entries()) {
    const values = { type: it.type, position: i + 1, title: it.title, weight: it.weight };
    if (it.id === undefined)
      await trx
        .insertInto('risk_item')
        .values({ list_id: listId, ...values })
        .execute();
    else await trx.updateTable('risk_item').set(values).where('id', '=', it.id).where('list_id', '=', listId).execute();
  }
}

export async function renameItems(trx: Transaction<DB>, items: readonly { id: number; title: string }[]) {
  for (const it of items) {
    await trx.updateTable('risk_item').set({ title: it.title }).where('id', '=', it.id).execute();
  }
}

export interface ScreeningRow {
  id: number;
  villageId: number;
  year: number;
  listId: number;
  gradeId: number | null;
  trigger: 'weak_grade' | 'report';
  reportId: number | null;
  score: number;
  highMin: number;
  middleMin: number;
  level: RiskLevel;
  outcome: Outcome;
  preventionLevel: 1 | 2 | 3 | null;
  actorName: string;
  screenedAt: Date;
}

function screenings(db: Db) {
  return db
    .selectFrom('risk_screening as s')
    .select([
      's.id',
      's.village_id as villageId',
      's.year',
      's.list_id as listId',
      's.grade_id as gradeId',
      sql<'weak_grade' | 'report'>`s.trigger`.as('trigger'),
      's.report_id as reportId',
      's.score',
      's.high_min as highMin',
      's.middle_min as middleMin',
      sql<RiskLevel>`s.level`.as('level'),
      sql<Outcome>`s.outcome`.as('outcome'),
      sql<1 | 2 | 3 | null>`s.prevention_level`.as('preventionLevel'),
      's.actor_name as actorName',
      's.screened_at as screenedAt',
    ]);
}

/** The village's screenings of the year, newest first. */
export const screeningsOf = (db: Db, villageId: number, year: number): Promise<ScreeningRow[]> =>
  screenings(db).where('s.village_id', '=', villageId).where('s.year', '=', year).orderBy('s.id', 'desc').execute();

export async function marksOf(db: Db, screeningId: number) {
  return db
    .selectFrom('risk_mark')
    .select(['item_id as itemId', 'present', 'evidence'])
    .where('screening_id', '=', screeningId)
    .execute();
}

/** The present items' types of a screening (for the list view), in the order of RISK_TYPES. */
export async function typesOf(db: Db, screeningIds: readonly number[]): Promise<Map<number, RiskType[]>> {
  if (screeningIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('risk_mark as m')
    .innerJoin('risk_item as i', 'i.id', 'm.item_id')
    .select(['m.screening_id as id', sql<RiskType>`i.type`.as('type')])
    .where('m.screening_id', 'in', [...screeningIds])
    .where('m.present', '=', true)
    .distinct()
    .execute();
  const out = new Map<number, RiskType[]>();
  for (const r of rows) out.set(r.id, [...(out.get(r.id) ?? []), r.type]);
  for (const [id, types] of out)
    out.set(
      id,
      RISK_TYPES.filter((t) => types.includes(t)),
    );
  return out;
}

/** The latest screening of each village under the region in the year (annual or report-triggered). */
export async function latestScreeningsUnder(db: Db, regionId: number, year: number): Promise<ScreeningRow[]> {
  return screenings(db)
    .innerJoin('region as v', 'v.id', 's.village_id')
    .where(sql<boolean>`v.path @> array[${regionId}]::int[]`)
    .where('s.year', '=', year)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('risk_screening as n')
            .select('n.id')
            .whereRef('n.village_id', '=', 's.village_id')
            .where('n.year', '=', year)
            .whereRef('n.id', '>', 's.id'),
        ),
      ),
    )
    .execute();
}

export async function insertScreening(
  trx: Transaction<DB>,
  s: Omit<ScreeningRow, 'id' | 'screenedAt'> & { screenedBy: number },
  marks: readonly { itemId: number; present: boolean; evidence: string }[],
): Promise<number> {
  const row = await trx
    .insertInto('risk_screening')
    .values({
      list_id: s.listId,
      year: s.year,
      village_id: s.villageId,
      trigger: s.trigger,
      grade_id: s.gradeId,
      report_id: s.reportId,
      score: s.score,
      high_min: s.highMin,
      middle_min: s.middleMin,
      level: s.level,
      outcome: s.outcome,
      prevention_level: s.preventionLevel,
      screened_by: s.screenedBy,
      actor_name: s.actorName,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await trx
    .insertInto('risk_mark')
    .values(marks.map((m) => ({ screening_id: row.id, item_id: m.itemId, present: m.present, evidence: m.evidence })))
    .execute();
  return row.id;
}
