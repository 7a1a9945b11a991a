// The fixture world of the authorization matrix: two cities; in city A two counties; in county A1
// two townships; in township T1 two villages. Actors sit on the V1 chain (village V1 → township T1 →
// county A1 → city A); every other place is named by its relation to that chain, so a matrix row
// only says which relations each role may reach. Each place holds one target account and one
// village, for rows whose object is an account, a region or anything that lives in a village;
// evaluation sessions and rectification cases in a place's village are made on demand (sharedSession,
// freshSession, sharedCase, freshCase), the cases in a campaign of the place's county. A 行业部门
// actor sits on county A1; department reports about a place's village are filed by a department of
// that village's county (the actor's for A1), made on demand (sharedReport, freshReport).
import crypto from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../../server/db/database.ts';
import { SESSION_ABSOLUTE_SECONDS } from '../../server/modules/auth/auth.rules.ts';
import type { CaseState } from '../../server/modules/cases/cases.rules.ts';
import type { SessionKind } from '../../server/modules/sessions/sessions.rules.ts';
import type { Role } from '../../server/lib/access.ts';
import { randomId, sha256 } from '../../server/lib/crypto.ts';
import { hashPassword } from '../../server/lib/passwords.ts';
import {
  castBallot,
  closeFixtureSession,
  createSessionFixture,
  validAnswers,
  type FixtureStatus,
  type SessionFixture,
} from './evaluation.ts';
import { addProblem, createCampaign, createCaseAt } from './cases.ts';
import { createOfficial, createRegion, TEST_PASSWORD, type TestOfficial, type Tree } from './factories.ts';

export type Level = 'city' | 'county' | 'township' | 'village';

/** Where a target lies, seen from the actors' chain V1 → T1 → A1 → A. */
export const RELATIONS = ['own-village', 'sibling-village', 'other-township', 'other-county', 'other-city'] as const;
export type Relation = (typeof RELATIONS)[number];

export const ACTOR_KEYS = [
  'admin@city',
  'admin@county',
  'admin@township',
  'city',
  'county',
  'township',
  'village',
  'department',
] as const;
export type ActorKey = (typeof ACTOR_KEYS)[number];

export interface Actor extends TestOfficial {
  key: ActorKey;
  level: Level;
  /** `vre_sid=…`, ready for a cookie header; renewed by world.refresh(). */
  cookie: string;
}

export interface Place {
  relation: Relation;
  /** The region that makes the relation: V1, V2, T2, A2 or B. */
  region: number;
  level: Level;
  /** A village inside that region (the region itself for the two villages). */
  village: number;
  /** An account bound to `region`, with the role of its level. */
  target: TestOfficial;
  /** The chain city → county → township → village of `village`. */
  tree: Tree;
}

/** An evaluation session to aim a request at: its kind and state. Without a status the request
 * aims at the village itself (e.g. creating a session of that kind there). */
export interface SessionSpec {
  kind: SessionKind;
  status?: FixtureStatus;
  /** one of its slips (tokens[0]) already used by an online ballot */
  usedSlip?: boolean;
}

/** A rectification case to aim a request at: its state, and which variant of the request (e.g. the
 * field changed or the action taken). Without a state the request aims at the village itself. */
export interface CaseSpec {
  state?: CaseState;
  variant?: string;
}

export interface CaseFixture {
  caseId: number;
  /** one open problem of the case */
  problemId: number;
  villageId: number;
  campaignId: number;
}

/** Every session fixture declares this many residents present and has this many unused slips
 * (tokens[0], tokens[1]) in one batch, so slips can still be issued. */
export const FIXTURE_RESIDENTS = 5;
const FIXTURE_SLIPS = 2;

