// SQL of the command-line bootstrap (demo data, first admin): find-or-insert of regions and
// accounts, serialized by one advisory lock so two runs at once cannot both insert.
import { sql, type Transaction } from 'kysely';
import type { DB } from '../../db/schema.ts';

const BOOTSTRAP_LOCK = 727_010; // arbitrary constant, distinct from the other advisory locks

export async function lockBootstrap(trx: Transaction<DB>): Promise<void> {
  await sql`select pg_advisory_xact_lock(${BOOTSTRAP_LOCK})`.execute(trx);
}

export interface RegionRef {
  id: number;
  level: string;
  code: string | null;
}

export async function findChildRegion(
  trx: Transaction<DB>,
  parentId: number | null,
  name: string,
): Promise<RegionRef | undefined> {
  return trx
    .selectFrom('region')
    .select(['id', 'level', 'code'])
    .where('name', '=', name)
    .where((eb) => (parentId === null ? eb('parent_id', 'is', null) : eb('parent_id', '=', parentId)))
    .executeTakeFirst();
}

export async function insertRegion(
  trx: Transaction<DB>,
  values: { level: string; parentId: number | null; name: string; code: string | null },
): Promise<number> {
  const row = await trx
    .insertInto('region')
    .values({ level: values.level, parent_id: values.parentId, name: values.name, code: values.code })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export interface AccountRef {
  id: number;
  username: string;
  role: string;
  regionId: number;
}

export async function findAccount(trx: Transaction<DB>, username: string): Promise<AccountRef | undefined> {
  return trx
    .selectFrom('official')
    .select(['id', 'username', 'role', 'region_id as regionId'])
    .where(sql<string>`lower(username)`, '=', username.toLowerCase())
    .executeTakeFirst();
}

export async function insertAccount(
  trx: Transaction<DB>,
  values: { username: string; role: string; regionId: number; passwordHash: string; displayName: string },
): Promise<number> {
  const row = await trx
    .insertInto('official')
    .values({
      username: values.username,
      role: values.role,
      region_id: values.regionId,
      password_hash: values.passwordHash,
      display_name: values.displayName,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}
