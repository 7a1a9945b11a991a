// The authorization matrix (issue 2, item 7). Every route of the app has one row saying who may call
// it; every row is tried by anonymous and by every actor of the fixture world, against a target in
// every relation (own village, sibling village, another township, another county, another city),
// and for evaluation sessions and rectification cases in the kinds and states the route acts on.
// Outside the allowed set the answer is 401, 403 or 404 with the one body of its kind, and the
// database is unchanged. A route without a row, or a row without a route, fails the first test.
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorBody, forbidden, notFound } from '../../server/errors.ts';
import type { Role } from '../../server/lib/access.ts';
import type { SessionKind } from '../../server/modules/sessions/sessions.rules.ts';
import { buildTestApp } from '../helpers/app.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { prepareJobQueues } from '../helpers/jobs.ts';
import { ballotState, validAnswers, type FixtureStatus, type SessionFixture } from '../helpers/evaluation.ts';
import { TEST_PASSWORD } from '../helpers/factories.ts';
import { listRoutes, routeKey } from '../helpers/routes.ts';
import { FIELDS, fieldHeading } from '../../server/modules/villagefiles/villagefiles.rules.ts';
import { createList, createPrevention, screenVillage } from '../helpers/decisions.ts';
import { ensureRiskList, ensureSheet, gradeVillage } from '../helpers/grading.ts';
import {
  ACTOR_KEYS,
  buildWorld,
  databaseDigest,
  rowVersionsDigest,
  FIXTURE_RESIDENTS,
  RELATIONS,
  roleOfLevel,
  type Actor,
  type CaseFixture,
  type CaseSpec,
  type Level,
  type Place,
  type Relation,
  type SessionSpec,
  type World,
} from '../helpers/world.ts';

/** 'any': no target, or the target does not matter; 'subtree': the target must lie in the caller's
 * subtree; a list: only targets in these relations. */
type Access = 'any' | 'subtree' | readonly Relation[];
type Who = Role | 'anonymous';
type AccessMap = Partial<Record<Who, Access>>;

interface CaseContext {
  world: World;
  actor: Actor | null;
  place: Place | null;
  spec: SessionSpec | null;
  /** The session aimed at (rows with `sessions` whose spec has a status). */
  session: SessionFixture | null;
  caseSpec: CaseSpec | null;
  /** The rectification case aimed at (rows with `cases` whose spec has a state). */
  caseFx: CaseFixture | null;
  /** The department report aimed at (rows with `reports`). */
  reportId: number | null;
  n: number;
}

interface MatrixRow {
  route: string;
  /** Who may call the route; anyone not listed is refused (anonymous 401, an official 403, or 404:
   * see `scoped`). On a session it may depend on the session's kind and state, on a case on its state. */
  allowed: AccessMap | ((spec: SessionSpec, caseSpec: CaseSpec) => AccessMap);
  /** Try the route once per relation, with ctx.place set to the target's place. */
  targeted?: boolean;
  /** Try the route on a session of each spec in the village of every relation (the other kinds
   * only in NEAR relations); a spec without a status aims at the village itself. */
  sessions?: readonly SessionSpec[];
  /** Try the route on a rectification case of each spec in the village of every relation; a spec
   * without a state aims at the village itself. */
  cases?: readonly CaseSpec[];
  /** Try the route on an untreated department report about the village of every relation. */
  reports?: boolean;
  /** Roles let through the route's role check and refused by the target (its kind or state) only
   * after the scope check: outside their subtree they get the 404, inside it the 403. */
  scoped?: readonly Role[];
  /** For `scoped` roles: is the target visible to the actor (else 404)? Default: in their subtree. */
  visible?: (actor: Actor, place: Place) => boolean;
  /** The caller's own region must be at one of these levels, else 403. */
  callerLevels?: readonly Level[];
  /** The request beyond method and url (url defaults to the route's). */
  request?: (ctx: CaseContext) => Partial<InjectOptions>;
  /** The status of an allowed call (default 200). */
  ok?: number | ((ctx: CaseContext) => number);
  /** Allowed calls change nothing and get the same answer whoever calls (public and token routes:
   * a login must give no extra power). */
  sameForEveryone?: boolean;
  /** Allowed calls change accounts or login sessions: restore the world after each. */
  refresh?: boolean;
  /** Further checks of an allowed answer, e.g. that a list holds only the caller's subtree. */
  check?: (res: LightMyRequestResponse, ctx: CaseContext) => void | Promise<void>;
}

// A 行业部门 account is an official too, but reaches only its own routes: the ones for every
// account (its login session, its password) and the department reports.
const EVERY_OFFICIAL = { admin: 'any', city: 'any', county: 'any', township: 'any', village: 'any' } as const;
const EVERY_ACCOUNT = { ...EVERY_OFFICIAL, department: 'any' } as const;
const PUBLIC = { anonymous: 'any', ...EVERY_ACCOUNT } as const;
const IN_SUBTREE = {
  admin: 'subtree',
  city: 'subtree',
  county: 'subtree',
  township: 'subtree',
  village: 'subtree',
} as const;
const json = (payload: unknown) => ({ payload: payload as InjectOptions['payload'] });
const targetUrl = (action: string) => (ctx: CaseContext) => ({
  url: `/api/officials/${ctx.place?.target.id}/${action}`,
});

// Evaluation sessions (issue 3). Who runs a session of each kind is written out here, not imported
// from the server's rule table, so a change there shows up as failing cells. look_back is run by
// the same roles as county_callback and is left out to keep the matrix fast.
const SESSION_ROLES = ['city', 'county', 'township', 'village'] as const satisfies readonly Role[];
const RUNNERS: Record<SessionKind, readonly Role[]> = {
  self_evaluation: ['city', 'county', 'township', 'village'],
  township_check: ['city', 'county', 'township'],
  county_callback: ['city', 'county'],
  look_back: ['city', 'county'],
};
const KINDS: readonly SessionKind[] = ['self_evaluation', 'township_check', 'county_callback'];
const inSubtreeFor = (roles: readonly Role[]): AccessMap => Object.fromEntries(roles.map((r) => [r, 'subtree']));
const runners = (spec: SessionSpec): AccessMap => inSubtreeFor(RUNNERS[spec.kind]);
const everyKind = (status?: FixtureStatus): SessionSpec[] =>
  KINDS.map((kind) => (status ? { kind, status } : { kind }));
/** Sessions to read: any state and kind will do. */
const TO_READ: readonly SessionSpec[] = [
  { kind: 'self_evaluation', status: 'open' },
  { kind: 'township_check', status: 'draft' },
  { kind: 'county_callback', status: 'open' },
];
const sessionUrl =
  (action = '') =>
  (ctx: CaseContext) => ({ url: `/api/sessions/${ctx.session?.sessionId}${action}` });
const onSession = (action: string, payload?: unknown) => (ctx: CaseContext) => ({
  ...sessionUrl(action)(ctx),
  ...(payload === undefined ? {} : json(payload)),
});
const statusIs = (status: string) => (res: LightMyRequestResponse) => expect(res.json().status).toBe(status);
const sessionRow = (row: Omit<MatrixRow, 'scoped'>): MatrixRow => ({ scoped: SESSION_ROLES, ...row });

// Campaigns and rectification cases (issue 4), written out from the cases contract. A case route
// finds the case in the caller's subtree first (else 404), then asks the role (403). Case targets
// are made in every relation's village (world.sharedCase / freshCase), one open case per village.
const CASE_ROLES = ['city', 'county', 'township', 'village'] as const satisfies readonly Role[];
const LEADERS = ['city', 'county'] as const satisfies readonly Role[];
const caseRow = (row: Omit<MatrixRow, 'scoped'>): MatrixRow => ({ scoped: CASE_ROLES, ...row });
const onCase =
  (path = '', payload?: unknown) =>
  (ctx: CaseContext) => ({
    url: `/api/cases/${ctx.caseFx?.caseId}${path}`,
    ...(payload === undefined ? {} : json(payload)),
  });
const caseIdIs = (res: LightMyRequestResponse, { caseFx }: CaseContext) => expect(res.json().id).toBe(caseFx?.caseId);
/** The campaign aimed at is the one of the place's county: an official sees it when that county lies
 * in their subtree or above them, and changes it (county, city) when it lies in their subtree. */
const campaignOf = (place: Place | null) => world.campaigns[place?.relation ?? 'own-village'];
const seesCampaign = (actor: Actor, place: Place) =>
  world.inSubtree(actor, place.tree.county) || world.pathOf(actor.regionId).includes(place.tree.county);
const campaignAccess = (roles: readonly Role[], may: (actor: Actor, place: Place) => boolean): AccessMap =>
  Object.fromEntries(
    roles.map((role) => [
      role,
      RELATIONS.filter((r) => may(world.actors[role as 'city' | 'county' | 'township' | 'village'], world.places[r])),
    ]),
  );
const FUTURE_DAY = '2099-06-30';
/** A time tomorrow (and `hours` more): scheduled times lie within a year. */
const tomorrow = (hours = 0) => new Date(Date.now() + (24 + hours) * 3600_000).toISOString();