export interface World {
  db: Db;
  regions: Record<
    'A' | 'A1' | 'A2' | 'T1' | 'T2' | 'V1' | 'V2' | 'T2v' | 'A2t' | 'A2v' | 'B' | 'Bc' | 'Bt' | 'Bv',
    number
  >;
  names: Record<number, string>;
  actors: Record<ActorKey, Actor>;
  places: Record<Relation, Place>;
  /** Is the region inside the actor's subtree? */
  inSubtree(actor: Actor, regionId: number): boolean;
  /** Undo what allowed requests may have done to the world's accounts: passwords back to
   * TEST_PASSWORD, accounts enabled, throttles cleared, and a fresh session for every actor. */
  refresh(): Promise<void>;
  /** One session per relation and spec, made on first use and then reused: only for requests that
   * must leave it as it is (refused ones, reads). */
  sharedSession(relation: Relation, spec: SessionSpec): Promise<SessionFixture>;
  /** A new session for one request that is allowed to change it. */
  freshSession(relation: Relation, spec: SessionSpec): Promise<SessionFixture>;
  /** The ids from the root to the region, inclusive. */
  pathOf(regionId: number): number[];
  /** A campaign of each relation's county (its cases live in the relation's village). */
  campaigns: Record<Relation, number>;
  /** Like sharedSession, for cases: one per relation and state, remade when no longer in that state. */
  sharedCase(relation: Relation, spec: CaseSpec): Promise<CaseFixture>;
  /** A new case for one request that may change it; without a state, null, after the village's open
   * case (a village has at most one) was closed so that a new one may be listed. */
  freshCase(relation: Relation, spec: CaseSpec): Promise<CaseFixture | null>;
  /** One untreated department report about the relation's village, made on first use and reused
   * while still untreated (for refused calls and reads). */
  sharedReport(relation: Relation): Promise<number>;
  /** A new untreated report about the relation's village, for one request that may change it. */
  freshReport(relation: Relation): Promise<number>;
}

const ROLE_OF_LEVEL: Record<Level, Role> = { city: 'city', county: 'county', township: 'township', village: 'village' };
export const roleOfLevel = (level: Level): Role => ROLE_OF_LEVEL[level];

/** A session for the account, written straight to auth_session as a login would; returns the cookie. */
export async function sessionFor(db: Db, officialId: number): Promise<string> {
  const id = randomId(32);
  await db
    .insertInto('auth_session')
    .values({
      id_hash: sha256(id),
      official_id: officialId,
      expires_at: sql`now() + make_interval(secs => ${SESSION_ABSOLUTE_SECONDS})`,
    })
    .execute();
  return `vre_sid=${id}`;
}

