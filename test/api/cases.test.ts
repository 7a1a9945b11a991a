import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultRuleSet } from '../../server/modules/tallies/tallies.rules.ts';
import { buildTestApp } from '../helpers/app.ts';
import { createCampaign, createCaseAt, createCaseSession } from '../helpers/cases.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { castBallot, validAnswers } from '../helpers/evaluation.ts';
import { createOfficial, createRegion } from '../helpers/factories.ts';
import { call, createCast, type Caller, type Cast } from '../helpers/officials-api.ts';
import { sessionFor } from '../helpers/world.ts';

let tdb: TestDatabase;
let app: FastifyInstance;
let cast: Cast;
let otherCounty: Caller;
let campaignId: number;
let names: Record<'village' | 'township' | 'county', string>;

beforeAll(async () => {
  tdb = await createTestDatabase();
  app = await buildTestApp(tdb.db);
  cast = await createCast(tdb.db);
  const otherCountyId = await createRegion(tdb.db, 'county', cast.tree.city);
  const o = await createOfficial(tdb.db, 'county', otherCountyId);
  otherCounty = { ...o, cookie: await sessionFor(tdb.db, o.id) };
  campaignId = await createCampaign(tdb.db, cast.tree.county, { createdBy: cast.county.id, title: '2026年度整顿' });
  const name = async (id: number) =>
    (await tdb.db.selectFrom('region').select('name').where('id', '=', id).executeTakeFirstOrThrow()).name;
  names = {
    village: await name(cast.tree.village),
    township: await name(cast.tree.township),
    county: await name(cast.tree.county),
  };
});

afterAll(async () => {
  await app.close();
  await tdb.close();
});

const NOT_FOUND = { statusCode: 404, code: 'NOT_FOUND', error: 'Not Found', message: '未找到该对象，或您无权访问' };
const FORBIDDEN = { statusCode: 403, code: 'FORBIDDEN', error: 'Forbidden', message: '您的角色无权执行此操作' };
const conflict = (code: string, message: string, details?: Record<string, unknown>) => ({
  status: 409,
  body: { statusCode: 409, code, error: 'Conflict', message, ...(details ? { details } : {}) },
});
const inDays = (n: number) => new Date(Date.now() + 8 * 3600_000 + n * 86_400_000).toISOString().slice(0, 10);

/** A fresh village in the test township (each test lists its own). */
const newVillage = () => createRegion(tdb.db, 'village', cast.tree.township);

const step = (who: Caller, id: number, body: Record<string, unknown>) =>
  call(app, who, 'POST', `/api/cases/${id}/transitions`, body);

const caseRow = (id: number) =>
  tdb.db.selectFrom('rectification_case').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

