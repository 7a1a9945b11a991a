// Every transition of the acceptance workflow (issue 4), over HTTP on a real database: every action
// from every state by every role and by anonymous, on a case inside the caller's subtree. The
// expected answer comes from the transition table written out below from the cases contract, not
// from the server's rule table, so a change there shows up here as failing cells. Allowed steps get
// a case of their own whose gate is met; refused ones share one case per state and must leave the
// database as it was. Each gate is then refused on its own, and officials outside the case's
// subtree get the one 404 on every case route.
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../server/lib/access.ts';
import { buildTestApp } from '../helpers/app.ts';
import {
  addProblem,
  createCampaign,
  createCaseAt,
  createCaseSession,
  recordTransition,
  type CaseSessionOptions,
} from '../helpers/cases.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { createOfficial, createRegion, createTree, type TestOfficial, type Tree } from '../helpers/factories.ts';
import { gradeVillage } from '../helpers/grading.ts';
import { databaseDigest, sessionFor } from '../helpers/world.ts';

const STATES = [
  'listed',
  'rectifying',
  'village_evaluation',
  'applied',
  'township_check',
  'county_acceptance',
  'city_review',
  'exited',
  'monitoring',
] as const;
type State = (typeof STATES)[number];

const LABEL: Record<State, string> = {
  listed: '已列入',
  rectifying: '整顿中',
  village_evaluation: '村级自评',
  applied: '已申请验收',
  township_check: '乡镇初验',
  county_acceptance: '县级验收',
  city_review: '市级复盘',
  exited: '已退出（销号）',
  monitoring: '跟踪回头看',
};

type CaseRole = Exclude<Role, 'admin' | 'department'>;

/** The contract's transition table: for each action, the states it leaves and who may take it there. */
const STEPS = {
  start: { from: { listed: ['county', 'city', 'township'] }, to: 'rectifying' },
  request_evaluation: { from: { rectifying: ['village', 'township'] }, to: 'village_evaluation' },
  apply: { from: { village_evaluation: ['village'] }, to: 'applied' },
  receive: { from: { applied: ['township'] }, to: 'township_check' },
  township_pass: { from: { township_check: ['township'] }, to: 'county_acceptance' },
  county_pass: { from: { county_acceptance: ['county'] }, to: 'city_review' },
  city_pass: { from: { city_review: ['city'] }, to: 'exited' },
  return: {
    from: {
      village_evaluation: ['village', 'township'],
      applied: ['township'],
      township_check: ['township'],
      county_acceptance: ['county'],
      city_review: ['city'],
    },
    to: 'rectifying',
  },
  monitor: { from: { exited: ['county', 'city'] }, to: 'monitoring' },
  lookback_pass: { from: { monitoring: ['county', 'city'] }, to: 'monitoring' },
  relist: { from: { monitoring: ['county', 'city'] }, to: 'monitoring' },
} as const satisfies Record<string, { from: Partial<Record<State, readonly CaseRole[]>>; to: State }>;
type Action = keyof typeof STEPS;
const ACTIONS = Object.keys(STEPS) as Action[];

type Who = Exclude<Role, 'department'> | 'anonymous';
const CALLERS: readonly Who[] = ['city', 'county', 'township', 'village', 'admin', 'anonymous'];
type Outcome = 'allowed' | 401 | 403 | 409;

const rolesAt = (action: Action, state: State): readonly CaseRole[] =>
  (STEPS[action].from as Partial<Record<State, readonly CaseRole[]>>)[state] ?? [];

function expectedOutcome(action: Action, state: State, who: Who): Outcome {
  if (who === 'anonymous') return 401;
  const ever = STATES.some((s) => (rolesAt(action, s) as readonly Role[]).includes(who));
  if (!ever) return 403;
  return (rolesAt(action, state) as readonly Role[]).includes(who) ? 'allowed' : 409;
}

const FUTURE = '2099-06-30';
const chinaToday = () => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());

/** The body of each action: what a careful caller sends (so only role, state or gate can refuse). */
function bodyOf(action: Action): Record<string, string> {
  if (action === 'return') return { action, reason: '台账资料不全，群众意见未整改到位', deadline: FUTURE };
  if (action === 'relist') return { action, reason: '回头看群众满意度下滑', deadline: FUTURE };
  if (action === 'county_pass') return { action, evidence: '党员座谈会记录、回访测评结果' };
  return { action, evidence: '整改台账与现场照片' };
}

