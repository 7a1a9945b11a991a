// 堡垒指数 over HTTP (issue 10 item 2): the county sets up its yearly sheet (defaults or last year's
// copy) and edits it until a village is scored on it; the township scores its villages item by item;
// every grade comes with its rule in words; bad input is refused in Chinese and changes nothing;
// nobody outside the subtree sees or scores anything.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorBody, forbidden, notFound } from '../../server/errors.ts';
import { buildTestApp } from '../helpers/app.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { createOfficial, createRegion, createTree } from '../helpers/factories.ts';
import { call, createCast, type Caller, type Cast } from '../helpers/officials-api.ts';
import { databaseDigest, sessionFor } from '../helpers/world.ts';

let tdb: TestDatabase;
let app: FastifyInstance;
let cast: Cast;
let otherCounty: Caller;

const RULE = '满分 100 分；总分 85 分及以上为强村，60–84 分为中等村，60 分以下为弱村（等次线由县委组织部设定，可调整）';
const NOT_FOUND = errorBody(notFound());
const FORBIDDEN = errorBody(forbidden());

interface SheetBody {
  id: number;
  items: { id: number; section: string; title: string; maxScore: number }[];
  strongMin: number;
  middleMin: number;
}

beforeAll(async () => {
  tdb = await createTestDatabase();
  app = await buildTestApp(tdb.db);
  cast = await createCast(tdb.db);
  const elsewhere = await createTree(tdb.db);
  const official = await createOfficial(tdb.db, 'county', elsewhere.county);
  otherCounty = { ...official, cookie: await sessionFor(tdb.db, official.id) };
});

afterAll(async () => {
  await app.close();
  await tdb.close();
});

/** Scores adding up to `total`, item by item in order, each at most its maximum. */
function spread(sheet: SheetBody, total: number, note = '') {
  let left = total;
  return sheet.items.map((it) => {
    const score = Math.min(it.maxScore, left);
    left -= score;
    return { itemId: it.id, score, note };
  });
}

async function newSheet(year: number, from: 'defaults' | 'previous' = 'defaults'): Promise<SheetBody> {
  const res = await call(app, cast.county, 'POST', '/api/grading/sheets', { regionId: cast.tree.county, year, from });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as SheetBody;
}

/** The refusal and an unchanged database. */
async function refused(who: Caller | null, method: 'POST' | 'PUT' | 'GET', url: string, payload: unknown) {
  const before = await databaseDigest(tdb.db);
  const res = await call(app, who, method, url, payload);
  expect(await databaseDigest(tdb.db)).toEqual(before);
  return res;
}