/** Runs a session on the case through HTTP: create, confirm, issue, open, vote, close. */
async function runSession(runner: Caller, caseId: number, kind: string, satisfied: number, dissatisfied: number) {
  const residents = satisfied + dissatisfied + 1;
  const created = await call(app, runner, 'POST', `/api/cases/${caseId}/sessions`, {
    kind,
    title: `${kind} 测评`,
    residentsPresent: residents,
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const id = created.body.id as number;
  const confirm = await call(app, cast.township, 'POST', `/api/sessions/${id}/confirm-residents`, {
    residentsPresent: residents,
  });
  expect(confirm.status).toBe(200);
  const slips = await call(app, runner, 'POST', `/api/sessions/${id}/slips`, { count: satisfied + dissatisfied });
  expect(slips.status).toBe(201);
  expect((await call(app, runner, 'POST', `/api/sessions/${id}/open`)).status).toBe(200);
  const tokens = (slips.body.slips as { token: string }[]).map((s) => s.token);
  for (const [i, token] of tokens.entries()) {
    const r = await castBallot(tdb.db, token, validAnswers(i < satisfied ? 'satisfied' : 'dissatisfied'));
    expect(r.outcome).toBe('accepted');
  }
  const closed = await call(app, runner, 'POST', `/api/sessions/${id}/close`);
  expect(closed.status, JSON.stringify(closed.body)).toBe(200);
  return { id, created: created.body };
}

describe('listing a village', () => {
  it('creates a case with problems and the 四个一, audited, and shows it whole', async () => {
    const responsible = {
      countyLeader: '王县长',
      townshipLeader: '李书记',
      firstSecretary: '张三',
      pairedUnit: '县财政局',
    };
    const deadline = inDays(90);
    const res = await call(app, cast.county, 'POST', '/api/cases', {
      campaignId,
      villageId: cast.tree.village,
      types: ['班子战斗力不强', '村容村貌较差'],
      deadline,
      plan: '一村一策：配强班子',
      responsible,
      problems: [{ description: '村务公开不及时', owner: '村党支部', deadline: inDays(60) }],
    });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.any(Number),
      campaignId,
      campaignTitle: '2026年度整顿',
      campaignYear: 2026,
      villageId: cast.tree.village,
      villageName: names.village,
      townshipId: cast.tree.township,
      townshipName: names.township,
      countyName: names.county,
      types: ['班子战斗力不强', '村容村貌较差'],
      state: 'listed',
      stateLabel: '已列入',
      deadline,
      fortressGrade: null,
      light: { color: 'green', reason: '按期推进' },
      openProblems: 1,
      problemCount: 1,
      previousCaseId: null,
      relistedAsCaseId: null,
      updatedAt: expect.any(String),
      plan: '一村一策：配强班子',
      responsible,
      requireFortressGrade: true,
      fortress: null,
      problems: [
        {
          id: expect.any(Number),
          description: '村务公开不及时',
          owner: '村党支部',
          deadline: inDays(60),
          status: 'open',
          doneAt: null,
        },
      ],
      transitions: [],
      sessions: [],
      history: [
        {
          id: res.body.id,
          campaignYear: 2026,
          campaignTitle: '2026年度整顿',
          state: 'listed',
          stateLabel: '已列入',
          createdAt: expect.any(String),
        },
      ],
      actions: [{ action: 'start', label: '开始整顿', blocked: null, needs: [] }],
      editable: { types: true, deadline: true, plan: true, responsible: true, problems: true },
      createdAt: expect.any(String),
    });
    const audit = await tdb.db
      .selectFrom('audit_event')
      .select(['action', 'actor_id', 'region_id'])
      .where('object_type', '=', 'rectification_case')
      .where('object_id', '=', String(res.body.id))
      .execute();
    expect(audit).toEqual([{ action: 'case.create', actor_id: cast.county.id, region_id: cast.tree.village }]);
  });

  it('refuses a second open case for the village with 409 naming the first', async () => {
    const village = await newVillage();
    const first = await createCaseAt(tdb.db, { campaignId, villageId: village, state: 'rectifying' });
    const res = await call(app, cast.county, 'POST', '/api/cases', {
      campaignId,
      villageId: village,
      types: ['班子战斗力不强'],
      deadline: inDays(30),
    });
    expect(res).toEqual(conflict('CASE_EXISTS', `该村已有未结案的整顿案件（编号 ${first}）`, { caseId: first }));
  });

  it('refuses types outside the campaign and villages outside scope; townships and villages may not list', async () => {
    const village = await newVillage();
    const body = { campaignId, villageId: village, types: ['班子战斗力不强'], deadline: inDays(30) };
    const bad = await call(app, cast.county, 'POST', '/api/cases', { ...body, types: ['党风廉政关注村'] });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toBe('整顿类型“党风廉政关注村”不在整顿工作“2026年度整顿”的类型中');
    expect(await call(app, otherCounty, 'POST', '/api/cases', body)).toEqual({ status: 404, body: NOT_FOUND });
    expect(await call(app, cast.township, 'POST', '/api/cases', body)).toEqual({ status: 403, body: FORBIDDEN });
    expect(await call(app, cast.admin, 'POST', '/api/cases', body)).toEqual({ status: 403, body: FORBIDDEN });
    for (const b of [{}, { ...body, types: [] }, { ...body, deadline: '2026-1-1' }, { ...body, extra: true }]) {
      expect((await call(app, cast.county, 'POST', '/api/cases', b)).status).toBe(400);
    }
    const n = await tdb.db.selectFrom('rectification_case').select('id').where('village_id', '=', village).execute();
    expect(n).toEqual([]);
  });
});