const DENIED = {
  401: { statusCode: 401, code: 'UNAUTHENTICATED', error: 'Unauthorized', message: '请先登录' },
  403: { statusCode: 403, code: 'FORBIDDEN', error: 'Forbidden', message: '您的角色无权执行此操作' },
  404: { statusCode: 404, code: 'NOT_FOUND', error: 'Not Found', message: '未找到该对象，或您无权访问' },
};
/** A refused step: the reason in Chinese, and the state the case is in. */
const conflict = (message: unknown, state: State) => ({
  statusCode: 409,
  code: 'INVALID_TRANSITION',
  error: 'Conflict',
  message,
  details: { state },
});
const CHINESE = expect.stringMatching(/[\u4e00-\u9fa5]/u);

interface Caller extends TestOfficial {
  cookie: string;
  displayName: string;
}

interface CaseFx {
  id: number;
  state: State;
  village: number;
  secretary: Caller;
  /** the session the step's gate rests on, when it has one */
  sessionId: number | null;
}

let tdb: TestDatabase;
let app: FastifyInstance;
let tree: Tree;
let officials: Record<Exclude<CaseRole, 'village'> | 'admin', Caller>;
let outsiders: Record<'sibling village' | 'other township' | 'other county' | 'other city', Caller>;
let campaigns: { main: number; noGrade: number; newest: number; elsewhere: number };
/** one case per state for the refused calls, its gates met: they must leave it untouched */
const shared = new Map<State, CaseFx>();
let officialNo = 0;

async function caller(role: Role, regionId: number): Promise<Caller> {
  const official = await createOfficial(tdb.db, role, regionId);
  const displayName = `${role}官员${++officialNo}`;
  await tdb.db.updateTable('official').set({ display_name: displayName }).where('id', '=', official.id).execute();
  return { ...official, displayName, cookie: await sessionFor(tdb.db, official.id) };
}

beforeAll(async () => {
  tdb = await createTestDatabase();
  app = await buildTestApp(tdb.db);
  const db = tdb.db;
  tree = await createTree(db);
  officials = {
    city: await caller('city', tree.city),
    county: await caller('county', tree.county),
    township: await caller('township', tree.township),
    admin: await caller('admin', tree.city),
  };
  const otherTownship = await createRegion(db, 'township', tree.county);
  const otherCounty = await createRegion(db, 'county', tree.city);
  const otherCity = await createTree(db);
  outsiders = {
    'sibling village': await caller('village', await createRegion(db, 'village', tree.township)),
    'other township': await caller('township', otherTownship),
    'other county': await caller('county', otherCounty),
    'other city': await caller('city', otherCity.city),
  };
  const by = officials.county.id;
  campaigns = {
    main: await createCampaign(db, tree.county, { year: 2025, title: '2025年整顿', createdBy: by }),
    noGrade: await createCampaign(db, tree.county, { year: 2024, requireFortressGrade: false, createdBy: by }),
    // the newest campaign covering the villages: where a relist goes by default
    newest: await createCampaign(db, tree.city, { year: 2026, title: '2026年整顿', createdBy: officials.city.id }),
    // newer still, but in another county: it does not cover them
    elsewhere: await createCampaign(db, otherCounty, { year: 2027 }),
  };
  for (const state of STATES) shared.set(state, await readyCase(state));
});

afterAll(async () => {
  await app.close();
  await tdb.close();
});

/** A case in a new village of the township (one open case per village), with that village's secretary. */
async function newCase(
  state: State,
  opts: { campaignId?: number; fortressGrade?: 'strong' | 'middle' | 'weak' | null } = {},
): Promise<CaseFx> {
  const village = await createRegion(tdb.db, 'village', tree.township);
  const secretary = await caller('village', village);
  const id = await createCaseAt(tdb.db, {
    campaignId: opts.campaignId ?? campaigns.main,
    villageId: village,
    state,
    fortressGrade: opts.fortressGrade ?? null,
    createdBy: officials.county.id,
  });
  return { id, state, village, secretary, sessionId: null };
}

const session = (fx: CaseFx, opts: CaseSessionOptions) => createCaseSession(tdb.db, fx.id, opts);

