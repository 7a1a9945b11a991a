// SQL of 年度排查: the county's round of a year (open, then concluded with its coverage frozen) and
// the counties under a city. The coverage itself comes from the grading and risk services.
import { sql, type Transaction } from 'kysely';
import type { Db } from '../../db/database.ts';
import type { DB } from '../../db/schema.ts';

export interface RoundRow {
  id: number;
  countyId: number;
  countyName: string;
  countyPath: number[];
  year: number;
  status: 'open' | 'concluded';
  openedBy: string;
  openedAt: Date;
  concludedBy: string | null;
  concludedAt: Date | null;
  screened: number | null;
  total: number | null;
}

function rounds(db: Db) {
  return db
    .selectFrom('screening_round as r')
    .innerJoin('region as c', 'c.id', 'r.region_id')
    .innerJoin('official as o', 'o.id', 'r.opened_by')
    .leftJoin('official as k', 'k.id', 'r.concluded_by')
    .select([
      'r.id',
      'r.region_id as countyId',
      'c.name as countyName',
      'c.path as countyPath',
      'r.year',
      sql<'open' | 'concluded'>`r.status`.as('status'),
      sql<string>`coalesce(nullif(o.display_name, ''), o.username)`.as('openedBy'),
      'r.opened_at as openedAt',
      sql<string | null>`coalesce(nullif(k.display_name, ''), k.username)`.as('concludedBy'),
      'r.concluded_at as concludedAt',
      'r.screened',
      'r.total',
    ]);
}

export const findRound = (db: Db, id: number): Promise<RoundRow | undefined> =>
  rounds(db).where('r.id', '=', id).executeTakeFirst();

export const roundOf = (db: Db, countyId: number, year: number): Promise<RoundRow | undefined> =>
  rounds(db).where('r.region_id', '=', countyId).where('r.year', '=', year).executeTakeFirst();

/** The rounds of the year of the counties under a region. */
export async function roundsUnder(db: Db, regionId: number, year: number): Promise<RoundRow[]> {
  return rounds(db)
    .where(sql<boolean>`c.path @> array[${regionId}]::int[]`)
    .where('r.year', '=', year)
    .execute();
}

/** Opens the round; undefined when the county already has one for the year (the unique key). */
export async function insertRound(
  trx: Transaction<DB>,
  r: { countyId: number; year: number; openedBy: number },
): Promise<number | undefined> {
  const row = await trx
    .insertInto('screening_round')
    .values({ region_id: r.countyId, year: r.year, opened_by: r.openedBy })
    .onConflict((oc) => oc.columns(['region_id', 'year']).doNothing())
    .returning('id')
    .executeTakeFirst();
  return row?.id;
}

/** The round's status, its row locked until the transaction ends (two conclusions cannot both pass). */
export async function lockStatus(trx: Transaction<DB>, id: number): Promise<'open' | 'concluded' | undefined> {
  const row = await trx
    .selectFrom('screening_round')
    .select('status')
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
  return row?.status as 'open' | 'concluded' | undefined;
}

export async function concludeRound(
  trx: Transaction<DB>,
  id: number,
  by: number,
  coverage: { screened: number; total: number },
): Promise<void> {
  await trx
    .updateTable('screening_round')
    .set({
      status: 'concluded',
      concluded_by: by,
      concluded_at: sql`now()`,
      screened: coverage.screened,
      total: coverage.total,
    })
    .where('id', '=', id)
    .execute();
}

/** The counties under a region (a city), by name. */
export async function countiesUnder(db: Db, regionId: number): Promise<{ id: number; name: string }[]> {
  return db
    .selectFrom('region')
    .select(['id', 'name'])
    .where('level', '=', 'county')
    .where(sql<boolean>`path @> array[${regionId}]::int[]`)
    .orderBy('name')
    .execute();
}