describe('seeing and editing a case', () => {
  it('shows the case to its chain and answers 404 to another county', async () => {
    const id = await createCaseAt(tdb.db, { campaignId, villageId: await newVillage(), state: 'rectifying' });
    for (const who of [cast.county, cast.city, cast.township]) {
      expect((await call(app, who, 'GET', `/api/cases/${id}`)).status).toBe(200);
    }
    expect(await call(app, otherCounty, 'GET', `/api/cases/${id}`)).toEqual({ status: 404, body: NOT_FOUND });
    expect(await call(app, cast.otherTownship, 'GET', `/api/cases/${id}`)).toEqual({ status: 404, body: NOT_FOUND });
    expect(await call(app, cast.admin, 'GET', `/api/cases/${id}`)).toEqual({ status: 403, body: FORBIDDEN });
    expect((await call(app, null, 'GET', `/api/cases/${id}`)).status).toBe(401);
    expect(
      (await call(app, otherCounty, 'GET', '/api/cases')).body.cases.map((c: { id: number }) => c.id),
    ).not.toContain(id);
  });

  it('edits fields by role, audited, and freezes a closed case', async () => {
    const id = await createCaseAt(tdb.db, { campaignId, villageId: await newVillage(), state: 'rectifying' });
    // the 堡垒指数 is the township's scoring (grading module), never typed on a case
    expect(await call(app, cast.county, 'PATCH', `/api/cases/${id}`, { fortressGrade: 'strong' })).toMatchObject({
      status: 400,
      body: { code: 'VALIDATION_FAILED', message: '字段 fortressGrade：不允许的字段' },
    });
    const ok = await call(app, cast.county, 'PATCH', `/api/cases/${id}`, { types: ['矛盾问题突出'] });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ types: ['矛盾问题突出'], fortressGrade: null });
    const plan = await call(app, cast.township, 'PATCH', `/api/cases/${id}`, { plan: '新方案' });
    expect(plan.body).toMatchObject({
      plan: '新方案',
      editable: { types: false, deadline: false, plan: true, responsible: true, problems: true },
    });
    expect(await call(app, cast.township, 'PATCH', `/api/cases/${id}`, { deadline: inDays(5) })).toEqual({
      status: 403,
      body: FORBIDDEN,
    });
    expect(await call(app, cast.county, 'PATCH', `/api/cases/${id}`, { types: ['其他'] })).toMatchObject({
      status: 400,
    });
    const audit = await tdb.db
      .selectFrom('audit_event')
      .select(['action', 'detail'])
      .where('object_type', '=', 'rectification_case')
      .where('object_id', '=', String(id))
      .orderBy('id')
      .execute();
    expect(audit).toEqual([
      {
        action: 'case.update',
        detail: { fields: ['types'] },
      },
      { action: 'case.update', detail: { fields: ['plan'] } },
    ]);
    const closed = await createCaseAt(tdb.db, { campaignId, villageId: await newVillage(), state: 'exited' });
    expect(await call(app, cast.county, 'PATCH', `/api/cases/${closed}`, { plan: 'x' })).toEqual(
      conflict('INVALID_STATE', '案件当前为“已退出（销号）”，不能再修改'),
    );
  });

  it('adds and closes problems, setting done_at, audited; refused once closed', async () => {
    const id = await createCaseAt(tdb.db, { campaignId, villageId: await newVillage(), state: 'rectifying' });
    const added = await call(app, cast.township, 'POST', `/api/cases/${id}/problems`, {
      description: '道路破损',
      owner: '村委会',
      deadline: inDays(20),
    });
    expect(added).toEqual({
      status: 201,
      body: {
        id: expect.any(Number),
        description: '道路破损',
        owner: '村委会',
        deadline: inDays(20),
        status: 'open',
        doneAt: null,
      },
    });
    const done = await call(app, cast.township, 'PATCH', `/api/cases/${id}/problems/${added.body.id}`, {
      status: 'done',
    });
    expect(done.body).toMatchObject({ status: 'done', doneAt: expect.stringMatching(/^\d{4}-/) });
    const other = await createCaseAt(tdb.db, { campaignId, villageId: await newVillage(), state: 'rectifying' });
    expect(
      await call(app, cast.county, 'PATCH', `/api/cases/${other}/problems/${added.body.id}`, { owner: 'x' }),
    ).toEqual({
      status: 404,
      body: NOT_FOUND,
    });
    const audit = await tdb.db
      .selectFrom('audit_event')
      .select('action')
      .where('object_type', '=', 'rectification_case')
      .where('object_id', '=', String(id))
      .orderBy('id')
      .execute();
    expect(audit.map((a) => a.action)).toEqual(['case.problem_add', 'case.problem_update']);
    const closed = await createCaseAt(tdb.db, { campaignId, villageId: await newVillage(), state: 'monitoring' });
    const p = await call(app, cast.county, 'POST', `/api/cases/${closed}/problems`, {
      description: 'x',
      owner: 'y',
      deadline: inDays(1),
    });
    expect(p.status).toBe(409);
  });
});