const countyPass = (fx: CaseFx, at?: Date) =>
  recordTransition(tdb.db, fx.id, {
    action: 'county_pass',
    from: 'county_acceptance',
    to: 'city_review',
    officialId: officials.county.id,
    role: 'county',
    ...(at ? { at } : {}),
  });

/** A case in `state` whose every gate out of it is met (for `relist`: a look-back that failed). */
async function readyCase(state: State, action?: Action): Promise<CaseFx> {
  // the village's 堡垒指数 (a township scoring) for the steps whose gate reads it
  const fortressGrade = state === 'city_review' ? 'strong' : state === 'county_acceptance' ? 'middle' : null;
  const fx = await newCase(state, { fortressGrade });
  if (state === 'village_evaluation') fx.sessionId = await session(fx, { kind: 'self_evaluation' });
  if (state === 'township_check') await addProblem(tdb.db, fx.id, { status: 'done' });
  if (state === 'county_acceptance') fx.sessionId = await session(fx, { kind: 'county_callback' });
  if (state === 'city_review') await countyPass(fx);
  if (state === 'monitoring') {
    fx.sessionId = await session(fx, { kind: 'look_back', outcome: action === 'relist' ? 'fail' : 'pass' });
  }
  return fx;
}

function callerOf(who: Who, fx: CaseFx): Caller | null {
  if (who === 'anonymous') return null;
  return who === 'village' ? fx.secretary : officials[who];
}

function inject(who: Caller | null, method: InjectOptions['method'], url: string, payload?: unknown) {
  return app.inject({
    method,
    url,
    headers: who ? { cookie: who.cookie } : {},
    ...(payload === undefined ? {} : { payload: payload as InjectOptions['payload'] }),
  });
}

const transition = (who: Caller | null, caseId: number, body: Record<string, unknown>) =>
  inject(who, 'POST', `/api/cases/${caseId}/transitions`, body);

const answer = (res: LightMyRequestResponse) => ({ status: res.statusCode, body: res.json() as unknown });

async function caseRow(id: number) {
  return tdb.db
    .selectFrom('rectification_case')
    .select([
      'state',
      'village_id',
      'campaign_id',
      'types',
      'fortress_grade',
      'previous_case_id',
      sql<string>`deadline::text`.as('deadline'),
    ])
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
}

async function transitionRows(caseId: number) {
  return tdb.db
    .selectFrom('case_transition')
    .select([
      'action',
      'from_state',
      'to_state',
      'official_id',
      'actor_name',
      'actor_role',
      'reason',
      sql<string | null>`deadline::text`.as('deadline'),
      'session_id',
      'evidence',
      'fortress_grade',
      'new_case_id',
    ])
    .where('case_id', '=', caseId)
    .orderBy('id')
    .execute();
}

async function auditRows(caseId: number, action: string) {
  return tdb.db
    .selectFrom('audit_event')
    .select(['action', 'actor_id', 'actor_role', 'region_id', 'object_id'])
    .where('action', '=', `case.${action}`)
    .where('object_id', '=', String(caseId))
    .execute();
}

/** The session the step rests on, as the contract names it (other steps rest on none). */
const SESSION_GATED: readonly Action[] = ['apply', 'county_pass', 'lookback_pass', 'relist'];

