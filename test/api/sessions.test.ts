import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultQuestionnaire } from '../../server/modules/sessions/questionnaire.ts';
import { defaultRuleSet, describeRules } from '../../server/modules/tallies/tallies.rules.ts';
import { buildTestApp } from '../helpers/app.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { castBallot, validAnswers } from '../helpers/evaluation.ts';
import { call, createCast, type Caller, type Cast } from '../helpers/officials-api.ts';

let tdb: TestDatabase;
let app: FastifyInstance;
let cast: Cast;
let names: { village: string; township: string };

beforeAll(async () => {
  tdb = await createTestDatabase();
  app = await buildTestApp(tdb.db);
  cast = await createCast(tdb.db);
  const region = (id: number) =>
    tdb.db.selectFrom('region').select('name').where('id', '=', id).executeTakeFirstOrThrow();
  names = { village: (await region(cast.tree.village)).name, township: (await region(cast.tree.township)).name };
});

afterAll(async () => {
  await app.close();
  await tdb.close();
});

const NOT_FOUND = { statusCode: 404, code: 'NOT_FOUND', error: 'Not Found', message: '未找到该对象，或您无权访问' };
const FORBIDDEN = { statusCode: 403, code: 'FORBIDDEN', error: 'Forbidden', message: '您的角色无权执行此操作' };

async function createDraft(who: Caller = cast.village, extra: Record<string, unknown> = {}) {
  const res = await call(app, who, 'POST', '/api/sessions', {
    villageId: cast.tree.village,
    title: '2025年度整顿村级自评',
    residentsPresent: 30,
    acknowledgeNoCase: true,
    ...extra,
  });
  expect(res.status).toBe(201);
  return res.body as { id: number; [k: string]: unknown };
}

async function confirmedDraft(residents = 30) {
  const s = await createDraft(cast.village, { residentsPresent: residents });
  expect(
    (await call(app, cast.township, 'POST', `/api/sessions/${s.id}/confirm-residents`, { residentsPresent: residents }))
      .status,
  ).toBe(200);
  return s;
}

/** session_event and audit_event rows of a session, in order. */
async function history(sessionId: number) {
  const events = await tdb.db
    .selectFrom('session_event')
    .select(['action', 'official_id as officialId', 'detail'])
    .where('session_id', '=', sessionId)
    .orderBy('id')
    .execute();
  const audit = await tdb.db
    .selectFrom('audit_event')
    .select(['action', 'actor_id as actorId', 'region_id as regionId', 'detail'])
    .where('object_type', '=', 'evaluation_session')
    .where('object_id', '=', String(sessionId))
    .orderBy('id')
    .execute();
  return { events, audit };
}