describe('case sessions', () => {
  it('copies the questionnaire and rules from the campaign and links the session to the case', async () => {
    const rules = { ...defaultRuleSet(), majority: 'inclusive' as const };
    const own = await createCampaign(tdb.db, cast.tree.county, { title: '含等额规则' });
    await tdb.db
      .updateTable('campaign')
      .set({ rules: JSON.stringify(rules) })
      .where('id', '=', own)
      .execute();
    const id = await createCaseAt(tdb.db, {
      campaignId: own,
      villageId: cast.otherVillage,
      state: 'village_evaluation',
    });
    const township = await createOfficial(tdb.db, 'township', (await caseVillageParent(id)) as number);
    const who = { ...township, cookie: await sessionFor(tdb.db, township.id) };
    const res = await call(app, who, 'POST', `/api/cases/${id}/sessions`, {
      kind: 'self_evaluation',
      title: '村级自评',
      residentsPresent: 40,
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ caseId: id, kind: 'self_evaluation', rules, villageId: cast.otherVillage });
    const view = await call(app, cast.county, 'GET', `/api/cases/${id}`);
    expect(view.body.sessions).toEqual([
      {
        id: res.body.id,
        kind: 'self_evaluation',
        title: '村级自评',
        status: 'draft',
        residentsPresent: 40,
        closedAt: null,
        verdict: null,
      },
    ]);
  });

  it('refuses a kind the state does not run (409) and a kind the role does not run (403)', async () => {
    const id = await createCaseAt(tdb.db, { campaignId, villageId: await newVillage(), state: 'rectifying' });
    const body = { kind: 'self_evaluation', title: '自评', residentsPresent: 10 };
    expect(await call(app, cast.county, 'POST', `/api/cases/${id}/sessions`, body)).toEqual(
      conflict('INVALID_STATE', '案件当前为“整顿中”，村级自评须在“村级自评”阶段组织', { state: 'rectifying' }),
    );
    const acc = await createCaseAt(tdb.db, { campaignId, villageId: await newVillage(), state: 'county_acceptance' });
    expect(
      await call(app, cast.township, 'POST', `/api/cases/${acc}/sessions`, { ...body, kind: 'county_callback' }),
    ).toEqual({ status: 403, body: FORBIDDEN });
    expect(
      await call(app, otherCounty, 'POST', `/api/cases/${acc}/sessions`, { ...body, kind: 'county_callback' }),
    ).toEqual({
      status: 404,
      body: NOT_FOUND,
    });
    const n = await tdb.db.selectFrom('evaluation_session').select('id').where('case_id', 'in', [id, acc]).execute();
    expect(n).toEqual([]);
  });
});

async function caseVillageParent(caseId: number) {
  const r = await tdb.db
    .selectFrom('rectification_case as k')
    .innerJoin('region as v', 'v.id', 'k.village_id')
    .select('v.parent_id')
    .where('k.id', '=', caseId)
    .executeTakeFirstOrThrow();
  return r.parent_id;
}

