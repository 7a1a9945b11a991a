// Bootstrapping from the command line, where nobody is logged in: the demo data of
// `npm run seed:demo` and the first admin of `npm run admin:create`.
// - Both only add what is missing, in one transaction under one lock: a second run changes nothing.
// - Every addition is recorded in the audit chain with the command line as its actor.
// - The demo password is public on purpose: demo data is for trying the service, never for real use.
import type { Db } from '../../db/database.ts';
import type { Transaction } from 'kysely';
import type { DB } from '../../db/schema.ts';
import type { CurrentUser, Role } from '../../lib/access.ts';
import { generatePassword, hashPassword, PASSWORD_MAX_LENGTH } from '../../lib/passwords.ts';
import { AppError } from '../../errors.ts';
import { CLI_ACTOR, recordAudit } from '../audit/audit.service.ts';
import { checkPasswordPolicy } from '../officials/officials.service.ts';
import { DEMO_CAMPAIGN, DEMO_CASE_VILLAGE, ensureDemoCampaign } from './demo.cases.ts';
import { ensureDemoIdentification, type DemoIdentification } from './demo.decisions.ts';
import { DEMO_DEPARTMENT, DEMO_REPORT_VILLAGE, ensureDemoReport } from './demo.deptreports.ts';
import { ensureDemoGrading } from './demo.grading.ts';
import * as repo from './demo.repository.ts';
import { ensureDemoFiles } from './demo.villagefiles.ts';

export const DEMO_PASSWORD = 'demo1234';
const COUNTY = ['示范市', '示范县'];
// Statistical codes under the unused province prefix 99, so they never collide with real ones.
const DEMO_VILLAGES: [township: string, village: string, code: string][] = [
  ['东山镇', '东山村', '990101001001'],
  ['东山镇', '桃园村', '990101001002'],
  ['东山镇', '柳溪村', '990101001003'],
  ['西河乡', '西河村', '990101002001'],
  ['西河乡', '杏林村', '990101002002'],
  ['西河乡', '石桥村', '990101002003'],
];
// One account per role; each region is given as its path of names from the city.
const DEMO_ACCOUNTS: { username: string; role: Role; region: string[]; displayName: string }[] = [
  { username: 'demo_admin', role: 'admin', region: ['示范市'], displayName: '演示管理员' },
  { username: 'demo_city', role: 'city', region: ['示范市'], displayName: '演示市委组织部' },
  { username: 'demo_county', role: 'county', region: COUNTY, displayName: '演示县委组织部' },
  { username: 'demo_township1', role: 'township', region: [...COUNTY, '东山镇'], displayName: '演示东山镇党委' },
  { username: 'demo_township2', role: 'township', region: [...COUNTY, '西河乡'], displayName: '演示西河乡党委' },
  { username: 'demo_village', role: 'village', region: [...COUNTY, '东山镇', '东山村'], displayName: '演示东山村书记' },
  { username: 'demo_dept', role: 'department', region: COUNTY, displayName: '演示县信访局' },
];
const LEVELS = ['city', 'county', 'township', 'village'] as const;

const USERNAME_PATTERN = /^[A-Za-z0-9_.-]{3,32}$/;

export interface DemoAccount {
  username: string;
  password: string;
  role: Role;
  regionId: number;
  /** e.g. 示范市 / 示范县 / 东山镇 */
  regionPath: string;
}

export interface DemoVillage {
  id: number;
  name: string;
  townshipId: number;
  code: string;
}

export interface Created {
  regions: number;
  accounts: number;
  campaigns: number;
  cases: number;
}

export interface DemoResult {
  accounts: DemoAccount[];
  villages: DemoVillage[];
  /** the demo campaign of 示范县 (one case in it, in 西河村) */
  campaignId: number;
  /** the demo campaign's year: the year of the demo's grades, screenings, round and lists */
  year: number;
  /** the concluded screening round, the townships' approved lists and the case in 西河村 */
  identification: DemoIdentification;
  created: Created;
}

async function ensureRegion(
  trx: Transaction<DB>,
  created: Created,
  region: { level: string; parentId: number | null; name: string; code: string | null },
  source: string,
): Promise<number> {
  const found = await repo.findChildRegion(trx, region.parentId, region.name);
  if (found) return found.id;
  const id = await repo.insertRegion(trx, region);
  await recordAudit(
    trx,
    CLI_ACTOR,
    'region.create',
    { type: 'region', id, regionId: id },
    {
      name: region.name,
      level: region.level,
      code: region.code,
      source,
    },
  );
  created.regions++;
  return id;
}

interface AccountSpec {
  username: string;
  role: Role;
  regionId: number;
  displayName: string;
}

async function insertAccount(trx: Transaction<DB>, spec: AccountSpec, password: string, source: string) {
  const department = spec.role === 'department' ? DEMO_DEPARTMENT : null;
  const id = await repo.insertAccount(trx, { ...spec, department, passwordHash: await hashPassword(password) });
  await recordAudit(
    trx,
    CLI_ACTOR,
    'official.create',
    { type: 'official', id, regionId: spec.regionId },
    {
      username: spec.username,
      role: spec.role,
      source,
    },
  );
}

/** A demo account already there is kept as it is; a different account under its name is an error. */
async function ensureDemoAccount(trx: Transaction<DB>, created: Created, spec: AccountSpec): Promise<void> {
  const found = await repo.findAccount(trx, spec.username);
  if (found && (found.role !== spec.role || found.regionId !== spec.regionId)) {
    throw new AppError('USERNAME_TAKEN', `用户名 ${spec.username} 已被一个非演示账户使用，演示数据未做任何修改`);
  }
  if (found) return;
  await insertAccount(trx, spec, DEMO_PASSWORD, 'seed:demo');
  created.accounts++;
}

