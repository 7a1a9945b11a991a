// 村情档案 (issue 10 item 1) through the API: the township keeps its villages' files, the county,
// city and village secretary read; every change is logged with who, when and the field diff; a
// stale save is refused; the new year starts from last year's by an explicit carry-forward; a
// whole township goes out and back in as XLSX (template, export, preview, apply), and a bad file
// changes nothing.
import ExcelJS from 'exceljs';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from '../helpers/app.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { createRegion } from '../helpers/factories.ts';
import { call, createCast, type Cast } from '../helpers/officials-api.ts';

let tdb: TestDatabase;
let app: FastifyInstance;
let cast: Cast;
let v2: number;
let v3: number;
const Y = 2025;

const FULL = {
  households: 320,
  registered: 1180,
  resident: 760,
  groups: 6,
  secretaryName: '王建国',
  secretaryAge: 48,
  cadres: 7,
  reserves: 3,
  members: 42,
  membersUpTo35: 6,
  members36To60: 20,
  membersOver60: 16,
  activists: 2,
  income: 352_000,
  operatingIncome: 120_500,
  disputes: 5,
  disputesResolved: 4,
  petitions: 1,
  overviewNote: '位于镇东部，以种植业为主',
};

const url = (village: number, year = Y, rest = '') => `/api/village-files/${village}/${year}${rest}`;

async function rowsOf(table: 'village_file' | 'village_file_change') {
  return tdb.db.selectFrom(table).selectAll().orderBy('id').execute();
}

beforeAll(async () => {
  tdb = await createTestDatabase();
  app = await buildTestApp(tdb.db);
  cast = await createCast(tdb.db);
  await tdb.db.updateTable('region').set({ name: '东山村' }).where('id', '=', cast.tree.village).execute();
  await tdb.db.updateTable('region').set({ name: '青石镇' }).where('id', '=', cast.tree.township).execute();
  v2 = await createRegion(tdb.db, 'village', cast.tree.township, '柳树村');
  v3 = await createRegion(tdb.db, 'village', cast.tree.township, '桃园村');
});

afterAll(async () => {
  await app.close();
  await tdb.close();
});

