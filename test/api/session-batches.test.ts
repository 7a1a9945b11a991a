// POST /api/session-batches (and its preview): sessions of one kind for many villages at once,
// checked whole before anything is created (server/modules/schedule/schedule.service.ts).
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from '../helpers/app.ts';
import { createCampaign, createCaseAt } from '../helpers/cases.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { createRegion } from '../helpers/factories.ts';
import { prepareJobQueues } from '../helpers/jobs.ts';
import { call, createCast, type Cast } from '../helpers/officials-api.ts';

let tdb: TestDatabase;
let app: FastifyInstance;
let cast: Cast;
/** three villages of the cast's township: 东山村 (listed, in village evaluation), 西山村, 南山村 */
let east: number;
let west: number;
let south: number;
let caseId: number;

beforeAll(async () => {
  tdb = await createTestDatabase();
  app = await buildTestApp(tdb.db);
  await prepareJobQueues(tdb);
  cast = await createCast(tdb.db);
  east = await createRegion(tdb.db, 'village', cast.tree.township, '东山村');
  west = await createRegion(tdb.db, 'village', cast.tree.township, '西山村');
  south = await createRegion(tdb.db, 'village', cast.tree.township, '南山村');
  const campaign = await createCampaign(tdb.db, cast.tree.county);
  caseId = await createCaseAt(tdb.db, { campaignId: campaign, villageId: east, state: 'village_evaluation' });
});

afterAll(async () => {
  await app.close();
  await tdb.close();
});

const URL = '/api/session-batches';
const inHours = (h: number) => new Date(Date.now() + h * 3600_000).toISOString();

/** Everything a batch could change: sessions, their events, audit entries, queued jobs. */
async function state() {
  const { rows } = await sql<{ sessions: number; events: number; audit: number; jobs: number }>`
    select (select count(*)::int from evaluation_session) as sessions,
           (select count(*)::int from session_event) as events,
           (select count(*)::int from audit_event) as audit,
           (select count(*)::int from pgboss.job) as jobs`.execute(tdb.db);
  return rows[0];
}