// The campaign board: the levels that oversee many villages; a village region answers 400.
const BOARD_ACCESS = { city: 'subtree', county: 'subtree', township: 'subtree' } as const;
const onBoard = (path: string) => (ctx: CaseContext) => ({ url: `${path}?regionId=${ctx.place?.region}` });
const boardStatus = ({ place }: CaseContext) => (place?.level === 'village' ? 400 : 200);

// 村情档案: who reads a village's file (their subtree) and the roles let through to the service.
const FILE_ROLES = ['city', 'county', 'township', 'village'] as const satisfies readonly Role[];
const FILE_READERS = inSubtreeFor(FILE_ROLES);
const FILE_READERS_ANY = { city: 'any', county: 'any', township: 'any', village: 'any' } as const;
const onVillageFile = (rest: string) => (ctx: CaseContext) => ({
  url: `/api/village-files/${ctx.place?.village}/2025${rest}`,
});

// 堡垒指数 and 负面清单 (issue 10 items 2-3), for the year GRADING_YEAR: the sheet and the list of
// county A1 exist, villages V1 and V2 are graded 弱村. The county edits sheets and lists (the city
// reads them), the township scores and screens its villages, the village secretary reads their own.
const GRADING_YEAR = 2026;
const VILLAGE_READERS = inSubtreeFor(['city', 'county', 'township', 'village']);
const GRADING_ROLES = ['city', 'county', 'township', 'village'] as const satisfies readonly Role[];
const grading = { sheetId: 0, sheetItems: [] as { id: number }[], listId: 0, listItems: [] as { id: number }[] };
const chainCounty = () => world.places['own-village'].tree.county;
const onVillage = (path: string) => (ctx: CaseContext) => ({
  url: `/api/${path}/villages/${ctx.place?.village}?year=${GRADING_YEAR}`,
});
const onRegion = (path: string) => (ctx: CaseContext) => ({
  url: `/api/${path}/villages?regionId=${ctx.place?.region}&year=${GRADING_YEAR}`,
});
const ROUND_YEAR = 2092;
let roundId = 0;
const onRegister = (path: string) => (ctx: CaseContext) => ({
  url: `/api/identification${path}?regionId=${ctx.place?.region}&year=${GRADING_YEAR}`,
});
const sheetBody = async () => {
  const s = await app.inject({
    method: 'GET',
    url: `/api/grading/sheet?regionId=${chainCounty()}&year=${GRADING_YEAR}`,
    headers: { cookie: world.actors.county.cookie },
  });
  return s.json().sheet as { strongMin: number; middleMin: number; items: unknown[] };
};

// 部门报送: the department actor (county A1) reports and reads in its county only (its own reports:
// the world's reports about A1's villages are the actor's); the others read their subtree.
const DEPARTMENT_REACH: readonly Relation[] = ['own-village', 'sibling-village', 'other-township'];
const REPORT_READERS: AccessMap = {
  department: DEPARTMENT_REACH,
  township: 'subtree',
  county: 'subtree',
  city: 'subtree',
};
const onReport = (path: string, payload?: unknown) => (ctx: CaseContext) => ({
  url: `/api/dept-reports/${ctx.reportId}${path}`,
  ...(payload === undefined ? {} : json(payload)),
});

// 三级认定 (issue 10 items 5-6), in years of their own: list L (T1, DECISION_YEAR, draft, V1 screened)
// is read and saved by the township; P (T1, next year, draft, empty) is proposed by the township and
// D (T1, the year after, proposed) determined by the county; V1 is a 重点防控村 of DECISION_YEAR,
// reviewed by the county. The city and county read, the township reads its own.
// past years: a step's meeting cannot be in the future nor before 1 January of the year before the list's
const DECISION_YEAR = 2012;
const decision = { listId: 0, version: 1, proposeId: 0, determineId: 0, preventionId: 0 };
const DECISION_READERS = { city: 'any', county: 'any', township: 'any' } as const;
const chainTownship = () => world.places['own-village'].tree.township;

