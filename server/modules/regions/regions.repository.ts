import { sql, type Transaction } from 'kysely';
import type { Db } from '../../db/database.ts';
import type { DB } from '../../db/schema.ts';

export interface RegionRow {
  id: number;
  parentId: number | null;
  level: string;
  name: string;
  code: string | null;
  path: number[];
}

export type RegionLevel = 'city' | 'county' | 'township' | 'village';

export interface RegionSummaryRow {
  id: number;
  parentId: number | null;
  name: string;
  level: RegionLevel;
  code: string | null;
  childCount: number;
  villageCount: number;
  officialCount: number;
}

export async function findRegion(db: Db, id: number): Promise<RegionRow | undefined> {
  return db
    .selectFrom('region')
    .select(['id', 'parent_id as parentId', 'level', 'name', 'code', 'path'])
    .where('id', '=', id)
    .executeTakeFirst();
}

// Counts per region: direct children, villages below it, accounts bound anywhere in its subtree.
function summaries(db: Db) {
  return db
    .selectFrom('region as c')
    .select([
      'c.id',
      'c.parent_id as parentId',
      'c.name',
      'c.level',
      'c.code',
      sql<number>`(select count(*) from region g where g.parent_id = c.id)::int`.as('childCount'),
      sql<number>`(select count(*) from region v
        where v.path @> array[c.id] and v.level = 'village' and v.id <> c.id)::int`.as('villageCount'),
      sql<number>`(select count(*) from official o join region r on r.id = o.region_id
        where r.path @> array[c.id])::int`.as('officialCount'),
    ])
    .$narrowType<{ level: RegionLevel }>();
}

export async function findSummary(db: Db, id: number): Promise<RegionSummaryRow | undefined> {
  return summaries(db).where('c.id', '=', id).executeTakeFirst();
}

export async function listChildSummaries(db: Db, parentId: number): Promise<RegionSummaryRow[]> {
  return summaries(db)
    .where('c.parent_id', '=', parentId)
    .orderBy(sql`c.code nulls last`)
    .orderBy('c.name')
    .execute();
}

export async function listByIds(db: Db, ids: number[]): Promise<{ id: number; name: string; level: RegionLevel }[]> {
  if (ids.length === 0) return [];
  return db
    .selectFrom('region')
    .select(['id', 'name', 'level'])
    .where('id', 'in', ids)
    .orderBy(sql`array_position(${sql.val(ids)}::int[], id)`)
    .$narrowType<{ level: RegionLevel }>()
    .execute();
}

// ---- import ----

/** Imports run one at a time, so two uploads of overlapping files cannot race on the same names. */
export async function lockImports(trx: Transaction<DB>): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtext('regions.import'))`.execute(trx);
}

export async function listSubtree(db: Db, rootId: number) {
  return db
    .selectFrom('region')
    .select(['id', 'parent_id as parentId', 'level', 'name', 'code'])
    .where(sql<boolean>`path @> array[${rootId}]::int[]`)
    .execute();
}

/** The regions holding any of these codes, wherever they are. */
export async function findCodeOwners(db: Db, codes: string[]): Promise<{ id: number; code: string }[]> {
  if (codes.length === 0) return [];
  return db
    .selectFrom('region')
    .select(['id', 'code'])
    .where(sql<boolean>`code = any(${sql.val(codes)}::text[])`)
    .$narrowType<{ code: string }>()
    .execute();
}

/** One statement for any number of regions of one level; rows that already exist are skipped. */
export async function insertRegions(
  trx: Transaction<DB>,
  level: 'county' | 'township' | 'village',
  rows: { parentId: number; name: string; code: string | null }[],
): Promise<{ id: number; parentId: number; name: string; code: string | null }[]> {
  if (rows.length === 0) return [];
  const result = await sql<{ id: number; parentId: number; name: string; code: string | null }>`
    insert into region (level, parent_id, name, code)
    select ${level}, t.parent_id, t.name, t.code
    from unnest(${sql.val(rows.map((r) => r.parentId))}::int[],
                ${sql.val(rows.map((r) => r.name))}::text[],
                ${sql.val(rows.map((r) => r.code))}::text[]) as t(parent_id, name, code)
    on conflict (coalesce(parent_id, 0), name) do nothing
    returning id, parent_id as "parentId", name, code`.execute(trx);
  return result.rows;
}

export async function setCodes(trx: Transaction<DB>, updates: { id: number; code: string }[]): Promise<number> {
  if (updates.length === 0) return 0;
  const result = await sql`
    update region r set code = t.code
    from unnest(${sql.val(updates.map((u) => u.id))}::int[], ${sql.val(updates.map((u) => u.code))}::text[])
      as t(id, code)
    where r.id = t.id and r.code is null`.execute(trx);
  return Number(result.numAffectedRows ?? 0);
}

// ---- the command line's choice of root ----

export async function listCities(db: Db): Promise<{ id: number; name: string }[]> {
  return db.selectFrom('region').select(['id', 'name']).where('level', '=', 'city').orderBy('id').execute();
}

export async function insertCity(trx: Transaction<DB>, name: string): Promise<number> {
  const row = await trx
    .insertInto('region')
    .values({ level: 'city', parent_id: null, name })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function findCountiesNamed(
  db: Db,
  name: string,
  cityId?: number,
): Promise<{ id: number; name: string; cityName: string }[]> {
  let q = db
    .selectFrom('region as c')
    .innerJoin('region as p', 'p.id', 'c.parent_id')
    .select(['c.id', 'c.name', 'p.name as cityName'])
    .where('c.level', '=', 'county')
    .where('c.name', '=', name);
  if (cityId !== undefined) q = q.where('c.parent_id', '=', cityId);
  return q.orderBy('c.id').execute();
}
