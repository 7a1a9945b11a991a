import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultQuestionnaire } from '../../server/modules/sessions/questionnaire.ts';
import { defaultRuleSet, describeRules } from '../../server/modules/tallies/tallies.rules.ts';
import { buildTestApp } from '../helpers/app.ts';
import { DEFAULT_CASE_TYPES, createCampaign, createCaseAt } from '../helpers/cases.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { createOfficial, createRegion } from '../helpers/factories.ts';
import { call, createCast, type Caller, type Cast } from '../helpers/officials-api.ts';
import { sessionFor } from '../helpers/world.ts';

let tdb: TestDatabase;
let app: FastifyInstance;
let cast: Cast;
let otherCounty: Caller;
let names: Record<'city' | 'county', string>;

beforeAll(async () => {
  tdb = await createTestDatabase();
  app = await buildTestApp(tdb.db);
  cast = await createCast(tdb.db);
  const otherCountyId = await createRegion(tdb.db, 'county', cast.tree.city);
  const o = await createOfficial(tdb.db, 'county', otherCountyId);
  otherCounty = { ...o, cookie: await sessionFor(tdb.db, o.id) };
  const name = async (id: number) =>
    (await tdb.db.selectFrom('region').select('name').where('id', '=', id).executeTakeFirstOrThrow()).name;
  names = { city: await name(cast.tree.city), county: await name(cast.tree.county) };
});

afterAll(async () => {
  await app.close();
  await tdb.close();
});

