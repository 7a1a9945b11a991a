// The village import's limits (issue 8): every limit refuses with its own Chinese message and the
// number, changes nothing in the database, and a zip bomb is refused from its directory alone.
import ExcelJS from 'exceljs';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../server/db/database.ts';
import { AppError } from '../../server/errors.ts';
import type { CurrentUser } from '../../server/lib/access.ts';
import { IMPORT_LIMITS, type ImportLimits } from '../../server/modules/regions/import.limits.ts';
import { importVillages, type ImportFile } from '../../server/modules/regions/import.service.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { createOfficial, createRegion } from '../helpers/factories.ts';
import { deflatedPart, repeatedPart, SHEET_HEAD, SHEET_TAIL, xlsxWithSheet, zip, type Part } from '../helpers/zip.ts';

// Each parse starts a worker thread that loads exceljs: seconds on a busy 2-core machine.
const SLOW = { timeout: 90_000 };

let tdb: TestDatabase;
let db: Db;
let user: CurrentUser;
let cityId: number;

beforeAll(async () => {
  tdb = await createTestDatabase();
  db = tdb.db;
  cityId = await createRegion(db, 'city', null, '限市');
  const official = await createOfficial(db, 'city', cityId);
  const region = await db.selectFrom('region').select('path').where('id', '=', cityId).executeTakeFirstOrThrow();
  user = { ...official, displayName: '', regionPath: region.path };
});

afterAll(async () => {
  await tdb.close();
});

/** Everything an import could have written: regions and audit entries. */
async function written() {
  const regions = await db
    .selectFrom('region')
    .select(sql<string>`count(*)`.as('n'))
    .executeTakeFirstOrThrow();
  const audits = await db
    .selectFrom('audit_event')
    .select(sql<string>`count(*)`.as('n'))
    .executeTakeFirstOrThrow();
  return { regions: regions.n, audits: audits.n };
}

