// Small factories: each test creates the rows it needs, directly and quickly.
import crypto from 'node:crypto';
import type { Db } from '../../server/db/database.ts';
import type { Role } from '../../server/lib/access.ts';
import { hashPassword } from '../../server/lib/passwords.ts';

export const TEST_PASSWORD = 'Passw0rd-test';
let cachedHash: Promise<string> | undefined;
const passwordHash = () => (cachedHash ??= hashPassword(TEST_PASSWORD));

const uniq = () => crypto.randomBytes(3).toString('hex');

export async function createRegion(
  db: Db,
  level: 'city' | 'county' | 'township' | 'village',
  parentId: number | null,
  name = `${level}-${uniq()}`,
  code: string | null = null,
): Promise<number> {
  const row = await db
    .insertInto('region')
    .values({ level, parent_id: parentId, name, code })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** city → county → township → village, all new. */
export interface Tree {
  city: number;
  county: number;
  township: number;
  village: number;
}

export async function createTree(db: Db): Promise<Tree> {
  const city = await createRegion(db, 'city', null);
  const county = await createRegion(db, 'county', city);
  const township = await createRegion(db, 'township', county);
  const village = await createRegion(db, 'village', township);
  return { city, county, township, village };
}

export interface TestOfficial {
  id: number;
  username: string;
  password: string;
  role: Role;
  regionId: number;
}

export async function createOfficial(
  db: Db,
  role: Role,
  regionId: number,
  username = `${role}_${uniq()}`,
): Promise<TestOfficial> {
  const row = await db
    .insertInto('official')
    // a 行业部门 account names its department (official_department_role_check)
    .values({
      username,
      role,
      department: role === 'department' ? '信访' : null,
      region_id: regionId,
      password_hash: await passwordHash(),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { id: row.id, username, password: TEST_PASSWORD, role, regionId };
}
