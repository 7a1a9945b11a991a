import ExcelJS from 'exceljs';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../server/db/database.ts';
import { AppError } from '../../server/errors.ts';
import type { CurrentUser, Role } from '../../server/lib/access.ts';
import { importVillagesFromCli } from '../../server/modules/regions/import.cli.ts';
import { importVillages, type ImportFile } from '../../server/modules/regions/import.service.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { createOfficial, createRegion } from '../helpers/factories.ts';

let tdb: TestDatabase;
let db: Db;

beforeAll(async () => {
  tdb = await createTestDatabase();
  db = tdb.db;
});

afterAll(async () => {
  await tdb.close();
});

async function userAt(role: Role, regionId: number): Promise<CurrentUser> {
  const official = await createOfficial(db, role, regionId);
  const region = await db.selectFrom('region').select('path').where('id', '=', regionId).executeTakeFirstOrThrow();
  return { id: official.id, username: official.username, displayName: '', role, regionId, regionPath: region.path };
}

const csv = (rows: string[][], filename = 'villages.csv'): ImportFile => ({
  filename,
  bytes: Buffer.from(rows.map((r) => r.join(',')).join('\r\n'), 'utf8'),
});

/** GB18030 bytes of `text`, built from Node's decoder (Node has no GBK encoder). */
function gb18030(text: string): Buffer {
  const table = new Map<string, number[]>();
  const decoder = new TextDecoder('gb18030');
  for (let lead = 0x81; lead <= 0xfe; lead++) {
    for (let trail = 0x40; trail <= 0xfe; trail++)
      table.set(decoder.decode(new Uint8Array([lead, trail])), [lead, trail]);
  }
  return Buffer.from(
    [...text].flatMap((ch) => (ch.charCodeAt(0) < 0x80 ? [ch.charCodeAt(0)] : (table.get(ch) as number[]))),
  );
}

async function rejection(promise: Promise<unknown>): Promise<AppError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  return err as AppError;
}

/** Every region below `rootId` as "level:name:code" lines, and the audit entries of imports. */
async function snapshot(rootId: number) {
  const regions = await db
    .selectFrom('region')
    .select(['level', 'name', 'code'])
    .where(sql<boolean>`path @> array[${rootId}]::int[]`)
    .where('id', '<>', rootId)
    .orderBy('id')
    .execute();
  const audits = await db
    .selectFrom('audit_event')
    .select(['action', 'detail', 'region_id as regionId'])
    .where('region_id', '=', rootId)
    .orderBy('id')
    .execute();
  return { regions: regions.map((r) => `${r.level}:${r.name}:${r.code ?? ''}`), audits };
}

const HEADER = ['县', '乡镇', '村', '统计代码'];