describe('the county sheet', () => {
  it('starts from the labelled defaults: ten items under the three 有, 100 points, 85 / 60', async () => {
    const none = await call(app, cast.county, 'GET', `/api/grading/sheet?year=2030`);
    expect(none).toEqual({ status: 200, body: { sheet: null, previousYear: null, mayCreate: true } });
    const sheet = await newSheet(2030);
    expect(sheet).toMatchObject({
      regionId: cast.tree.county,
      year: 2030,
      strongMin: 85,
      middleMin: 60,
      maxTotal: 100,
      ruleText: RULE,
      usedBy: 0,
      editable: true,
    });
    expect(sheet.items).toHaveLength(10);
    expect(new Set(sheet.items.map((i) => i.section))).toEqual(new Set(['leadership', 'members', 'mechanism']));
    // the township and the city read it, never edit it
    for (const who of [cast.township, cast.city]) {
      const seen = await call(app, who, 'GET', `/api/grading/sheet?regionId=${cast.tree.county}&year=2030`);
      expect(seen.body).toMatchObject({ sheet: { id: sheet.id, editable: false }, mayCreate: false });
    }
    expect((await call(app, cast.township, 'GET', `/api/grading/sheet?year=2030`)).body.sheet.id).toBe(sheet.id);
    const again = await refused(cast.county, 'POST', '/api/grading/sheets', {
      regionId: cast.tree.county,
      year: 2030,
      from: 'defaults',
    });
    expect(again).toMatchObject({
      status: 409,
      body: { code: 'CONFLICT', message: expect.stringContaining('已经建立') },
    });
  });

  it('is edited freely until used, then refuses changes to maxima or cut-offs (wording only)', async () => {
    const sheet = await newSheet(2031);
    const items = sheet.items.slice(0, 4).map(({ section, title, maxScore }) => ({ section, title, maxScore }));
    const edited = await call(app, cast.county, 'PUT', `/api/grading/sheets/${sheet.id}`, {
      strongMin: 40,
      middleMin: 30,
      items: [...items, { section: 'mechanism', title: '新增：网格化治理', maxScore: 5 }],
    });
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({ maxTotal: 55, strongMin: 40, middleMin: 30, usedBy: 0 });
    const used = edited.body as SheetBody;
    expect(
      (
        await call(app, cast.township, 'POST', `/api/grading/villages/${cast.tree.village}/scorings`, {
          year: 2031,
          items: spread(used, 35),
        })
      ).body.current,
    ).toMatchObject({ total: 35, grade: 'middle' });

    const put = (body: unknown) => refused(cast.county, 'PUT', `/api/grading/sheets/${used.id}`, body);
    const same = { strongMin: 40, middleMin: 30, items: used.items };
    const frozen = expect.stringMatching(/^已有 1 个村按本评分表评分：为免改变已评定的等次/u);
    for (const change of [
      { ...same, strongMin: 45 },
      { ...same, items: used.items.map((i, n) => (n === 0 ? { ...i, maxScore: i.maxScore + 1 } : i)) },
      { ...same, items: used.items.slice(1) },
      { ...same, items: [...used.items.map(({ id: _, ...rest }) => rest)] },
    ]) {
      expect(await put(change)).toMatchObject({ status: 409, body: { code: 'INVALID_STATE', message: frozen } });
    }
    const renamed = await call(app, cast.county, 'PUT', `/api/grading/sheets/${used.id}`, {
      ...same,
      items: used.items.map((i, n) => (n === 0 ? { ...i, title: '村党组织书记履职能力（改写）' } : i)),
    });
    expect(renamed.status).toBe(200);
    expect(renamed.body.items[0].title).toBe('村党组织书记履职能力（改写）');
    // the village's grade did not move
    const view = await call(app, cast.county, 'GET', `/api/grading/villages/${cast.tree.village}?year=2031`);
    expect(view.body.current).toMatchObject({ total: 35, grade: 'middle', gradeLabel: '中等村' });
  });

  it('copies last year’s sheet for a new year', async () => {
    const copy = await newSheet(2032, 'previous');
    expect(copy).toMatchObject({ strongMin: 40, middleMin: 30, maxTotal: 55 });
    expect(copy.items[0]?.title).toBe('村党组织书记履职能力（改写）');
    const first = await refused(cast.county, 'POST', '/api/grading/sheets', {
      regionId: cast.tree.county,
      year: 2001,
      from: 'previous',
    });
    expect(first).toMatchObject({ status: 400, body: { message: expect.stringContaining('没有评分表可复制') } });
  });

  it('refuses bad sheets in Chinese and changes nothing', async () => {
    const sheet = await newSheet(2033);
    const base = { strongMin: 85, middleMin: 60, items: sheet.items };
    const put = (body: unknown) => refused(cast.county, 'PUT', `/api/grading/sheets/${sheet.id}`, body);
    expect(await put({ ...base, strongMin: 60 })).toMatchObject({
      status: 400,
      body: { code: 'VALIDATION_FAILED', message: '强村分数线须高于中等村分数线' },
    });
    expect(await put({ ...base, strongMin: 101 })).toMatchObject({
      status: 400,
      body: { message: '强村分数线（101 分）不能高于满分（100 分）' },
    });
    expect(await put({ ...base, items: [...sheet.items, { ...sheet.items[0], id: undefined }] })).toMatchObject({
      status: 400,
      body: { message: expect.stringMatching(/^评分项“.+”重复$/u) },
    });
    expect(await put({ ...base, items: [{ section: 'leadership', title: '甲', maxScore: 0 }] })).toMatchObject({
      status: 400,
      body: { code: 'VALIDATION_FAILED', message: '字段 items.0.maxScore：不能小于 1' },
    });
    expect(await put({ ...base, items: [] })).toMatchObject({ status: 400 });
  });

  it('is set up by the county only, in its own subtree', async () => {
    const body = { regionId: cast.tree.county, year: 2034, from: 'defaults' };
    expect(await refused(cast.township, 'POST', '/api/grading/sheets', body)).toEqual({ status: 403, body: FORBIDDEN });
    expect(await refused(cast.city, 'POST', '/api/grading/sheets', body)).toEqual({ status: 403, body: FORBIDDEN });
    expect(await refused(otherCounty, 'POST', '/api/grading/sheets', body)).toEqual({ status: 404, body: NOT_FOUND });
    expect((await refused(null, 'POST', '/api/grading/sheets', body)).status).toBe(401);
    const sheet = await newSheet(2035);
    const put = { strongMin: 85, middleMin: 60, items: sheet.items };
    expect(await refused(otherCounty, 'PUT', `/api/grading/sheets/${sheet.id}`, put)).toEqual({
      status: 404,
      body: NOT_FOUND,
    });
    expect(await refused(cast.city, 'PUT', `/api/grading/sheets/${sheet.id}`, put)).toEqual({
      status: 403,
      body: FORBIDDEN,
    });
    expect(await call(app, otherCounty, 'GET', `/api/grading/sheet?regionId=${cast.tree.county}&year=2035`)).toEqual({
      status: 404,
      body: NOT_FOUND,
    });
  });
});