const countSessions = async () =>
  Number(
    (
      await tdb.db
        .selectFrom('evaluation_session')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

describe('creating a session', () => {
  it('creates a draft with the default questionnaire and rule set, recorded with who created it', async () => {
    const s = await createDraft();
    expect(s).toEqual({
      id: expect.any(Number),
      publicId: expect.stringMatching(/^[2-9A-HJ-NP-Z]{20}$/),
      villageId: cast.tree.village,
      villageName: names.village,
      townshipName: names.township,
      title: '2025年度整顿村级自评',
      kind: 'self_evaluation',
      status: 'draft',
      residentsPresent: 30,
      residentsConfirmed: false,
      residentsConfirmedBy: null,
      residentsConfirmedAt: null,
      issued: 0,
      questionnaire: defaultQuestionnaire(),
      rules: defaultRuleSet(),
      ruleText: describeRules(defaultRuleSet()),
      voidReason: null,
      openedAt: null,
      closedAt: null,
      certifiedAt: null,
      certification: null,
      resultHash: null,
      closeAudit: null,
      caseId: null,
      scheduledOpenAt: null,
      scheduledCloseAt: null,
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    // the creator acknowledged that a village without a case gets a session that serves no case
    const detail = {
      title: '2025年度整顿村级自评',
      kind: 'self_evaluation',
      residentsPresent: 30,
      acknowledgeNoCase: true,
    };
    expect(await history(s.id)).toEqual({
      events: [{ action: 'create', officialId: cast.village.id, detail }],
      audit: [{ action: 'session.create', actorId: cast.village.id, regionId: cast.tree.village, detail }],
    });
    expect(await call(app, cast.village, 'GET', `/api/sessions/${s.id}`)).toEqual({ status: 200, body: s });
  });

  it('takes an edited questionnaire and rule set, and states the rule in words', async () => {
    const rules = { ...defaultRuleSet(), majority: 'inclusive', minRatePercent: 80 };
    const s = await createDraft(cast.county, { kind: 'county_callback', rules, title: '  县级回访  ' });
    expect(s).toMatchObject({ kind: 'county_callback', title: '县级回访', rules });
    expect(s.ruleText).toBe(
      '满意人数（满意＋基本满意）须达到在村人数的一半及以上（恰好一半通过）；满意率（满意人数÷在村人数）须达到 80% 及以上；“不了解”不计为满意',
    );
  });

  it('refuses kinds the role does not run, villages outside the subtree, non-villages and admins, creating nothing', async () => {
    const before = await countSessions();
    const base = { villageId: cast.tree.village, title: '测评', residentsPresent: 10, acknowledgeNoCase: true };
    expect(await call(app, cast.village, 'POST', '/api/sessions', { ...base, kind: 'township_check' })).toEqual({
      status: 403,
      body: FORBIDDEN,
    });
    expect(await call(app, cast.township, 'POST', '/api/sessions', { ...base, kind: 'look_back' })).toEqual({
      status: 403,
      body: FORBIDDEN,
    });
    expect(await call(app, cast.admin, 'POST', '/api/sessions', base)).toEqual({ status: 403, body: FORBIDDEN });
    expect(await call(app, cast.otherTownship, 'POST', '/api/sessions', base)).toEqual({
      status: 404,
      body: NOT_FOUND,
    });
    expect(await call(app, cast.village, 'POST', '/api/sessions', { ...base, villageId: cast.otherVillage })).toEqual({
      status: 404,
      body: NOT_FOUND,
    });
    const township = await call(app, cast.county, 'POST', '/api/sessions', { ...base, villageId: cast.tree.township });
    expect(township).toEqual({
      status: 400,
      body: {
        statusCode: 400,
        code: 'VALIDATION_FAILED',
        error: 'Bad Request',
        message: '测评只能为村创建',
        details: [{ field: 'villageId', message: '不是村' }],
      },
    });
    expect(await countSessions()).toBe(before);
  });

  it('refuses a questionnaire with duplicate ids or a rule set whose gate is not a choice question', async () => {
    const q = defaultQuestionnaire();
    q.questions[1]!.id = 'q1';
    const dup = await call(app, cast.village, 'POST', '/api/sessions', {
      villageId: cast.tree.village,
      title: '测评',
      residentsPresent: 10,
      acknowledgeNoCase: true,
      questionnaire: q,
    });
    expect(dup.status).toBe(400);
    expect(dup.body).toMatchObject({
      code: 'VALIDATION_FAILED',
      message: '字段 questionnaire.questions：题目编号 q1 重复',
      details: [{ field: 'questionnaire.questions', message: '题目编号 q1 重复' }],
    });
    const gate = await call(app, cast.village, 'POST', '/api/sessions', {
      villageId: cast.tree.village,
      title: '测评',
      residentsPresent: 10,
      acknowledgeNoCase: true,
      rules: { ...defaultRuleSet(), gateQuestionId: 'q11' },
    });
    expect(gate.status).toBe(400);
    expect(gate.body.details).toEqual([{ field: 'rules.gateQuestionId', message: '判定题必须是问卷中的一道选择题' }]);
    const rate = await call(app, cast.village, 'POST', '/api/sessions', {
      villageId: cast.tree.village,
      title: '测评',
      residentsPresent: 10,
      acknowledgeNoCase: true,
      rules: { ...defaultRuleSet(), minRatePercent: 0 },
    });
    expect(rate).toEqual({
      status: 400,
      body: {
        statusCode: 400,
        code: 'VALIDATION_FAILED',
        error: 'Bad Request',
        message: '字段 rules.minRatePercent：不能小于 1',
        details: [{ field: 'rules.minRatePercent', message: '不能小于 1' }],
      },
    });
  });
});

describe('editing a session', () => {
  it('edits a draft and records which fields changed', async () => {
    const s = await createDraft();
    const q = defaultQuestionnaire();
    q.questions[0]!.text = '您对本村整顿工作的总体成效是否满意？';
    const res = await call(app, cast.village, 'PATCH', `/api/sessions/${s.id}`, {
      title: '改后的名称',
      questionnaire: q,
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ...s, title: '改后的名称', questionnaire: q });
    const { events } = await history(s.id);
    expect(events.at(-1)).toEqual({
      action: 'update',
      officialId: cast.village.id,
      detail: { fields: ['questionnaire', 'title'] },
    });
  });

  it('clears the confirmation when the residents present change', async () => {
    const s = await confirmedDraft(30);
    const res = await call(app, cast.village, 'PATCH', `/api/sessions/${s.id}`, { residentsPresent: 31 });
    expect(res.body).toMatchObject({ residentsPresent: 31, residentsConfirmed: false, residentsConfirmedBy: null });
    expect((await history(s.id)).events.at(-1)?.detail).toEqual({
      fields: ['residentsPresent'],
      residentsPresent: { from: 30, to: 31 },
    });
  });

  it('refuses residents fewer than the slips already issued', async () => {
    const s = await createDraft(cast.village, { residentsPresent: 5 });
    expect((await call(app, cast.village, 'POST', `/api/sessions/${s.id}/slips`, { count: 4 })).status).toBe(201);
    const res = await call(app, cast.village, 'PATCH', `/api/sessions/${s.id}`, { residentsPresent: 3 });
    expect(res).toEqual({
      status: 409,
      body: {
        statusCode: 409,
        code: 'TOO_MANY_SLIPS',
        error: 'Conflict',
        message: '已发放 4 张测评票，在村人数不能少于已发放的票数',
      },
    });
  });

  it('refuses a new questionnaire once slips carrying the questions are issued', async () => {
    const s = await createDraft(cast.village, { residentsPresent: 5 });
    await call(app, cast.village, 'POST', `/api/sessions/${s.id}/slips`, { count: 1 });
    const res = await call(app, cast.village, 'PATCH', `/api/sessions/${s.id}`, {
      questionnaire: defaultQuestionnaire(),
    });
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({
      code: 'INVALID_STATE',
      message: '已发放的测评票上印有题目，不能再修改问卷；如确需修改，请先作废已发放的票',
    });
  });

  it('refuses any edit once the session is open, changing nothing', async () => {
    const s = await confirmedDraft();
    const opened = await call(app, cast.village, 'POST', `/api/sessions/${s.id}/open`);
    const before = await tdb.db.selectFrom('evaluation_session').selectAll().where('id', '=', s.id).executeTakeFirst();
    const res = await call(app, cast.village, 'PATCH', `/api/sessions/${s.id}`, { title: '开始后改名' });
    expect(res).toEqual({
      status: 409,
      body: {
        statusCode: 409,
        code: 'INVALID_STATE',
        error: 'Conflict',
        message: '只有草稿状态的测评可以修改；测评开始后问卷和规则即冻结',
        details: { status: 'open' },
      },
    });
    const after = await tdb.db.selectFrom('evaluation_session').selectAll().where('id', '=', s.id).executeTakeFirst();
    expect(after).toEqual(before);
    expect(opened.body.status).toBe('open');
  });
});

describe('confirming the residents present', () => {
  it('lets the township confirm by re-entering the same number, and nobody else', async () => {
    const s = await createDraft(cast.village, { residentsPresent: 42 });
    const url = `/api/sessions/${s.id}/confirm-residents`;
    expect(await call(app, cast.village, 'POST', url, { residentsPresent: 42 })).toEqual({
      status: 403,
      body: FORBIDDEN,
    });
    expect(await call(app, cast.otherTownship, 'POST', url, { residentsPresent: 42 })).toEqual({
      status: 404,
      body: NOT_FOUND,
    });
    expect(await call(app, cast.township, 'POST', url, { residentsPresent: 41 })).toEqual({
      status: 409,
      body: {
        statusCode: 409,
        code: 'RESIDENTS_MISMATCH',
        error: 'Conflict',
        message: '核对的在村人数（41）与申报的人数（42）不一致，请核实后再确认，或由申报人修改',
      },
    });
    expect((await call(app, cast.village, 'GET', `/api/sessions/${s.id}`)).body.residentsConfirmed).toBe(false);
    const ok = await call(app, cast.township, 'POST', url, { residentsPresent: 42 });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({
      residentsConfirmed: true,
      residentsConfirmedBy: cast.township.username,
      residentsConfirmedAt: expect.stringMatching(/^\d{4}-/),
    });
    expect((await history(s.id)).audit.at(-1)).toEqual({
      action: 'session.confirm_residents',
      actorId: cast.township.id,
      regionId: cast.tree.village,
      detail: { residentsPresent: 42 },
    });
  });
});

describe('opening a session', () => {
  it('requires the residents present to be confirmed first', async () => {
    const s = await createDraft();
    expect(await call(app, cast.village, 'POST', `/api/sessions/${s.id}/open`)).toEqual({
      status: 409,
      body: {
        statusCode: 409,
        code: 'RESIDENTS_NOT_CONFIRMED',
        error: 'Conflict',
        message: '在村人数尚未经乡镇确认，不能开始测评',
      },
    });
    await call(app, cast.township, 'POST', `/api/sessions/${s.id}/confirm-residents`, { residentsPresent: 30 });
    const res = await call(app, cast.village, 'POST', `/api/sessions/${s.id}/open`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'open', openedAt: expect.stringMatching(/^\d{4}-/) });
    expect((await call(app, cast.village, 'POST', `/api/sessions/${s.id}/open`)).body.code).toBe('INVALID_STATE');
    expect((await history(s.id)).events.map((e) => [e.action, e.officialId])).toEqual([
      ['create', cast.village.id],
      ['confirm_residents', cast.township.id],
      ['open', cast.village.id],
    ]);
  });
});

describe('voiding a session', () => {
  it('lets a village secretary void a draft, with the reason recorded', async () => {
    const s = await createDraft();
    const res = await call(app, cast.village, 'POST', `/api/sessions/${s.id}/void`, {
      reason: '  名称填错，重新创建 ',
    });
    expect(res.body).toMatchObject({ status: 'void', voidReason: '名称填错，重新创建' });
    expect((await history(s.id)).audit.at(-1)).toEqual({
      action: 'session.void',
      actorId: cast.village.id,
      regionId: cast.tree.village,
      detail: { reason: '名称填错，重新创建', from: 'draft' },
    });
  });

  it('refuses a blank reason', async () => {
    const s = await createDraft();
    const res = await call(app, cast.village, 'POST', `/api/sessions/${s.id}/void`, { reason: '   ' });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
    expect((await call(app, cast.village, 'GET', `/api/sessions/${s.id}`)).body.status).toBe('draft');
  });

  it('leaves voiding an open session to the township, after which no ballot is accepted', async () => {
    const s = await confirmedDraft(3);
    const issued = await call(app, cast.village, 'POST', `/api/sessions/${s.id}/slips`, { count: 3 });
    await call(app, cast.village, 'POST', `/api/sessions/${s.id}/open`);
    const [t1, t2] = issued.body.slips.map((x: { token: string }) => x.token);
    expect((await castBallot(tdb.db, t1, validAnswers())).outcome).toBe('accepted');
    expect(await call(app, cast.village, 'POST', `/api/sessions/${s.id}/void`, { reason: '组织不规范' })).toEqual({
      status: 403,
      body: FORBIDDEN,
    });
    const res = await call(app, cast.township, 'POST', `/api/sessions/${s.id}/void`, { reason: '组织不规范' });
    expect(res.body).toMatchObject({ status: 'void', voidReason: '组织不规范' });
    expect((await castBallot(tdb.db, t2, validAnswers())).outcome).toBe('not_open');
    expect((await history(s.id)).events.at(-1)).toEqual({
      action: 'void',
      officialId: cast.township.id,
      detail: { reason: '组织不规范', from: 'open' },
    });
  });
});

describe('reading sessions', () => {
  it('lists only sessions in the caller’s subtree, newest first, filtered by status', async () => {
    const a = await createDraft();
    const b = await createDraft();
    const mine = await call(app, cast.township, 'GET', `/api/sessions?villageId=${cast.tree.village}&status=draft`);
    expect(mine.status).toBe(200);
    const ids = mine.body.sessions.map((x: { id: number }) => x.id);
    expect(ids.slice(0, 2)).toEqual([b.id, a.id]);
    expect(mine.body.sessions.every((x: { status: string }) => x.status === 'draft')).toBe(true);
    expect(await call(app, cast.otherTownship, 'GET', '/api/sessions')).toEqual({
      status: 200,
      body: { sessions: [], nextCursor: null, total: 0 },
    });
    expect(await call(app, cast.otherTownship, 'GET', `/api/sessions/${a.id}`)).toEqual({
      status: 404,
      body: NOT_FOUND,
    });
    expect(await call(app, cast.village, 'GET', '/api/sessions/99999999')).toEqual({ status: 404, body: NOT_FOUND });
    expect(await call(app, cast.admin, 'GET', '/api/sessions')).toEqual({ status: 403, body: FORBIDDEN });
    expect((await call(app, null, 'GET', '/api/sessions')).status).toBe(401);
  });

  it('lists every change with when, what and who', async () => {
    const s = await confirmedDraft(2);
    await call(app, cast.village, 'POST', `/api/sessions/${s.id}/slips`, { count: 2 });
    const res = await call(app, cast.township, 'GET', `/api/sessions/${s.id}/events`);
    expect(res).toEqual({
      status: 200,
      body: {
        events: [
          {
            at: expect.any(String),
            action: 'create',
            officialName: cast.village.username,
            // the creator was told the village has no case and said so
            detail: {
              title: '2025年度整顿村级自评',
              kind: 'self_evaluation',
              residentsPresent: 2,
              acknowledgeNoCase: true,
            },
          },
          {
            at: expect.any(String),
            action: 'confirm_residents',
            officialName: cast.township.username,
            detail: { residentsPresent: 2 },
          },
          {
            at: expect.any(String),
            action: 'issue_slips',
            officialName: cast.village.username,
            detail: { batchId: expect.any(Number), count: 2 },
          },
        ],
      },
    });
  });
});
