// 三级认定 over HTTP (issue 10 items 5-6): the township builds its list from the year's screenings
// and proposes it; the county determines and approves it (or sends it back); approval lists each
// 软弱涣散村 as a case in the campaign picked and makes each 重点防控村 a prevention record, once
// even under two concurrent approvals; a village with an open case stops the approval. Then the
// county lowers a prevention level step by step and records a village's risk level after exit; the
// case page shows its 认定依据 and, under look-back, the next year's grade and screening.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorBody, forbidden, notFound } from '../../server/errors.ts';
import { buildTestApp } from '../helpers/app.ts';
import { createCampaign, createCaseAt } from '../helpers/cases.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { createList, createPrevention, screenVillage } from '../helpers/decisions.ts';
import { createOfficial, createRegion } from '../helpers/factories.ts';
import { gradeVillage } from '../helpers/grading.ts';
import { call, createCast, type Caller, type Cast } from '../helpers/officials-api.ts';
import { databaseDigest, sessionFor } from '../helpers/world.ts';

let tdb: TestDatabase;
let app: FastifyInstance;
let cast: Cast;
let department: Caller;

const YEAR = 2026;
const NOT_FOUND = errorBody(notFound());
const FORBIDDEN = errorBody(forbidden());

beforeAll(async () => {
  tdb = await createTestDatabase();
  app = await buildTestApp(tdb.db);
  cast = await createCast(tdb.db);
  const official = await createOfficial(tdb.db, 'department', cast.tree.county);
  department = { ...official, cookie: await sessionFor(tdb.db, official.id) };
});

afterAll(async () => {
  await app.close();
  await tdb.close();
});

async function refused(who: Caller, method: 'POST' | 'GET' | 'PUT', url: string, payload?: unknown) {
  const before = await databaseDigest(tdb.db);
  const res = await call(app, who, method, url, payload);
  expect(await databaseDigest(tdb.db)).toEqual(before);
  return res;
}

/** A township of the cast's county with villages screened to rectify, prevent (二级) and none. */
async function township(year = YEAR) {
  const id = await createRegion(tdb.db, 'township', cast.tree.county);
  const [rectify, prevent, none] = [
    await createRegion(tdb.db, 'village', id, '甲村'),
    await createRegion(tdb.db, 'village', id, '乙村'),
    await createRegion(tdb.db, 'village', id, '丙村'),
  ];
  await screenVillage(tdb.db, rectify, year, { outcome: 'rectify', present: 5 });
  await screenVillage(tdb.db, prevent, year, { outcome: 'prevent', preventionLevel: 2 });
  await screenVillage(tdb.db, none, year, { outcome: 'none' });
  const official = await createOfficial(tdb.db, 'township', id);
  const me: Caller = { ...official, cookie: await sessionFor(tdb.db, official.id) };
  return { id, rectify, prevent, none, me };
}

const step = (who: Caller, listId: number, body: Record<string, unknown>) =>
  call(app, who, 'POST', `/api/identification-lists/${listId}/steps`, body);

const PROPOSE = { action: 'propose', meetingDate: '2026-03-01', decision: '经乡镇党委会研究，同意上报' };
const DETERMINE = { action: 'determine', meetingDate: '2026-03-10', documentNo: '组部纪〔2026〕3号' };
const approveWith = (campaignId: number) => ({
  action: 'approve',
  meetingDate: '2026-03-20',
  documentNo: '县委常纪〔2026〕5号',
  campaignId,
  deadline: '2099-12-31',
});

/** A township's list taken to 'determined' through the API; returns its id. */
async function determined(t: Awaited<ReturnType<typeof township>>): Promise<number> {
  const made = await call(app, t.me, 'POST', '/api/identification-lists', { townshipId: t.id, year: YEAR });
  expect(made.status, JSON.stringify(made.body)).toBe(201);
  const id = made.body.id as number;
  expect((await step(t.me, id, PROPOSE)).status).toBe(200);
  expect((await step(cast.county, id, DETERMINE)).status).toBe(200);
  return id;
}