async function expectTaken(fx: CaseFx, action: Action, who: CaseRole, res: LightMyRequestResponse) {
  const to: State = STEPS[action].to;
  const actor = callerOf(who, fx) as Caller;
  const sent = bodyOf(action);
  const priorSteps = fx.state === 'city_review' ? 1 : 0; // the county_pass it rests on
  expect(res.statusCode, res.body).toBe(200);
  const body = res.json() as { id: number; state: string; transitions: Record<string, unknown>[] };
  expect(body).toMatchObject({ id: fx.id, villageId: fx.village, state: to, stateLabel: LABEL[to] });

  const rows = await transitionRows(fx.id);
  expect(rows).toHaveLength(priorSteps + 1);
  const newCase =
    action === 'relist'
      ? await tdb.db
          .selectFrom('rectification_case')
          .select('id')
          .where('previous_case_id', '=', fx.id)
          .executeTakeFirstOrThrow()
      : null;
  const row = {
    action,
    from_state: fx.state,
    to_state: to,
    official_id: actor.id,
    actor_name: actor.displayName,
    actor_role: who,
    reason: sent.reason ?? null,
    deadline: sent.deadline ?? null,
    evidence: sent.evidence ?? null,
    // county acceptance records the grade it read (the village was scored 中等村)
    fortress_grade: action === 'county_pass' ? 'middle' : null,
    new_case_id: newCase?.id ?? null,
    ...(action === 'city_pass' ? {} : { session_id: SESSION_GATED.includes(action) ? fx.sessionId : null }),
  };
  expect(rows.at(-1)).toMatchObject(row);
  expect(body.transitions).toHaveLength(priorSteps + 1);
  expect(body.transitions.at(-1)).toMatchObject({
    action,
    fromState: fx.state,
    toState: to,
    actorName: actor.displayName,
    actorRole: who,
    reason: row.reason,
    deadline: row.deadline,
    evidence: row.evidence,
    newCaseId: row.new_case_id,
    ...(action === 'city_pass' ? {} : { sessionId: row.session_id, fortressGrade: row.fortress_grade }),
  });

  expect(await auditRows(fx.id, action)).toEqual([
    { action: `case.${action}`, actor_id: actor.id, actor_role: who, region_id: fx.village, object_id: String(fx.id) },
  ]);

  const after = await caseRow(fx.id);
  expect(after.state).toBe(to);
  if (action === 'return') expect(after.deadline).toBe(FUTURE);
  if (action === 'county_pass') expect(after.fortress_grade).toBe('middle');
  if (newCase) {
    expect(await caseRow(newCase.id)).toEqual({
      state: 'listed',
      village_id: fx.village,
      campaign_id: campaigns.newest,
      types: (await caseRow(fx.id)).types,
      fortress_grade: null,
      previous_case_id: fx.id,
      deadline: FUTURE,
    });
    expect(body).toMatchObject({ relistedAsCaseId: newCase.id });
  }
}

const ALLOWED = ACTIONS.flatMap((action) =>
  STATES.flatMap((state) => rolesAt(action, state).map((role) => ({ action, state, role }))),
);

describe('the transition table', () => {
  it('allows 22 (action, state, role) steps in all', () => expect(ALLOWED).toHaveLength(22));

  for (const { action, state, role } of ALLOWED) {
    it(`lets ${role} take ${action} from ${state} to ${STEPS[action].to}, recorded and audited`, async () => {
      const fx = await readyCase(state, action);
      await expectTaken(fx, action, role, await transition(callerOf(role, fx), fx.id, bodyOf(action)));
    });
  }

  for (const action of ACTIONS) {
    it(`refuses ${action} to every other role and state (401, 403 or 409) and changes nothing`, async () => {
      const before = await databaseDigest(tdb.db);
      const got: Record<string, unknown> = {};
      const want: Record<string, unknown> = {};
      for (const state of STATES) {
        const fx = shared.get(state) as CaseFx;
        for (const who of CALLERS) {
          const outcome = expectedOutcome(action, state, who);
          if (outcome === 'allowed') continue;
          const key = `${action} from ${state} as ${who}`;
          got[key] = answer(await transition(callerOf(who, fx), fx.id, bodyOf(action)));
          want[key] = {
            status: outcome,
            body:
              outcome === 409 ? conflict(expect.stringContaining(`当前为“${LABEL[state]}”`), state) : DENIED[outcome],
          };
        }
      }
      expect(got).toEqual(want);
      expect(await databaseDigest(tdb.db)).toEqual(before);
    });
  }

  it('lists on the case page exactly the steps the role may take from the current state', async () => {
    for (const state of STATES) {
      const fx = shared.get(state) as CaseFx;
      for (const who of ['city', 'county', 'township', 'village'] as const) {
        const res = await inject(callerOf(who, fx), 'GET', `/api/cases/${fx.id}`);
        expect(res.statusCode, res.body).toBe(200);
        const actions = (res.json() as { actions: { action: string; blocked: unknown }[] }).actions
          .map((a) => ({ action: a.action, blocked: a.blocked }))
          .sort((a, b) => a.action.localeCompare(b.action));
        const mine = ACTIONS.filter((a) => rolesAt(a, state).includes(who)).sort();
        // the shared cases meet every gate, so nothing is blocked
        expect(actions, `${who} on a case in ${state}`).toEqual(mine.map((action) => ({ action, blocked: null })));
      }
    }
  });
});

