import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, sessionCookie } from '../helpers/app.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { createOfficial, createRegion, TEST_PASSWORD } from '../helpers/factories.ts';

let tdb: TestDatabase;
let app: FastifyInstance;
const ids = { city: 0, county: 0, other: 0, a: 0, b: 0, c: 0, v1: 0, v2: 0, v3: 0 };
const cookies = { county: '', township: '', city: '', otherCounty: '', townshipAdmin: '' };

async function login(role: 'admin' | 'city' | 'county' | 'township', regionId: number): Promise<string> {
  const official = await createOfficial(tdb.db, role, regionId);
  const res = await app.inject({
    method: 'POST',
    url: '/api/auth/login',
    payload: { username: official.username, password: TEST_PASSWORD },
  });
  return sessionCookie(res);
}

beforeAll(async () => {
  tdb = await createTestDatabase();
  app = await buildTestApp(tdb.db);
  const db = tdb.db;
  ids.city = await createRegion(db, 'city', null, '测试市', '610100');
  ids.county = await createRegion(db, 'county', ids.city, '测试县', '610101');
  ids.other = await createRegion(db, 'county', ids.city, '邻县', '610102');
  ids.b = await createRegion(db, 'township', ids.county, '北镇', '610101002');
  ids.a = await createRegion(db, 'township', ids.county, '南镇', '610101001');
  ids.c = await createRegion(db, 'township', ids.county, '东乡');
  ids.v1 = await createRegion(db, 'village', ids.a, '一村');
  ids.v2 = await createRegion(db, 'village', ids.a, '二村');
  ids.v3 = await createRegion(db, 'village', ids.b, '三村');
  cookies.county = await login('county', ids.county);
  cookies.township = await login('township', ids.a);
  cookies.city = await login('city', ids.city);
  cookies.otherCounty = await login('county', ids.other);
  cookies.townshipAdmin = await login('admin', ids.b);
});

afterAll(async () => {
  await app.close();
  await tdb.close();
});

const get = (url: string, cookie?: string) => app.inject({ method: 'GET', url, headers: cookie ? { cookie } : {} });

const upload = (cookie: string, body: string | Buffer, query = 'filename=villages.csv', type = 'text/csv') =>
  app.inject({
    method: 'POST',
    url: `/api/regions/import?${query}`,
    headers: { cookie, 'content-type': type },
    payload: body,
  });

describe('the region tree', () => {
  it("answers the caller's own region with its counts and the regions above it", async () => {
    const res = await get('/api/regions', cookies.county);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      root: {
        id: ids.county,
        parentId: ids.city,
        name: '测试县',
        level: 'county',
        code: '610101',
        childCount: 3,
        villageCount: 3,
        officialCount: 3,
      },
      ancestors: [{ id: ids.city, name: '测试市', level: 'city' }],
    });
  });

  it('lists children sorted by code, then name, each with its counts', async () => {
    const res = await get(`/api/regions/${ids.county}/children`, cookies.county);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.region.id).toBe(ids.county);
    expect(body.children).toEqual([
      {
        id: ids.a,
        parentId: ids.county,
        name: '南镇',
        level: 'township',
        code: '610101001',
        childCount: 2,
        villageCount: 2,
        officialCount: 1,
      },
      {
        id: ids.b,
        parentId: ids.county,
        name: '北镇',
        level: 'township',
        code: '610101002',
        childCount: 1,
        villageCount: 1,
        officialCount: 1,
      },
      {
        id: ids.c,
        parentId: ids.county,
        name: '东乡',
        level: 'township',
        code: null,
        childCount: 0,
        villageCount: 0,
        officialCount: 0,
      },
    ]);
    const villages = await get(`/api/regions/${ids.a}/children`, cookies.township);
    expect(
      villages.json().children.map((v: { name: string; villageCount: number }) => [v.name, v.villageCount]),
    ).toEqual([
      ['一村', 0],
      ['二村', 0],
    ]);
  });

  it('answers the same 404 for a region outside the caller’s subtree and for one that does not exist', async () => {
    const outside = await get(`/api/regions/${ids.other}/children`, cookies.county);
    const above = await get(`/api/regions/${ids.city}/children`, cookies.county);
    const missing = await get('/api/regions/999999/children', cookies.county);
    expect(outside.statusCode).toBe(404);
    expect(outside.json()).toEqual(missing.json());
    expect(above.json()).toEqual(missing.json());
  });

  it('refuses anonymous callers', async () => {
    expect((await get('/api/regions')).statusCode).toBe(401);
    expect((await get(`/api/regions/${ids.county}/children`)).statusCode).toBe(401);
  });
});