// Adding a route: add its row here. For a route on an evaluation session use sessionRow, with
// `sessions` (the kinds and states the route acts on) and `allowed` (who may, often `runners`); the
// matrix makes those sessions in every relation's village (world.sharedSession for refused calls
// and reads, world.freshSession for each allowed change), so point `request` at ctx.session. For
// another object that lives in a village, give world.ts a maker like those two.
const ROWS: MatrixRow[] = [
  { route: 'GET /api/health', allowed: PUBLIC },
  { route: 'GET /api/docs', allowed: PUBLIC },
  {
    route: 'POST /api/auth/login',
    allowed: PUBLIC,
    targeted: true,
    refresh: true,
    request: ({ place }) => json({ username: place?.target.username, password: TEST_PASSWORD }),
    check: (res, { place }) => expect(res.json().user.id).toBe(place?.target.id),
  },
  { route: 'POST /api/auth/logout', allowed: EVERY_ACCOUNT, refresh: true },
  {
    route: 'GET /api/auth/me',
    allowed: EVERY_ACCOUNT,
    check: (res, { actor }) => expect(res.json().user.id).toBe(actor?.id),
  },
  {
    route: 'GET /api/auth/session',
    allowed: PUBLIC,
    check: (res, { actor }) =>
      expect(res.json()).toEqual({ user: actor ? expect.objectContaining({ id: actor.id }) : null }),
  },
  {
    route: 'POST /api/auth/password',
    allowed: EVERY_ACCOUNT,
    refresh: true,
    request: () => json({ currentPassword: TEST_PASSWORD, newPassword: 'Another-passw0rd' }),
  },
  { route: 'GET /api/officials', allowed: { admin: 'any' }, check: listsOnlyTheSubtree },
  {
    route: 'POST /api/officials',
    allowed: { admin: 'subtree' },
    targeted: true,
    ok: 201,
    request: ({ place, n }) =>
      json({
        username: `made_${n}_${Date.now() % 1e6}`,
        role: roleOfLevel(place?.level ?? 'village'),
        regionId: place?.region,
      }),
  },
  {
    route: 'POST /api/officials/:id/disable',
    allowed: { admin: 'subtree' },
    targeted: true,
    refresh: true,
    request: targetUrl('disable'),
  },
  {
    route: 'POST /api/officials/:id/enable',
    allowed: { admin: 'subtree' },
    targeted: true,
    refresh: true,
    request: targetUrl('enable'),
  },
  {
    route: 'POST /api/officials/:id/reset-password',
    allowed: { admin: 'subtree' },
    targeted: true,
    refresh: true,
    request: targetUrl('reset-password'),
  },
  {
    route: 'GET /api/regions',
    allowed: EVERY_OFFICIAL,
    check: (res, { actor }) => expect(res.json().root.id).toBe(actor?.regionId),
  },
  {
    route: 'GET /api/regions/:id/children',
    allowed: IN_SUBTREE,
    targeted: true,
    request: ({ place }) => ({ url: `/api/regions/${place?.region}/children` }),
    check: (res, { world, actor, place }) => {
      const body = res.json() as { region: { id: number }; children: { id: number }[] };
      expect(body.region.id).toBe(place?.region);
      for (const child of body.children) expect(world.inSubtree(actor as Actor, child.id)).toBe(true);
    },
  },
  {
    route: 'POST /api/regions/import',
    allowed: { admin: 'any', city: 'any', county: 'any' },
    callerLevels: ['city', 'county'],
    // A dry run of a row that already exists: allowed callers get 200 and nothing is written.
    request: ({ world }) => ({
      url: '/api/regions/import?filename=villages.csv&dryRun=true',
      headers: { 'content-type': 'text/csv' },
      payload: `县,乡镇,村\n${world.names[world.regions.A1]},${world.names[world.regions.T1]},${world.names[world.regions.V1]}\n`,
    }),
  },
  sessionRow({
    route: 'POST /api/sessions',
    allowed: runners,
    sessions: everyKind(),
    ok: 201,
    request: ({ place, spec }) =>
      json({
        villageId: place?.village,
        title: '矩阵新建测评',
        residentsPresent: 3,
        kind: spec?.kind,
        acknowledgeNoCase: true,
      }),
    check: createsInTheVillageOnly,
  }),
  sessionRow({
    route: 'GET /api/villages/:id/session-context',
    allowed: inSubtreeFor(SESSION_ROLES),
    sessions: [{ kind: 'self_evaluation' }],
    request: ({ place, spec }) => ({ url: `/api/villages/${place?.village}/session-context?kind=${spec?.kind}` }),
    check: (res) => expect(res.json()).toMatchObject({ case: null, needsAcknowledgement: true }),
  }),
  // Campaign scheduling (issue 9, item 3): batches are the township's and the county's, for villages
  // of their subtree; a session's times are set by whoever may open (draft) or close (open) it.
  {
    route: 'POST /api/session-batches/preview',
    allowed: { county: 'subtree', township: 'subtree' },
    targeted: true,
    request: ({ place }) =>
      json({ kind: 'self_evaluation', villages: [{ villageId: place?.village, residentsPresent: 3 }] }),
    check: (res, { place }) =>
      expect(res.json()).toMatchObject({ rows: [{ villageId: place?.village, problem: null }], withoutCase: 1 }),
  },
  {
    route: 'POST /api/session-batches',
    allowed: { county: 'subtree', township: 'subtree' },
    targeted: true,
    ok: 201,
    request: ({ place }) =>
      json({
        kind: 'self_evaluation',
        villages: [{ villageId: place?.village, residentsPresent: 3 }],
        closeAt: tomorrow(),
        acknowledgeNoCase: true,
      }),
    check: (res, { place }) =>
      expect(res.json()).toMatchObject({ created: [{ villageId: place?.village }], failed: [] }),
  },
  {
    // Reads a residents table and returns its rows: nothing is stored, whoever may batch may read one.
    route: 'POST /api/session-batches/residents-file',
    allowed: { county: 'any', township: 'any' },
    request: () => ({
      url: '/api/session-batches/residents-file?filename=residents.csv',
      headers: { 'content-type': 'text/csv' },
      payload: '村名,到会人数\n东山村,3\n',
    }),
    check: (res) => expect(res.json()).toEqual({ rows: [{ row: 2, name: '东山村', residents: 3 }], problems: [] }),
  },
  sessionRow({
    route: 'PATCH /api/sessions/:id/schedule',
    allowed: runners,
    sessions: everyKind('draft'),
    request: (ctx) => onSession('/schedule', { openAt: tomorrow(), closeAt: tomorrow(1) })(ctx),
    check: (res) => expect(res.json().scheduledOpenAt).not.toBeNull(),
  }),
  {
    route: 'GET /api/sessions',
    allowed: { city: 'any', county: 'any', township: 'any', village: 'any' },
    sessions: [{ kind: 'self_evaluation', status: 'open' }],
    request: ({ place }) => ({ url: `/api/sessions?villageId=${place?.village}` }),
    check: listsOnlySessionsInScope,
  },
  sessionRow({
    route: 'GET /api/sessions/:id',
    allowed: inSubtreeFor(SESSION_ROLES),
    sessions: TO_READ,
    request: sessionUrl(),
    check: (res, { session }) => expect(res.json().id).toBe(session?.sessionId),
  }),
  sessionRow({
    route: 'GET /api/sessions/:id/events',
    allowed: inSubtreeFor(SESSION_ROLES),
    sessions: TO_READ,
    request: sessionUrl('/events'),
    // the fixtures are written straight to the database, so no change of theirs is recorded
    check: (res) => expect(res.json().events).toEqual([]),
  }),
  sessionRow({
    route: 'GET /api/sessions/:id/batches',
    allowed: inSubtreeFor(SESSION_ROLES),
    sessions: TO_READ,
    request: sessionUrl('/batches'),
    check: (res, { session }) =>
      expect(res.json().batches.map((b: { id: number }) => b.id)).toEqual([session?.batchId]),
  }),
  sessionRow({
    route: 'GET /api/sessions/:id/tally',
    allowed: inSubtreeFor(SESSION_ROLES),
    sessions: TO_READ,
    request: sessionUrl('/tally'),
    check: (res) => expect(res.json().results).toBeUndefined(),
  }),
  sessionRow({
    route: 'PATCH /api/sessions/:id',
    allowed: runners,
    sessions: everyKind('draft'),
    request: onSession('', { title: '改过的测评名称' }),
    check: (res) => expect(res.json().title).toBe('改过的测评名称'),
  }),
  sessionRow({
    route: 'POST /api/sessions/:id/confirm-residents',
    allowed: inSubtreeFor(['city', 'county', 'township']),
    sessions: everyKind('draft'),
    request: onSession('/confirm-residents', { residentsPresent: FIXTURE_RESIDENTS }),
    check: (res, { actor }) => expect(res.json().residentsConfirmedBy).toBe(actor?.username),
  }),
  sessionRow({
    route: 'POST /api/sessions/:id/slips',
    allowed: runners,
    sessions: everyKind('open'),
    ok: 201,
    request: onSession('/slips', { count: 1 }),
    check: (res) => expect(res.json().slips).toHaveLength(1),
  }),
  sessionRow({
    route: 'POST /api/sessions/:id/batches/:batchId/void',
    allowed: runners,
    sessions: everyKind('draft'),
    request: (ctx) => ({ url: `/api/sessions/${ctx.session?.sessionId}/batches/${ctx.session?.batchId}/void` }),
    check: (res) => expect(res.json().batch.voided).toBe(true),
  }),
  sessionRow({
    route: 'POST /api/sessions/:id/open',
    allowed: runners,
    sessions: everyKind('draft'),
    request: sessionUrl('/open'),
    check: statusIs('open'),
  }),
  sessionRow({
    route: 'POST /api/sessions/:id/paper-ballots',
    allowed: runners,
    sessions: everyKind('open'),
    ok: 201,
    request: (ctx) => ({
      ...sessionUrl('/paper-ballots')(ctx),
      ...json({ token: ctx.session?.tokens[0], answers: validAnswers() }),
    }),
    check: async (_res, { world: w, session }) =>
      expect(await ballotState(w.db, session?.sessionId as number)).toMatchObject({ ballots: 1, paper: 1, online: 0 }),
  }),
  sessionRow({
    route: 'POST /api/sessions/:id/close',
    allowed: runners,
    sessions: everyKind('open'),
    request: sessionUrl('/close'),
    check: statusIs('closed'),
  }),
  sessionRow({
    route: 'POST /api/sessions/:id/certify',
    allowed: runners,
    sessions: everyKind('closed'),
    request: onSession('/certify', { host: '张主持', scrutineers: ['李监票'], counters: ['王计票'] }),
    check: statusIs('certified'),
  }),
  sessionRow({
    route: 'POST /api/sessions/:id/void',
    // A village secretary may void only a draft: once voting has begun it needs a higher level.
    allowed: (spec) => inSubtreeFor(RUNNERS[spec.kind].filter((r) => r !== 'village' || spec.status === 'draft')),
    sessions: [...everyKind('draft'), { kind: 'self_evaluation', status: 'open' }],
    request: onSession('/void', { reason: '矩阵测试作废' }),
    check: statusIs('void'),
  }),
  {
    route: 'GET /api/public/sessions/:publicId/receipts',
    allowed: PUBLIC,
    sessions: [
      { kind: 'self_evaluation', status: 'closed' },
      { kind: 'self_evaluation', status: 'open' },
    ],
    sameForEveryone: true,
    // a session still open answers as one that does not exist
    ok: ({ spec }) => (spec?.status === 'closed' ? 200 : 404),
    request: ({ session }) => ({ url: `/api/public/sessions/${session?.publicId}/receipts` }),
    check: (res, { spec }) =>
      spec?.status === 'closed' ? expect(res.json().receipts).toEqual([]) : expect(res.json().code).toBe('NOT_FOUND'),
  },
  {
    route: 'POST /api/ballot/questionnaire',
    allowed: PUBLIC,
    sessions: [
      { kind: 'self_evaluation', status: 'open' },
      { kind: 'self_evaluation', status: 'draft' },
    ],
    sameForEveryone: true,
    ok: ({ spec }) => (spec?.status === 'open' ? 200 : 409),
    request: ({ session }) => json({ token: session?.tokens[1] }),
    check: (res, { spec, session }) =>
      spec?.status === 'open'
        ? expect(res.json().session.publicId).toBe(session?.publicId)
        : expect(res.json().code).toBe('SESSION_NOT_OPEN'),
  },
  {
    // A used slip: the same 409 for everyone, and nothing written.
    route: 'POST /api/ballots',
    allowed: PUBLIC,
    sessions: [{ kind: 'self_evaluation', status: 'open', usedSlip: true }],
    sameForEveryone: true,
    ok: 409,
    request: ({ session }) => json({ token: session?.tokens[0], clientId: 'matrix-client', answers: validAnswers() }),
    check: (res) => expect(res.json().code).toBe('SLIP_ALREADY_USED'),
  },
  {
    route: 'POST /api/campaigns',
    allowed: { city: 'subtree', county: 'subtree' },
    targeted: true,
    ok: 201,
    request: ({ place, n }) => json({ regionId: place?.tree.county, year: 2030, title: `矩阵整顿工作 ${n}` }),
    check: (res, { place }) => expect(res.json()).toMatchObject({ regionId: place?.tree.county, year: 2030 }),
  },
  {
    route: 'GET /api/campaigns',
    allowed: { city: 'any', county: 'any', township: 'any', village: 'any' },
    check: listsOnlyVisibleCampaigns,
  },
  {
    route: 'GET /api/campaigns/:id',
    allowed: () => campaignAccess(CASE_ROLES, seesCampaign),
    targeted: true,
    request: ({ place }) => ({ url: `/api/campaigns/${campaignOf(place)}` }),
    check: (res, { place }) => expect(res.json().id).toBe(campaignOf(place)),
  },
  {
    route: 'PATCH /api/campaigns/:id',
    allowed: () => campaignAccess(LEADERS, (actor, place) => world.inSubtree(actor, place.tree.county)),
    targeted: true,
    scoped: CASE_ROLES,
    visible: seesCampaign,
    request: ({ place, n }) => ({ url: `/api/campaigns/${campaignOf(place)}`, ...json({ title: `矩阵改名 ${n}` }) }),
    check: (res, { n }) => expect(res.json().title).toBe(`矩阵改名 ${n}`),
  },
  {
    route: 'POST /api/cases',
    allowed: { city: 'subtree', county: 'subtree' },
    cases: [{}],
    ok: 201,
    request: ({ place }) =>
      json({
        campaignId: campaignOf(place),
        villageId: place?.village,
        types: ['班子战斗力不强'],
        deadline: FUTURE_DAY,
      }),
    check: (res, { place }) => expect(res.json()).toMatchObject({ villageId: place?.village, state: 'listed' }),
  },
  {
    route: 'GET /api/cases',
    allowed: { city: 'any', county: 'any', township: 'any', village: 'any' },
    cases: [{ state: 'rectifying' }],
    request: ({ place }) => ({ url: `/api/cases?villageId=${place?.village}` }),
    check: listsOnlyCasesInScope,
  },
  caseRow({
    route: 'GET /api/cases/:id',
    allowed: inSubtreeFor(CASE_ROLES),
    cases: [{ state: 'rectifying' }, { state: 'monitoring' }],
    request: onCase(),
    check: caseIdIs,
  }),
  caseRow({
    route: 'PATCH /api/cases/:id',
    // the plan: any of the four; the deadline: county and city
    allowed: (_spec, { variant }) => inSubtreeFor(variant === 'plan' ? CASE_ROLES : LEADERS),
    cases: [
      { state: 'rectifying', variant: 'plan' },
      { state: 'rectifying', variant: 'deadline' },
    ],
    request: (ctx) =>
      onCase('', ctx.caseSpec?.variant === 'plan' ? { plan: `矩阵方案 ${ctx.n}` } : { deadline: FUTURE_DAY })(ctx),
    check: (res, { caseSpec, n }) =>
      expect(res.json()).toMatchObject(
        caseSpec?.variant === 'plan' ? { plan: `矩阵方案 ${n}` } : { deadline: FUTURE_DAY },
      ),
  }),
  caseRow({
    route: 'POST /api/cases/:id/problems',
    allowed: inSubtreeFor(CASE_ROLES),
    cases: [{ state: 'rectifying' }],
    ok: 201,
    request: (ctx) =>
      onCase('/problems', { description: `矩阵问题 ${ctx.n}`, owner: '村党支部', deadline: FUTURE_DAY })(ctx),
    check: (res, { n }) => expect(res.json()).toMatchObject({ description: `矩阵问题 ${n}`, status: 'open' }),
  }),
  caseRow({
    route: 'PATCH /api/cases/:id/problems/:problemId',
    allowed: inSubtreeFor(CASE_ROLES),
    cases: [{ state: 'rectifying' }],
    request: (ctx) => onCase(`/problems/${ctx.caseFx?.problemId}`, { status: 'done' })(ctx),
    check: (res, { caseFx }) =>
      expect(res.json()).toMatchObject({ id: caseFx?.problemId, status: 'done', doneAt: expect.any(String) }),
  }),
  caseRow({
    route: 'POST /api/cases/:id/transitions',
    // request_evaluation: the village and the township; monitor: the county and the city
    allowed: (_spec, { variant }) => inSubtreeFor(variant === 'monitor' ? LEADERS : ['village', 'township']),
    cases: [
      { state: 'rectifying', variant: 'request_evaluation' },
      { state: 'exited', variant: 'monitor' },
    ],
    request: (ctx) => onCase('/transitions', { action: ctx.caseSpec?.variant })(ctx),
    check: (res, { caseSpec }) =>
      expect(res.json().state).toBe(caseSpec?.variant === 'monitor' ? 'monitoring' : 'village_evaluation'),
  }),
  caseRow({
    route: 'POST /api/cases/:id/sessions',
    // self-evaluations: any of the four; look-backs: county and city (sessions.rules mayCreate)
    allowed: (_spec, { variant }) => inSubtreeFor(variant === 'look_back' ? LEADERS : CASE_ROLES),
    cases: [
      { state: 'village_evaluation', variant: 'self_evaluation' },
      { state: 'monitoring', variant: 'look_back' },
    ],
    ok: 201,
    request: (ctx) =>
      onCase('/sessions', { kind: ctx.caseSpec?.variant, title: '矩阵案件测评', residentsPresent: 3 })(ctx),
    check: (res, { caseFx, caseSpec }) =>
      expect(res.json()).toMatchObject({
        caseId: caseFx?.caseId,
        villageId: caseFx?.villageId,
        kind: caseSpec?.variant,
        status: 'draft',
      }),
  }),
  {
    route: 'GET /api/inbox',
    allowed: { city: 'any', county: 'any', township: 'any', village: 'any' },
    check: inboxLinksOnlyInScope,
  },
  {
    route: 'GET /api/cases/inbox',
    allowed: { city: 'any', county: 'any', township: 'any', village: 'any' },
    check: inboxHoldsOnlyWhatWaits,
  },
  {
    route: 'GET /api/exports/cases.xlsx',
    allowed: { city: 'any', county: 'any', township: 'any', village: 'any' },
    check: isWorkbook,
  },
  {
    route: 'GET /api/exports/sessions.xlsx',
    allowed: { city: 'any', county: 'any', township: 'any', village: 'any' },
    check: isWorkbook,
  },
  // The campaign board (issue 9): township, county and city, on a region of their subtree; a village
  // is not a board (400).
  {
    route: 'GET /api/board',
    allowed: BOARD_ACCESS,
    targeted: true,
    ok: boardStatus,
    request: onBoard('/api/board'),
    check: boardHoldsOnlyTheRegion,
  },
  {
    route: 'GET /api/board/turnout',
    allowed: BOARD_ACCESS,
    targeted: true,
    ok: boardStatus,
    request: onBoard('/api/board/turnout'),
    check: (res) => expect(res.statusCode === 400 || Array.isArray(res.json().sessions)).toBe(true),
  },
  {
    route: 'GET /api/board/history',
    allowed: BOARD_ACCESS,
    targeted: true,
    ok: boardStatus,
    request: onBoard('/api/board/history'),
    check: (res, ctx) => (res.statusCode === 400 ? undefined : villagesOnlyUnder(res.json().villages, ctx)),
  },
  {
    route: 'GET /api/board.xlsx',
    allowed: BOARD_ACCESS,
    targeted: true,
    ok: boardStatus,
    request: onBoard('/api/board.xlsx'),
    check: (res) => (res.statusCode === 400 ? undefined : isWorkbook(res)),
  },
  // 村情档案 (issue 10 item 1): the township keeps its villages' files; county, city and the village
  // secretary read their subtree; the admin none. Changes are refused 404 outside the subtree, 403
  // inside it to anyone but the township.
  {
    route: 'GET /api/village-files',
    allowed: FILE_READERS_ANY,
    check: (res, { world: w, actor }) =>
      expect(
        (res.json() as { villages: { village: { id: number } }[] }).villages.every((v) =>
          w.inSubtree(actor as Actor, v.village.id),
        ),
      ).toBe(true),
  },
  {
    route: 'GET /api/village-files/:villageId/:year',
    allowed: FILE_READERS,
    targeted: true,
    request: onVillageFile(''),
    check: (res, { place }) => expect(res.json().village.id).toBe(place?.village),
  },
  {
    route: 'PUT /api/village-files/:villageId/:year',
    allowed: { township: 'subtree' },
    scoped: FILE_ROLES,
    targeted: true,
    request: (ctx) => ({ ...onVillageFile('')(ctx), ...json({ data: { households: 12 }, version: null }) }),
    check: (res) => expect(res.json().file.data).toEqual({ households: 12 }),
  },
  {
    route: 'GET /api/village-files/:villageId/:year/changes',
    allowed: FILE_READERS,
    targeted: true,
    request: onVillageFile('/changes'),
    check: (res) => expect(Array.isArray(res.json().changes)).toBe(true),
  },
  {
    route: 'POST /api/village-files/carry-forward',
    allowed: { township: 'subtree' },
    scoped: FILE_ROLES,
    targeted: true,
    // no file of the year before: nothing to start from, nothing written
    request: ({ place }) => json({ regionId: place?.region, year: 2031 }),
    ok: ({ place }) => (place?.level === 'village' || place?.level === 'township' ? 200 : 400),
  },
  {
    route: 'GET /api/village-files.xlsx',
    allowed: FILE_READERS_ANY,
    request: () => ({ url: '/api/village-files.xlsx?year=2025' }),
    check: isWorkbook,
  },
  {
    route: 'GET /api/village-files/template.xlsx',
    allowed: FILE_READERS_ANY,
    request: () => ({ url: '/api/village-files/template.xlsx?year=2025' }),
    check: isWorkbook,
  },
  {
    route: 'POST /api/village-files/import',
    allowed: { township: 'any' },
    // A preview of the township's own village: 200 for the township, nothing written.
    request: ({ world: w }) => ({
      url: '/api/village-files/import?year=2025&filename=files.csv&dryRun=true',
      headers: { 'content-type': 'text/csv' },
      payload: `村,${FIELDS.map(fieldHeading).join(',')}\n${w.names[w.regions.V1]},12${','.repeat(FIELDS.length - 1)}\n`,
    }),
    check: (res) => expect(res.json().villages).toHaveLength(1),
  },
  {
    route: 'GET /api/grading/sheet',
    allowed: { city: 'any', county: 'any', township: 'any' },
    request: () => ({ url: `/api/grading/sheet?regionId=${chainCounty()}&year=${GRADING_YEAR}` }),
    check: (res) => expect(res.json().sheet.id).toBe(grading.sheetId),
  },
  {
    route: 'POST /api/grading/sheets',
    allowed: { county: 'any' },
    ok: 201,
    request: () => json({ regionId: chainCounty(), year: 2090, from: 'defaults' }),
  },
  {
    route: 'PUT /api/grading/sheets/:id',
    allowed: { county: 'any' },
    request: () => ({
      url: `/api/grading/sheets/${grading.sheetId}`,
      ...json({ strongMin: 85, middleMin: 60, items: grading.sheetItems }),
    }),
  },
  {
    route: 'GET /api/grading/villages',
    allowed: BOARD_ACCESS,
    targeted: true,
    ok: boardStatus,
    request: onRegion('grading'),
    check: (res, ctx) => (res.statusCode === 400 ? undefined : villagesOnlyUnder(res.json().villages, ctx)),
  },
  {
    route: 'GET /api/grading/villages/:villageId',
    allowed: VILLAGE_READERS,
    targeted: true,
    request: onVillage('grading'),
    check: (res, { place }) => expect(res.json().village.id).toBe(place?.village),
  },
  {
    route: 'POST /api/grading/villages/:villageId/scorings',
    allowed: { township: 'subtree' },
    scoped: GRADING_ROLES,
    targeted: true,
    ok: 201,
    request: (ctx) => ({
      url: `/api/grading/villages/${ctx.place?.village}/scorings`,
      ...json({
        year: GRADING_YEAR,
        items: grading.sheetItems.map((i) => ({ itemId: i.id, score: 0, note: '' })),
      }),
    }),
    check: (res) => expect(res.json().current).toMatchObject({ total: 0, grade: 'weak' }),
  },
  {
    route: 'GET /api/risk/list',
    allowed: { city: 'any', county: 'any', township: 'any' },
    request: () => ({ url: `/api/risk/list?regionId=${chainCounty()}&year=${GRADING_YEAR}` }),
    check: (res) => expect(res.json().list.id).toBe(grading.listId),
  },
  {
    route: 'POST /api/risk/lists',
    allowed: { county: 'any' },
    ok: 201,
    request: () => json({ regionId: chainCounty(), year: 2090, from: 'defaults' }),
  },
  {
    route: 'PUT /api/risk/lists/:id',
    allowed: { county: 'any' },
    request: () => ({
      url: `/api/risk/lists/${grading.listId}`,
      ...json({ highMin: 8, middleMin: 4, items: grading.listItems }),
    }),
  },
  {
    route: 'GET /api/risk/villages',
    allowed: BOARD_ACCESS,
    targeted: true,
    ok: boardStatus,
    request: onRegion('risk'),
    check: (res, ctx) =>
      res.statusCode === 400
        ? undefined
        : (res.json().villages as { villageId: number }[]).forEach((v) =>
            expect(ctx.world.inSubtree(ctx.actor as Actor, v.villageId)).toBe(true),
          ),
  },
  {
    route: 'GET /api/risk/villages/:villageId',
    allowed: VILLAGE_READERS,
    targeted: true,
    request: onVillage('risk'),
    check: (res, { place }) => expect(res.json().village.id).toBe(place?.village),
  },
  {
    route: 'POST /api/risk/villages/:villageId/screenings',
    allowed: { township: 'subtree' },
    scoped: GRADING_ROLES,
    targeted: true,
    ok: 201,
    request: (ctx) => ({
      url: `/api/risk/villages/${ctx.place?.village}/screenings`,
      ...json({
        year: GRADING_YEAR,
        marks: grading.listItems.map((i) => ({ itemId: i.id, present: false, evidence: '' })),
      }),
    }),
    check: (res) => expect(res.json().current).toMatchObject({ level: 'low', outcome: 'none' }),
  },
  // 年度排查 (issue 10 item 4a): the county opens and concludes its round (ROUND_YEAR: every village
  // of county A1 graded 中等村, so the round can be concluded); township, county and city read.
  {
    route: 'GET /api/screening-rounds',
    allowed: BOARD_ACCESS,
    targeted: true,
    ok: boardStatus,
    request: ({ place }) => ({ url: `/api/screening-rounds?regionId=${place?.region}&year=${ROUND_YEAR}` }),
    check: (res, { world: w, actor, place }) => {
      if (res.statusCode === 400) return;
      const body = res.json() as {
        region: { id: number };
        townships: { townshipId: number; missing: { villageId: number }[] }[];
        counties: { countyId: number }[];
      };
      expect(body.region.id).toBe(place?.region);
      const ids = [
        ...body.townships.flatMap((t) => [t.townshipId, ...t.missing.map((m) => m.villageId)]),
        ...body.counties.map((c) => c.countyId),
      ];
      expect(ids.length).toBeGreaterThan(0);
      for (const id of ids) {
        expect(w.inSubtree(actor as Actor, id)).toBe(true);
        expect(w.pathOf(id)).toContain(place?.region);
      }
    },
  },
  {
    route: 'POST /api/screening-rounds',
    allowed: { county: 'any' },
    ok: 201,
    request: () => json({ year: ROUND_YEAR + 1 }),
    check: (res) => expect(res.json().round).toMatchObject({ countyId: chainCounty(), status: 'open' }),
  },
  {
    route: 'POST /api/screening-rounds/:id/conclude',
    allowed: { county: 'any' },
    request: () => ({ url: `/api/screening-rounds/${roundId}/conclude` }),
    check: (res) => expect(res.json().round).toMatchObject({ id: roundId, status: 'concluded' }),
  },
  // 年内动态排查 (issue 10 item 4b): the county makes its department accounts; a department files
  // reports about its county's villages and reads only its own; the township, county and city read
  // those about their subtree; the county decides (dismiss, request a screening), the township notes.
  {
    route: 'GET /api/department-accounts',
    allowed: { county: 'any' },
    check: (res, { actor }) => {
      const rows = res.json().officials as { id: number; role: string; regionId: number }[];
      expect(rows.map((r) => r.id)).toContain(world.actors.department.id);
      for (const r of rows) expect(r).toMatchObject({ role: 'department', regionId: actor?.regionId });
    },
  },
  {
    route: 'POST /api/department-accounts',
    allowed: { county: 'any' },
    ok: 201,
    request: ({ n }) => json({ username: `dept_made_${n}_${Date.now() % 1e6}`, department: '民政' }),
    check: (res, { actor }) =>
      expect(res.json().official).toMatchObject({ role: 'department', department: '民政', regionId: actor?.regionId }),
  },
  {
    route: 'GET /api/dept-reports',
    allowed: { department: 'any', township: 'any', county: 'any', city: 'any' },
    check: reportsOnlyTheReaders,
  },
  {
    route: 'GET /api/dept-reports/form',
    allowed: { department: 'any' },
    check: (res) => expect(res.json()).toMatchObject({ department: '信访', county: { id: world.regions.A1 } }),
  },
  {
    route: 'POST /api/dept-reports',
    allowed: { department: DEPARTMENT_REACH },
    targeted: true,
    ok: 201,
    request: ({ place }) =>
      json({
        villageId: place?.village,
        category: 'petition',
        description: '矩阵新报送：群众反映村务公开不及时',
        eventDate: '2025-06-01',
      }),
    check: (res, { place }) =>
      expect(res.json()).toMatchObject({ village: { id: place?.village }, status: 'submitted' }),
  },
  {
    route: 'GET /api/dept-reports/:id',
    allowed: REPORT_READERS,
    scoped: ['department'],
    reports: true,
    request: onReport(''),
    check: (res, { reportId }) => expect(res.json().id).toBe(reportId),
  },
  {
    route: 'POST /api/dept-reports/:id/dismiss',
    allowed: { county: 'subtree' },
    scoped: ['department', 'township', 'city'],
    reports: true,
    request: onReport('/dismiss', { text: '经核实不属村党组织问题' }),
    check: (res) => expect(res.json().status).toBe('dismissed'),
  },
  {
    route: 'POST /api/dept-reports/:id/request-screening',
    allowed: { county: 'subtree' },
    scoped: ['department', 'township', 'city'],
    reports: true,
    request: onReport('/request-screening'),
    check: (res) => expect(res.json().status).toBe('screening_requested'),
  },
  {
    route: 'POST /api/dept-reports/:id/notes',
    allowed: { township: 'subtree' },
    scoped: ['department', 'county', 'city'],
    reports: true,
    request: onReport('/notes', { text: '乡镇已入村了解' }),
    check: (res) => expect(res.json().steps.at(-1)).toMatchObject({ action: 'note', text: '乡镇已入村了解' }),
  },
  // 认定台账 (issue 10 item 7): the levels that oversee villages read the register, its summary and
  // its workbook for a region of their subtree; a village region answers 400.
  {
    route: 'GET /api/identification',
    allowed: BOARD_ACCESS,
    targeted: true,
    ok: boardStatus,
    request: onRegister(''),
    check: (res, ctx) => (res.statusCode === 400 ? undefined : villagesOnlyUnder(res.json().villages, ctx)),
  },
  {
    route: 'GET /api/identification/summary',
    allowed: BOARD_ACCESS,
    targeted: true,
    ok: boardStatus,
    request: onRegister('/summary'),
    check: (res, { place }) => (res.statusCode === 400 ? undefined : expect(res.json().region.id).toBe(place?.region)),
  },
  {
    route: 'GET /api/identification.xlsx',
    allowed: BOARD_ACCESS,
    targeted: true,
    ok: boardStatus,
    request: onRegister('.xlsx'),
    check: (res) => (res.statusCode === 400 ? undefined : isWorkbook(res)),
  },
  // 三级认定 and 重点防控村 (issue 10 items 5-6)
  {
    route: 'GET /api/identification-lists',
    allowed: DECISION_READERS,
    request: () => ({ url: `/api/identification-lists?regionId=${chainTownship()}&year=${DECISION_YEAR}` }),
    check: (res) =>
      expect(res.json().townships).toEqual([
        expect.objectContaining({
          townshipId: chainTownship(),
          list: expect.objectContaining({ id: decision.listId }),
        }),
      ]),
  },
  {
    route: 'POST /api/identification-lists',
    allowed: { township: 'any' },
    ok: 201,
    request: () => json({ townshipId: chainTownship(), year: DECISION_YEAR + 5 }),
    check: (res) => expect(res.json()).toMatchObject({ township: { id: chainTownship() }, stage: 'draft' }),
  },
  {
    route: 'GET /api/identification-lists/:id',
    allowed: DECISION_READERS,
    request: () => ({ url: `/api/identification-lists/${decision.listId}` }),
    check: (res) => expect(res.json()).toMatchObject({ id: decision.listId, stage: 'draft' }),
  },
  {
    route: 'PUT /api/identification-lists/:id',
    allowed: { township: 'any' },
    request: () => ({
      url: `/api/identification-lists/${decision.listId}`,
      ...json({
        version: decision.version,
        entries: [{ villageId: world.regions.V1, outcome: 'prevent', preventionLevel: 2, note: '' }],
      }),
    }),
    check: (res) => {
      decision.version = res.json().version;
      expect(res.json().entries).toEqual([
        expect.objectContaining({ villageId: world.regions.V1, outcome: 'prevent' }),
      ]);
    },
  },
  {
    route: 'POST /api/identification-lists/:id/steps',
    allowed: { township: 'any', county: 'any' },
    request: ({ actor }) =>
      actor?.role === 'county'
        ? {
            url: `/api/identification-lists/${decision.determineId}/steps`,
            ...json({ action: 'determine', meetingDate: `${DECISION_YEAR + 2}-01-10`, documentNo: '组部〔2014〕1号' }),
          }
        : {
            url: `/api/identification-lists/${decision.proposeId}/steps`,
            ...json({ action: 'propose', meetingDate: `${DECISION_YEAR + 1}-01-05`, decision: '同意上报' }),
          },
    check: (res, { actor }) => expect(res.json().stage).toBe(actor?.role === 'county' ? 'determined' : 'proposed'),
  },
  {
    route: 'GET /api/prevention-records',
    allowed: DECISION_READERS,
    request: () => ({ url: `/api/prevention-records?regionId=${chainTownship()}&year=${DECISION_YEAR}` }),
    check: (res) => expect(res.json().records.map((r: { id: number }) => r.id)).toEqual([decision.preventionId]),
  },
  {
    route: 'POST /api/prevention-records/:id/reviews',
    allowed: { county: 'any' },
    request: () => ({
      url: `/api/prevention-records/${decision.preventionId}/reviews`,
      ...json({ riskLevel: 'low', toLevel: 2, note: '矩阵复核：风险可控' }),
    }),
    check: (res) => expect(res.json()).toMatchObject({ level: 2, riskLevel: 'low', status: 'active' }),
  },
  caseRow({
    route: 'GET /api/cases/:id/identification',
    allowed: inSubtreeFor(['city', 'county', 'township']),
    cases: [{ state: 'monitoring' }],
    request: onCase('/identification'),
    check: (res) => expect(res.json()).toMatchObject({ basis: null, lookback: { year: expect.any(Number) } }),
  }),
  caseRow({
    route: 'POST /api/cases/:id/risk-reviews',
    allowed: inSubtreeFor(['county']),
    cases: [{ state: 'exited' }],
    request: onCase('/risk-reviews', { riskLevel: 'low', note: '退出后复核' }),
    check: (res) => expect(res.json().reviews.at(-1)).toMatchObject({ riskLevel: 'low', note: '退出后复核' }),
  }),
];