/** The step is refused with 409 and `message`, and the database is exactly as before. */
async function expectRefused(who: Caller, fx: CaseFx, body: Record<string, unknown>, message: unknown) {
  const before = await databaseDigest(tdb.db);
  const res = await transition(who, fx.id, body);
  expect(answer(res)).toEqual({ status: 409, body: conflict(message, fx.state) });
  expect(await databaseDigest(tdb.db)).toEqual(before);
}

const minutesAgo = (n: number) => new Date(Date.now() - n * 60_000);

describe('the gate of apply (申请验收)', () => {
  const apply = { action: 'apply' };
  const NO_SELF_EVALUATION = '尚无已结束的村级自评，不能申请验收';
  const FAILED = expect.stringMatching(/^最近一次村级自评未通过（满意 4 人.*），不能申请验收$/u);

  it('is refused without any self-evaluation of the case', async () => {
    const fx = await newCase('village_evaluation');
    await expectRefused(fx.secretary, fx, apply, NO_SELF_EVALUATION);
  });

  it('counts only closed self-evaluations of this case: not open ones, other kinds, or other cases', async () => {
    const fx = await newCase('village_evaluation');
    await session(fx, { kind: 'self_evaluation', status: 'open' });
    await session(fx, { kind: 'self_evaluation', status: 'draft' });
    await session(fx, { kind: 'county_callback' });
    await session(fx, { kind: 'township_check' });
    await readyCase('village_evaluation'); // another case's passing self-evaluation
    await expectRefused(fx.secretary, fx, apply, NO_SELF_EVALUATION);
  });

  it('refuses a session named in the body that belongs to another case, and records its own', async () => {
    const fx = await readyCase('village_evaluation');
    const other = await readyCase('village_evaluation');
    const before = await databaseDigest(tdb.db);
    const res = await transition(fx.secretary, fx.id, { ...apply, sessionId: other.sessionId });
    const message = `测评场次 ${other.sessionId} 不属于本案件`;
    expect(answer(res)).toEqual({
      status: 400,
      body: {
        statusCode: 400,
        code: 'VALIDATION_FAILED',
        error: 'Bad Request',
        message,
        details: [{ field: 'sessionId', message }],
      },
    });
    expect(await databaseDigest(tdb.db)).toEqual(before);
    const own = await transition(fx.secretary, fx.id, { ...apply, sessionId: fx.sessionId });
    expect(own.statusCode, own.body).toBe(200);
    expect((await transitionRows(fx.id)).map((r) => r.session_id)).toEqual([fx.sessionId]);
  });

  it('is refused when the latest self-evaluation failed, even after an earlier pass', async () => {
    const fx = await newCase('village_evaluation');
    await session(fx, { kind: 'self_evaluation', closedAt: minutesAgo(60) });
    await session(fx, { kind: 'self_evaluation', outcome: 'fail', closedAt: minutesAgo(5) });
    await expectRefused(fx.secretary, fx, apply, FAILED);
  });

  it('ignores a voided session: a later void pass does not hide the failure before it', async () => {
    const fx = await newCase('village_evaluation');
    await session(fx, { kind: 'self_evaluation', outcome: 'fail', closedAt: minutesAgo(60) });
    await session(fx, { kind: 'self_evaluation', status: 'void', outcome: 'pass', closedAt: minutesAgo(5) });
    await expectRefused(fx.secretary, fx, apply, FAILED);
  });

  it('is refused when the latest self-evaluation is not reconciled or undecidable', async () => {
    const fx = await newCase('village_evaluation');
    await session(fx, { kind: 'self_evaluation', reconciled: false });
    await expectRefused(fx.secretary, fx, apply, CHINESE);
    const fy = await newCase('village_evaluation');
    await session(fy, { kind: 'self_evaluation', outcome: 'undecidable' });
    await expectRefused(fy.secretary, fy, apply, CHINESE);
  });

  it('is allowed on the latest closed session by closed_at, certified ones included', async () => {
    const fx = await newCase('village_evaluation');
    await session(fx, { kind: 'self_evaluation', outcome: 'fail', closedAt: minutesAgo(60) });
    const passed = await session(fx, { kind: 'self_evaluation', status: 'certified', closedAt: minutesAgo(5) });
    // created after, but closed before: not the latest
    await session(fx, { kind: 'self_evaluation', outcome: 'fail', closedAt: minutesAgo(120) });
    const res = await transition(fx.secretary, fx.id, apply);
    expect(res.statusCode, res.body).toBe(200);
    expect((await transitionRows(fx.id)).map((r) => [r.action, r.session_id])).toEqual([['apply', passed]]);
  });
});