describe('the township builds its list', () => {
  it('prefills every screened village with its screening proposal', async () => {
    const t = await township();
    const res = await call(app, t.me, 'POST', '/api/identification-lists', { townshipId: t.id, year: YEAR });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ stage: 'draft', stageLabel: '乡镇拟定中', version: 1, editable: true });
    expect(res.body.actions).toEqual(['propose']);
    const entries = res.body.entries as { villageId: number; outcome: string; preventionLevel: number | null }[];
    expect(entries.map((e) => [e.villageId, e.outcome, e.preventionLevel])).toEqual([
      [t.none, 'none', null],
      [t.rectify, 'rectify', null],
      [t.prevent, 'prevent', 2],
    ]);
    const again = await refused(t.me, 'POST', '/api/identification-lists', { townshipId: t.id, year: YEAR });
    expect(again).toMatchObject({ status: 409, body: { message: `本乡镇 ${YEAR} 年度的认定名单已建立` } });
    const overview = await call(
      app,
      cast.county,
      'GET',
      `/api/identification-lists?regionId=${cast.tree.county}&year=${YEAR}`,
    );
    expect(overview.body.townships).toContainEqual({
      townshipId: t.id,
      townshipName: expect.any(String),
      screened: 3,
      list: expect.objectContaining({ stage: 'draft', counts: { rectify: 1, prevent: 1, none: 1 } }),
    });
  });

  it('shows a city every township of its counties, named with its county', async () => {
    const t = await township();
    const res = await call(app, cast.city, 'GET', `/api/identification-lists?year=${YEAR}`);
    expect(res.status).toBe(200);
    const county = await tdb.db
      .selectFrom('region')
      .select('name')
      .where('id', '=', cast.tree.county)
      .executeTakeFirstOrThrow();
    const row = (res.body.townships as { townshipId: number; townshipName: string }[]).find(
      (r) => r.townshipId === t.id,
    );
    expect(row?.townshipName.startsWith(`${county.name} `)).toBe(true);
    expect(res.body).toMatchObject({ region: { id: cast.tree.city, level: 'city' }, mayCreate: false });
  });

  it('saves a deviation only with a note, checks the version, and refuses villages not screened', async () => {
    const t = await township();
    const { body } = await call(app, t.me, 'POST', '/api/identification-lists', { townshipId: t.id, year: YEAR });
    const url = `/api/identification-lists/${body.id}`;
    const entries = [
      { villageId: t.rectify, outcome: 'rectify', preventionLevel: null, note: '' },
      { villageId: t.prevent, outcome: 'rectify', preventionLevel: null, note: '' },
      { villageId: t.none, outcome: 'none', preventionLevel: null, note: '' },
    ];
    const noNote = await refused(t.me, 'PUT', url, { version: 1, entries });
    expect(noNote).toMatchObject({ status: 400, body: { message: '与排查建议不一致时须写明理由' } });
    const prevent = await refused(t.me, 'PUT', url, {
      version: 1,
      entries: entries.map((e) => (e.villageId === t.prevent ? { ...e, outcome: 'prevent' } : e)),
    });
    expect(prevent).toMatchObject({ status: 400, body: { message: '重点防控村须选择防控措施等级' } });
    const missing = await refused(t.me, 'PUT', url, { version: 1, entries: entries.slice(0, 1) });
    expect(missing).toMatchObject({
      status: 400,
      body: { message: expect.stringContaining('有 2 个已排查的村未列入名单') },
    });
    entries[1] = { ...entries[1]!, note: '乡镇党委会研究认为问题较重' } as (typeof entries)[number];
    const stranger = await refused(t.me, 'PUT', url, {
      version: 1,
      entries: [...entries, { villageId: cast.tree.village, outcome: 'none', preventionLevel: null, note: '' }],
    });
    expect(stranger).toMatchObject({ status: 400, body: { message: '该村本年度没有负向测评排查记录，不能列入名单' } });
    const ok = await call(app, t.me, 'PUT', url, { version: 1, entries });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(ok.body.version).toBe(2);
    expect(ok.body.entries.find((e: { villageId: number }) => e.villageId === t.prevent)).toMatchObject({
      outcome: 'rectify',
      note: '乡镇党委会研究认为问题较重',
      proposal: { outcome: 'prevent', preventionLevel: 2 },
    });
    const stale = await refused(t.me, 'PUT', url, { version: 1, entries });
    expect(stale).toMatchObject({ status: 409, body: { message: '名单已被他人修改，请刷新后在最新内容上再改' } });
    expect(await refused(cast.county, 'PUT', url, { version: 2, entries })).toEqual({ status: 403, body: FORBIDDEN });
    expect(await refused(cast.otherTownship, 'PUT', url, { version: 2, entries })).toEqual({
      status: 404,
      body: NOT_FOUND,
    });
  });

  it('cannot propose while a village was screened again after the list was saved', async () => {
    const t = await township();
    const { body } = await call(app, t.me, 'POST', '/api/identification-lists', { townshipId: t.id, year: YEAR });
    await screenVillage(tdb.db, t.none, YEAR, { outcome: 'prevent', preventionLevel: 3 });
    const res = await refused(t.me, 'POST', `/api/identification-lists/${body.id}/steps`, PROPOSE);
    expect(res).toMatchObject({ status: 409, body: { message: expect.stringContaining('丙村的排查记录有更新') } });
  });
});