export async function buildWorld(db: Db): Promise<World> {
  const tag = crypto.randomBytes(3).toString('hex');
  const names: Record<number, string> = {};
  const levels: Record<number, Level> = {};
  const region = async (level: Level, parent: number | null, name: string) => {
    const id = await createRegion(db, level, parent, `${name}-${tag}`);
    names[id] = `${name}-${tag}`;
    levels[id] = level;
    return id;
  };
  const A = await region('city', null, '甲市');
  const A1 = await region('county', A, '甲一县');
  const T1 = await region('township', A1, '东乡镇');
  const V1 = await region('village', T1, '东一村');
  const V2 = await region('village', T1, '东二村');
  const T2 = await region('township', A1, '西乡镇');
  const T2v = await region('village', T2, '西一村');
  const A2 = await region('county', A, '甲二县');
  const A2t = await region('township', A2, '南乡镇');
  const A2v = await region('village', A2t, '南一村');
  const B = await region('city', null, '乙市');
  const Bc = await region('county', B, '乙一县');
  const Bt = await region('township', Bc, '北乡镇');
  const Bv = await region('village', Bt, '北一村');
  const regions = { A, A1, A2, T1, T2, V1, V2, T2v, A2t, A2v, B, Bc, Bt, Bv };

  const paths = new Map<number, number[]>();
  for (const r of await db.selectFrom('region').select(['id', 'path']).execute()) paths.set(r.id, r.path);

  const seat: Record<ActorKey, [Role, number]> = {
    'admin@city': ['admin', A],
    'admin@county': ['admin', A1],
    'admin@township': ['admin', T1],
    city: ['city', A],
    county: ['county', A1],
    township: ['township', T1],
    village: ['village', V1],
    department: ['department', A1],
  };
  const actors = {} as Record<ActorKey, Actor>;
  for (const key of ACTOR_KEYS) {
    const [role, regionId] = seat[key];
    const official = await createOfficial(db, role, regionId, `${key.replace('@', '_at_')}_${tag}`);
    actors[key] = { ...official, key, level: levels[regionId] as Level, cookie: '' };
  }

  const placeOf: Record<Relation, [number, Tree]> = {
    'own-village': [V1, { city: A, county: A1, township: T1, village: V1 }],
    'sibling-village': [V2, { city: A, county: A1, township: T1, village: V2 }],
    'other-township': [T2, { city: A, county: A1, township: T2, village: T2v }],
    'other-county': [A2, { city: A, county: A2, township: A2t, village: A2v }],
    'other-city': [B, { city: B, county: Bc, township: Bt, village: Bv }],
  };
  const places = {} as Record<Relation, Place>;
  for (const relation of RELATIONS) {
    const [regionId, tree] = placeOf[relation];
    const level = levels[regionId] as Level;
    const target = await createOfficial(db, roleOfLevel(level), regionId, `target_${relation}_${tag}`);
    places[relation] = { relation, region: regionId, level, village: tree.village, target, tree };
  }

  const accountIds = [...Object.values(actors), ...Object.values(places).map((p) => p.target)].map((o) => o.id);
  const usernames = [...Object.values(actors), ...Object.values(places).map((p) => p.target)].map((o) =>
    o.username.toLowerCase(),
  );
  const testHash = await hashPassword(TEST_PASSWORD);
  const shared = new Map<string, Promise<SessionFixture>>();
  const newSession = (relation: Relation, spec: SessionSpec) => sessionFixture(db, places[relation].tree, spec);

  const campaignOfCounty = new Map<number, number>();
  for (const county of [A1, A2, Bc]) {
    campaignOfCounty.set(county, await createCampaign(db, county, { year: 2025, createdBy: actors.county.id }));
  }
  const campaigns = Object.fromEntries(
    RELATIONS.map((r) => [r, campaignOfCounty.get(places[r].tree.county) as number]),
  ) as Record<Relation, number>;
  const sharedCases = new Map<string, CaseFixture>();
  const newCase = (relation: Relation, spec: CaseSpec) =>
    caseFixture(db, places[relation].tree.village, campaigns[relation], actors.county.id, spec.state);

  // the department filing reports about each county's villages: the actor for A1, one made for each other
  const reporterOf = new Map<number, number>([[A1, actors.department.id]]);
  for (const county of [A2, Bc]) {
    reporterOf.set(county, (await createOfficial(db, 'department', county, `dept_${county}_${tag}`)).id);
  }
  const newReport = (relation: Relation) => {
    const { county, village } = places[relation].tree;
    return reportFixture(db, county, village, reporterOf.get(county) as number);
  };
  const sharedReports = new Map<Relation, number>();

  const world: World = {
    db,
    regions,
    names,
    actors,
    places,
    inSubtree: (actor, regionId) => (paths.get(regionId) ?? []).includes(actor.regionId),
    refresh: async () => {
      await db.deleteFrom('auth_session').where('official_id', 'in', accountIds).execute();
      await db
        .updateTable('official')
        .set({ password_hash: testHash, disabled_at: null })
        .where('id', 'in', accountIds)
        .execute();
      await db.deleteFrom('login_throttle').where('username_key', 'in', usernames).execute();
      const ids = ACTOR_KEYS.map(() => randomId(32));
      await db
        .insertInto('auth_session')
        .values(
          ACTOR_KEYS.map((key, i) => ({
            id_hash: sha256(ids[i] as string),
            official_id: actors[key].id,
            expires_at: sql<Date>`now() + make_interval(secs => ${SESSION_ABSOLUTE_SECONDS})`,
          })),
        )
        .execute();
      ACTOR_KEYS.forEach((key, i) => (actors[key].cookie = `vre_sid=${ids[i]}`));
    },
    sharedSession: (relation, spec) => {
      const key = `${relation} ${spec.kind} ${spec.status} ${spec.usedSlip === true}`;
      let made = shared.get(key);
      if (!made) shared.set(key, (made = newSession(relation, spec)));
      return made;
    },
    freshSession: newSession,
    pathOf: (regionId) => paths.get(regionId) ?? [],
    campaigns,
    sharedCase: async (relation, spec) => {
      const key = `${relation} ${spec.state}`;
      const made = sharedCases.get(key);
      if (made && (await stateOf(db, made.caseId)) === spec.state) return made;
      const fixture = (await newCase(relation, spec)) as CaseFixture;
      sharedCases.set(key, fixture);
      return fixture;
    },
    freshCase: newCase,
    sharedReport: async (relation) => {
      const made = sharedReports.get(relation);
      if (made && (await reportStatusOf(db, made)) === 'submitted') return made;
      const id = await newReport(relation);
      sharedReports.set(relation, id);
      return id;
    },
    freshReport: newReport,
  };
  await world.refresh();
  return world;
}

