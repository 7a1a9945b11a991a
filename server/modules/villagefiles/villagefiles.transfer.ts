// A township's village files as one XLSX (一乡一库): the export, the template to fill in, and the
// import. The export streams (reports.workbook streamWorkbook). The import reads the upload in the
// village import's worker thread (regions/import.pool, same limits), checks every row, and answers
// every problem by row and column with nothing written; a preview (dryRun) says per village what
// would change; applying writes all villages in one transaction, each change in the file's log.
import type { Db } from '../../db/database.ts';
import { AppError } from '../../errors.ts';
import { assertRole, type CurrentUser } from '../../lib/access.ts';
import { IMPORT_LIMITS, type ImportLimits } from '../regions/import.limits.ts';
import { readGridInWorker } from '../regions/import.pool.ts';
import { FileError, rejectionMessage, reportErrors } from '../regions/import.rules.ts';
import { attachment, chinaToday } from '../reports/reports.rules.ts';
import { streamWorkbook } from '../reports/reports.workbook.ts';
import type { Download } from '../reports/reports.service.ts';
import * as repo from './villagefiles.repository.ts';
import { completeness, diff, FIELD_BY_KEY } from './villagefiles.rules.ts';
import { villagesOf, writeFile } from './villagefiles.service.ts';
import { checkGrid, FILE_COLUMNS, fileRow, HELP_COLUMNS, helpRows, type ImportRow } from './villagefiles.sheet.ts';
import type { ImportResult } from './villagefiles.schemas.ts';

async function* once<T>(items: T[]): AsyncGenerator<T[]> {
  yield items;
}

/** Every village of the region (in the caller's subtree) with its file of `year`, or an empty row for the template. */
export async function exportFiles(
  db: Db,
  user: CurrentUser,
  q: { regionId?: number; year: number },
  opts: { template?: boolean; now?: Date } = {},
): Promise<Download> {
  const { region, villages } = await villagesOf(db, user, q.regionId);
  const files = opts.template
    ? []
    : await repo.listFiles(
        db,
        villages.map((v) => v.id),
        q.year,
      );
  const byVillage = new Map(files.map((f) => [f.villageId, f]));
  const stream = streamWorkbook(opts.now ?? new Date(), async (book) => {
    await book.sheet({ name: `村情档案${q.year}`, columns: FILE_COLUMNS }, once(villages), (v) => {
      const f = byVillage.get(v.id);
      return [fileRow(v.townshipName, v.name, f?.data ?? {}, f ? completeness(f.data) : null)];
    });
    if (opts.template) await book.sheet({ name: '填写说明', columns: HELP_COLUMNS }, once(helpRows()), (r) => [r]);
  });
  const kind = opts.template ? '村情档案模板' : '村情档案';
  const day = chinaToday(opts.now ?? new Date());
  const ascii = `${opts.template ? 'village_file_template' : 'village_files'}_${q.year}_${day}.xlsx`;
  return { disposition: attachment(`${kind}_${region.name}_${q.year}年_${day}.xlsx`, ascii), stream };
}

/** Imports one township's files of `year` from the spreadsheet; with dryRun only says what would change. */
export async function importFiles(
  db: Db,
  user: CurrentUser,
  q: { regionId?: number; year: number; dryRun: boolean },
  file: { filename: string; bytes: Buffer },
  limits: ImportLimits = IMPORT_LIMITS,
): Promise<ImportResult> {
  const { region, villages } = await villagesOf(db, user, q.regionId);
  assertRole(user, ['township']);
  if (region.level !== 'township') throw new AppError('BAD_REQUEST', '村情档案按乡镇导入，请选择乡镇');
  const grid = await readGridInWorker(file.filename, file.bytes, limits);
  let checked: ReturnType<typeof checkGrid>;
  try {
    checked = checkGrid(grid, villages, region.name);
  } catch (err) {
    if (err instanceof FileError) throw new AppError('INVALID_FILE', err.message);
    throw err;
  }
  if (checked.errors.length > 0) {
    throw new AppError('IMPORT_REJECTED', rejectionMessage(checked.errors.length), {
      errors: reportErrors(checked.errors),
    });
  }
  return db.transaction().execute(async (trx) => {
    await repo.lockRegion(trx, region.id);
    const result: ImportResult = { dryRun: q.dryRun, year: q.year, rows: checked.rows.length, villages: [] };
    for (const row of checked.rows) result.villages.push(await importRow(trx, user, q, row));
    return result;
  });
}

async function importRow(
  trx: Parameters<typeof writeFile>[0],
  user: CurrentUser,
  q: { year: number; dryRun: boolean },
  row: ImportRow,
): Promise<ImportResult['villages'][number]> {
  const existing = await repo.findFile(trx, row.villageId, q.year, true);
  const changes = diff(existing?.data ?? {}, row.data);
  const action = !existing ? 'create' : changes.length > 0 ? 'update' : 'unchanged';
  if (!q.dryRun && action !== 'unchanged') {
    await writeFile(trx, user, { villageId: row.villageId, year: q.year, existing }, row.data, 'import');
  }
  return {
    row: row.row,
    villageId: row.villageId,
    villageName: row.villageName,
    action,
    fields: changes.map((c) => FIELD_BY_KEY.get(c.field)?.label ?? c.field),
  };
}
