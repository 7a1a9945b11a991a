// 三级认定 and 重点防控村 as a hostile or clumsy user tries them (issue 10): only the cases that found
// a defect are kept here (scope, ids, types, lengths and the other races answered as they should).
// Each refusal is a 4xx with a Chinese message and leaves every row as it was.
//  - a step's meeting date in year 1 (or any year long before the list's) was accepted;
//  - after a return without a meeting date, the township's new 乡镇党委会 could be dated before the
//    return was entered (a meeting cannot study a list not yet sent back);
//  - two reviews of one 重点防控村 sent at once, both lowering 一级 to 二级 (a second tab, a double
//    submit): the second was recorded as 维持二级防控, a review the county never made;
//  - too few or too many items in a list (a screening without marks, a list of 501 villages) was
//    answered in English (must NOT have fewer than 1 items), and so was an empty change (a PATCH {}:
//    must NOT have fewer than 1 properties).
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chinaDay } from '../../server/modules/cases/cases.rules.ts';
import { createCampaign } from '../helpers/cases.ts';
import { buildTestApp } from '../helpers/app.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { createList, createPrevention, screenVillage } from '../helpers/decisions.ts';
import { createOfficial, createRegion } from '../helpers/factories.ts';
import { call, createCast, type Caller, type Cast } from '../helpers/officials-api.ts';
import { databaseDigest, sessionFor } from '../helpers/world.ts';

let tdb: TestDatabase;
let app: FastifyInstance;
let cast: Cast;
const YEAR = 2026;

beforeAll(async () => {
  tdb = await createTestDatabase();
  app = await buildTestApp(tdb.db);
  cast = await createCast(tdb.db);
});

afterAll(async () => {
  await app.close();
  await tdb.close();
});

async function refused(who: Caller, method: 'POST' | 'PUT' | 'PATCH', url: string, payload: unknown) {
  const before = await databaseDigest(tdb.db);
  const res = await call(app, who, method, url, payload);
  expect(await databaseDigest(tdb.db)).toEqual(before);
  return res;
}

/** A township of the cast's county with one village screened to rectify, its list at `stage`. */
async function listAt(stage: 'draft' | 'proposed') {
  const township = await createRegion(tdb.db, 'township', cast.tree.county);
  const village = await createRegion(tdb.db, 'village', township);
  await screenVillage(tdb.db, village, YEAR, { outcome: 'rectify', present: 5 });
  const id = await createList(tdb.db, township, YEAR, 'draft', [village]);
  const official = await createOfficial(tdb.db, 'township', township);
  const me: Caller = { ...official, cookie: await sessionFor(tdb.db, official.id) };
  if (stage === 'proposed') {
    const res = await call(app, me, 'POST', `/api/identification-lists/${id}/steps`, PROPOSE);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
  }
  return { id, me, village };
}

const PROPOSE = { action: 'propose', meetingDate: '2026-03-01', decision: '经乡镇党委会研究，同意上报' };

describe('meeting dates', () => {
  it('refuses a meeting held long before the list’s year (0001-01-01, 2006-03-01), with the earliest day allowed', async () => {
    const { id, me } = await listAt('draft');
    for (const meetingDate of ['0001-01-01', '2006-03-01', `${YEAR - 2}-12-31`]) {
      const res = await refused(me, 'POST', `/api/identification-lists/${id}/steps`, { ...PROPOSE, meetingDate });
      expect(res).toEqual({
        status: 400,
        body: expect.objectContaining({
          code: 'VALIDATION_FAILED',
          message: `会议日期不能早于 ${YEAR - 1}-01-01（本名单为 ${YEAR} 年度）`,
          details: [{ field: 'meetingDate', message: `会议日期不能早于 ${YEAR - 1}-01-01（本名单为 ${YEAR} 年度）` }],
        }),
      });
    }
    // the first day of the year before is a meeting the list may rest on
    const ok = await call(app, me, 'POST', `/api/identification-lists/${id}/steps`, {
      ...PROPOSE,
      meetingDate: `${YEAR - 1}-01-01`,
    });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
  });

  it('refuses a new 乡镇党委会 dated before the day the list was sent back to the township', async () => {
    const { id, me } = await listAt('proposed');
    const back = await call(app, cast.county, 'POST', `/api/identification-lists/${id}/steps`, {
      action: 'return',
      reason: '请补充柳溪村的整改依据',
    });
    expect(back.status, JSON.stringify(back.body)).toBe(200);
    // the return was entered today, without a meeting date: the township studies the list again after it
    const returnedOn = chinaDay();
    const res = await refused(me, 'POST', `/api/identification-lists/${id}/steps`, {
      ...PROPOSE,
      meetingDate: '2026-03-02',
    });
    expect(res).toMatchObject({
      status: 400,
      body: {
        code: 'VALIDATION_FAILED',
        message: `会议日期不能早于上一步骤的会议日期（${returnedOn}）`,
        details: [{ field: 'meetingDate' }],
      },
    });
    const ok = await call(app, me, 'POST', `/api/identification-lists/${id}/steps`, {
      ...PROPOSE,
      meetingDate: returnedOn,
    });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
  });
});