let sessionNo = 0;

/** A session of the spec's kind and state in the tree's village (createSessionFixture writes a
 * confirmed self-evaluation; the kind is set afterwards). A closed or certified one is written open
 * and then given a result of the shape close writes (no ballots), so that every reader of results,
 * the exports included, sees a real one. */
async function sessionFixture(db: Db, tree: Tree, spec: SessionSpec): Promise<SessionFixture> {
  const ended = spec.status === 'closed' || spec.status === 'certified';
  const fixture = await createSessionFixture(db, {
    tree,
    status: ended ? 'open' : (spec.status ?? 'draft'),
    slips: FIXTURE_SLIPS,
    residentsPresent: FIXTURE_RESIDENTS,
    title: `矩阵测评 ${++sessionNo}`,
  });
  if (spec.kind !== 'self_evaluation') {
    await db.updateTable('evaluation_session').set({ kind: spec.kind }).where('id', '=', fixture.sessionId).execute();
  }
  if (spec.usedSlip) {
    const cast = await castBallot(db, fixture.tokens[0] as string, validAnswers());
    if (cast.outcome !== 'accepted') throw new Error(`fixture ballot not accepted: ${cast.outcome}`);
  }
  if (ended) await closeFixtureSession(db, fixture.sessionId, spec.status === 'certified');
  return fixture;
}

let reportNo = 0;