describe('the other gates', () => {
  it('township_pass: refused while problems are open, naming how many', async () => {
    const fx = await newCase('township_check');
    await addProblem(tdb.db, fx.id, { status: 'done' });
    await addProblem(tdb.db, fx.id);
    await addProblem(tdb.db, fx.id);
    await expectRefused(officials.township, fx, { action: 'township_pass' }, '问题清单还有 2 项未销号');
  });

  it('county_pass: refused without a closed callback survey, or when the latest failed', async () => {
    const body = bodyOf('county_pass');
    const none = await newCase('county_acceptance');
    await session(none, { kind: 'county_callback', status: 'open' });
    await session(none, { kind: 'self_evaluation' });
    await expectRefused(officials.county, none, body, expect.stringMatching(/^尚无已结束的县级回访测评/u));
    const failed = await newCase('county_acceptance');
    await session(failed, { kind: 'county_callback', closedAt: minutesAgo(60) });
    await session(failed, { kind: 'county_callback', outcome: 'fail', closedAt: minutesAgo(5) });
    await expectRefused(officials.county, failed, body, expect.stringMatching(/^最近一次县级回访(测评)?未通过/u));
  });

  it('county_pass: reads the village 堡垒指数 scored by the township (campaign year or later), records it, types none', async () => {
    const ungraded = await newCase('county_acceptance');
    await session(ungraded, { kind: 'county_callback' });
    const noGrade = '该村尚无本整顿年度及以后的堡垒指数评分（由乡镇在“堡垒指数”中逐项评分），不能通过县级验收';
    await expectRefused(officials.county, ungraded, { action: 'county_pass' }, noGrade);
    // a grade of a year before the campaign's (2025) is not read
    await gradeVillage(tdb.db, ungraded.village, 2024, 'strong');
    await expectRefused(officials.county, ungraded, { action: 'county_pass' }, noGrade);
    // the hand-typed grade is gone from the body
    const typed = await transition(officials.county, ungraded.id, { action: 'county_pass', fortressGrade: 'strong' });
    expect(typed.statusCode).toBe(400);
    expect(typed.json()).toMatchObject({ code: 'VALIDATION_FAILED', message: '字段 fortressGrade：不允许的字段' });

    // scored weak, then scored again 强村: the latest scoring of the newest year counts
    await gradeVillage(tdb.db, ungraded.village, 2025, 'weak');
    await gradeVillage(tdb.db, ungraded.village, 2025, 'strong', 88);
    const page = await inject(officials.county, 'GET', `/api/cases/${ungraded.id}`);
    expect(page.json().fortress).toMatchObject({ year: 2025, total: 88, grade: 'strong', gradeLabel: '强村' });
    expect(page.json().fortress.ruleText).toContain('总分 85 分及以上为强村');
    const passed = await transition(officials.county, ungraded.id, { action: 'county_pass' });
    expect(passed.statusCode, passed.body).toBe(200);
    expect(await caseRow(ungraded.id)).toMatchObject({ state: 'city_review', fortress_grade: 'strong' });
    expect((await transitionRows(ungraded.id)).at(-1)).toMatchObject({
      action: 'county_pass',
      fortress_grade: 'strong',
    });

    // a later scoring changes what the gate reads, never the grade recorded at county acceptance
    await gradeVillage(tdb.db, ungraded.village, 2026, 'weak');
    await expectRefused(
      officials.city,
      { ...ungraded, state: 'city_review' },
      { action: 'city_pass' },
      '堡垒指数评定为弱村，不能退出',
    );
    expect((await transitionRows(ungraded.id)).at(-1)).toMatchObject({
      action: 'county_pass',
      fortress_grade: 'strong',
    });

    const free = await newCase('county_acceptance', { campaignId: campaigns.noGrade });
    await session(free, { kind: 'county_callback' });
    expect((await transition(officials.county, free.id, { action: 'county_pass' })).statusCode).toBe(200);
    expect(await caseRow(free.id)).toMatchObject({ state: 'city_review', fortress_grade: null });
  });

  it('city_pass: refused without a county pass since the last return to rectifying', async () => {
    const never = await newCase('city_review', { fortressGrade: 'strong' });
    await expectRefused(officials.city, never, { action: 'city_pass' }, CHINESE);
    const returned = await newCase('city_review', { fortressGrade: 'strong' });
    await countyPass(returned, minutesAgo(60));
    await recordTransition(tdb.db, returned.id, {
      action: 'return',
      from: 'city_review',
      to: 'rectifying',
      officialId: officials.city.id,
      role: 'city',
      reason: '复盘发现问题',
      deadline: FUTURE,
      at: minutesAgo(30),
    });
    await expectRefused(officials.city, returned, { action: 'city_pass' }, CHINESE);
  });

  it('city_pass: refused for a weak or ungraded village when the campaign requires the grade', async () => {
    const weak = await newCase('city_review', { fortressGrade: 'weak' });
    await countyPass(weak);
    await expectRefused(officials.city, weak, { action: 'city_pass' }, '堡垒指数评定为弱村，不能退出');
    const ungraded = await newCase('city_review');
    await countyPass(ungraded);
    await expectRefused(officials.city, ungraded, { action: 'city_pass' }, CHINESE);
    const free = await newCase('city_review', { campaignId: campaigns.noGrade, fortressGrade: 'weak' });
    await countyPass(free);
    expect((await transition(officials.city, free.id, { action: 'city_pass' })).statusCode).toBe(200);
    expect((await caseRow(free.id)).state).toBe('exited');
  });

  it('return: needs a reason and a deadline after today', async () => {
    const fx = await readyCase('county_acceptance');
    const message = '退回整改须填写原因和新的整改期限';
    await expectRefused(officials.county, fx, { action: 'return', deadline: FUTURE }, message);
    await expectRefused(officials.county, fx, { action: 'return', reason: '材料不全' }, message);
    await expectRefused(
      officials.county,
      fx,
      { action: 'return', reason: '材料不全', deadline: chinaToday() },
      CHINESE,
    );
    await expectRefused(
      officials.county,
      fx,
      { action: 'return', reason: '材料不全', deadline: '2020-01-01' },
      CHINESE,
    );
  });

  it('lookback_pass: needs a passing look-back not yet used by an earlier lookback_pass', async () => {
    const none = await newCase('monitoring');
    await session(none, { kind: 'look_back', status: 'open' });
    await expectRefused(officials.county, none, { action: 'lookback_pass' }, CHINESE);
    const failed = await newCase('monitoring');
    await session(failed, { kind: 'look_back', outcome: 'fail' });
    await expectRefused(officials.county, failed, { action: 'lookback_pass' }, CHINESE);
    const once = await readyCase('monitoring');
    expect((await transition(officials.county, once.id, { action: 'lookback_pass' })).statusCode).toBe(200);
    await expectRefused(officials.city, once, { action: 'lookback_pass' }, CHINESE);
    const next = await session(once, { kind: 'look_back' });
    const res = await transition(officials.city, once.id, { action: 'lookback_pass' });
    expect(res.statusCode, res.body).toBe(200);
    expect((await transitionRows(once.id)).map((r) => r.session_id)).toEqual([once.sessionId, next]);
  });

  it('relist: needs a closed look-back, a reason and a deadline, and happens once', async () => {
    const none = await newCase('monitoring');
    await session(none, { kind: 'look_back', status: 'open' });
    await expectRefused(officials.county, none, bodyOf('relist'), CHINESE);
    const fx = await readyCase('monitoring', 'relist');
    await expectRefused(officials.county, fx, { action: 'relist', deadline: FUTURE }, CHINESE);
    await expectRefused(officials.county, fx, { action: 'relist', reason: '满意度下滑' }, CHINESE);
    const res = await transition(officials.county, fx.id, bodyOf('relist'));
    expect(res.statusCode, res.body).toBe(200);
    const newId = (await transitionRows(fx.id))[0]?.new_case_id;
    expect(newId).toEqual(expect.any(Number));
    await expectRefused(officials.city, fx, bodyOf('relist'), `已重新列入，见案件 ${newId}`);
  });

  it('relist: puts the new case in the campaign named in the body when it covers the village', async () => {
    const fx = await readyCase('monitoring', 'relist');
    const elsewhere = { ...bodyOf('relist'), campaignId: campaigns.elsewhere };
    // another county's campaign: outside the county official's subtree, so the one 404
    const before = await databaseDigest(tdb.db);
    expect(answer(await transition(officials.county, fx.id, elsewhere))).toEqual({ status: 404, body: DENIED[404] });
    expect(await databaseDigest(tdb.db)).toEqual(before);
    // within the city official's subtree, but it does not cover the village: a bad field
    const res400 = await transition(officials.city, fx.id, elsewhere);
    expect(answer(res400)).toEqual({
      status: 400,
      body: {
        statusCode: 400,
        code: 'VALIDATION_FAILED',
        error: 'Bad Request',
        message: expect.stringMatching(/^该村不在整顿工作“.+”的范围内$/u),
        details: [{ field: 'campaignId', message: expect.stringMatching(/^该村不在整顿工作/u) }],
      },
    });
    expect(await databaseDigest(tdb.db)).toEqual(before);
    const res = await transition(officials.county, fx.id, { ...bodyOf('relist'), campaignId: campaigns.noGrade });
    expect(res.statusCode, res.body).toBe(200);
    const made = await tdb.db
      .selectFrom('rectification_case')
      .select(['campaign_id', 'state'])
      .where('previous_case_id', '=', fx.id)
      .executeTakeFirstOrThrow();
    expect(made).toEqual({ campaign_id: campaigns.noGrade, state: 'listed' });
  });
});