describe('importing villages as a city official', () => {
  it('creates counties, townships and villages, and a re-import changes nothing but adds its own audit entry', async () => {
    const city = await createRegion(db, 'city', null, '甲市');
    const user = await userAt('city', city);
    const file = csv([
      HEADER,
      [' 东县 ', '城关镇', '东关村', '610101001001'],
      ['东县', '城关镇', '西关村', '610101001002'],
      ['东县', '河口乡', '河口村', ''],
      ['', '', '', ''],
      ['西县', '新集镇', '新集村', '610102001001'],
    ]);

    const first = await importVillages(db, user, file);
    expect(first).toEqual({
      dryRun: false,
      rows: 4,
      created: { counties: 2, townships: 3, villages: 4 },
      unchanged: 0,
      codesSet: 0,
    });
    const after = await snapshot(city);
    expect(after.regions).toEqual([
      'county:东县:',
      'county:西县:',
      'township:城关镇:',
      'township:河口乡:',
      'township:新集镇:',
      'village:东关村:610101001001',
      'village:西关村:610101001002',
      'village:河口村:',
      'village:新集村:610102001001',
    ]);
    expect(after.audits).toEqual([
      {
        action: 'regions.import',
        regionId: city,
        detail: {
          filename: 'villages.csv',
          rows: 4,
          created: { counties: 2, townships: 3, villages: 4 },
          unchanged: 0,
          codesSet: 0,
        },
      },
    ]);

    const again = await importVillages(db, user, file);
    expect(again).toEqual({
      dryRun: false,
      rows: 4,
      created: { counties: 0, townships: 0, villages: 0 },
      unchanged: 4,
      codesSet: 0,
    });
    const final = await snapshot(city);
    expect(final.regions).toEqual(after.regions);
    expect(final.audits).toHaveLength(2);
    expect(final.audits[1]?.detail).toMatchObject({
      created: { counties: 0, townships: 0, villages: 0 },
      unchanged: 4,
    });
  });

  it('fills in a missing code of an existing village and refuses one that contradicts it', async () => {
    const city = await createRegion(db, 'city', null, '乙市');
    const user = await userAt('admin', city);
    await importVillages(
      db,
      user,
      csv([HEADER, ['南县', '南镇', '一村', ''], ['南县', '南镇', '二村', '620101001002']]),
    );

    const filled = await importVillages(db, user, csv([HEADER, ['南县', '南镇', '一村', '620101001001']]));
    expect(filled).toMatchObject({ rows: 1, unchanged: 0, codesSet: 1, created: { villages: 0 } });
    expect((await snapshot(city)).regions).toContain('village:一村:620101001001');

    const err = await rejection(importVillages(db, user, csv([HEADER, ['南县', '南镇', '二村', '620101009999']])));
    expect(err.details).toEqual({
      errors: [{ row: 2, column: '统计代码', message: '该村已有代码 620101001002，与本行的 620101009999 不一致' }],
    });
  });

  it('refuses a code that belongs to another region instead of moving or renaming it', async () => {
    const city = await createRegion(db, 'city', null, '丙市');
    const user = await userAt('city', city);
    await importVillages(db, user, csv([HEADER, ['北县', '北镇', '老村', '630101001001']]));
    const elsewhere = await createRegion(db, 'city', null, '丁市');
    await createRegion(db, 'county', elsewhere, '外县', '630199');
    const before = await snapshot(city);

    const err = await rejection(
      importVillages(
        db,
        user,
        csv([HEADER, ['北县', '北镇', '新村', '630101001001'], ['北县', '北镇', '别村', '630199']]),
      ),
    );
    expect(err.code).toBe('IMPORT_REJECTED');
    expect(err.details).toEqual({
      errors: [
        {
          row: 2,
          column: '统计代码',
          message:
            '代码 630101001001 已属于「北县 / 北镇 / 老村」，与本行的名称或上级不同；导入不会移动或改名已有的区域',
        },
        {
          row: 3,
          column: '统计代码',
          message: '代码 630199 已属于本辖区以外的区域，与本行的名称或上级不同；导入不会移动或改名已有的区域',
        },
      ],
    });
    expect(await snapshot(city)).toEqual(before);
  });

  it('reports every bad row with its spreadsheet row and column, and writes nothing of a rejected file', async () => {
    const city = await createRegion(db, 'city', null, '戊市');
    const user = await userAt('city', city);
    const countBefore = await db
      .selectFrom('region')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    const err = await rejection(
      importVillages(
        db,
        user,
        csv([
          HEADER,
          ['好县', '好镇', '好村', '640101001001'],
          ['', '好镇', '无县村', ''],
          ['好县', '好镇', '村'.repeat(65), ''],
          ['好县', '好镇', '码村', '12345'],
          ['好县', '好镇', '科村', '6.40101E+11'],
          ['好县', '好镇', '好村', ''],
          ['好县', '好镇', '同码村', '640101001001'],
        ]),
      ),
    );
    expect(err.message).toBe('导入文件有 6 处错误，未导入任何数据');
    expect(err.details).toEqual({
      errors: [
        { row: 3, column: '县', message: '不能为空' },
        { row: 4, column: '村', message: '名称过长（65 个字，最多 64 个字）' },
        { row: 5, column: '统计代码', message: '代码「12345」不合法：应为 6–12 位数字' },
        {
          row: 6,
          column: '统计代码',
          message: '代码「6.40101E+11」被 Excel 显示成了科学计数法：请把该列设为文本格式后重新保存',
        },
        { row: 7, column: '村', message: '与第 2 行重复：同一个村出现了两次' },
        { row: 8, column: '统计代码', message: '代码 640101001001 与第 2 行的村相同：不同的村不能使用同一代码' },
      ],
    });
    const countAfter = await db
      .selectFrom('region')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    expect(countAfter.n).toBe(countBefore.n);
    expect((await snapshot(city)).audits).toEqual([]);
  });

  it('rolls back everything it created when a write fails midway', async () => {
    const city = await createRegion(db, 'city', null, '午市');
    const user = await userAt('city', city);
    const county = await createRegion(db, 'county', city, '旧县');
    const township = await createRegion(db, 'township', county, '旧镇');
    const before = await snapshot(city);
    // Another writer holds an uncommitted village of the same name: the import's insert of that
    // village waits for it, then finds the name taken and must undo the county it already created.
    const other = new pg.Client({ connectionString: tdb.url });
    await other.connect();
    await other.query('begin');
    await other.query("insert into region (level, parent_id, name) values ('village', $1, '争村')", [township]);
    const importing = rejection(
      importVillages(
        db,
        user,
        csv([
          ['县', '乡镇', '村'],
          ['新县', '新镇', '新村'],
          ['旧县', '旧镇', '争村'],
        ]),
      ),
    );
    while (
      (
        await other.query(
          "select 1 from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'",
        )
      ).rowCount === 0
    ) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await other.query('commit');
    await other.end();
    const err = await importing;
    expect([err.code, err.message]).toEqual(['CONFLICT', '区域数据在导入过程中被修改，请重新导入']);
    expect(await snapshot(city)).toEqual({ regions: [...before.regions, 'village:争村:'], audits: [] });
  });

  it('lists at most 1,000 errors and then says how many more there are', async () => {
    const city = await createRegion(db, 'city', null, '己市');
    const user = await userAt('city', city);
    const rows = Array.from({ length: 1200 }, (_, i) => ['', '镇', `村${i}`]);
    const err = await rejection(importVillages(db, user, csv([['县', '乡镇', '村'], ...rows])));
    const errors = (err.details as { errors: { row: number; message: string }[] }).errors;
    expect(err.message).toBe('导入文件有 1200 处错误，未导入任何数据');
    expect(errors).toHaveLength(1001);
    expect(errors[999]).toEqual({ row: 1001, column: '县', message: '不能为空' });
    expect(errors[1000]).toEqual({ row: 0, column: '', message: '仅列出前 1000 处错误，另有 200 处未列出' });
  });

  it('checks a dry run completely but writes nothing', async () => {
    const city = await createRegion(db, 'city', null, '庚市');
    const user = await userAt('city', city);
    const result = await importVillages(db, user, csv([HEADER, ['试县', '试镇', '试村', '']]), { dryRun: true });
    expect(result).toEqual({
      dryRun: true,
      rows: 1,
      created: { counties: 1, townships: 1, villages: 1 },
      unchanged: 0,
      codesSet: 0,
    });
    expect(await snapshot(city)).toEqual({ regions: [], audits: [] });
  });
});