/** An untreated 部门报送 about the village, with its submit step, as the service writes them. */
async function reportFixture(db: Db, countyId: number, villageId: number, reporter: number): Promise<number> {
  const row = await db
    .insertInto('department_report')
    .values({
      county_id: countyId,
      village_id: villageId,
      department: '信访',
      reported_by: reporter,
      category: 'petition',
      description: `矩阵报送 ${++reportNo}：群众反映村务公开不及时`,
      event_date: '2025-06-01',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db
    .insertInto('department_report_step')
    .values({
      report_id: row.id,
      action: 'submit',
      to_status: 'submitted',
      official_id: reporter,
      actor_name: '矩阵部门',
      actor_role: 'department',
    })
    .execute();
  return row.id;
}

async function reportStatusOf(db: Db, id: number): Promise<string | undefined> {
  const row = await db.selectFrom('department_report').select('status').where('id', '=', id).executeTakeFirst();
  return row?.status;
}

const CLOSED_CASE_STATES: readonly CaseState[] = ['exited', 'monitoring'];

async function stateOf(db: Db, caseId: number): Promise<string | undefined> {
  const row = await db.selectFrom('rectification_case').select('state').where('id', '=', caseId).executeTakeFirst();
  return row?.state;
}

/** A case in the village at `state`, with one open problem; an open case already there is first
 * closed (set to exited), since a village has at most one. Without a state only that is done. */
async function caseFixture(
  db: Db,
  villageId: number,
  campaignId: number,
  createdBy: number,
  state: CaseState | undefined,
): Promise<CaseFixture | null> {
  if (state === undefined || !CLOSED_CASE_STATES.includes(state)) {
    await db
      .updateTable('rectification_case')
      .set({ state: 'exited' })
      .where('village_id', '=', villageId)
      .where('state', 'not in', CLOSED_CASE_STATES)
      .execute();
  }
  if (state === undefined) return null;
  const caseId = await createCaseAt(db, { campaignId, villageId, state, createdBy });
  const problemId = await addProblem(db, caseId);
  return { caseId, problemId, villageId, campaignId };
}

interface DigestQueries {
  content: string;
  versions: string;
}
const digestQueries = new WeakMap<Db, Promise<DigestQueries>>();

/** The two digest statements, each one round trip (the table list is read once per database). */
async function buildDigestQueries(db: Db): Promise<DigestQueries> {
  const { rows: columns } = await sql<{ table: string; column: string }>`
    select c.table_name as "table", c.column_name as "column"
    from information_schema.columns c
    join pg_tables t on t.schemaname = c.table_schema and t.tablename = c.table_name
    where c.table_schema = 'public'
    order by c.table_name, c.ordinal_position`.execute(db);
  const byTable = new Map<string, string[]>();
  for (const { table, column } of columns) {
    if (table === 'login_throttle' || (table === 'auth_session' && column === 'last_seen_at')) continue;
    byTable.set(table, [...(byTable.get(table) ?? []), column]);
  }
  const byContent = (table: string, cols: string[]) =>
    `select '${table}' as t, count(*) as n,
      md5(coalesce(string_agg(x::text, E'\\n' order by x::text), '')) as md5
      from (select ${cols.map((c) => `"${c}"`).join(', ')} from "${table}") x`;
  // Every insert, update or delete leaves a row version with a new xmin (or one fewer row), so
  // hashing (ctid, xmin) sees any write without reading the rows' contents.
  const byVersion = (table: string) =>
    `select '${table}' as t, count(*) as n,
      coalesce(sum(('x' || left(md5(ctid::text || xmin::text), 15))::bit(60)::bigint), 0)::text as md5
      from "${table}"`;
  const tables = [...byTable];
  return {
    content: tables.map(([table, cols]) => byContent(table, cols)).join('\nunion all\n'),
    versions: tables
      .map(([table, cols]) => (table === 'auth_session' ? byContent(table, cols) : byVersion(table)))
      .join('\nunion all\n'),
  };
}

async function runDigest(db: Db, kind: keyof DigestQueries): Promise<Record<string, string>> {
  let queries = digestQueries.get(db);
  if (!queries) digestQueries.set(db, (queries = buildDigestQueries(db)));
  const { rows } = await sql.raw<{ t: string; n: string; md5: string }>((await queries)[kind]).execute(db);
  return Object.fromEntries(rows.map((r) => [r.t, `${r.n} rows, ${r.md5}`]));
}

/** A digest of every row of every table, to prove a refused request changed nothing. Left out:
 * auth_session.last_seen_at (any authenticated request may refresh it) and login_throttle. */
export function databaseDigest(db: Db): Promise<Record<string, string>> {
  return runDigest(db, 'content');
}

/** Cheaper and stricter than databaseDigest when called often: it changes with any row written
 * (even rewritten unchanged), not only with changed contents; the same tables are left out, and
 * auth_session is taken by content because every authenticated request refreshes last_seen_at. */
export function rowVersionsDigest(db: Db): Promise<Record<string, string>> {
  return runDigest(db, 'versions');
}