// Pages served from dist/web (present only after a web build): read-only and public by nature.
// /v/* and /v:mangled are the ballot page again, for slip links mangled by chat apps (server/app.ts).
const STATIC_PAGES = ['GET /', 'GET /v', 'GET /v/*', 'GET /v:mangled', 'GET /assets/*'];

const DENIED: Record<number, object> = {
  401: { statusCode: 401, code: 'UNAUTHENTICATED', error: 'Unauthorized', message: '请先登录' },
  403: errorBody(forbidden()),
  404: errorBody(notFound()),
};

let tdb: TestDatabase;
let app: FastifyInstance;
let world: World;

beforeAll(async () => {
  tdb = await createTestDatabase();
  app = await buildTestApp(tdb.db);
  world = await buildWorld(tdb.db);
  // an untreated department report about every relation's village, from the start (the inbox lists them)
  for (const r of RELATIONS) await world.sharedReport(r);
  // 堡垒指数 and 负面清单 of county A1; V1 and V2 graded 弱村 (the township screens them)
  grading.sheetId = (await ensureSheet(tdb.db, chainCounty(), GRADING_YEAR)).id;
  grading.listId = await ensureRiskList(tdb.db, chainCounty(), GRADING_YEAR);
  for (const r of ['own-village', 'sibling-village'] as const) {
    await gradeVillage(tdb.db, world.places[r].village, GRADING_YEAR, 'weak');
  }
  // 年度排查 of county A1 in ROUND_YEAR: open, every village graded 中等村 (complete)
  const a1Villages = await tdb.db
    .selectFrom('region')
    .select('id')
    .where('level', '=', 'village')
    .where(sql<boolean>`path @> array[${chainCounty()}]::int[]`)
    .execute();
  for (const v of a1Villages) await gradeVillage(tdb.db, v.id, ROUND_YEAR, 'middle');
  roundId = (
    await tdb.db
      .insertInto('screening_round')
      .values({ region_id: chainCounty(), year: ROUND_YEAR, opened_by: world.actors.county.id })
      .returning('id')
      .executeTakeFirstOrThrow()
  ).id;
  grading.sheetItems = (await sheetBody()).items as { id: number }[];
  grading.listItems = (
    await app.inject({
      method: 'GET',
      url: `/api/risk/list?regionId=${chainCounty()}&year=${GRADING_YEAR}`,
      headers: { cookie: world.actors.county.cookie },
    })
  ).json().list.items;
  // 三级认定: the lists L, P, D and V1's 重点防控村 record (see DECISION_YEAR)
  await screenVillage(tdb.db, world.regions.V1, DECISION_YEAR, { outcome: 'prevent', preventionLevel: 2 });
  decision.listId = await createList(tdb.db, world.regions.T1, DECISION_YEAR, 'draft', [world.regions.V1]);
  decision.proposeId = await createList(tdb.db, world.regions.T1, DECISION_YEAR + 1, 'draft');
  decision.determineId = await createList(tdb.db, world.regions.T1, DECISION_YEAR + 2, 'proposed');
  decision.preventionId = await createPrevention(tdb.db, world.regions.V1, DECISION_YEAR, decision.listId, 1);
  await prepareJobQueues(tdb);
});

