import { sql } from 'kysely';
import type { Db } from '../../db/database.ts';
import type { Role } from '../../lib/access.ts';

export interface OfficialRow {
  id: number;
  username: string;
  displayName: string;
  role: Role;
  /** 行业部门 accounts: the department's name; null for every other role */
  department: string | null;
  regionId: number;
  regionName: string;
  regionLevel: string;
  regionPath: number[];
  disabled: boolean;
  createdAt: Date;
}

function baseQuery(db: Db) {
  return db
    .selectFrom('official as o')
    .innerJoin('region as r', 'r.id', 'o.region_id')
    .select([
      'o.id',
      'o.username',
      'o.display_name as displayName',
      'o.role',
      'o.department',
      'o.region_id as regionId',
      'r.name as regionName',
      'r.level as regionLevel',
      'r.path as regionPath',
      sql<boolean>`o.disabled_at is not null`.as('disabled'),
      'o.created_at as createdAt',
    ])
    .$narrowType<{ role: Role }>();
}

export async function findById(db: Db, id: number): Promise<OfficialRow | undefined> {
  return baseQuery(db).where('o.id', '=', id).executeTakeFirst();
}

export async function listInSubtree(db: Db, regionId: number): Promise<OfficialRow[]> {
  return baseQuery(db)
    .where(sql<boolean>`r.path @> array[${regionId}]::int[]`)
    .orderBy('r.path')
    .orderBy('o.username')
    .execute();
}

export interface LoginRow {
  id: number;
  username: string;
  passwordHash: string;
  disabled: boolean;
}

export async function findForLogin(db: Db, username: string): Promise<LoginRow | undefined> {
  return db
    .selectFrom('official')
    .select(['id', 'username', 'password_hash as passwordHash', sql<boolean>`disabled_at is not null`.as('disabled')])
    .where(sql<string>`lower(username)`, '=', username.toLowerCase())
    .executeTakeFirst();
}

export async function usernameExists(db: Db, username: string): Promise<boolean> {
  const row = await db
    .selectFrom('official')
    .select('id')
    .where(sql<string>`lower(username)`, '=', username.toLowerCase())
    .executeTakeFirst();
  return row !== undefined;
}

export async function insertOfficial(
  db: Db,
  values: {
    username: string;
    displayName: string;
    role: string;
    department: string | null;
    regionId: number;
    passwordHash: string;
  },
): Promise<number> {
  const row = await db
    .insertInto('official')
    .values({
      username: values.username,
      display_name: values.displayName,
      role: values.role,
      department: values.department,
      region_id: values.regionId,
      password_hash: values.passwordHash,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function setDisabled(db: Db, id: number, disabled: boolean): Promise<void> {
  await db
    .updateTable('official')
    .set({ disabled_at: disabled ? sql`coalesce(disabled_at, now())` : null, updated_at: sql`now()` })
    .where('id', '=', id)
    .execute();
}

export async function setPasswordHash(db: Db, id: number, passwordHash: string): Promise<void> {
  await db
    .updateTable('official')
    .set({ password_hash: passwordHash, updated_at: sql`now()` })
    .where('id', '=', id)
    .execute();
}

export async function countAll(db: Db): Promise<number> {
  const row = await db
    .selectFrom('official')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** The 行业部门 accounts bound to a region (a county), by department and username. */
export async function listDepartments(db: Db, regionId: number): Promise<OfficialRow[]> {
  return baseQuery(db)
    .where('o.role', '=', 'department')
    .where('o.region_id', '=', regionId)
    .orderBy('o.department')
    .orderBy('o.username')
    .execute();
}