describe('the three levels', () => {
  it('records each step with its meeting, document number and who entered it; a step may send the list back', async () => {
    const t = await township();
    const { body } = await call(app, t.me, 'POST', '/api/identification-lists', { townshipId: t.id, year: YEAR });
    const id = body.id as number;
    expect(await refused(cast.county, 'POST', `/api/identification-lists/${id}/steps`, PROPOSE)).toEqual({
      status: 403,
      body: FORBIDDEN,
    });
    const noDecision = await refused(t.me, 'POST', `/api/identification-lists/${id}/steps`, {
      ...PROPOSE,
      decision: ' ',
    });
    expect(noDecision).toMatchObject({ status: 400, body: { message: '请填写乡镇党委会的研究意见' } });
    expect((await step(t.me, id, PROPOSE)).body).toMatchObject({ stage: 'proposed', editable: false, actions: [] });
    expect(await refused(t.me, 'POST', `/api/identification-lists/${id}/steps`, DETERMINE)).toEqual({
      status: 403,
      body: FORBIDDEN,
    });
    expect(await refused(cast.county, 'POST', `/api/identification-lists/${id}/steps`, approveWith(1))).toMatchObject({
      status: 409,
      body: { message: '名单当前为“乡镇党委会已提交”，不能常委会审定' },
    });
    const noReason = await refused(cast.county, 'POST', `/api/identification-lists/${id}/steps`, { action: 'return' });
    expect(noReason).toMatchObject({ status: 400, body: { message: '退回须写明理由' } });
    const back = await step(cast.county, id, {
      action: 'return',
      meetingDate: '2026-03-04',
      reason: '乙村材料不全，请补充',
    });
    expect(back.body).toMatchObject({ stage: 'draft' });
    expect((await step(t.me, id, { ...PROPOSE, meetingDate: '2026-03-05' })).status).toBe(200);
    const early = await refused(cast.county, 'POST', `/api/identification-lists/${id}/steps`, {
      ...DETERMINE,
      meetingDate: '2026-03-04',
    });
    expect(early).toMatchObject({ status: 400, body: { message: '会议日期不能早于上一步骤的会议日期（2026-03-05）' } });
    const noDoc = await refused(cast.county, 'POST', `/api/identification-lists/${id}/steps`, {
      action: 'determine',
      meetingDate: '2026-03-10',
    });
    expect(noDoc).toMatchObject({ status: 400, body: { message: '请填写部务会的文件（纪要）编号' } });
    const done = await step(cast.county, id, DETERMINE);
    expect(done.body).toMatchObject({ stage: 'determined', actions: ['approve', 'return'] });
    expect(done.body.steps).toEqual([
      expect.objectContaining({
        action: 'propose',
        meeting: '乡镇党委会',
        meetingDate: '2026-03-01',
        actorRole: 'township',
      }),
      expect.objectContaining({
        action: 'return',
        fromStage: 'proposed',
        toStage: 'draft',
        reason: '乙村材料不全，请补充',
      }),
      expect.objectContaining({ action: 'propose', meetingDate: '2026-03-05', decision: PROPOSE.decision }),
      expect.objectContaining({
        action: 'determine',
        meeting: '部务会',
        documentNo: '组部纪〔2026〕3号',
        actorName: cast.county.username,
        actorRole: 'county',
      }),
    ]);
    const audit = await tdb.db
      .selectFrom('audit_event')
      .select('action')
      .where('object_type', '=', 'identification_list')
      .where('object_id', '=', String(id))
      .orderBy('id')
      .execute();
    expect(audit.map((a) => a.action)).toEqual([
      'identification.create',
      'identification.propose',
      'identification.return',
      'identification.propose',
      'identification.determine',
    ]);
    await expect(tdb.db.deleteFrom('identification_step').where('list_id', '=', id).execute()).rejects.toThrow(
      '认定步骤和风险复核记录只能追加',
    );
  });

  it('on approval lists each 软弱涣散村 as a case in the campaign and each 重点防控村 as a prevention record', async () => {
    const t = await township();
    const id = await determined(t);
    const noCampaign = await refused(cast.county, 'POST', `/api/identification-lists/${id}/steps`, {
      ...approveWith(1),
      campaignId: undefined,
    });
    expect(noCampaign).toMatchObject({ status: 400, body: { message: '请选择整顿工作：认定的软弱涣散村将列入其中' } });
    const lastYear = await createCampaign(tdb.db, cast.tree.county, { year: YEAR - 1 });
    expect(
      await refused(cast.county, 'POST', `/api/identification-lists/${id}/steps`, approveWith(lastYear)),
    ).toMatchObject({
      status: 400,
      body: { message: `请选择本县或本市 ${YEAR} 年度的整顿工作` },
    });
    const campaign = await createCampaign(tdb.db, cast.tree.city, { year: YEAR });
    const res = await step(cast.county, id, approveWith(campaign));
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ stage: 'approved', campaign: { id: campaign }, actions: [] });
    const cases = await tdb.db
      .selectFrom('rectification_case')
      .select(['id', 'village_id', 'campaign_id', 'state', 'types'])
      .where('village_id', 'in', [t.rectify, t.prevent, t.none])
      .execute();
    expect(cases).toEqual([
      {
        id: expect.any(Number),
        village_id: t.rectify,
        campaign_id: campaign,
        state: 'listed',
        types: ['班子战斗力不强'],
      },
    ]);
    const records = await tdb.db.selectFrom('prevention_record').selectAll().where('list_id', '=', id).execute();
    expect(records).toEqual([
      expect.objectContaining({ village_id: t.prevent, year: YEAR, level: 2, risk_level: 'middle', status: 'active' }),
    ]);
    const entries = res.body.entries as { villageId: number; caseId: number | null; preventionId: number | null }[];
    expect(entries.map((e) => [e.villageId, e.caseId, e.preventionId])).toEqual([
      [t.none, null, null],
      [t.rectify, cases[0]?.id, null],
      [t.prevent, null, records[0]?.id],
    ]);
  });

  it('refuses the approval of a village that already has an open case, naming it, and writes nothing', async () => {
    const t = await township();
    const id = await determined(t);
    const campaign = await createCampaign(tdb.db, cast.tree.county, { year: YEAR });
    const open = await createCaseAt(tdb.db, { campaignId: campaign, villageId: t.rectify, state: 'rectifying' });
    const view = await call(app, cast.county, 'GET', `/api/identification-lists/${id}`);
    expect(view.body.blocked).toBe(
      `甲村（案件编号 ${open}）已有未结案的整顿案件，不能再列入整顿：请调整名单或先办结原案件`,
    );
    const res = await refused(cast.county, 'POST', `/api/identification-lists/${id}/steps`, approveWith(campaign));
    expect(res).toMatchObject({
      status: 409,
      body: {
        code: 'CASE_EXISTS',
        message: `甲村（案件编号 ${open}）已有未结案的整顿案件，不能再列入整顿：请退回调整名单，或先办结原案件`,
      },
    });
  });

  it('creates the cases exactly once when two approvals race', async () => {
    const t = await township();
    const id = await determined(t);
    const campaign = await createCampaign(tdb.db, cast.tree.county, { year: YEAR });
    const other = await createOfficial(tdb.db, 'county', cast.tree.county);
    const second: Caller = { ...other, cookie: await sessionFor(tdb.db, other.id) };
    const results = await Promise.all([
      step(cast.county, id, approveWith(campaign)),
      step(second, id, approveWith(campaign)),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
    expect(results.find((r) => r.status === 409)?.body.message).toBe('名单当前为“常委会已审定”，不能常委会审定');
    const cases = await tdb.db
      .selectFrom('rectification_case')
      .select('id')
      .where('village_id', '=', t.rectify)
      .execute();
    expect(cases).toHaveLength(1);
    const records = await tdb.db
      .selectFrom('prevention_record')
      .select('id')
      .where('village_id', '=', t.prevent)
      .execute();
    expect(records).toHaveLength(1);
    const approvals = await tdb.db
      .selectFrom('identification_step')
      .select('id')
      .where('list_id', '=', id)
      .where('action', '=', 'approve')
      .execute();
    expect(approvals).toHaveLength(1);
  });

  it('is closed to the village secretary and to a department', async () => {
    const q = `/api/identification-lists?regionId=${cast.tree.county}&year=${YEAR}`;
    expect(await refused(cast.village, 'GET', q)).toEqual({ status: 403, body: FORBIDDEN });
    expect(await refused(department, 'GET', q)).toEqual({ status: 403, body: FORBIDDEN });
    expect(await refused(department, 'GET', `/api/prevention-records?year=${YEAR}`)).toEqual({
      status: 403,
      body: FORBIDDEN,
    });
  });
});