describe('file formats', () => {
  it('reads a GBK/GB18030 CSV as saved by Chinese Excel', async () => {
    const city = await createRegion(db, 'city', null, '辛市');
    const user = await userAt('city', city);
    const bytes = gb18030('县,乡镇,村,区划代码\r\n红旗县,向阳镇,胜利村,650101001001\r\n');
    expect(() => new TextDecoder('utf-8', { fatal: true }).decode(bytes)).toThrow();
    const result = await importVillages(db, user, { filename: 'GBK.CSV', bytes });
    expect(result.created).toEqual({ counties: 1, townships: 1, villages: 1 });
    expect((await snapshot(city)).regions).toEqual([
      'county:红旗县:',
      'township:向阳镇:',
      'village:胜利村:650101001001',
    ]);
  });

  it('reads UTF-8 with a byte-order mark and the first worksheet of an XLSX', async () => {
    const city = await createRegion(db, 'city', null, '壬市');
    const user = await userAt('city', city);
    const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('县,乡镇,村\n山县,山镇,山村\n')]);
    await importVillages(db, user, { filename: 'bom.csv', bytes: bom });

    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('村名单');
    sheet.addRows([
      ['县', '乡镇', '村', '统计代码'],
      ['山县', '山镇', '山村', 660101001001],
      ['山县', '水镇', '水村', '660101002001'],
    ]);
    workbook.addWorksheet('备注').addRow(['县', '乡镇', '村']);
    const bytes = Buffer.from(await workbook.xlsx.writeBuffer());
    const result = await importVillages(db, user, { filename: '名单.xlsx', bytes });
    expect(result).toEqual({
      dryRun: false,
      rows: 2,
      created: { counties: 0, townships: 1, villages: 1 },
      unchanged: 0,
      codesSet: 1,
    });
    expect((await snapshot(city)).regions).toEqual([
      'county:山县:',
      'township:山镇:',
      'village:山村:660101001001',
      'township:水镇:',
      'village:水村:660101002001',
    ]);
  });

  it('finds the header below a title row and fills merged 县/乡镇 cells of an XLSX from their first cell', async () => {
    const city = await createRegion(db, 'city', null, '卯市');
    const user = await userAt('city', city);
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('村名单');
    sheet.addRows([
      ['卯市村级区划表'],
      ['县（区）', '乡镇（街道）', '村（社区）'],
      ['卯县', '卯镇', '一村'],
      [null, null, '二村'],
      [null, '辰镇', '三村'],
    ]);
    sheet.mergeCells('A3:A5');
    sheet.mergeCells('B3:B4');
    const bytes = Buffer.from(await workbook.xlsx.writeBuffer());
    const result = await importVillages(db, user, { filename: '名单.xlsx', bytes });
    expect(result.created).toEqual({ counties: 1, townships: 2, villages: 3 });
    expect((await snapshot(city)).regions).toEqual([
      'county:卯县:',
      'township:卯镇:',
      'township:辰镇:',
      'village:一村:',
      'village:二村:',
      'village:三村:',
    ]);
  });

  it('answers INVALID_FILE for a missing column, a corrupt XLSX and an old .xls, 413 for an oversized XLSX', async () => {
    const city = await createRegion(db, 'city', null, '癸市');
    const user = await userAt('city', city);
    const missing = await rejection(
      importVillages(
        db,
        user,
        csv([
          ['县', '村'],
          ['a', 'b'],
        ]),
      ),
    );
    expect([missing.code, missing.message]).toEqual(['INVALID_FILE', '表头（第 1 行）缺少必需的列：乡镇']);
    const corrupt = await rejection(
      importVillages(db, user, { filename: 'a.xlsx', bytes: Buffer.from('PK\u0003\u0004junk') }),
    );
    expect([corrupt.code, corrupt.message]).toEqual(['INVALID_FILE', '无法读取该 .xlsx 文件，请确认文件未损坏']);
    const bomb = Buffer.from(await new ExcelJS.Workbook().xlsx.writeBuffer());
    const entry = bomb.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    bomb.writeUInt32LE(0xfffffff0, entry + 24);
    const huge = await rejection(importVillages(db, user, { filename: 'bomb.xlsx', bytes: bomb }));
    expect([huge.code, huge.message]).toEqual([
      'PAYLOAD_TOO_LARGE',
      '文件解压后约 4096 MB，超过 50 MB 的上限，请拆分后再导入',
    ]);
    const xls = await rejection(importVillages(db, user, { filename: 'a.xls', bytes: Buffer.from('x') }));
    expect(xls.code).toBe('INVALID_FILE');
  });
});

