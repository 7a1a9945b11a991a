// SQL of 村情档案: the villages of a subtree, their files of a year, one file (locked for a change)
// and its append-only change log.
import { sql, type Transaction } from 'kysely';
import type { Db } from '../../db/database.ts';
import type { DB } from '../../db/schema.ts';
import type { FieldChange, FileData } from './villagefiles.rules.ts';

type Conn = Db | Transaction<DB>;

export interface VillageRow {
  id: number;
  name: string;
  townshipId: number;
  townshipName: string;
  path: number[];
}

export interface FileRow {
  id: number;
  villageId: number;
  year: number;
  data: FileData;
  version: number;
  updatedAt: Date;
  updatedBy: string;
}

const villages = (db: Conn) =>
  db
    .selectFrom('region as v')
    .innerJoin('region as t', 't.id', 'v.parent_id')
    .select(['v.id', 'v.name', 't.id as townshipId', 't.name as townshipName', 'v.path'])
    .where('v.level', '=', 'village');

/** The villages at or under a region, by township and name. */
export function listVillages(db: Conn, regionId: number): Promise<VillageRow[]> {
  return villages(db)
    .where(sql<boolean>`v.path @> array[${regionId}]::int[]`)
    .orderBy(sql`t.code nulls last`)
    .orderBy('t.name')
    .orderBy(sql`v.code nulls last`)
    .orderBy('v.name')
    .execute();
}

export function findVillage(db: Conn, id: number): Promise<VillageRow | undefined> {
  return villages(db).where('v.id', '=', id).executeTakeFirst();
}

const files = (db: Conn) =>
  db
    .selectFrom('village_file as f')
    .innerJoin('official as o', 'o.id', 'f.updated_by')
    .select([
      'f.id',
      'f.village_id as villageId',
      'f.year',
      'f.data',
      'f.version',
      'f.updated_at as updatedAt',
      sql<string>`coalesce(nullif(o.display_name, ''), o.username)`.as('updatedBy'),
    ])
    .$narrowType<{ data: FileData }>();

/** The files of these villages in `year`. */
export function listFiles(db: Conn, villageIds: number[], year: number): Promise<FileRow[]> {
  if (villageIds.length === 0) return Promise.resolve([]);
  return files(db).where('f.village_id', 'in', villageIds).where('f.year', '=', year).execute();
}

/** The file, locked until the transaction ends when `trx` is given for a change. */
export function findFile(db: Conn, villageId: number, year: number, lock = false): Promise<FileRow | undefined> {
  const q = files(db).where('f.village_id', '=', villageId).where('f.year', '=', year);
  return (lock ? q.forUpdate('f') : q).executeTakeFirst();
}

export async function insertFile(
  trx: Transaction<DB>,
  row: { villageId: number; year: number; data: FileData; officialId: number },
): Promise<number> {
  const r = await trx
    .insertInto('village_file')
    .values({ village_id: row.villageId, year: row.year, data: JSON.stringify(row.data), updated_by: row.officialId })
    .returning('id')
    .executeTakeFirstOrThrow();
  return r.id;
}

/** Stores the new values and bumps the version; returns the new version. */
export async function updateFile(
  trx: Transaction<DB>,
  id: number,
  data: FileData,
  officialId: number,
): Promise<number> {
  const r = await trx
    .updateTable('village_file')
    .set({
      data: JSON.stringify(data),
      version: sql`version + 1`,
      updated_at: sql`now()`,
      updated_by: officialId,
    })
    .where('id', '=', id)
    .returning('version')
    .executeTakeFirstOrThrow();
  return r.version;
}

export type ChangeAction = 'create' | 'update' | 'carry_forward' | 'import';

export async function insertChange(
  trx: Transaction<DB>,
  row: {
    fileId: number;
    action: ChangeAction;
    officialId: number;
    actorName: string;
    actorRole: string;
    changes: FieldChange[];
    version: number;
  },
): Promise<void> {
  await trx
    .insertInto('village_file_change')
    .values({
      file_id: row.fileId,
      action: row.action,
      official_id: row.officialId,
      actor_name: row.actorName,
      actor_role: row.actorRole,
      changes: JSON.stringify(row.changes),
      version: row.version,
    })
    .execute();
}

export interface ChangeRow {
  action: ChangeAction;
  at: Date;
  actorName: string;
  actorRole: string;
  version: number;
  changes: FieldChange[];
}

/** A file's change log, newest first. */
export async function listChanges(db: Conn, fileId: number): Promise<ChangeRow[]> {
  const rows = await db
    .selectFrom('village_file_change')
    .select(['action', 'at', 'actor_name as actorName', 'actor_role as actorRole', 'version', 'changes'])
    .where('file_id', '=', fileId)
    .orderBy('id', 'desc')
    .execute();
  return rows.map((r) => ({ ...r, action: r.action as ChangeAction, changes: r.changes as unknown as FieldChange[] }));
}

/** How many of `keys` each file under the region holds in `year` (a key is present only when filled). */
export async function listFilledCounts(
  db: Conn,
  regionId: number,
  year: number,
  keys: string[],
): Promise<{ villageId: number; filled: number }[]> {
  return db
    .selectFrom('village_file as f')
    .innerJoin('region as v', 'v.id', 'f.village_id')
    .select([
      'f.village_id as villageId',
      sql<number>`(select count(*) from jsonb_object_keys(f.data) k where k = any(${keys}::text[]))::int`.as('filled'),
    ])
    .where('f.year', '=', year)
    .where(sql<boolean>`v.path @> array[${regionId}]::int[]`)
    .execute();
}

/** Villages of these ids that have a file in `year`. */
export async function villagesWithFile(db: Conn, villageIds: number[], year: number): Promise<Set<number>> {
  if (villageIds.length === 0) return new Set();
  const rows = await db
    .selectFrom('village_file')
    .select('village_id')
    .where('village_id', 'in', villageIds)
    .where('year', '=', year)
    .execute();
  return new Set(rows.map((r) => r.village_id));
}

/** Serializes imports and carry-forwards of one township (a transaction-scoped advisory lock). */
export async function lockRegion(trx: Transaction<DB>, regionId: number): Promise<void> {
  await sql`select pg_advisory_xact_lock(727011, ${regionId})`.execute(trx);
}

/** The year's file of the village was created by another transaction first (unique village_id, year). */
export function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; constraint?: string };
  return e.code === '23505' && e.constraint === 'village_file_village_id_year_key';
}