describe('one village file', () => {
  it('is created by the township, read back with its completeness, and logged with the diff', async () => {
    const before = await call(app, cast.township, 'GET', url(cast.tree.village));
    expect(before.status).toBe(200);
    expect(before.body).toMatchObject({
      file: null,
      mayEdit: true,
      previous: false,
      completeness: { filled: 0, percent: 0 },
    });

    const saved = await call(app, cast.township, 'PUT', url(cast.tree.village), { data: FULL, version: null });
    expect(saved.status).toBe(200);
    expect(saved.body.file).toMatchObject({ version: 1, data: FULL, updatedBy: expect.any(String) });
    expect(saved.body.completeness).toMatchObject({ filled: 18, required: 18, percent: 100 });
    expect(
      saved.body.completeness.aspects.map((a: { label: string; percent: number }) => [a.label, a.percent]),
    ).toEqual([
      ['村情概况', 100],
      ['村干部队伍', 100],
      ['村党组织和党员队伍', 100],
      ['村集体经济', 100],
      ['村级治理', 100],
    ]);

    const changes = await call(app, cast.county, 'GET', url(cast.tree.village, Y, '/changes'));
    expect(changes.status).toBe(200);
    expect(changes.body.changes).toHaveLength(1);
    expect(changes.body.changes[0]).toMatchObject({
      action: 'create',
      actionLabel: '建档',
      actorRole: 'township',
      version: 1,
    });
    expect(changes.body.changes[0].fields).toContainEqual({
      field: 'income',
      label: '村集体经济收入',
      from: null,
      to: '35.2',
    });
  });

  it('records who changed which field from what to what, and nothing for a save that changes nothing', async () => {
    const r = await call(app, cast.township, 'PUT', url(cast.tree.village), {
      data: { ...FULL, households: 321, petitions: null },
      version: 1,
    });
    expect(r.status).toBe(200);
    expect(r.body.file.version).toBe(2);
    expect(r.body.completeness).toMatchObject({ filled: 17, required: 18, percent: 94 });
    const same = await call(app, cast.township, 'PUT', url(cast.tree.village), {
      data: { ...FULL, households: 321, petitions: '' },
      version: 2,
    });
    expect(same.body.file.version).toBe(2);
    const log = await call(app, cast.township, 'GET', url(cast.tree.village, Y, '/changes'));
    expect(log.body.changes.map((c: { version: number }) => c.version)).toEqual([2, 1]);
    expect(log.body.changes[0].fields).toEqual([
      { field: 'households', label: '户数', from: '320', to: '321' },
      { field: 'petitions', label: '年内信访件数', from: '1', to: null },
    ]);
    expect(log.body.changes[0].actorName).toBe(cast.township.username);
  });

  it('refuses a save made on an older version (409) and changes nothing', async () => {
    const before = await rowsOf('village_file');
    const r = await call(app, cast.township, 'PUT', url(cast.tree.village), { data: FULL, version: 1 });
    expect(r.status).toBe(409);
    expect(r.body).toMatchObject({ code: 'CONFLICT', message: '该村档案已被他人修改，请刷新后在最新内容上再改' });
    const create = await call(app, cast.township, 'PUT', url(cast.tree.village), { data: FULL, version: null });
    expect(create.status).toBe(409);
    expect(await rowsOf('village_file')).toEqual(before);
  });

  it('answers every invalid field in Chinese and stores nothing', async () => {
    const r = await call(app, cast.township, 'PUT', url(v2), {
      data: { households: -3, members: 10, membersUpTo35: 1, members36To60: 1, membersOver60: 1 },
      version: null,
    });
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({
      code: 'VALIDATION_FAILED',
      message: '档案中有 1 处需要修改：户数应为 0 至 100000 之间的整数',
      details: [{ field: 'households', message: '户数应为 0 至 100000 之间的整数' }],
    });
    const cross = await call(app, cast.township, 'PUT', url(v2), {
      data: { members: 10, membersUpTo35: 1, members36To60: 1, membersOver60: 1 },
      version: null,
    });
    expect(cross.body.details).toEqual([{ field: 'members', message: '党员数（10）应等于三个年龄段党员之和（3）' }]);
    expect((await call(app, cast.township, 'GET', url(v2))).body.file).toBeNull();
  });

  it('lets the county, the city and the village secretary read but not change; others see nothing', async () => {
    for (const who of [cast.county, cast.city, cast.village]) {
      const r = await call(app, who, 'GET', url(cast.tree.village));
      expect(r.status).toBe(200);
      expect(r.body.mayEdit).toBe(false);
      const put = await call(app, who, 'PUT', url(cast.tree.village), { data: FULL, version: 2 });
      expect(put.status).toBe(403);
    }
    expect((await call(app, cast.village, 'GET', url(v2))).status).toBe(404);
    expect((await call(app, cast.otherTownship, 'GET', url(cast.tree.village))).status).toBe(404);
    expect((await call(app, cast.otherTownship, 'PUT', url(cast.tree.village), { data: {}, version: 2 })).status).toBe(
      404,
    );
    expect((await call(app, cast.admin, 'GET', url(cast.tree.village))).status).toBe(403);
    expect((await call(app, cast.township, 'GET', url(cast.tree.township))).status).toBe(404);
  });
});

describe('the township list', () => {
  it("shows every village of the township with its file's completeness", async () => {
    const r = await call(app, cast.township, 'GET', `/api/village-files?year=${Y}`);
    expect(r.status).toBe(200);
    expect(r.body.region).toMatchObject({ id: cast.tree.township, name: '青石镇', level: 'township' });
    expect(r.body.totals).toEqual({ villages: 3, withFile: 1, complete: 0 });
    const east = r.body.villages.find((v: { village: { id: number } }) => v.village.id === cast.tree.village);
    expect(east.file).toMatchObject({ version: 2, completeness: { filled: 17, required: 18, percent: 94 } });
    const county = await call(app, cast.county, 'GET', `/api/village-files?year=${Y}&regionId=${cast.tree.county}`);
    expect(county.body.villages).toHaveLength(4);
    expect(county.body.mayEdit).toBe(false);
  });
});