describe('the application gate', () => {
  it('refuses without a closed self-evaluation, after a failed one, and ignores a later void one', async () => {
    const id = await createCaseAt(tdb.db, { campaignId, villageId: await newVillage(), state: 'village_evaluation' });
    const villageId = (await caseRow(id)).village_id;
    const sec = await createOfficial(tdb.db, 'village', villageId);
    const village = { ...sec, cookie: await sessionFor(tdb.db, sec.id) };
    expect(await step(village, id, { action: 'apply' })).toEqual(
      conflict('INVALID_TRANSITION', '尚无已结束的村级自评，不能申请验收', { state: 'village_evaluation' }),
    );
    await createCaseSession(tdb.db, id, { kind: 'self_evaluation', status: 'open' });
    expect((await step(village, id, { action: 'apply' })).body.message).toBe('尚无已结束的村级自评，不能申请验收');
    await createCaseSession(tdb.db, id, {
      kind: 'self_evaluation',
      outcome: 'fail',
      closedAt: new Date(Date.now() - 60_000),
    });
    await createCaseSession(tdb.db, id, { kind: 'self_evaluation', status: 'void', outcome: 'pass' });
    expect(await step(village, id, { action: 'apply' })).toEqual(
      conflict('INVALID_TRANSITION', '最近一次村级自评未通过（满意 4 人，至少需要 6 人），不能申请验收', {
        state: 'village_evaluation',
      }),
    );
    expect((await caseRow(id)).state).toBe('village_evaluation');
    const passed = await createCaseSession(tdb.db, id, { kind: 'self_evaluation', outcome: 'pass' });
    const ok = await step(village, id, { action: 'apply', evidence: '自评结果公示' });
    expect(ok.status).toBe(200);
    expect(ok.body.transitions.at(-1)).toMatchObject({ action: 'apply', sessionId: passed, evidence: '自评结果公示' });
  });
});

describe('steps refused', () => {
  it('answers 403 for a role that never takes the step and 409 with the state for a wrong state, changing nothing', async () => {
    const id = await createCaseAt(tdb.db, { campaignId, villageId: await newVillage(), state: 'rectifying' });
    expect(await step(cast.county, id, { action: 'apply' })).toEqual({ status: 403, body: FORBIDDEN });
    expect(await step(cast.township, id, { action: 'receive' })).toEqual(
      conflict('INVALID_TRANSITION', '案件当前为“整顿中”，不能受理，开始乡镇初验', { state: 'rectifying' }),
    );
    expect(await step(otherCounty, id, { action: 'start' })).toEqual({ status: 404, body: NOT_FOUND });
    for (const body of [
      {},
      { action: 'fly' },
      { action: 'start', extra: 1 },
      { action: 'return', deadline: 'tomorrow' },
    ]) {
      expect((await step(cast.township, id, body)).status).toBe(400);
    }
    expect((await caseRow(id)).state).toBe('rectifying');
    const n = await tdb.db.selectFrom('case_transition').select('id').where('case_id', '=', id).execute();
    expect(n).toEqual([]);
  });

  it('requires a reason and a future deadline to return, and sets the new deadline', async () => {
    const id = await createCaseAt(tdb.db, { campaignId, villageId: await newVillage(), state: 'applied' });
    expect(await step(cast.township, id, { action: 'return', reason: '台账不全' })).toEqual(
      conflict('INVALID_TRANSITION', '退回整改须填写原因和新的整改期限', { state: 'applied' }),
    );
    const res = await step(cast.township, id, { action: 'return', reason: '台账不全', deadline: inDays(30) });
    expect(res.body).toMatchObject({
      state: 'rectifying',
      deadline: inDays(30),
      light: { color: 'yellow', reason: '验收未通过，已退回整改：台账不全' },
    });
  });

  it('refuses a body session that belongs to another case', async () => {
    const id = await createCaseAt(tdb.db, { campaignId, villageId: await newVillage(), state: 'listed' });
    const other = await createCaseAt(tdb.db, {
      campaignId,
      villageId: await newVillage(),
      state: 'village_evaluation',
    });
    const s = await createCaseSession(tdb.db, other, { kind: 'self_evaluation' });
    const res = await step(cast.county, id, { action: 'start', sessionId: s });
    expect(res.status).toBe(400);
    expect(res.body.message).toBe(`测评场次 ${s} 不属于本案件`);
  });
});