describe('scoring villages', () => {
  let sheet: SheetBody;
  beforeAll(async () => {
    sheet = await newSheet(2040);
  });

  it('grades at every cut-off, keeps each scoring with its notes, and shows the rule with every grade', async () => {
    const village = await createRegion(tdb.db, 'village', cast.tree.township);
    const url = `/api/grading/villages/${village}/scorings`;
    const cases: [number, string, string][] = [
      [59, 'weak', '弱村'],
      [60, 'middle', '中等村'],
      [84, 'middle', '中等村'],
      [85, 'strong', '强村'],
      [100, 'strong', '强村'],
      [0, 'weak', '弱村'],
    ];
    for (const [total, grade, gradeLabel] of cases) {
      const res = await call(app, cast.township, 'POST', url, {
        year: 2040,
        items: spread(sheet, total, '  会议记录  '),
      });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      expect(res.body.current).toMatchObject({ total, maxTotal: 100, grade, gradeLabel, ruleText: RULE });
      expect(res.body.current.items[0]).toMatchObject({ itemId: sheet.items[0]?.id, note: '会议记录' });
    }
    const view = await call(app, cast.village, 'GET', `/api/grading/villages/${village}?year=2040`);
    expect(view.status).toBe(404); // the secretary of another village
    const read = await call(app, cast.county, 'GET', `/api/grading/villages/${village}?year=2040`);
    expect(read.body.current).toMatchObject({ total: 0, grade: 'weak' });
    expect(read.body.history.map((h: { total: number }) => h.total)).toEqual([100, 85, 84, 60, 59]);
    expect(read.body.mayScore).toBe(false);
    const rows = await tdb.db
      .selectFrom('village_grade')
      .select(['total', 'grade'])
      .where('village_id', '=', village)
      .execute();
    expect(rows).toHaveLength(6);
    const audit = await tdb.db
      .selectFrom('audit_event')
      .select('action')
      .where('action', '=', 'grading.score')
      .where('region_id', '=', village)
      .execute();
    expect(audit).toHaveLength(6);
  });

  it('lists the villages of the township with total, grade and rule, and lets the secretary read their own', async () => {
    await call(app, cast.township, 'POST', `/api/grading/villages/${cast.tree.village}/scorings`, {
      year: 2040,
      items: spread(sheet, 72),
    });
    const list = await call(app, cast.township, 'GET', '/api/grading/villages?year=2040');
    expect(list.body).toMatchObject({
      year: 2040,
      sheet: { id: sheet.id, ruleText: RULE, maxTotal: 100 },
      mayScore: true,
    });
    const own = list.body.villages.find((v: { villageId: number }) => v.villageId === cast.tree.village);
    expect(own.grade).toMatchObject({ total: 72, grade: 'middle', ruleText: RULE });
    expect(list.body.villages.some((v: { villageId: number }) => v.villageId === cast.otherVillage)).toBe(false);
    const county = await call(app, cast.county, 'GET', '/api/grading/villages?year=2040');
    expect(county.body.villages.map((v: { villageId: number }) => v.villageId)).toContain(cast.otherVillage);
    expect(county.body.mayScore).toBe(false);
    const secretary = await call(app, cast.village, 'GET', `/api/grading/villages/${cast.tree.village}?year=2040`);
    expect(secretary.body).toMatchObject({ current: { total: 72, gradeLabel: '中等村' }, mayScore: false });
    expect((await call(app, cast.village, 'GET', '/api/grading/villages?year=2040')).status).toBe(403);
  });

  it('refuses bad scorings in Chinese and changes nothing', async () => {
    const url = `/api/grading/villages/${cast.tree.village}/scorings`;
    const ok = spread(sheet, 70);
    const post = (body: unknown) => refused(cast.township, 'POST', url, body);
    const first = sheet.items[0] as SheetBody['items'][number];
    expect(
      await post({ year: 2040, items: ok.map((s, i) => (i === 0 ? { ...s, score: first.maxScore + 1 } : s)) }),
    ).toEqual({
      status: 400,
      body: {
        statusCode: 400,
        code: 'VALIDATION_FAILED',
        error: 'Bad Request',
        message: `“${first.title}”的得分须为 0 到 ${first.maxScore} 的整数`,
        details: [{ field: 'items.0.score', message: `“${first.title}”的得分须为 0 到 ${first.maxScore} 的整数` }],
      },
    });
    expect(await post({ year: 2040, items: ok.slice(1) })).toMatchObject({
      status: 400,
      body: { message: `“${first.title}”尚未评分：每一项都须评分` },
    });
    expect(await post({ year: 2040, items: ok.map((s, i) => (i === 0 ? { ...s, score: -1 } : s)) })).toMatchObject({
      status: 400,
      body: { code: 'VALIDATION_FAILED' },
    });
    expect(await post({ year: 2040, items: ok.map((s, i) => (i === 0 ? { ...s, score: 2.5 } : s)) })).toMatchObject({
      status: 400,
    });
    expect(await post({ year: 2099, items: ok })).toMatchObject({
      status: 409,
      body: { message: '本县 2099 年度尚未制定堡垒指数评分表，请县委组织部先制定' },
    });
  });

  it('lets only the township score, and only its own villages', async () => {
    const body = { year: 2040, items: spread(sheet, 70) };
    const mine = `/api/grading/villages/${cast.tree.village}/scorings`;
    expect(await refused(cast.otherTownship, 'POST', mine, body)).toEqual({ status: 404, body: NOT_FOUND });
    expect(await refused(cast.county, 'POST', mine, body)).toEqual({ status: 403, body: FORBIDDEN });
    expect(await refused(cast.village, 'POST', mine, body)).toEqual({ status: 403, body: FORBIDDEN });
    expect(await refused(otherCounty, 'POST', mine, body)).toEqual({ status: 404, body: NOT_FOUND });
    expect(await refused(cast.admin, 'POST', mine, body)).toEqual({ status: 403, body: FORBIDDEN });
    const township = `/api/grading/villages/${cast.tree.township}/scorings`;
    expect(await refused(cast.township, 'POST', township, body)).toMatchObject({
      status: 400,
      body: { message: '请选择一个村' },
    });
    expect(await call(app, otherCounty, 'GET', `/api/grading/villages/${cast.tree.village}?year=2040`)).toEqual({
      status: 404,
      body: NOT_FOUND,
    });
    expect(
      await call(app, cast.otherTownship, 'GET', `/api/grading/villages?regionId=${cast.tree.township}&year=2040`),
    ).toEqual({
      status: 404,
      body: NOT_FOUND,
    });
  });
});