describe('a new year', () => {
  it("previews, then starts the year's files from last year's, never touching a file the year has", async () => {
    await call(app, cast.township, 'PUT', url(v3, Y + 1), { data: { households: 99 }, version: null });
    const body = { regionId: cast.tree.township, year: Y + 1 };
    const before = await rowsOf('village_file');
    const preview = await call(app, cast.township, 'POST', '/api/village-files/carry-forward', {
      ...body,
      dryRun: true,
    });
    expect(preview.status).toBe(200);
    expect(preview.body).toEqual({
      dryRun: true,
      year: Y + 1,
      created: [{ villageId: cast.tree.village, villageName: '东山村' }],
      existing: [{ villageId: v3, villageName: '桃园村' }],
      noPrevious: [{ villageId: v2, villageName: '柳树村' }],
    });
    expect(await rowsOf('village_file')).toEqual(before);

    expect((await call(app, cast.county, 'POST', '/api/village-files/carry-forward', body)).status).toBe(403);
    const done = await call(app, cast.township, 'POST', '/api/village-files/carry-forward', body);
    expect(done.body).toMatchObject({ dryRun: false, created: [{ villageId: cast.tree.village }] });
    const next = await call(app, cast.township, 'GET', url(cast.tree.village, Y + 1));
    expect(next.body.previous).toBe(true);
    expect(next.body.file.data).toMatchObject({ households: 321, members: 42, secretaryName: '王建国' });
    expect(next.body.file.data.income).toBeUndefined();
    expect(next.body.file.data.disputes).toBeUndefined();
    const log = await call(app, cast.township, 'GET', url(cast.tree.village, Y + 1, '/changes'));
    expect(log.body.changes[0]).toMatchObject({ action: 'carry_forward', actionLabel: '沿用上年档案' });
    expect((await call(app, cast.township, 'GET', url(v3, Y + 1))).body.file.data).toEqual({ households: 99 });
    const again = await call(app, cast.township, 'POST', '/api/village-files/carry-forward', body);
    expect(again.body.created).toEqual([]);
  });
});

async function workbookOf(payload: Buffer): Promise<ExcelJS.Workbook> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(payload as unknown as ArrayBuffer);
  return wb;
}

async function download(path: string) {
  const res = await app.inject({ method: 'GET', url: path, headers: { cookie: cast.township.cookie } });
  expect(res.statusCode).toBe(200);
  expect(res.headers['content-type']).toContain('spreadsheetml');
  return workbookOf(res.rawPayload);
}

const upload = (book: ExcelJS.Workbook, dryRun: boolean) =>
  book.xlsx.writeBuffer().then((bytes) =>
    app.inject({
      method: 'POST',
      url: `/api/village-files/import?year=${Y}&filename=files.xlsx&dryRun=${dryRun}`,
      headers: { cookie: cast.township.cookie, 'content-type': 'application/octet-stream' },
      payload: Buffer.from(bytes as ArrayBuffer),
    }),
  );