afterAll(async () => {
  await app.close();
  await tdb.close();
});

async function listsOnlyTheSubtree(res: LightMyRequestResponse, { world: w, actor }: CaseContext): Promise<void> {
  const all = await w.db.selectFrom('official').select(['id', 'region_id']).execute();
  const expected = all.filter((o) => w.inSubtree(actor as Actor, o.region_id)).map((o) => o.id);
  const listed = (res.json() as { officials: { id: number }[] }).officials.map((o) => o.id);
  expect(listed.sort((a, b) => a - b)).toEqual(expected.sort((a, b) => a - b));
}

/** Every id of a sessions list, following its pages (the world gathers more sessions than one page
 * as the matrix runs), from the first page's reply. */
async function idsOf(res: LightMyRequestResponse, actor: Actor, query: string): Promise<number[]> {
  const ids: number[] = [];
  let page = res.json() as { sessions: { id: number }[]; nextCursor: string | null };
  for (;;) {
    ids.push(...page.sessions.map((s) => s.id));
    if (page.nextCursor === null) break;
    const next = await app.inject({
      method: 'GET',
      url: `/api/sessions?${query}${query ? '&' : ''}cursor=${encodeURIComponent(page.nextCursor)}`,
      headers: { cookie: actor.cookie },
    });
    expect(next.statusCode).toBe(200);
    page = next.json();
  }
  expect(new Set(ids).size).toBe(ids.length);
  return ids.sort((a, b) => a - b);
}

