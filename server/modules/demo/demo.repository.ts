// SQL of the command-line bootstrap (demo data, first admin): find-or-insert of regions and
// accounts, serialized by one advisory lock so two runs at once cannot both insert.
import { sql, type Transaction } from 'kysely';
import type { Db } from '../../db/database.ts';
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
  values: {
    username: string;
    role: string;
    department: string | null;
    regionId: number;
    passwordHash: string;
    displayName: string;
  },
): Promise<number> {
  const row = await trx
    .insertInto('official')
    .values({
      username: values.username,
      role: values.role,
      department: values.department,
      region_id: values.regionId,
      password_hash: values.passwordHash,
      display_name: values.displayName,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

// ---------- the demo campaign and case ----------

export async function findCampaign(trx: Transaction<DB>, regionId: number, year: number, title: string) {
  return trx
    .selectFrom('campaign')
    .select('id')
    .where('region_id', '=', regionId)
    .where('year', '=', year)
    .where('title', '=', title)
    .executeTakeFirst();
}

export async function insertCampaign(
  trx: Transaction<DB>,
  c: {
    regionId: number;
    year: number;
    title: string;
    caseTypes: string[];
    questionnaire: unknown;
    rules: unknown;
    createdBy: number;
  },
): Promise<number> {
  const row = await trx
    .insertInto('campaign')
    .values({
      region_id: c.regionId,
      year: c.year,
      title: c.title,
      case_types: JSON.stringify(c.caseTypes),
      questionnaire: JSON.stringify(c.questionnaire),
      rules: JSON.stringify(c.rules),
      created_by: c.createdBy,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** The newest case of the village in the campaign, if any. */
export async function caseIn(trx: Transaction<DB>, campaignId: number, villageId: number): Promise<number | undefined> {
  const row = await trx
    .selectFrom('rectification_case')
    .select('id')
    .where('campaign_id', '=', campaignId)
    .where('village_id', '=', villageId)
    .orderBy('id', 'desc')
    .executeTakeFirst();
  return row?.id;
}

export interface DemoCase {
  plan: string;
  responsible: Record<string, string>;
  problems: { description: string; owner: string; deadline: string }[];
  /** the transition from listed to rectifying */
  start: { officialId: number; actorName: string; actorRole: string };
}

/**
 * Takes a case the 常委会 approval has just listed (state 'listed') into rectification as the demo
 * shows it: its plan, responsible people and problems, then the county's start. Only a listed
 * case is changed; returns whether it was.
 */
export async function startListedCase(trx: Transaction<DB>, caseId: number, c: DemoCase): Promise<boolean> {
  const changed = await trx
    .updateTable('rectification_case')
    .set({
      plan: c.plan,
      responsible: JSON.stringify(c.responsible),
      state: 'rectifying',
      state_changed_at: sql`now()`,
      updated_at: sql`now()`,
    })
    .where('id', '=', caseId)
    .where('state', '=', 'listed')
    .executeTakeFirst();
  if (Number(changed.numUpdatedRows) === 0) return false;
  await trx
    .insertInto('case_problem')
    .values(c.problems.map((p) => ({ case_id: caseId, ...p })))
    .execute();
  await trx
    .insertInto('case_transition')
    .values({
      case_id: caseId,
      action: 'start',
      from_state: 'listed',
      to_state: 'rectifying',
      official_id: c.start.officialId,
      actor_name: c.start.actorName,
      actor_role: c.start.actorRole,
    })
    .execute();
  return true;
}

// ---------- the scale dataset (demo.scale.ts) ----------

export interface ScaleRegion {
  id: number;
  level: string;
  name: string;
  code: string | null;
  parentId: number | null;
}

/** Every region under (and including) the city, in id order. */
export async function regionsUnder(db: Db, cityId: number): Promise<ScaleRegion[]> {
  return db
    .selectFrom('region')
    .select(['id', 'level', 'name', 'code', 'parent_id as parentId'])
    .where(sql<boolean>`${cityId}::int = any(path)`)
    .orderBy('id')
    .execute();
}

/**
 * Moves sessions run today into a past year: created, confirmed and opened on a day in November
 * of `year` (China time), one day apart. Only these timestamps: the service takes no date for
 * them, and no fingerprint covers them. closed_at is left as the close wrote it, because the
 * stored result (and its SHA-256, checked by npm run verify) holds the same instant.
 */
export async function backdateSessions(db: Db, ids: number[], year: number): Promise<void> {
  if (ids.length === 0) return;
  await sql`
    update evaluation_session s
    set created_at = d.day,
        updated_at = d.day,
        residents_confirmed_at = case when s.residents_confirmed_at is null then null else d.day + interval '1 day' end,
        opened_at = case when s.opened_at is null then null else d.day + interval '2 days' end
    from (
      select id, make_timestamptz(${year}::int, 11, 1 + id % 20, 9, id % 60, 0, 'Asia/Shanghai') as day
      from unnest(${ids}::int[]) as id
    ) d
    where s.id = d.id`.execute(db);
}

export interface ScaleCounts {
  regions: Record<string, number>;
  sessions: Record<string, number>;
  ballots: number;
  usedSlips: number;
  cases: Record<string, number>;
}

export async function scaleCounts(db: Db, cityId: number): Promise<ScaleCounts> {
  const under = sql<boolean>`${cityId}::int = any(r.path)`;
  const group = async (q: Promise<{ k: string; n: number }[]>) => Object.fromEntries((await q).map((r) => [r.k, r.n]));
  const regions = await group(
    db
      .selectFrom('region as r')
      .select(['r.level as k', sql<number>`count(*)::int`.as('n')])
      .where(under)
      .groupBy('r.level')
      .execute(),
  );
  const sessions = await group(
    db
      .selectFrom('evaluation_session as s')
      .innerJoin('region as r', 'r.id', 's.village_id')
      .select(['s.status as k', sql<number>`count(*)::int`.as('n')])
      .where(under)
      .groupBy('s.status')
      .execute(),
  );
  const cases = await group(
    db
      .selectFrom('rectification_case as c')
      .innerJoin('region as r', 'r.id', 'c.village_id')
      .select(['c.state as k', sql<number>`count(*)::int`.as('n')])
      .where(under)
      .groupBy('c.state')
      .execute(),
  );
  const { rows } = await sql<{ ballots: number; used: number }>`
    select
      (select count(*)::int from ballot b join evaluation_session s on s.id = b.session_id
         join region r on r.id = s.village_id where ${under}) as ballots,
      (select count(*)::int from slip l join evaluation_session s on s.id = l.session_id
         join region r on r.id = s.village_id where ${under} and l.used) as used`.execute(db);
  return { regions, sessions, cases, ballots: rows[0]?.ballots ?? 0, usedSlips: rows[0]?.used ?? 0 };
}