describe('the township as XLSX', () => {
  it('exports every village with its values (money in 万元) and a template with instructions', async () => {
    const wb = await download(`/api/village-files.xlsx?year=${Y}`);
    const ws = wb.worksheets[0] as ExcelJS.Worksheet;
    const header = (ws.getRow(1).values as string[]).slice(1);
    expect(header.slice(0, 4)).toEqual(['乡镇', '村', '户数（户）', '户籍人口（人）']);
    expect(header).toContain('村集体经济收入（万元）');
    const east = ws.getRow(2).values as unknown[];
    expect(east[2]).toBe('东山村');
    expect(east[3]).toBe(321);
    expect(east[header.indexOf('村集体经济收入（万元）') + 1]).toBe('35.2');
    expect(east[header.length]).toBe(94);
    expect(ws.rowCount).toBe(4);
    const template = await download(`/api/village-files/template.xlsx?year=${Y}`);
    expect(template.worksheets.map((w) => w.name)).toEqual([`村情档案${Y}`, '填写说明']);
    expect((template.worksheets[0] as ExcelJS.Worksheet).getRow(2).getCell(3).value).toBeNull();
  });

  it('refuses a file with bad rows, naming each row and column, and changes nothing', async () => {
    const wb = await download(`/api/village-files.xlsx?year=${Y}`);
    const ws = wb.worksheets[0] as ExcelJS.Worksheet;
    ws.getRow(3).getCell(3).value = '很多';
    ws.getRow(4).getCell(2).value = '不存在村';
    ws.getRow(4).getCell(3).value = 5;
    ws.addRow(['青石镇', '东山村', 7]);
    const before = [await rowsOf('village_file'), await rowsOf('village_file_change')];
    const res = await upload(wb, false);
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({
      code: 'IMPORT_REJECTED',
      message: '导入文件有 3 处错误，未导入任何数据',
      details: {
        errors: [
          { row: 3, column: '户数（户）', message: '应为 0 至 100000 之间的整数' },
          { row: 4, column: '村', message: '青石镇没有名为「不存在村」的村' },
          { row: 5, column: '村', message: '「东山村」在第 2 行已出现：每村只能有一行' },
        ],
      },
    });
    expect([await rowsOf('village_file'), await rowsOf('village_file_change')]).toEqual(before);
  });

  it('previews what would change per village, then applies the same in one go', async () => {
    const wb = await download(`/api/village-files.xlsx?year=${Y}`);
    const ws = wb.worksheets[0] as ExcelJS.Worksheet;
    ws.getRow(2).getCell(3).value = 330; // 东山村 户数
    ws.getRow(3).getCell(3).value = 150; // 柳树村 户数, no file yet
    const before = await rowsOf('village_file');
    const preview = await upload(wb, true);
    expect(preview.statusCode).toBe(200);
    expect(preview.json()).toEqual({
      dryRun: true,
      year: Y,
      // 桃园村's row is blank (no file this year): not in the file, nothing made or cleared
      rows: 2,
      villages: [
        { row: 2, villageId: cast.tree.village, villageName: '东山村', action: 'update', fields: ['户数'] },
        { row: 3, villageId: v2, villageName: '柳树村', action: 'create', fields: ['户数'] },
      ],
    });
    expect(await rowsOf('village_file')).toEqual(before);
    const applied = await upload(wb, false);
    expect(applied.json().dryRun).toBe(false);
    const east = await call(app, cast.township, 'GET', url(cast.tree.village));
    const { petitions: _cleared, ...kept } = FULL;
    expect(east.body.file).toMatchObject({ version: 3, data: { ...kept, households: 330 } });
    expect(east.body.file.data).not.toHaveProperty('petitions');
    const log = await call(app, cast.township, 'GET', url(cast.tree.village, Y, '/changes'));
    expect(log.body.changes[0]).toMatchObject({
      action: 'import',
      fields: [{ field: 'households', from: '321', to: '330' }],
    });
    expect((await call(app, cast.township, 'GET', url(v2))).body.file.data).toEqual({ households: 150 });
  });

  it('refuses the template as downloaded: no village filled in, nothing cleared', async () => {
    const res = await upload(await download(`/api/village-files/template.xlsx?year=${Y}`), false);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({
      code: 'INVALID_FILE',
      message: '文件中没有填写任何村的档案项目：每村一行，未填写的村不导入',
    });
  });

  it('takes imports from the township only', async () => {
    const wb = await download(`/api/village-files.xlsx?year=${Y}`);
    const bytes = Buffer.from((await wb.xlsx.writeBuffer()) as ArrayBuffer);
    const res = await app.inject({
      method: 'POST',
      url: `/api/village-files/import?year=${Y}&filename=f.xlsx&dryRun=true&regionId=${cast.tree.township}`,
      headers: { cookie: cast.county.cookie, 'content-type': 'application/octet-stream' },
      payload: bytes,
    });
    expect(res.statusCode).toBe(403);
  });
});

describe('the demo data', () => {
  it('gives 东山镇 files in both states and keeps the rest to be filled, once', async () => {
    const { seedDemo } = await import('../../server/modules/demo/demo.service.ts');
    const { chinaYear } = await import('../../server/modules/villagefiles/villagefiles.service.ts');
    await seedDemo(tdb.db);
    await seedDemo(tdb.db);
    const rows = await tdb.db
      .selectFrom('village_file as f')
      .innerJoin('region as v', 'v.id', 'f.village_id')
      .select(['v.name', 'f.year', 'f.version'])
      .where('v.code', 'like', '9901%')
      .orderBy('v.name')
      .orderBy('f.year')
      .execute();
    const y = chinaYear();
    expect(rows).toEqual([
      { name: '东山村', year: y - 1, version: 1 },
      { name: '东山村', year: y, version: 1 },
      { name: '桃园村', year: y, version: 1 },
    ]);
  });
});

describe('the database itself', () => {
  it('keeps the change log append-only and files on villages only', async () => {
    const { sql } = await import('kysely');
    const refused = (q: ReturnType<typeof sql>) =>
      q.execute(tdb.db).then(
        () => 'ran',
        (err: Error) => err.message,
      );
    expect(await refused(sql`update village_file_change set actor_name = 'x'`)).toBe(
      '村情档案的修改记录只能追加，不能修改或删除',
    );
    expect(await refused(sql`delete from village_file_change`)).toBe('村情档案的修改记录只能追加，不能修改或删除');
    expect(await refused(sql`truncate village_file_change`)).toBe('村情档案的修改记录只能追加，不能修改或删除');
    expect(
      await refused(
        sql`insert into village_file (village_id, year, updated_by) values (${cast.tree.township}, 2030, ${cast.township.id})`,
      ),
    ).toBe('村情档案只能建在村一级');
  });
});