describe('a case outside the caller’s subtree', () => {
  const ROUTES = (fx: CaseFx, problem: number): [InjectOptions['method'], string, unknown][] => [
    ['GET', `/api/cases/${fx.id}`, undefined],
    ['PATCH', `/api/cases/${fx.id}`, { plan: '外人改写的方案' }],
    ['POST', `/api/cases/${fx.id}/problems`, { description: '外人加的问题', owner: '某人', deadline: FUTURE }],
    ['PATCH', `/api/cases/${fx.id}/problems/${problem}`, { status: 'done' }],
    ['POST', `/api/cases/${fx.id}/sessions`, { kind: 'self_evaluation', title: '外人的测评', residentsPresent: 10 }],
    ...ACTIONS.map((a): [InjectOptions['method'], string, unknown] => [
      'POST',
      `/api/cases/${fx.id}/transitions`,
      bodyOf(a),
    ]),
  ];

  it('answers every case route with the one 404 for officials of another village, township, county or city', async () => {
    const fx = await readyCase('village_evaluation');
    const problem = await addProblem(tdb.db, fx.id);
    const before = await databaseDigest(tdb.db);
    const got: Record<string, unknown> = {};
    const want: Record<string, unknown> = {};
    for (const [where, who] of Object.entries(outsiders)) {
      for (const [method, url, payload] of ROUTES(fx, problem)) {
        const key = `${where}: ${method} ${url} ${JSON.stringify(payload ?? '')}`;
        got[key] = answer(await inject(who, method, url, payload));
        want[key] = { status: 404, body: DENIED[404] };
      }
    }
    expect(got).toEqual(want);
    expect(await databaseDigest(tdb.db)).toEqual(before);
  });

  it('answers a case that does not exist with the same 404, and an admin with 403 on every case route', async () => {
    const fx = await readyCase('village_evaluation');
    const problem = await addProblem(tdb.db, fx.id);
    const before = await databaseDigest(tdb.db);
    const missing = { ...fx, id: 2147483000 };
    for (const [method, url, payload] of ROUTES(missing, problem)) {
      expect(answer(await inject(officials.county, method, url, payload)), `${method} ${url}`).toEqual({
        status: 404,
        body: DENIED[404],
      });
    }
    for (const [method, url, payload] of ROUTES(fx, problem)) {
      expect(answer(await inject(officials.admin, method, url, payload)), `${method} ${url}`).toEqual({
        status: 403,
        body: DENIED[403],
      });
    }
    expect(await databaseDigest(tdb.db)).toEqual(before);
  });

  it('is left out of the outsiders’ case lists', async () => {
    const fx = await readyCase('applied');
    for (const [where, who] of Object.entries(outsiders)) {
      for (const url of ['/api/cases', '/api/cases/inbox']) {
        const res = await inject(who, 'GET', url);
        expect(res.statusCode, `${where} ${url}: ${res.body}`).toBe(200);
        expect((res.json() as { cases: { id: number }[] }).cases.map((c) => c.id)).not.toContain(fx.id);
      }
    }
  });
});