describe('调低防控措施等级 twice at once', () => {
  it('records one lowering from 一级 to 二级; the second request, made on 一级, gets a 409 and records nothing', async () => {
    const { id, village } = await listAt('draft');
    const record = await createPrevention(tdb.db, village, YEAR, id, 1);
    const url = `/api/prevention-records/${record}/reviews`;
    const body = { riskLevel: 'middle', fromLevel: 1, toLevel: 2, note: '风险已得到控制，调至二级' };
    const both = await Promise.all([
      call(app, cast.county, 'POST', url, body),
      call(app, cast.county, 'POST', url, body),
    ]);
    expect(both.map((r) => r.status).sort()).toEqual([200, 409]);
    expect(both.find((r) => r.status === 409)?.body).toMatchObject({
      code: 'CONFLICT',
      message: '该村的防控措施等级已调整为二级防控（在您打开此页之后），请刷新后再复核',
    });
    const reviews = await tdb.db
      .selectFrom('risk_review')
      .select(['from_prevention_level', 'to_prevention_level'])
      .where('prevention_id', '=', record)
      .execute();
    expect(reviews).toEqual([{ from_prevention_level: 1, to_prevention_level: 2 }]);
    const row = await tdb.db
      .selectFrom('prevention_record')
      .select('level')
      .where('id', '=', record)
      .executeTakeFirst();
    expect(row).toEqual({ level: 2 });
    // a stale page later (it still shows 一级) is refused the same way and changes nothing
    const stale = await refused(cast.county, 'POST', url, body);
    expect(stale).toMatchObject({ status: 409, body: { code: 'CONFLICT' } });
  });
});

describe('lists too short or too long', () => {
  it('names the field and the bound in Chinese: a screening without marks, a list of 501 entries', async () => {
    const { id, me, village } = await listAt('draft');
    const noMarks = await refused(me, 'POST', `/api/risk/villages/${village}/screenings`, { year: YEAR, marks: [] });
    expect(noMarks).toMatchObject({
      status: 400,
      body: {
        code: 'VALIDATION_FAILED',
        message: '字段 marks：不能少于 1 项',
        details: [{ field: 'marks', message: '不能少于 1 项' }],
      },
    });
    const entry = { villageId: village, outcome: 'rectify', preventionLevel: null, note: '' };
    const tooMany = await refused(me, 'PUT', `/api/identification-lists/${id}`, {
      version: 1,
      entries: Array.from({ length: 501 }, () => entry),
    });
    expect(tooMany).toMatchObject({
      status: 400,
      body: { message: '字段 entries：不能多于 500 项', details: [{ field: 'entries', message: '不能多于 500 项' }] },
    });
  });
});

describe('an empty change', () => {
  it('is named in Chinese (PATCH a campaign with {})', async () => {
    const campaign = await createCampaign(tdb.db, cast.tree.county, { year: YEAR });
    const res = await refused(cast.county, 'PATCH', `/api/campaigns/${campaign}`, {});
    expect(res).toMatchObject({
      status: 400,
      body: { message: '字段 (body)：至少填写 1 项', details: [{ field: '(body)', message: '至少填写 1 项' }] },
    });
  });
});