describe('the village import', () => {
  const countRegions = async () =>
    Number(
      (
        await tdb.db
          .selectFrom('region')
          .select((eb) => eb.fn.countAll<string>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  it('imports a CSV under the caller’s county, and a re-import changes nothing', async () => {
    const file = '县,乡镇,村,统计代码\n测试县,南镇,三里村,610101001003\n测试县,西镇,西村,\n';
    const res = await upload(cookies.county, file, 'filename=villages.csv', 'text/csv; charset=utf-8');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      dryRun: false,
      rows: 2,
      created: { counties: 0, townships: 1, villages: 2 },
      unchanged: 0,
      codesSet: 0,
    });
    const before = await countRegions();
    const again = await upload(cookies.county, file);
    expect(again.json()).toEqual({
      dryRun: false,
      rows: 2,
      created: { counties: 0, townships: 0, villages: 0 },
      unchanged: 2,
      codesSet: 0,
    });
    expect(await countRegions()).toBe(before);
  });

  it('answers 422 with every bad row and writes nothing', async () => {
    const before = await countRegions();
    const res = await upload(
      cookies.county,
      '县,乡镇,村\n测试县,新镇,新村\n邻县,邻镇,邻村\n测试县,,空村\n',
      'filename=v.csv&dryRun=false',
    );
    expect(res.statusCode).toBe(422);
    expect(res.json()).toEqual({
      statusCode: 422,
      code: 'IMPORT_REJECTED',
      error: 'Unprocessable Entity',
      message: '导入文件有 2 处错误，未导入任何数据',
      details: {
        errors: [
          { row: 3, column: '县', message: '「邻县」不是您所在的县「测试县」，只能导入本县的村' },
          { row: 4, column: '乡镇', message: '不能为空' },
        ],
      },
    });
    expect(await countRegions()).toBe(before);
  });

  it('answers 400 INVALID_FILE for a file without the required columns or without a body, 415 for JSON', async () => {
    const res = await upload(cookies.city, '名称,代码\n甲,1\n');
    const noHeader = await upload(cookies.city, '甲,乙,丙\n');
    expect(noHeader.json()).toMatchObject({
      statusCode: 400,
      code: 'INVALID_FILE',
      message: '找不到表头：第 1 行应为列名 县、乡镇、村（可选 统计代码）',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({
      code: 'INVALID_FILE',
      message: '表头（第 1 行）缺少必需的列：县、乡镇、村',
    });
    const empty = await app.inject({
      method: 'POST',
      url: '/api/regions/import?filename=a.csv',
      headers: { cookie: cookies.city },
    });
    expect(empty.json()).toMatchObject({ statusCode: 400, code: 'INVALID_FILE' });
    const json = await app.inject({
      method: 'POST',
      url: '/api/regions/import?filename=a.csv',
      headers: { cookie: cookies.city },
      payload: { rows: [] },
    });
    expect(json.json()).toMatchObject({ statusCode: 415, code: 'UNSUPPORTED_MEDIA_TYPE' });
  });

  it('accepts an XLSX body sent as application/octet-stream and checks a dry run without writing', async () => {
    const { default: ExcelJS } = await import('exceljs');
    const workbook = new ExcelJS.Workbook();
    workbook.addWorksheet('Sheet1').addRows([
      ['县', '乡镇', '村'],
      ['新县', '新镇', '新村'],
    ]);
    const bytes = Buffer.from(await workbook.xlsx.writeBuffer());
    const before = await countRegions();
    const res = await upload(cookies.city, bytes, 'filename=v.xlsx&dryRun=true', 'application/octet-stream');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      dryRun: true,
      rows: 1,
      created: { counties: 1, townships: 1, villages: 1 },
      unchanged: 0,
      codesSet: 0,
    });
    expect(await countRegions()).toBe(before);
  });

  it('answers 413 beyond 10 MiB, while other routes keep the small JSON limit and no file parser', async () => {
    const big = Buffer.alloc(10 * 1024 * 1024 + 1, 0x61);
    const res = await upload(cookies.city, big);
    expect(res.statusCode).toBe(413);
    expect(res.json()).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    const login = await app.inject({
      method: 'POST',
      url: '/api/auth/login',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ username: 'x'.repeat(70 * 1024), password: 'y' }),
    });
    expect(login.statusCode).toBe(413);
    const csvElsewhere = await app.inject({
      method: 'POST',
      url: '/api/auth/login',
      headers: { 'content-type': 'text/csv' },
      payload: 'a,b\n',
    });
    expect(csvElsewhere.statusCode).toBe(415);
  });

  it('refuses roles below county with 403, as well as an admin bound to a township', async () => {
    const before = await countRegions();
    const file = '县,乡镇,村\n测试县,南镇,禁村\n';
    const township = await upload(cookies.township, file);
    expect(township.statusCode).toBe(403);
    expect(township.json()).toMatchObject({ code: 'FORBIDDEN' });
    const admin = await upload(cookies.townshipAdmin, file);
    expect(admin.statusCode).toBe(403);
    expect(admin.json()).toEqual(township.json());
    const anonymous = await app.inject({
      method: 'POST',
      url: '/api/regions/import?filename=a.csv',
      headers: { 'content-type': 'text/csv' },
      payload: file,
    });
    expect(anonymous.statusCode).toBe(401);
    expect(await countRegions()).toBe(before);
  });

  it('lets a county official import nothing into another county', async () => {
    const res = await upload(cookies.otherCounty, '县,乡镇,村\n测试县,南镇,越界村\n');
    expect(res.statusCode).toBe(422);
    expect(res.json().details.errors).toEqual([
      { row: 2, column: '县', message: '「测试县」不是您所在的县「邻县」，只能导入本县的村' },
    ]);
  });
});