async function sessionIdsIn(w: World, actor: Actor, villageId?: number): Promise<number[]> {
  const rows = await w.db.selectFrom('evaluation_session').select(['id', 'village_id']).execute();
  return rows
    .filter((r) => w.inSubtree(actor, r.village_id) && (villageId === undefined || r.village_id === villageId))
    .map((r) => r.id)
    .sort((a, b) => a - b);
}

/** Filtered by a village, the list holds that village's sessions when it is in the caller's
 * subtree and nothing otherwise; unfiltered, exactly the subtree's sessions. */
async function listsOnlySessionsInScope(res: LightMyRequestResponse, ctx: CaseContext): Promise<void> {
  const actor = ctx.actor as Actor;
  const place = ctx.place as Place;
  const listed = await idsOf(res, actor, `villageId=${place.village}`);
  expect(listed).toEqual(await sessionIdsIn(ctx.world, actor, place.village));
  if (ctx.world.inSubtree(actor, place.village)) expect(listed).toContain(ctx.session?.sessionId);
  if (place.relation !== 'own-village') return;
  const all = await app.inject({ method: 'GET', url: '/api/sessions', headers: { cookie: actor.cookie } });
  expect(await idsOf(all, actor, '')).toEqual(await sessionIdsIn(ctx.world, actor));
}

