// 年度排查 over HTTP (issue 10 item 4a): the county opens the year's round once; the coverage shows
// per township which villages are missing and why (未评定 / 弱村未排查); the round cannot be
// concluded while any is missing (应纳尽纳) and, once concluded, its coverage is frozen and final.
// The township reads its own township, the city its counties; opening and concluding are audited.
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorBody, forbidden, notFound } from '../../server/errors.ts';
import { buildTestApp } from '../helpers/app.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { createOfficial, createRegion, createTree } from '../helpers/factories.ts';
import { ensureRiskList, gradeVillage } from '../helpers/grading.ts';
import { call, createCast, type Caller, type Cast } from '../helpers/officials-api.ts';
import { databaseDigest, sessionFor } from '../helpers/world.ts';

let tdb: TestDatabase;
let app: FastifyInstance;
let cast: Cast;
let otherCounty: Caller;
let department: Caller;
let names: Map<number, string>;

const YEAR = 2041;
const NOT_FOUND = errorBody(notFound());
const FORBIDDEN = errorBody(forbidden());

interface Reply {
  round: { id: number; status: string; statusLabel: string; frozen: { screened: number; total: number } | null } | null;
  coverage: { screened: number; total: number; percent: number };
  townships: {
    townshipId: number;
    screened: number;
    total: number;
    missing: { villageId: number; reason: string; reasonLabel: string }[];
  }[];
  counties: { countyId: number; round: { status: string } | null; screened: number; total: number }[];
  mayOpen: boolean;
  mayConclude: boolean;
  concludeBlocked: string | null;
}

beforeAll(async () => {
  tdb = await createTestDatabase();
  app = await buildTestApp(tdb.db);
  cast = await createCast(tdb.db);
  const elsewhere = await createTree(tdb.db);
  const official = await createOfficial(tdb.db, 'county', elsewhere.county);
  otherCounty = { ...official, cookie: await sessionFor(tdb.db, official.id) };
  const dept = await createOfficial(tdb.db, 'department', cast.tree.county);
  department = { ...dept, cookie: await sessionFor(tdb.db, dept.id) };
  names = new Map((await tdb.db.selectFrom('region').select(['id', 'name']).execute()).map((r) => [r.id, r.name]));
});

afterAll(async () => {
  await app.close();
  await tdb.close();
});

const read = async (who: Caller, query = '') =>
  (await call(app, who, 'GET', `/api/screening-rounds?year=${YEAR}${query}`)).body as Reply;

async function refused(who: Caller, method: 'POST', url: string, payload?: unknown) {
  const before = await databaseDigest(tdb.db);
  const res = await call(app, who, method, url, payload);
  expect(await databaseDigest(tdb.db)).toEqual(before);
  return res;
}