describe('lists and the inbox', () => {
  it('orders by light and filters; the inbox holds what waits for the role', async () => {
    const own = await createCampaign(tdb.db, cast.tree.county, { title: '列表测试', year: 2027 });
    const red = await createCaseAt(tdb.db, {
      campaignId: own,
      villageId: await newVillage(),
      state: 'rectifying',
      deadline: inDays(-3),
    });
    const green = await createCaseAt(tdb.db, { campaignId: own, villageId: await newVillage(), state: 'applied' });
    const yellow = await createCaseAt(tdb.db, {
      campaignId: own,
      villageId: await newVillage(),
      state: 'listed',
      deadline: inDays(3),
    });
    const list = await call(app, cast.county, 'GET', `/api/cases?campaignId=${own}`);
    expect(list.body.cases.map((c: { id: number }) => c.id)).toEqual([red, yellow, green]);
    expect(list.body.cases[0].light).toEqual({ color: 'red', reason: '整改期限已过 3 天' });
    const reds = await call(app, cast.county, 'GET', `/api/cases?year=2027&light=red`);
    expect(reds.body.cases.map((c: { id: number }) => c.id)).toEqual([red]);
    await tdb.db
      .updateTable('rectification_case')
      .set({ types: JSON.stringify(['村容村貌较差']) })
      .where('id', '=', yellow)
      .execute();
    const byType = await call(
      app,
      cast.county,
      'GET',
      `/api/cases?campaignId=${own}&type=${encodeURIComponent('村容村貌较差')}`,
    );
    expect(byType.body.cases.map((c: { id: number }) => c.id)).toEqual([yellow]);
    const elsewhere = await call(
      app,
      cast.county,
      'GET',
      `/api/cases?campaignId=${own}&townshipId=${cast.otherTownship.regionId}`,
    );
    expect(elsewhere.body.cases).toEqual([]);
    const applied = await call(app, cast.county, 'GET', `/api/cases?campaignId=${own}&state=applied`);
    expect(applied.body.cases.map((c: { id: number }) => c.id)).toEqual([green]);
    const inbox = await call(app, cast.township, 'GET', '/api/cases/inbox');
    expect(inbox.body.cases.map((c: { id: number }) => c.id)).toContain(green);
    expect(inbox.body.cases.map((c: { id: number }) => c.id)).not.toContain(red);
    expect((await call(app, cast.county, 'GET', '/api/cases?light=blue')).status).toBe(400);
  });
});