/** The session is made in the village asked for; a region that is not a village is refused. */
async function createsInTheVillageOnly(res: LightMyRequestResponse, ctx: CaseContext): Promise<void> {
  expect(res.json()).toMatchObject({ villageId: ctx.place?.village, kind: ctx.spec?.kind, status: 'draft' });
  if (ctx.place?.level === 'village') return;
  const notVillage = await app.inject({
    method: 'POST',
    url: '/api/sessions',
    headers: { cookie: (ctx.actor as Actor).cookie },
    ...json({ villageId: ctx.place?.region, title: '矩阵新建测评', residentsPresent: 3, kind: ctx.spec?.kind }),
  });
  expect(notVillage.statusCode, notVillage.body).toBe(400);
}

function visibleCampaignIds(w: World, actor: Actor, rows: { id: number; region_id: number }[]): number[] {
  const above = w.pathOf(actor.regionId);
  return rows
    .filter((c) => w.inSubtree(actor, c.region_id) || above.includes(c.region_id))
    .map((c) => c.id)
    .sort((a, b) => a - b);
}

/** Exactly the campaigns whose owner lies in the caller's subtree or above the caller. */
async function listsOnlyVisibleCampaigns(res: LightMyRequestResponse, { world: w, actor }: CaseContext): Promise<void> {
  const all = await w.db.selectFrom('campaign').select(['id', 'region_id']).execute();
  const listed = (res.json() as { campaigns: { id: number }[] }).campaigns.map((c) => c.id).sort((a, b) => a - b);
  expect(listed).toEqual(visibleCampaignIds(w, actor as Actor, all));
}

const caseIdsOf = (res: LightMyRequestResponse) =>
  (res.json() as { cases: { id: number }[] }).cases.map((c) => c.id).sort((a, b) => a - b);

async function caseRowsIn(w: World, actor: Actor) {
  const rows = await w.db.selectFrom('rectification_case').select(['id', 'village_id', 'state']).execute();
  return rows.filter((r) => w.inSubtree(actor, r.village_id)).sort((a, b) => a.id - b.id);
}

/** Filtered by a village: its cases when it is in the caller's subtree, else none; unfiltered, the subtree's. */
async function listsOnlyCasesInScope(res: LightMyRequestResponse, ctx: CaseContext): Promise<void> {
  const actor = ctx.actor as Actor;
  const place = ctx.place as Place;
  const mine = await caseRowsIn(ctx.world, actor);
  expect(caseIdsOf(res)).toEqual(mine.filter((r) => r.village_id === place.village).map((r) => r.id));
  if (ctx.world.inSubtree(actor, place.village)) expect(caseIdsOf(res)).toContain(ctx.caseFx?.caseId);
  if (place.relation !== 'own-village') return;
  const all = await app.inject({ method: 'GET', url: '/api/cases', headers: { cookie: actor.cookie } });
  expect(caseIdsOf(all)).toEqual(mine.map((r) => r.id));
}

/** The states whose cases wait for each role (the contract's inbox). */
const WAITING: Record<Role, readonly string[]> = {
  admin: [],
  village: ['rectifying', 'village_evaluation'],
  township: ['applied', 'township_check'],
  county: ['listed', 'county_acceptance', 'exited'],
  city: ['city_review'],
  department: [],
};

/** Every case, session, report, identification list and village the full inbox links to lies in the caller's subtree. */
async function inboxLinksOnlyInScope(res: LightMyRequestResponse, { world: w, actor }: CaseContext): Promise<void> {
  const a = actor as Actor;
  const body = res.json() as { items: { link: string }[]; total: number };
  const cases = new Set((await caseRowsIn(w, a)).map((r) => r.id));
  const sessions = new Set(await sessionIdsIn(w, a));
  const reports = await w.db.selectFrom('department_report').select(['id', 'village_id']).execute();
  const reportsIn = new Set(reports.filter((r) => w.inSubtree(a, r.village_id)).map((r) => r.id));
  const lists = await w.db.selectFrom('identification_list').select(['id', 'township_id']).execute();
  const listsIn = new Set(lists.filter((l) => w.inSubtree(a, l.township_id)).map((l) => l.id));
  for (const { link } of body.items) {
    const [, what, id] = /^#\/(cases|sessions|deptreports|decisions|risk)\/(\d+)(\?year=\d{4})?$/.exec(link) ?? [];
    if (what === 'risk') {
      expect(w.inSubtree(a, Number(id)), link).toBe(true);
      continue;
    }
    const known =
      what === 'cases' ? cases : what === 'deptreports' ? reportsIn : what === 'decisions' ? listsIn : sessions;
    expect(known.has(Number(id)), link).toBe(true);
  }
}

async function inboxHoldsOnlyWhatWaits(res: LightMyRequestResponse, { world: w, actor }: CaseContext): Promise<void> {
  const a = actor as Actor;
  const waiting = (await caseRowsIn(w, a)).filter((r) => WAITING[a.role].includes(r.state)).map((r) => r.id);
  expect(caseIdsOf(res)).toEqual(waiting);
}

/** Every village listed lies under the region asked for, in the caller's subtree. */
function villagesOnlyUnder(villages: { villageId: number }[], { world: w, actor, place }: CaseContext): void {
  for (const v of villages) {
    expect(w.inSubtree(actor as Actor, v.villageId)).toBe(true);
    expect(w.pathOf(v.villageId)).toContain(place?.region);
  }
  expect(villages.map((v) => v.villageId)).toContain(place?.village);
}

/** A department lists only its own reports; a reader only those about villages in its subtree. */
async function reportsOnlyTheReaders(res: LightMyRequestResponse, { actor }: CaseContext): Promise<void> {
  const a = actor as Actor;
  const ids = (res.json() as { reports: { id: number; village: { id: number } }[] }).reports;
  const rows = await world.db
    .selectFrom('department_report')
    .select(['id', 'reported_by as by', 'village_id as village'])
    .where('id', 'in', ids.length > 0 ? ids.map((r) => r.id) : [0])
    .execute();
  for (const r of rows) {
    if (a.role === 'department') expect(r.by).toBe(a.id);
    else expect(world.inSubtree(a, r.village)).toBe(true);
  }
}

function boardHoldsOnlyTheRegion(res: LightMyRequestResponse, ctx: CaseContext): void {
  if (res.statusCode === 400) return expect(res.json().code).toBe('BAD_REQUEST');
  const body = res.json() as { region: { id: number }; villages: { villageId: number }[] };
  expect(body.region.id).toBe(ctx.place?.region);
  villagesOnlyUnder(body.villages, ctx);
}

function isWorkbook(res: LightMyRequestResponse): void {
  expect(res.headers['content-type']).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
  expect(res.rawPayload.subarray(0, 2).toString('latin1')).toBe('PK');
}

type Outcome = 'allowed' | 401 | 403 | 404;

interface Cell {
  actor: Actor | null;
  place: Place | null;
  spec: SessionSpec | null;
  caseSpec: CaseSpec | null;
  /** aimed at a department report about the place's village */
  report?: boolean;
  outcome: Outcome;
}