/** Imports `file` and returns the refusal as [code, status, message]; asserts that nothing was written. */
async function refusal(file: ImportFile, limits?: Partial<ImportLimits>): Promise<[string, number, string]> {
  const before = await written();
  const err = await importVillages(db, user, file, { limits: limits && { ...IMPORT_LIMITS, ...limits } }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  expect(await written()).toEqual(before);
  const e = err as AppError;
  return [e.code, e.statusCode, e.message];
}

const csv = (lines: string[]): ImportFile => ({ filename: 'v.csv', bytes: Buffer.from(lines.join('\n')) });
const xlsx = (bytes: Buffer): ImportFile => ({ filename: 'v.xlsx', bytes });

async function workbook(rows: (string | null)[][], merge?: string): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const sheet = wb.addWorksheet('村');
  sheet.addRows(rows);
  if (merge) sheet.mergeCells(merge);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

const villages = (n: number) => [
  ['县', '乡镇', '村'],
  ...Array.from({ length: n }, (_, i) => ['限县', '限镇', `第${i + 1}村`]),
];

describe('an XLSX refused from its ZIP directory, before anything is inflated', SLOW, () => {
  it('refuses a worksheet that inflates past 50 MB (a real 144 MB zip bomb of 0.4 MB)', async () => {
    const sheet = await repeatedPart(
      'xl/worksheets/sheet1.xml',
      SHEET_HEAD,
      '<row><c t="inlineStr"><is><t>x</t></is></c></row>',
      3_000_000,
      SHEET_TAIL,
    );
    const bomb = xlsxWithSheet(sheet);
    expect(bomb.length).toBeLessThan(1024 * 1024);
    expect(await refusal(xlsx(bomb))).toEqual([
      'PAYLOAD_TOO_LARGE',
      413,
      '文件解压后约 140 MB，超过 50 MB 的上限，请拆分后再导入',
    ]);
  });

  it('judges by the declared sizes alone: parts that are not even deflate data get the size message', async () => {
    const junk = (name: string, size: number): Part => ({ name, stored: Buffer.from('not deflate'), size, crc: 0 });
    const declared = zip([junk('xl/worksheets/sheet1.xml', 40 * 1024 * 1024), junk('xl/sharedStrings.xml', 30e6)]);
    expect(await refusal(xlsx(declared))).toEqual([
      'PAYLOAD_TOO_LARGE',
      413,
      '文件解压后约 69 MB，超过 50 MB 的上限，请拆分后再导入',
    ]);
    const zip64 = zip([junk('xl/worksheets/sheet1.xml', 0xffffffff)]);
    expect((await refusal(xlsx(zip64)))[2]).toBe('文件解压后超过 50 MB 的上限，请拆分后再导入');
  });

  it('refuses a compression ratio above 100', async () => {
    const sheet = await repeatedPart('xl/worksheets/sheet1.xml', SHEET_HEAD, '<row/>', 400_000, SHEET_TAIL);
    const file = xlsxWithSheet(sheet);
    const ratio = Math.round(sheet.size / file.length);
    expect(ratio).toBeGreaterThan(100);
    expect(await refusal(xlsx(file))).toEqual([
      'PAYLOAD_TOO_LARGE',
      413,
      `文件的压缩比约为 ${ratio} 倍，超过 100 倍的上限，不像正常的表格文件，未导入`,
    ]);
  });

  it('refuses more than 1,000 parts', async () => {
    const parts = Array.from({ length: 1001 }, (_, i) => deflatedPart(`xl/media/p${i}.xml`, '<a/>'));
    expect(await refusal(xlsx(zip(parts)))).toEqual([
      'PAYLOAD_TOO_LARGE',
      413,
      '该 .xlsx 文件内含 1001 个部件，超过 1000 个的上限，不像正常的表格文件，未导入',
    ]);
  });

  it('never inflates a part past the size its directory declares', async () => {
    const sheet = await repeatedPart('xl/worksheets/sheet1.xml', SHEET_HEAD, '<row/>', 2_000_000, SHEET_TAIL);
    const lying = xlsxWithSheet({ ...sheet, size: 1000 });
    expect(await refusal(xlsx(lying))).toEqual(['INVALID_FILE', 400, '无法读取该 .xlsx 文件，请确认文件未损坏']);
  });
});

describe('rows and cells', SLOW, () => {
  it('refuses more than 20,000 rows of a CSV', async () => {
    expect(await refusal(csv(villages(20_000).map((r) => r.join(','))))).toEqual([
      'PAYLOAD_TOO_LARGE',
      413,
      '文件超过 20000 行的上限，请拆分后再导入',
    ]);
  });

  it('refuses an XLSX over the row limit from its XML, before exceljs reads it', async () => {
    const rows = villages(10);
    expect(await refusal(xlsx(await workbook(rows)), { maxRows: 10 })).toEqual([
      'PAYLOAD_TOO_LARGE',
      413,
      '文件超过 10 行的上限，请拆分后再导入',
    ]);
  });

  it('counts cells in CSV fields, XLSX cells, merged areas and rows padded to a far column', async () => {
    const message = (n: number) => ['PAYLOAD_TOO_LARGE', 413, `文件超过 ${n} 个单元格的上限，请拆分后再导入`];
    expect(await refusal(csv(villages(10).map((r) => r.join(','))), { maxCells: 32 })).toEqual(message(32));
    expect(await refusal(xlsx(await workbook(villages(10))), { maxCells: 32 })).toEqual(message(32));
    expect(await refusal(xlsx(await workbook(villages(2), 'E1:Z99')), { maxCells: 2000 })).toEqual(message(2000));
    // 20 cells in the XML, but exceljs makes every row 16,384 cells wide: 327,680 cells.
    const wide = villages(19).map(
      (r, i) => `<row r="${i + 1}"><c r="XFD${i + 1}" t="inlineStr"><is><t>${r[2]}</t></is></c></row>`,
    );
    const file = xlsxWithSheet(deflatedPart('xl/worksheets/sheet1.xml', SHEET_HEAD + wide.join('') + SHEET_TAIL));
    expect(await refusal(xlsx(file))).toEqual(message(200_000));
  });

  it('still imports 5,000 villages (the benchmark) under the default limits', async () => {
    const rows = Array.from({ length: 5000 }, (_, i) => [`县${i % 10}`, `镇${i % 250}`, `村${i}`]);
    const result = await importVillages(db, user, xlsx(await workbook([['县', '乡镇', '村'], ...rows])), {
      dryRun: true,
    });
    expect(result.rows).toBe(5000);
    expect(result.created.villages).toBe(5000);
  });
});

describe('the worker thread', SLOW, () => {
  it('terminates a parse past its deadline', async () => {
    expect(await refusal(xlsx(await workbook(villages(2000))), { timeoutMs: 50 })).toEqual([
      'PAYLOAD_TOO_LARGE',
      413,
      '读取文件超过 0.05 秒的上限，已中止，请拆分后再导入',
    ]);
  });

  it('stops a parse that needs more heap than allowed', async () => {
    expect(await refusal(xlsx(await workbook(villages(19_000))), { memoryMb: 16 })).toEqual([
      'PAYLOAD_TOO_LARGE',
      413,
      '读取文件所需内存超过 16 MB 的上限，已中止，请拆分后再导入',
    ]);
  });

  it('reads one file at a time, lets two wait and answers 429 to a fourth', async () => {
    const file = xlsx(await workbook(villages(3000)));
    const outcomes = await Promise.all(
      Array.from({ length: 4 }, () =>
        importVillages(db, user, file, { dryRun: true }).then(
          (r) => `ok ${r.rows}`,
          (e: AppError) => `${e.statusCode} ${e.message} ${JSON.stringify(e.details)}`,
        ),
      ),
    );
    expect(outcomes.sort()).toEqual([
      '429 服务器正在读取其他导入文件，请 30 秒后再试 {"retryAfterSeconds":30}',
      'ok 3000',
      'ok 3000',
      'ok 3000',
    ]);
  });
});