const NOT_FOUND = { statusCode: 404, code: 'NOT_FOUND', error: 'Not Found', message: '未找到该对象，或您无权访问' };
const FORBIDDEN = { statusCode: 403, code: 'FORBIDDEN', error: 'Forbidden', message: '您的角色无权执行此操作' };
const countCampaigns = async () =>
  Number(
    (
      await tdb.db
        .selectFrom('campaign')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

let seq = 0;
const title = () => `软弱涣散村党组织整顿-${++seq}`;

describe('creating a campaign', () => {
  it('creates a county campaign with the default types, questionnaire and rules, audited', async () => {
    const t = title();
    const res = await call(app, cast.county, 'POST', '/api/campaigns', {
      regionId: cast.tree.county,
      year: 2026,
      title: t,
    });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.any(Number),
      regionId: cast.tree.county,
      regionName: names.county,
      regionLevel: 'county',
      year: 2026,
      title: t,
      caseTypes: DEFAULT_CASE_TYPES,
      requireFortressGrade: true,
      questionnaire: defaultQuestionnaire(),
      rules: defaultRuleSet(),
      ruleText: describeRules(defaultRuleSet()),
      caseCount: 0,
      editable: true,
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    const audit = await tdb.db
      .selectFrom('audit_event')
      .select(['action', 'actor_id', 'region_id', 'detail'])
      .where('object_type', '=', 'campaign')
      .where('object_id', '=', String(res.body.id))
      .execute();
    expect(audit).toEqual([
      {
        action: 'campaign.create',
        actor_id: cast.county.id,
        region_id: cast.tree.county,
        detail: { year: 2026, title: t, caseTypes: DEFAULT_CASE_TYPES, requireFortressGrade: true },
      },
    ]);
  });

  it('lets a city create one for its city with its own types and rules', async () => {
    const rules = { ...defaultRuleSet(), majority: 'inclusive' as const };
    const res = await call(app, cast.city, 'POST', '/api/campaigns', {
      regionId: cast.tree.city,
      year: 2025,
      title: title(),
      caseTypes: ['基层党建薄弱村', '乡村振兴滞后村'],
      requireFortressGrade: false,
      rules,
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      regionLevel: 'city',
      regionName: names.city,
      caseTypes: ['基层党建薄弱村', '乡村振兴滞后村'],
      requireFortressGrade: false,
      rules,
    });
  });

  it('refuses a duplicate title in the same region and year with 409, changing nothing', async () => {
    const t = title();
    await call(app, cast.county, 'POST', '/api/campaigns', { regionId: cast.tree.county, year: 2026, title: t });
    const before = await countCampaigns();
    const res = await call(app, cast.county, 'POST', '/api/campaigns', {
      regionId: cast.tree.county,
      year: 2026,
      title: t,
    });
    expect(res).toEqual({
      status: 409,
      body: {
        statusCode: 409,
        code: 'CAMPAIGN_EXISTS',
        error: 'Conflict',
        message: `该地区已有 2026 年度的“${t}”整顿工作`,
      },
    });
    expect(await countCampaigns()).toBe(before);
  });

  it('refuses townships and villages (403), regions outside the subtree (404), and a township region (400)', async () => {
    const body = { regionId: cast.tree.county, year: 2026, title: title() };
    expect(await call(app, cast.township, 'POST', '/api/campaigns', body)).toEqual({ status: 403, body: FORBIDDEN });
    expect(await call(app, cast.village, 'POST', '/api/campaigns', body)).toEqual({ status: 403, body: FORBIDDEN });
    expect(await call(app, cast.admin, 'POST', '/api/campaigns', body)).toEqual({ status: 403, body: FORBIDDEN });
    expect(await call(app, otherCounty, 'POST', '/api/campaigns', body)).toEqual({ status: 404, body: NOT_FOUND });
    expect(await call(app, cast.county, 'POST', '/api/campaigns', { ...body, regionId: cast.tree.city })).toEqual({
      status: 404,
      body: NOT_FOUND,
    });
    const res = await call(app, cast.county, 'POST', '/api/campaigns', { ...body, regionId: cast.tree.township });
    expect(res.status).toBe(400);
    expect(res.body.message).toBe('整顿工作只能由县或市设立');
  });

  it('answers 400 to bad bodies and creates nothing', async () => {
    const before = await countCampaigns();
    const bad = [
      {},
      { regionId: cast.tree.county, year: 1999, title: 'x' },
      { regionId: cast.tree.county, year: 2026, title: '' },
      { regionId: cast.tree.county, year: 2026, title: 'x', caseTypes: [] },
      { regionId: cast.tree.county, year: 2026, title: 'x', caseTypes: ['甲', '甲'] },
      { regionId: cast.tree.county, year: 2026, title: 'x', extra: 1 },
      { regionId: cast.tree.county, year: 2026, title: 'x', rules: { ...defaultRuleSet(), gateQuestionId: 'nope' } },
    ];
    for (const body of bad) {
      const res = await call(app, cast.county, 'POST', '/api/campaigns', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
    }
    expect(await countCampaigns()).toBe(before);
  });

  it('answers 401 without a login', async () => {
    expect((await call(app, null, 'GET', '/api/campaigns')).status).toBe(401);
  });
});

describe('seeing campaigns', () => {
  it('shows a township its county and city campaigns, newest first, not another county', async () => {
    const mine = await createCampaign(tdb.db, cast.tree.county, { year: 2030, title: title() });
    const city = await createCampaign(tdb.db, cast.tree.city, { year: 2029, title: title() });
    const other = await createCampaign(tdb.db, otherCounty.regionId, { year: 2031, title: title() });
    const res = await call(app, cast.township, 'GET', '/api/campaigns');
    expect(res.status).toBe(200);
    const ids = (res.body.campaigns as { id: number }[]).map((c) => c.id);
    expect(ids.slice(0, 2)).toEqual([mine, city]);
    expect(ids).not.toContain(other);
    expect((res.body.campaigns as { editable: boolean }[]).every((c) => !c.editable)).toBe(true);
    expect((await call(app, cast.township, 'GET', `/api/campaigns/${other}`)).body).toEqual(NOT_FOUND);
    expect((await call(app, otherCounty, 'GET', `/api/campaigns/${mine}`)).status).toBe(404);
    const fromCounty = await call(app, cast.county, 'GET', `/api/campaigns/${city}`);
    expect(fromCounty.body).toMatchObject({ id: city, editable: false });
  });

  it('counts the cases of a campaign', async () => {
    const id = await createCampaign(tdb.db, cast.tree.county, { title: title() });
    await createCaseAt(tdb.db, { campaignId: id, villageId: cast.otherVillage, state: 'exited' });
    expect((await call(app, cast.county, 'GET', `/api/campaigns/${id}`)).body.caseCount).toBe(1);
  });
});

describe('changing a campaign', () => {
  it('changes the title, types and rules, audited', async () => {
    const id = await createCampaign(tdb.db, cast.tree.county, { title: title() });
    const t = title();
    const rules = { ...defaultRuleSet(), minRatePercent: 80 };
    const res = await call(app, cast.county, 'PATCH', `/api/campaigns/${id}`, {
      title: t,
      caseTypes: ['甲类', '乙类'],
      rules,
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id,
      title: t,
      caseTypes: ['甲类', '乙类'],
      rules,
      ruleText: describeRules(rules),
    });
    const audit = await tdb.db
      .selectFrom('audit_event')
      .select(['action', 'detail'])
      .where('object_type', '=', 'campaign')
      .where('object_id', '=', String(id))
      .execute();
    expect(audit).toEqual([{ action: 'campaign.update', detail: { fields: ['caseTypes', 'rules', 'title'] } }]);
  });

  it('keeps a type some case uses (409), and refuses the county on a city campaign (403) and other counties (404)', async () => {
    const id = await createCampaign(tdb.db, cast.tree.county, { title: title() });
    await createCaseAt(tdb.db, {
      campaignId: id,
      villageId: cast.otherVillage,
      state: 'exited',
      types: ['矛盾问题突出'],
    });
    const res = await call(app, cast.county, 'PATCH', `/api/campaigns/${id}`, { caseTypes: ['班子战斗力不强'] });
    expect(res).toEqual({
      status: 409,
      body: {
        statusCode: 409,
        code: 'INVALID_STATE',
        error: 'Conflict',
        message: '整顿类型“矛盾问题突出”已有案件使用，不能删除',
      },
    });
    const city = await createCampaign(tdb.db, cast.tree.city, { title: title() });
    expect(await call(app, cast.county, 'PATCH', `/api/campaigns/${city}`, { title: 'x' })).toEqual({
      status: 403,
      body: FORBIDDEN,
    });
    expect(await call(app, otherCounty, 'PATCH', `/api/campaigns/${id}`, { title: 'x' })).toEqual({
      status: 404,
      body: NOT_FOUND,
    });
    expect(await call(app, cast.township, 'PATCH', `/api/campaigns/${id}`, { title: 'x' })).toEqual({
      status: 403,
      body: FORBIDDEN,
    });
    expect((await call(app, cast.county, 'PATCH', `/api/campaigns/${id}`, {})).status).toBe(400);
    const row = await tdb.db
      .selectFrom('campaign')
      .select(['title', 'case_types'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row.case_types).toEqual(DEFAULT_CASE_TYPES);
  });
});