/** Every region along `names` (city first), created where missing; returns the last one's id. */
async function ensurePath(
  trx: Transaction<DB>,
  created: Created,
  ids: Map<string, number>,
  names: string[],
  code: string | null,
): Promise<number> {
  let parentId: number | null = null;
  for (const [depth, name] of names.entries()) {
    const key = names.slice(0, depth + 1).join(' / ');
    let id = ids.get(key);
    if (id === undefined) {
      const level = LEVELS[depth] as string;
      const own = depth === names.length - 1 ? code : null;
      id = await ensureRegion(trx, created, { level, parentId, name, code: own }, 'seed:demo');
      ids.set(key, id);
    }
    parentId = id;
  }
  return parentId as number;
}

export async function seedDemo(db: Db): Promise<DemoResult> {
  return db.transaction().execute(async (trx) => {
    await repo.lockBootstrap(trx);
    const created: Created = { regions: 0, accounts: 0, campaigns: 0, cases: 0 };
    const ids = new Map<string, number>();
    const villages: DemoVillage[] = [];
    for (const [township, name, code] of DEMO_VILLAGES) {
      const id = await ensurePath(trx, created, ids, [...COUNTY, township, name], code);
      const townshipId = await ensurePath(trx, created, ids, [...COUNTY, township], null);
      villages.push({ id, name, townshipId, code });
    }
    const accounts: DemoAccount[] = [];
    for (const { username, role, region, displayName } of DEMO_ACCOUNTS) {
      const regionId = await ensurePath(trx, created, ids, region, null);
      await ensureDemoAccount(trx, created, { username, role, regionId, displayName });
      accounts.push({ username, password: DEMO_PASSWORD, role, regionId, regionPath: region.join(' / ') });
    }
    const county = await repo.findAccount(trx, 'demo_county');
    const village = villages.find((v) => v.name === DEMO_CASE_VILLAGE);
    if (!county || !village) throw new AppError('INTERNAL', '演示数据不完整');
    const campaignId = await ensureDemoCampaign(trx, created, { countyId: county.regionId, county });
    const township = await repo.findAccount(trx, 'demo_township1');
    if (township) {
      const keeper = { ...township, role: 'township' as const, displayName: '演示东山镇党委', regionPath: [] };
      await ensureDemoFiles(trx, keeper, villages);
    }
    const west = await repo.findAccount(trx, 'demo_township2');
    const as = (a: repo.AccountRef, role: 'county' | 'township', displayName: string): CurrentUser => ({
      ...a,
      role,
      displayName,
      regionPath: [],
    });
    const countyUser = as(county, 'county', '演示县委组织部');
    const townships: CurrentUser[] = [];
    if (township && west) {
      const east = as(township, 'township', '演示东山镇党委');
      const westUser = as(west, 'township', '演示西河乡党委');
      townships.push(east, westUser);
      await ensureDemoGrading(trx, { county: countyUser, east, west: westUser }, DEMO_CAMPAIGN.year, villages);
    }
    const dept = await repo.findAccount(trx, 'demo_dept');
    const reported = villages.find((v) => v.name === DEMO_REPORT_VILLAGE);
    if (dept && reported) {
      const user = { ...dept, role: 'department' as const, displayName: '演示县信访局', regionPath: [] };
      await ensureDemoReport(trx, user, reported.id, `${DEMO_CAMPAIGN.year}-03-15`);
    }
    const identification = await ensureDemoIdentification(
      trx,
      { county: countyUser, townships },
      { year: DEMO_CAMPAIGN.year, campaignId, caseVillageId: village.id },
      created,
    );
    return { accounts, villages, campaignId, year: DEMO_CAMPAIGN.year, identification, created };
  });
}

export interface AdminInput {
  city: string;
  username: string;
  /** Generated when absent. */
  password?: string;
}

export interface CreatedAdmin {
  username: string;
  password: string;
  cityId: number;
  cityCreated: boolean;
}

/** The first admin of a city (the city created when missing). An existing username is refused. */
export async function createAdmin(db: Db, input: AdminInput): Promise<CreatedAdmin> {
  const city = input.city.trim();
  if (city.length < 1 || city.length > 64) {
    throw new AppError('VALIDATION_FAILED', '市名须为 1–64 个字符', [{ field: 'city', message: '长度不符' }]);
  }
  if (!USERNAME_PATTERN.test(input.username)) {
    throw new AppError('VALIDATION_FAILED', '用户名须为 3–32 位字母、数字或 _ . -', [
      { field: 'username', message: '格式不符' },
    ]);
  }
  if (input.password !== undefined) checkPasswordPolicy(input.password);
  if (input.password !== undefined && input.password.length > PASSWORD_MAX_LENGTH) {
    throw new AppError('VALIDATION_FAILED', `密码最多 ${PASSWORD_MAX_LENGTH} 位`, [
      { field: 'password', message: '过长' },
    ]);
  }
  // Not checked against the policy: a generated password need not contain a digit, and is strong anyway.
  const password = input.password ?? generatePassword();
  return db.transaction().execute(async (trx) => {
    await repo.lockBootstrap(trx);
    if (await repo.findAccount(trx, input.username)) {
      throw new AppError('USERNAME_TAKEN', `用户名 ${input.username} 已存在，未做任何修改`);
    }
    const created: Created = { regions: 0, accounts: 0, campaigns: 0, cases: 0 };
    const cityId = await ensureRegion(
      trx,
      created,
      { level: 'city', parentId: null, name: city, code: null },
      'admin:create',
    );
    const spec: AccountSpec = { username: input.username, role: 'admin', regionId: cityId, displayName: '管理员' };
    await insertAccount(trx, spec, password, 'admin:create');
    return { username: input.username, password, cityId, cityCreated: created.regions > 0 };
  });
}