describe('the whole path', () => {
  it('walks a village from listing to exit, looks back, relists it, and keeps the history both ways', async () => {
    const villageId = await newVillage();
    const sec = await createOfficial(tdb.db, 'village', villageId);
    const village = { ...sec, cookie: await sessionFor(tdb.db, sec.id) };
    const created = await call(app, cast.county, 'POST', '/api/cases', {
      campaignId,
      villageId,
      types: ['矛盾问题突出'],
      deadline: inDays(120),
      problems: [{ description: '集体经济薄弱', owner: '村委会', deadline: inDays(100) }],
    });
    const id = created.body.id as number;
    const problemId = created.body.problems[0].id as number;
    expect((await step(cast.township, id, { action: 'start' })).body.state).toBe('rectifying');
    expect((await step(village, id, { action: 'request_evaluation' })).body.state).toBe('village_evaluation');
    const self = await runSession(village, id, 'self_evaluation', 3, 1);
    expect(self.created).toMatchObject({ caseId: id, kind: 'self_evaluation' });
    const applied = await step(village, id, { action: 'apply' });
    expect(applied.body).toMatchObject({ state: 'applied' });
    expect(applied.body.transitions.at(-1)).toMatchObject({ action: 'apply', sessionId: self.id });
    expect((await step(cast.township, id, { action: 'receive' })).body.state).toBe('township_check');
    expect(await step(cast.township, id, { action: 'township_pass' })).toEqual(
      conflict('INVALID_TRANSITION', '问题清单还有 1 项未销号', { state: 'township_check' }),
    );
    await call(app, village, 'PATCH', `/api/cases/${id}/problems/${problemId}`, { status: 'done' });
    expect((await step(cast.township, id, { action: 'township_pass' })).body.state).toBe('county_acceptance');
    expect((await step(cast.county, id, { action: 'county_pass' })).body.message).toBe(
      '尚无已结束的县级回访测评，不能通过县级验收',
    );
    const callback = await runSession(cast.county, id, 'county_callback', 4, 0);
    expect(await step(cast.county, id, { action: 'county_pass' })).toEqual(
      conflict(
        'INVALID_TRANSITION',
        '该村尚无本整顿年度及以后的堡垒指数评分（由乡镇在“堡垒指数”中逐项评分），不能通过县级验收',
        { state: 'county_acceptance' },
      ),
    );
    // the county sets up its 2026 sheet (the defaults), the township scores the village 70 of 100: 中等村
    const sheet = await call(app, cast.county, 'POST', '/api/grading/sheets', {
      regionId: cast.tree.county,
      year: 2026,
      from: 'defaults',
    });
    expect(sheet.status).toBe(201);
    let left = 70;
    const items = (sheet.body.items as { id: number; maxScore: number }[]).map((it) => {
      const score = Math.min(it.maxScore, left);
      left -= score;
      return { itemId: it.id, score, note: '' };
    });
    const scored = await call(app, cast.township, 'POST', `/api/grading/villages/${villageId}/scorings`, {
      year: 2026,
      items,
    });
    expect(scored.status).toBe(201);
    expect(scored.body.current).toMatchObject({ total: 70, grade: 'middle', gradeLabel: '中等村' });
    const passed = await step(cast.county, id, { action: 'county_pass', evidence: '回访记录' });
    expect(passed.body).toMatchObject({ state: 'city_review', fortressGrade: 'middle' });
    expect(passed.body.transitions.at(-1)).toMatchObject({ sessionId: callback.id, fortressGrade: 'middle' });
    expect((await step(cast.city, id, { action: 'city_pass' })).body.state).toBe('exited');
    expect((await step(cast.county, id, { action: 'monitor' })).body.state).toBe('monitoring');
    await runSession(cast.county, id, 'look_back', 1, 3);
    expect((await step(cast.county, id, { action: 'lookback_pass' })).body.message).toBe(
      '最近一次回头看测评未通过（满意 1 人，至少需要 3 人），不能确认回头看通过',
    );
    const relisted = await step(cast.county, id, { action: 'relist', reason: '群众满意度下降', deadline: inDays(200) });
    expect(relisted.status).toBe(200);
    const newId = relisted.body.relistedAsCaseId as number;
    expect(relisted.body).toMatchObject({
      state: 'monitoring',
      light: { color: 'yellow', reason: `回头看不达标，已重新列入（案件 ${newId}）` },
      actions: [
        { action: 'lookback_pass', blocked: `已重新列入，见案件 ${newId}` },
        { action: 'relist', blocked: `已重新列入，见案件 ${newId}` },
      ],
    });
    expect(relisted.body.transitions.map((t: { action: string }) => t.action)).toEqual([
      'start',
      'request_evaluation',
      'apply',
      'receive',
      'township_pass',
      'county_pass',
      'city_pass',
      'monitor',
      'relist',
    ]);
    expect(relisted.body.transitions.at(-1)).toMatchObject({ newCaseId: newId, reason: '群众满意度下降' });
    const fresh = await call(app, cast.county, 'GET', `/api/cases/${newId}`);
    expect(fresh.body).toMatchObject({
      state: 'listed',
      previousCaseId: id,
      villageId,
      types: ['矛盾问题突出'],
      deadline: inDays(200),
    });
    expect(fresh.body.history.map((h: { id: number }) => h.id)).toEqual([id, newId]);
    expect(await step(cast.county, id, { action: 'relist', reason: 'x', deadline: inDays(10) })).toEqual(
      conflict('INVALID_TRANSITION', `已重新列入，见案件 ${newId}`, { state: 'monitoring' }),
    );
    const sessionsBefore = await tdb.db.selectFrom('evaluation_session').select('id').execute();
    expect(
      await call(app, cast.county, 'POST', `/api/cases/${id}/sessions`, {
        kind: 'look_back',
        title: '又一次回头看',
        residentsPresent: 10,
      }),
    ).toEqual(
      conflict('INVALID_STATE', `本案件已重新列入，见案件 ${newId}；请在新案件中组织测评`, { state: 'monitoring' }),
    );
    expect(await tdb.db.selectFrom('evaluation_session').select('id').execute()).toEqual(sessionsBefore);
    const audit = await tdb.db
      .selectFrom('audit_event')
      .select(['action', 'actor_id', 'region_id'])
      .where('object_type', '=', 'rectification_case')
      .where('object_id', '=', String(id))
      .where('action', 'like', 'case.%')
      .orderBy('id')
      .execute();
    expect(audit.map((a) => a.action)).toEqual([
      'case.create',
      'case.start',
      'case.request_evaluation',
      'case.apply',
      'case.receive',
      'case.problem_update',
      'case.township_pass',
      'case.county_pass',
      'case.city_pass',
      'case.monitor',
      'case.relist',
    ]);
    expect(audit.every((a) => a.actor_id !== null)).toBe(true);
    expect(audit.every((a) => a.region_id === villageId)).toBe(true);
  });
});
