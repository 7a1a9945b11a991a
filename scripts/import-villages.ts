// npm run import:villages -- FILE [--city 市名] [--county 县名] [--dry-run]
// Imports villages from a CSV or XLSX file (columns 县, 乡镇, 村, optional 统计代码) into
// DATABASE_URL or the embedded database under DATA_DIR. A file with any bad row changes nothing:
// every problem is listed and the command exits with status 1.
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../server/config.ts';
import { connect, type Connected } from '../server/db/connect.ts';
import { AppError } from '../server/errors.ts';
import { importVillagesFromCli, type CliImport } from '../server/modules/regions/import.cli.ts';
import type { RowError } from '../server/modules/regions/import.rules.ts';

const USAGE = '用法：npm run import:villages -- 文件.csv|文件.xlsx [--city 市名] [--county 县名] [--dry-run]';

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

function parse() {
  try {
    const { values, positionals } = parseArgs({
      allowPositionals: true,
      options: { city: { type: 'string' }, county: { type: 'string' }, 'dry-run': { type: 'boolean' } },
    });
    if (positionals.length !== 1) fail(USAGE);
    return { file: positionals[0] as string, city: values.city, county: values.county, dryRun: !!values['dry-run'] };
  } catch (err) {
    return fail(`${(err as Error).message}\n${USAGE}`);
  }
}

function report({ result, root }: CliImport): string {
  const { created } = result;
  const where = `${root.level === 'city' ? '市' : '县'}「${root.name}」${root.created ? '（新建）' : ''}`;
  return [
    `${result.dryRun ? '试导入（未写入数据库）' : '导入完成'}：${where}，共 ${result.rows} 行`,
    `  新建：${created.counties} 个县、${created.townships} 个乡镇、${created.villages} 个村`,
    `  补上代码：${result.codesSet} 个村`,
    `  已存在、无变化：${result.unchanged} 行`,
  ].join('\n');
}

function rowErrors(err: AppError): string {
  const errors = ((err.details as { errors?: RowError[] } | undefined)?.errors ?? []).map((e) =>
    e.row === 0 ? e.message : `  第 ${e.row} 行${e.column ? `「${e.column}」` : ''}：${e.message}`,
  );
  return [err.message, ...errors].join('\n');
}

const args = parse();
let bytes: Buffer;
try {
  bytes = fs.readFileSync(args.file);
} catch (err) {
  fail(`无法读取文件 ${args.file}：${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
}

let database: Connected | undefined;
let status = 0;
try {
  database = await connect(loadConfig());
  const done = await importVillagesFromCli(
    database.db,
    { filename: path.basename(args.file), bytes },
    { city: args.city, county: args.county },
    { dryRun: args.dryRun },
  );
  process.stdout.write(`${report(done)}\n`);
} catch (err) {
  status = 1;
  process.stderr.write(`${err instanceof AppError ? rowErrors(err) : `导入失败：${(err as Error).message}`}\n`);
} finally {
  await database?.shutdown();
}
process.exit(status);