describe('a batch', () => {
  it('previews each village: its case, or that it serves none, and nothing is created', async () => {
    const before = await state();
    const res = await call(app, cast.township, 'POST', `${URL}/preview`, {
      kind: 'self_evaluation',
      villages: [
        { villageId: east, residentsPresent: 40 },
        { villageId: west, residentsPresent: 30 },
      ],
      title: '第一轮自评',
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      rows: [
        { villageName: '东山村', title: '东山村 第一轮自评', case: { id: caseId }, serves: true, problem: null },
        { villageName: '西山村', case: null, serves: false, problem: null },
      ],
      windowProblem: null,
      withoutCase: 1,
      ready: false,
    });
    expect(await state()).toEqual(before);
  });

  it('creates every session with its times, each in its case when the village has one', async () => {
    const [openAt, closeAt] = [inHours(2), inHours(4)];
    const res = await call(app, cast.township, 'POST', URL, {
      kind: 'self_evaluation',
      villages: [
        { villageId: east, residentsPresent: 40 },
        { villageId: west, residentsPresent: 30 },
      ],
      openAt,
      closeAt,
      acknowledgeNoCase: true,
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.failed).toEqual([]);
    const created = res.body.created as { villageName: string; session: { id: number; caseId: number | null } }[];
    expect(created.map((c) => [c.villageName, c.session.caseId])).toEqual([
      ['东山村', caseId],
      ['西山村', null],
    ]);
    for (const c of created) {
      const s = await call(app, cast.township, 'GET', `/api/sessions/${c.session.id}`);
      expect(s.body).toMatchObject({ status: 'draft', scheduledOpenAt: openAt, scheduledCloseAt: closeAt });
      expect(s.body.title).toContain(c.villageName);
      const jobs = await sql<{ name: string; due: string }>`
        select name, data->>'dueAt' as due from pgboss.job where (data->>'sessionId')::int = ${c.session.id}
        order by name`.execute(tdb.db);
      expect(jobs.rows).toEqual([
        { name: 'session-close', due: closeAt },
        { name: 'session-open', due: openAt },
      ]);
    }
  });

  it('lets the county batch villages of several townships', async () => {
    const res = await call(app, cast.county, 'POST', URL, {
      kind: 'county_callback',
      villages: [
        { villageId: south, residentsPresent: 12 },
        { villageId: cast.otherVillage, residentsPresent: 9 },
      ],
      acknowledgeNoCase: true,
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.created).toHaveLength(2);
  });
});

describe('a refused batch creates nothing', () => {
  const refused = async (who: keyof Cast, body: unknown, status: number) => {
    const before = await state();
    const res = await call(app, cast[who] as { cookie: string }, 'POST', URL, body);
    expect(res.status, JSON.stringify(res.body)).toBe(status);
    expect(await state()).toEqual(before);
    return res.body;
  };
  const one = (villageId: number) => ({ villageId, residentsPresent: 5 });

  it('from a village secretary or the city (403)', async () => {
    const body = { kind: 'self_evaluation', villages: [one(west)], acknowledgeNoCase: true };
    expect((await refused('village', body, 403)).code).toBe('FORBIDDEN');
    expect((await refused('city', body, 403)).code).toBe('FORBIDDEN');
  });

  it('from a township for a kind it does not run (403)', async () => {
    await refused('township', { kind: 'county_callback', villages: [one(west)], acknowledgeNoCase: true }, 403);
  });

  it('with a village of another township among its own (the one 404)', async () => {
    const body = { kind: 'self_evaluation', villages: [one(west), one(cast.otherVillage)], acknowledgeNoCase: true };
    expect(await refused('township', body, 404)).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('with bad rows: each named, whole batch refused (400)', async () => {
    const body = {
      kind: 'self_evaluation',
      villages: [one(west), one(cast.tree.township), one(south), one(west), one(east)],
    };
    const res = await refused('township', body, 400);
    expect(res.code).toBe('VALIDATION_FAILED');
    expect(res.details).toEqual([
      { field: 'villages/0', message: expect.stringContaining('第 1 行：西山村没有进行中的整顿案件') },
      { field: 'villages/1', message: expect.stringMatching(/^第 2 行：.+不是村$/) },
      { field: 'villages/2', message: expect.stringContaining('第 3 行：南山村没有进行中的整顿案件') },
      { field: 'villages/3', message: '第 4 行：西山村重复出现' },
    ]);
    expect(res.message).toMatch(/^有 4 个村不能创建，本批次未创建任何测评：/);
  });

  it('with a village whose case cannot use the kind now', async () => {
    const res = await refused(
      'township',
      { kind: 'township_check', villages: [one(east)], acknowledgeNoCase: true },
      400,
    );
    expect(res.details[0].message).toContain('东山村正在整顿');
  });

  it('with times out of order or past (400)', async () => {
    const rows = { kind: 'self_evaluation', villages: [one(west)], acknowledgeNoCase: true };
    const late = await refused('township', { ...rows, openAt: inHours(3), closeAt: inHours(2) }, 400);
    expect(late.message).toBe('定时结束时间须晚于定时开始时间');
    const past = await refused('township', { ...rows, openAt: inHours(-1) }, 400);
    expect(past.message).toBe('定时开始时间须晚于现在');
  });
});

describe('a residents file (POST /api/session-batches/residents-file)', () => {
  const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
  const upload = async (who: { cookie: string }, filename: string, payload: Buffer | string, type = XLSX) => {
    const res = await app.inject({
      method: 'POST',
      url: `${URL}/residents-file?filename=${encodeURIComponent(filename)}`,
      headers: { cookie: who.cookie, 'content-type': type },
      payload,
    });
    return { status: res.statusCode, body: res.json() };
  };
  const workbook = async (rows: unknown[][]) => {
    const { default: ExcelJS } = await import('exceljs');
    const book = new ExcelJS.Workbook();
    book.addWorksheet('到会人数').addRows(rows);
    return Buffer.from(await book.xlsx.writeBuffer());
  };

  it('reads an XLSX: its rows by the header, each bad row named by its spreadsheet row, nothing stored', async () => {
    const bytes = await workbook([
      ['东风镇到会人数'],
      ['村名', '到会人数'],
      ['东山村', 120],
      ['西山村', '八十'],
      ['', 5],
      ['南山村', 100001],
      ['东山村', 3],
      ['北山村', 0],
    ]);
    const before = await state();
    const res = await upload(cast.township, '到会人数.xlsx', bytes);
    expect(res).toEqual({
      status: 200,
      body: {
        rows: [
          { row: 3, name: '东山村', residents: 120 },
          { row: 8, name: '北山村', residents: 0 },
        ],
        problems: [
          { row: 4, message: '西山村的人数“八十”不是 0 到 100000 的整数' },
          { row: 5, message: '缺少村名' },
          { row: 6, message: '南山村的人数“100001”不是 0 到 100000 的整数' },
          { row: 7, message: '东山村已在第 3 行出现' },
        ],
      },
    });
    expect(await state()).toEqual(before);
  });

  it('reads a CSV as Excel saves it, for the county too', async () => {
    const res = await upload(cast.county, 'a.csv', '\uFEFF村名,到会人数\r\n东风镇/东山村,7\r\n', 'text/csv');
    expect(res).toEqual({
      status: 200,
      body: { rows: [{ row: 2, name: '东风镇/东山村', residents: 7 }], problems: [] },
    });
  });

  it('refuses a file it cannot read, in words, and other roles', async () => {
    expect(await upload(cast.township, 'a.xls', Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0]))).toMatchObject({
      status: 400,
      body: { code: 'INVALID_FILE', message: '不支持旧版 .xls 文件，请在 Excel 中另存为 .xlsx 或 CSV 后再导入' },
    });
    expect(await upload(cast.township, 'a.xlsx', 'not a zip')).toMatchObject({
      status: 400,
      body: { code: 'INVALID_FILE', message: '该文件不是有效的 .xlsx 文件' },
    });
    expect(await upload(cast.township, 'a.xlsx', Buffer.alloc(0))).toMatchObject({
      status: 400,
      body: { message: '文件为空' },
    });
    expect(await upload(cast.township, 'a.csv', '{}', 'application/json')).toMatchObject({
      status: 415,
      body: { code: 'UNSUPPORTED_MEDIA_TYPE' },
    });
    expect((await upload(cast.village, 'a.csv', '村名,到会人数\n', 'text/csv')).status).toBe(403);
    expect((await upload(cast.city, 'a.csv', '村名,到会人数\n', 'text/csv')).status).toBe(403);
  });
});