describe('scope', () => {
  it('lets a county official import only into their own county', async () => {
    const city = await createRegion(db, 'city', null, '子市');
    const county = await createRegion(db, 'county', city, '本县');
    const user = await userAt('county', county);
    const err = await rejection(
      importVillages(
        db,
        user,
        csv([
          ['县', '乡镇', '村'],
          ['本县', '甲镇', '甲村'],
          ['邻县', '乙镇', '乙村'],
        ]),
      ),
    );
    expect(err.details).toEqual({
      errors: [{ row: 3, column: '县', message: '「邻县」不是您所在的县「本县」，只能导入本县的村' }],
    });
    expect((await snapshot(city)).regions).toEqual(['county:本县:']);

    const ok = await importVillages(
      db,
      user,
      csv([
        ['县', '乡镇', '村'],
        ['本县', '甲镇', '甲村'],
      ]),
    );
    expect(ok.created).toEqual({ counties: 0, townships: 1, villages: 1 });
  });

  it('refuses callers whose region is not a city or a county', async () => {
    const city = await createRegion(db, 'city', null, '丑市');
    const county = await createRegion(db, 'county', city, '丑县');
    const township = await createRegion(db, 'township', county, '丑镇');
    const admin = await userAt('admin', township);
    const err = await rejection(
      importVillages(
        db,
        admin,
        csv([
          ['县', '乡镇', '村'],
          ['丑县', '丑镇', '村'],
        ]),
      ),
    );
    expect(err.code).toBe('FORBIDDEN');
  });
});

describe('the command line import', () => {
  it('creates the named city, imports under it and records the CLI as the actor', async () => {
    const file = csv([
      ['县', '乡镇', '村'],
      ['寅县', '寅镇', '寅村'],
    ]);
    const dry = await importVillagesFromCli(db, file, { city: '寅市' }, { dryRun: true });
    expect(dry.root).toEqual({ level: 'city', name: '寅市', created: true });
    expect(await db.selectFrom('region').select('id').where('name', '=', '寅市').execute()).toEqual([]);

    const done = await importVillagesFromCli(db, file, { city: '寅市' });
    expect(done.result.created).toEqual({ counties: 1, townships: 1, villages: 1 });
    const city = await db.selectFrom('region').select('id').where('name', '=', '寅市').executeTakeFirstOrThrow();
    const audit = await db
      .selectFrom('audit_event')
      .select(['actor_role as role', 'actor_id as actorId'])
      .where('region_id', '=', city.id)
      .execute();
    expect(audit).toEqual([{ role: 'cli', actorId: null }]);

    const byCounty = await importVillagesFromCli(db, file, { county: '寅县', city: '寅市' });
    expect(byCounty.result.unchanged).toBe(1);
  });

  it('asks which city when several exist and none is named', async () => {
    const err = await rejection(
      importVillagesFromCli(
        db,
        csv([
          ['县', '乡镇', '村'],
          ['a', 'b', 'c'],
        ]),
        {},
      ),
    );
    expect(err.message).toMatch(/^数据库中有 \d+ 个市（.*），请用 --city 指定导入到哪个市$/);
  });
});