async function screenWeak(village: number, who: Caller) {
  const listId = await ensureRiskList(tdb.db, cast.tree.county, YEAR);
  const items = await tdb.db.selectFrom('risk_item').select('id').where('list_id', '=', listId).execute();
  const res = await call(app, who, 'POST', `/api/risk/villages/${village}/screenings`, {
    year: YEAR,
    marks: items.map((i) => ({ itemId: i.id, present: false, evidence: '' })),
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
}

describe('the annual screening round', () => {
  let roundId = 0;

  it('is opened by the county once a year; a second opening is refused and changes nothing', async () => {
    const before = await read(cast.county);
    expect(before).toMatchObject({ round: null, mayOpen: true, mayConclude: false, concludeBlocked: null });
    const res = await call(app, cast.county, 'POST', '/api/screening-rounds', { year: YEAR });
    expect(res.status).toBe(201);
    const body = res.body as Reply;
    expect(body.round).toMatchObject({ status: 'open', statusLabel: '进行中', frozen: null });
    expect(body.mayOpen).toBe(false);
    roundId = body.round?.id ?? 0;
    const again = await refused(cast.county, 'POST', '/api/screening-rounds', { year: YEAR });
    expect(again).toMatchObject({
      status: 409,
      body: {
        code: 'CONFLICT',
        message: `${names.get(cast.tree.county)} ${YEAR} 年度排查已经开启（进行中），每县每年只开启一次`,
      },
    });
    const audit = await tdb.db
      .selectFrom('audit_event')
      .select(['action', 'actor_id', 'region_id'])
      .where('object_type', '=', 'screening_round')
      .where('object_id', '=', String(roundId))
      .execute();
    expect(audit).toEqual([{ action: 'screening_round.open', actor_id: cast.county.id, region_id: cast.tree.county }]);
  });

  it('shows each township’s coverage with every missing village and why', async () => {
    const body = await read(cast.county);
    expect(body.coverage).toEqual({ screened: 0, total: 2, percent: 0 });
    const missing = body.townships.flatMap((t) => t.missing);
    expect(missing).toEqual(
      expect.arrayContaining([
        {
          villageId: cast.tree.village,
          villageName: names.get(cast.tree.village),
          reason: 'ungraded',
          reasonLabel: '未评定',
        },
        {
          villageId: cast.otherVillage,
          villageName: names.get(cast.otherVillage),
          reason: 'ungraded',
          reasonLabel: '未评定',
        },
      ]),
    );
    await gradeVillage(tdb.db, cast.tree.village, YEAR, 'weak');
    await gradeVillage(tdb.db, cast.otherVillage, YEAR, 'middle');
    const graded = await read(cast.county);
    expect(graded.coverage).toEqual({ screened: 1, total: 2, percent: 50 });
    expect(graded.townships.find((t) => t.townshipId === cast.tree.township)).toMatchObject({
      screened: 0,
      total: 1,
      missing: [{ villageId: cast.tree.village, reason: 'unscreened_weak', reasonLabel: '弱村未排查' }],
    });
    expect(graded.townships.find((t) => t.townshipId === cast.otherTownship.regionId)).toMatchObject({
      screened: 1,
      total: 1,
      missing: [],
    });
  });

  it('lets the township read only its own township, without opening or concluding', async () => {
    const body = await read(cast.township);
    expect(body.round?.id).toBe(roundId);
    expect(body.townships.map((t) => t.townshipId)).toEqual([cast.tree.township]);
    expect(body).toMatchObject({ coverage: { screened: 0, total: 1 }, mayOpen: false, mayConclude: false });
    const other = await call(
      app,
      cast.township,
      'GET',
      `/api/screening-rounds?year=${YEAR}&regionId=${cast.tree.county}`,
    );
    expect(other).toEqual({ status: 404, body: NOT_FOUND });
  });

  it('cannot be concluded while a village is missing (应纳尽纳): 409 naming how many and where', async () => {
    const body = await read(cast.county);
    const message = `还有 1 个村未完成排查（${names.get(cast.tree.township)} 1 个），应纳尽纳，全部完成后才能结束本年度排查`;
    expect(body).toMatchObject({ mayConclude: false, concludeBlocked: message });
    const res = await refused(cast.county, 'POST', `/api/screening-rounds/${roundId}/conclude`);
    expect(res).toMatchObject({ status: 409, body: { code: 'INVALID_STATE', message } });
  });

  it('is concluded once complete, its coverage frozen, and cannot be concluded again', async () => {
    await screenWeak(cast.tree.village, cast.township);
    expect(await read(cast.county)).toMatchObject({ mayConclude: true, concludeBlocked: null });
    expect(await refused(cast.township, 'POST', `/api/screening-rounds/${roundId}/conclude`)).toEqual({
      status: 403,
      body: FORBIDDEN,
    });
    expect(await refused(cast.city, 'POST', `/api/screening-rounds/${roundId}/conclude`)).toEqual({
      status: 403,
      body: FORBIDDEN,
    });
    expect(await refused(otherCounty, 'POST', `/api/screening-rounds/${roundId}/conclude`)).toEqual({
      status: 404,
      body: NOT_FOUND,
    });
    const res = await call(app, cast.county, 'POST', `/api/screening-rounds/${roundId}/conclude`);
    expect(res.status).toBe(200);
    expect((res.body as Reply).round).toMatchObject({
      status: 'concluded',
      statusLabel: '已完成',
      frozen: { screened: 2, total: 2 },
    });
    const row = await tdb.db.selectFrom('screening_round').selectAll().where('id', '=', roundId).executeTakeFirst();
    expect(row).toMatchObject({ status: 'concluded', concluded_by: cast.county.id, screened: 2, total: 2 });
    const again = await refused(cast.county, 'POST', `/api/screening-rounds/${roundId}/conclude`);
    expect(again).toMatchObject({
      status: 409,
      body: { message: `${names.get(cast.tree.county)} ${YEAR} 年度排查已经结束，不能再次结束` },
    });
    const audit = await tdb.db
      .selectFrom('audit_event')
      .select(['action', 'detail'])
      .where('object_type', '=', 'screening_round')
      .where('object_id', '=', String(roundId))
      .orderBy('id')
      .execute();
    expect(audit.map((a) => a.action)).toEqual(['screening_round.open', 'screening_round.conclude']);
    expect(audit[1]?.detail).toEqual({ year: YEAR, screened: 2, total: 2 });
  });

  it('is read by the city per county', async () => {
    const empty = await createRegion(tdb.db, 'county', cast.tree.city);
    const body = await read(cast.city);
    expect(body.townships).toEqual([]);
    expect(body.counties).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          countyId: cast.tree.county,
          round: expect.objectContaining({ status: 'concluded' }),
          screened: 2,
          total: 2,
        }),
        expect.objectContaining({ countyId: empty, round: null, screened: 0, total: 0 }),
      ]),
    );
    const county = await read(cast.city, `&regionId=${cast.tree.county}`);
    expect(county).toMatchObject({ round: { id: roundId }, mayOpen: false, mayConclude: false });
  });

  it('is opened only by a county official for a county in their subtree', async () => {
    for (const who of [cast.township, cast.city, cast.village, department]) {
      expect(await refused(who, 'POST', '/api/screening-rounds', { year: YEAR + 1 })).toEqual({
        status: 403,
        body: FORBIDDEN,
      });
    }
    expect(
      await refused(otherCounty, 'POST', '/api/screening-rounds', { year: YEAR + 1, regionId: cast.tree.county }),
    ).toEqual({ status: 404, body: NOT_FOUND });
    expect(await call(app, department, 'GET', `/api/screening-rounds?year=${YEAR}`)).toEqual({
      status: 403,
      body: FORBIDDEN,
    });
  });

  it('keeps a concluded round final in the database itself', async () => {
    await expect(
      sql`update screening_round set screened = 0, total = 0 where id = ${roundId}`.execute(tdb.db),
    ).rejects.toThrow('已完成的年度排查不能修改');
    await expect(sql`delete from screening_round where id = ${roundId}`.execute(tdb.db)).rejects.toThrow(
      '年度排查不能删除',
    );
  });
});