interface Target {
  session: SessionFixture | null;
  caseFx: CaseFixture | null;
  reportId: number | null;
}

/** The other kinds matter only here: where the village and township roles meet, in their own
 * subtree and just outside it, sessions they do not run. */
const NEAR: readonly Relation[] = ['own-village', 'sibling-village', 'other-township'];

type CellTarget = Pick<Cell, 'place' | 'spec' | 'caseSpec' | 'report'>;

function targetsOf(row: MatrixRow): CellTarget[] {
  if (row.sessions) {
    return row.sessions.flatMap((spec) =>
      (spec.kind === 'self_evaluation' ? RELATIONS : NEAR).map((r) => ({
        place: world.places[r],
        spec,
        caseSpec: null,
      })),
    );
  }
  if (row.cases) {
    return row.cases.flatMap((caseSpec) => RELATIONS.map((r) => ({ place: world.places[r], spec: null, caseSpec })));
  }
  if (row.reports) return RELATIONS.map((r) => ({ place: world.places[r], spec: null, caseSpec: null, report: true }));
  if (row.targeted) return RELATIONS.map((r) => ({ place: world.places[r], spec: null, caseSpec: null }));
  return [{ place: null, spec: null, caseSpec: null }];
}

function expectedOutcome(row: MatrixRow, actor: Actor | null, { place, spec, caseSpec }: CellTarget): Outcome {
  const allowed =
    typeof row.allowed === 'function' ? row.allowed(spec as SessionSpec, caseSpec as CaseSpec) : row.allowed;
  const access = allowed[actor ? actor.role : 'anonymous'];
  if (!actor) return access ? 'allowed' : 401;
  if (!access) {
    const seen = (p: Place) => (row.visible ? row.visible(actor, p) : world.inSubtree(actor, p.region));
    const outside = place !== null && !seen(place);
    return outside && row.scoped?.includes(actor.role) ? 404 : 403;
  }
  if (row.callerLevels && !row.callerLevels.includes(actor.level)) return 403;
  if (access === 'any') return 'allowed';
  if (!place) throw new Error(`matrix row ${row.route}: access "${String(access)}" needs targeted: true`);
  if (access === 'subtree') return world.inSubtree(actor, place.region) ? 'allowed' : 404;
  return access.includes(place.relation) ? 'allowed' : 404;
}

const specLabel = (s: SessionSpec | null) =>
  s ? ` (${s.kind}${s.status ? ` ${s.status}` : ''}${s.usedSlip ? ', used slip' : ''})` : '';

const caseLabel = (s: CaseSpec | null) =>
  s ? ` (case${s.state ? ` ${s.state}` : ''}${s.variant ? `, ${s.variant}` : ''})` : '';

function describeCell(row: MatrixRow, { actor, place, spec, caseSpec }: Cell): string {
  const on = place ? ` on ${place.relation}` : '';
  return `${row.route} as ${actor?.key ?? 'anonymous'}${on}${specLabel(spec)}${caseLabel(caseSpec)}`;
}

let caseNo = 0;

async function send(row: MatrixRow, cell: Cell, { session, caseFx, reportId }: Target) {
  const [method, url] = row.route.split(' ') as [InjectOptions['method'], string];
  const { actor, place, spec, caseSpec } = cell;
  const ctx: CaseContext = { world, actor, place, spec, session, caseSpec, caseFx, reportId, n: ++caseNo };
  const options = row.request?.(ctx) ?? {};
  const headers = { ...(options.headers ?? {}), ...(cell.actor ? { cookie: cell.actor.cookie } : {}) };
  return { ctx, res: await app.inject({ method, url, ...options, headers }) };
}

async function expectAllowed(row: MatrixRow, cell: Cell, ctx: CaseContext, res: LightMyRequestResponse) {
  const ok = typeof row.ok === 'function' ? row.ok(ctx) : (row.ok ?? 200);
  expect(res.statusCode, `${describeCell(row, cell)}: ${res.body}`).toBe(ok);
  await row.check?.(res, ctx);
}

function cellsOf(row: MatrixRow): Cell[] {
  const actors: (Actor | null)[] = [null, ...ACTOR_KEYS.map((k) => world.actors[k])];
  return actors.flatMap((actor) =>
    targetsOf(row).map((target) => ({ actor, ...target, outcome: expectedOutcome(row, actor, target) })),
  );
}

async function targetOf(cell: Cell, fresh: boolean): Promise<Target> {
  const target: Target = { session: null, caseFx: null, reportId: null };
  if (!cell.place) return target;
  const { relation } = cell.place;
  if (cell.spec?.status) {
    target.session = await (fresh ? world.freshSession(relation, cell.spec) : world.sharedSession(relation, cell.spec));
  }
  if (cell.caseSpec && fresh) target.caseFx = await world.freshCase(relation, cell.caseSpec);
  if (cell.caseSpec?.state && !fresh) target.caseFx = await world.sharedCase(relation, cell.caseSpec);
  if (cell.report) target.reportId = await (fresh ? world.freshReport(relation) : world.sharedReport(relation));
  return target;
}

/** Cells that must leave the database as it is (refused calls, reads, calls that are the same for
 * everyone) run on shared targets against one snapshot: no row may be written by any of them. */
async function runStill(row: MatrixRow, cells: Cell[]): Promise<void> {
  const shared = new Map<Cell, Target>();
  for (const cell of cells) shared.set(cell, await targetOf(cell, false));
  const before = await databaseDigest(world.db);
  const versions = await rowVersionsDigest(world.db);
  const answers = new Map<string, unknown>();
  for (const cell of cells) {
    const { ctx, res } = await send(row, cell, shared.get(cell) as Target);
    const label = describeCell(row, cell);
    if (cell.outcome !== 'allowed') {
      const denied = { status: cell.outcome, body: DENIED[cell.outcome] };
      expect({ status: res.statusCode, body: res.json() }, label).toEqual(denied);
    } else {
      await expectAllowed(row, cell, ctx, res);
      if (!row.sameForEveryone) continue;
      const answer = { status: res.statusCode, body: res.json() as unknown };
      const key = `${cell.place?.relation}${specLabel(cell.spec)}${caseLabel(cell.caseSpec)}`;
      if (answers.has(key)) expect(answer, `${label}: not the answer the others got`).toEqual(answers.get(key));
      answers.set(key, answer);
    }
    expect(await rowVersionsDigest(world.db), `${label} wrote to the database`).toEqual(versions);
  }
  expect(await databaseDigest(world.db), `a refused call of ${row.route} changed the database`).toEqual(before);
}

/** Refused cells first, on pristine targets; then each allowed call that changes something, on a
 * target of its own so that it consumes nothing a later cell needs. */
async function runRow(row: MatrixRow): Promise<void> {
  const changes = !row.route.startsWith('GET ') && !row.sameForEveryone;
  const cells = cellsOf(row);
  await runStill(
    row,
    cells.filter((c) => c.outcome !== 'allowed' || !changes),
  );
  for (const cell of cells.filter((c) => c.outcome === 'allowed' && changes)) {
    const { ctx, res } = await send(row, cell, await targetOf(cell, true));
    await expectAllowed(row, cell, ctx, res);
    if (row.refresh) await world.refresh();
  }
}

describe('the authorization matrix', () => {
  it('has a row for every route of the app, and a route for every row', () => {
    const table = listRoutes(app);
    const keys = new Set(table.map(routeKey));
    // HEAD answers like its GET, so it is covered by the GET row.
    const effective = [...keys].filter((k) => !(k.startsWith('HEAD ') && keys.has(k.replace(/^HEAD /, 'GET '))));
    const rowKeys = new Set(ROWS.map((r) => r.route));
    const missing = effective.filter((k) => k.split(' ')[1]?.startsWith('/api/') && !rowKeys.has(k));
    const stale = ROWS.filter((r) => {
      const [method, url] = r.route.split(' ') as [InjectOptions['method'], string];
      return !app.hasRoute({ method: method ?? 'GET', url });
    }).map((r) => r.route);
    const outsideApi = effective.filter((k) => !k.split(' ')[1]?.startsWith('/api/') && !STATIC_PAGES.includes(k));
    expect(missing, `routes without a row in the access matrix: ${missing.join(', ')}`).toEqual([]);
    expect(stale, `matrix rows whose route no longer exists: ${stale.join(', ')}`).toEqual([]);
    expect(outsideApi, `routes outside /api that are not static pages: ${outsideApi.join(', ')}`).toEqual([]);
    expect(new Set(ROWS.map((r) => r.route)).size, 'a route has two rows').toBe(ROWS.length);
  });

  // A row is 40 to 120 requests made one after another, each checked with a digest query: a few
  // seconds, but many times that on a loaded two-core runner. The longer timeout is for load only
  // (a row that hangs still fails); a row timing out would leave its requests running under the
  // next rows and fail them too.
  for (const row of ROWS) {
    it(`${row.route}: only the allowed roles and relations get through`, () => runRow(row), 60_000);
  }
});