describe("the board's cache", () => {
  const epoch = async () =>
    Number(
      (
        await tdb.db
          .selectFrom('board_epoch')
          .select((eb) => eb.fn.sum<string>('n').as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  it('moves when a list is saved, and when an approval makes prevention records', async () => {
    const t = await township();
    const { body } = await call(app, t.me, 'POST', '/api/identification-lists', { townshipId: t.id, year: YEAR });
    const before = await epoch();
    const entries = (body.entries as { villageId: number; outcome: string; preventionLevel: number | null }[]).map(
      (e) => ({ villageId: e.villageId, outcome: e.outcome, preventionLevel: e.preventionLevel, note: '' }),
    );
    expect((await call(app, t.me, 'PUT', `/api/identification-lists/${body.id}`, { version: 1, entries })).status).toBe(
      200,
    );
    expect(await epoch()).toBeGreaterThan(before);
    const list = await createList(tdb.db, t.id, YEAR + 3, 'draft', []);
    const quiet = await epoch();
    await createPrevention(tdb.db, t.prevent, YEAR + 3, list, 2);
    expect(await epoch()).toBeGreaterThan(quiet);
  });
});

describe('exit and the next cycle', () => {
  it('lowers a prevention level one step at a time down to lifting it', async () => {
    const t = await township();
    const listId = await createList(tdb.db, t.id, YEAR, 'draft', [t.prevent]);
    const id = await createPrevention(tdb.db, t.prevent, YEAR, listId, 1);
    const url = `/api/prevention-records/${id}/reviews`;
    const review = (toLevel: number | null, riskLevel = 'middle') => ({
      riskLevel,
      toLevel,
      note: '整改措施落实，风险下降',
    });
    expect(await refused(cast.county, 'POST', url, review(3))).toMatchObject({
      status: 400,
      body: { message: '防控措施等级须逐级调低' },
    });
    expect(await refused(cast.county, 'POST', url, review(null))).toMatchObject({
      status: 400,
      body: { message: '须先调至三级防控，才能解除重点防控' },
    });
    expect(await refused(t.me, 'POST', url, review(2))).toEqual({ status: 403, body: FORBIDDEN });
    expect((await call(app, cast.county, 'POST', url, review(2))).body).toMatchObject({ level: 2, status: 'active' });
    expect(await refused(cast.county, 'POST', url, review(1))).toMatchObject({
      status: 400,
      body: { message: '防控措施等级只能调低，不能调高' },
    });
    await call(app, cast.county, 'POST', url, review(3, 'low'));
    const lifted = await call(app, cast.county, 'POST', url, review(null, 'low'));
    expect(lifted.body).toMatchObject({ level: 3, status: 'lifted', statusLabel: '已解除', mayReview: false });
    expect(lifted.body.reviews.map((r: { change: string }) => r.change)).toEqual([
      '由一级调至二级防控',
      '由二级调至三级防控',
      '由三级防控解除重点防控',
    ]);
    expect(await refused(cast.county, 'POST', url, review(3, 'low'))).toMatchObject({
      status: 409,
      body: { message: '该村已解除重点防控，不能再调整' },
    });
    const list = await call(app, t.me, 'GET', `/api/prevention-records?year=${YEAR}`);
    expect(list.body.records.map((r: { id: number }) => r.id)).toEqual([id]);
  });

  it('shows the case its 认定依据, records its risk level after exit, and looks back at the next year', async () => {
    const t = await township();
    const id = await determined(t);
    const campaign = await createCampaign(tdb.db, cast.tree.county, { year: YEAR });
    const approved = await step(cast.county, id, approveWith(campaign));
    const caseId = approved.body.entries.find((e: { villageId: number }) => e.villageId === t.rectify).caseId as number;
    const url = `/api/cases/${caseId}/identification`;
    const seen = await call(app, t.me, 'GET', url);
    expect(seen.status).toBe(200);
    expect(seen.body).toMatchObject({
      basis: {
        listId: id,
        year: YEAR,
        grade: { grade: 'weak', year: YEAR },
        screening: {
          levelLabel: '高风险',
          items: expect.arrayContaining([expect.objectContaining({ evidence: '已核实' })]),
        },
        steps: [
          expect.objectContaining({ action: 'propose' }),
          expect.objectContaining({ action: 'determine', documentNo: '组部纪〔2026〕3号' }),
          expect.objectContaining({ action: 'approve', documentNo: '县委常纪〔2026〕5号' }),
        ],
      },
      reviews: [],
      mayReview: false,
      lookback: null,
    });
    expect(seen.body.basis.screening.items).toHaveLength(5);
    const secretary = await createOfficial(tdb.db, 'village', t.rectify);
    const own: Caller = { ...secretary, cookie: await sessionFor(tdb.db, secretary.id) };
    expect(await refused(own, 'GET', url)).toEqual({ status: 403, body: FORBIDDEN });
    expect(await refused(cast.village, 'GET', url)).toEqual({ status: 404, body: NOT_FOUND });
    const early = await refused(cast.county, 'POST', `/api/cases/${caseId}/risk-reviews`, {
      riskLevel: 'low',
      note: '复核',
    });
    expect(early).toMatchObject({ status: 409, body: { message: '案件销号退出后，才能记录该村新的风险等级' } });

    await tdb.db.updateTable('rectification_case').set({ state: 'monitoring' }).where('id', '=', caseId).execute();
    await gradeVillage(tdb.db, t.rectify, YEAR + 1, 'middle');
    const reviewed = await call(app, cast.county, 'POST', `/api/cases/${caseId}/risk-reviews`, {
      riskLevel: 'low',
      note: '整顿销号，风险已降低',
    });
    expect(reviewed.status).toBe(200);
    expect(reviewed.body).toMatchObject({
      mayReview: true,
      reviews: [{ riskLevel: 'low', riskLevelLabel: '低风险', change: null, note: '整顿销号，风险已降低' }],
      lookback: { year: YEAR + 1, grade: { grade: 'middle', year: YEAR + 1 }, screening: null },
    });
    expect(
      await refused(t.me, 'POST', `/api/cases/${caseId}/risk-reviews`, { riskLevel: 'low', note: '复核' }),
    ).toEqual({
      status: 403,
      body: FORBIDDEN,
    });
  });
});
