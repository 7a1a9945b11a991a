// The command line's village import (npm run import:villages): the same checks and transaction as
// the console's, with the CLI as the audit actor. With --county the rows go under that existing
// county; otherwise under the city named by --city (created when missing) or the only city.
import type { Db } from '../../db/database.ts';
import { AppError } from '../../errors.ts';
import { CLI_ACTOR } from '../audit/audit.service.ts';
import type { ImportRoot } from './import.plan.ts';
import { isValidName } from './import.rules.ts';
import { checkFile, inTransaction, runImport, type ImportFile, type ImportResult } from './import.service.ts';
import * as repo from './regions.repository.ts';

export interface CliTarget {
  city?: string;
  county?: string;
}

export interface CliImport {
  result: ImportResult;
  root: { level: 'city' | 'county'; name: string; created: boolean };
}

const badTarget = (message: string) => new AppError('BAD_REQUEST', message);

async function cityNamed(db: Db, name: string | undefined): Promise<{ id: number; name: string } | undefined> {
  const cities = await repo.listCities(db);
  if (name !== undefined) return cities.find((c) => c.name === name);
  if (cities.length === 1) return cities[0];
  if (cities.length === 0) throw badTarget('数据库中还没有市：请用 --city 市名 指定（将自动新建）');
  throw badTarget(
    `数据库中有 ${cities.length} 个市（${cities.map((c) => c.name).join('、')}），请用 --city 指定导入到哪个市`,
  );
}

async function cliCounty(db: Db, target: CliTarget & { county: string }): Promise<ImportRoot> {
  const city = target.city === undefined ? undefined : await cityNamed(db, target.city);
  if (target.city !== undefined && !city) throw badTarget(`找不到市「${target.city}」`);
  const counties = await repo.findCountiesNamed(db, target.county, city?.id);
  const only = counties[0];
  if (!only) throw badTarget(`找不到县「${target.county}」；不加 --county 时，文件中的县会在市下自动新建`);
  if (counties.length > 1)
    throw badTarget(`有 ${counties.length} 个名为「${target.county}」的县，请再用 --city 指明所属的市`);
  return { id: only.id, level: 'county', name: only.name };
}

export async function importVillagesFromCli(
  db: Db,
  file: ImportFile,
  target: CliTarget,
  opts: { dryRun?: boolean } = {},
): Promise<CliImport> {
  const dryRun = opts.dryRun ?? false;
  const cityName = target.city?.trim();
  if (cityName !== undefined && !isValidName(cityName)) {
    throw badTarget('--city 须为 1–64 个字的市名');
  }
  const county =
    target.county === undefined ? undefined : await cliCounty(db, { city: cityName, county: target.county.trim() });
  const city = county ? undefined : await cityNamed(db, cityName);
  const checked = await checkFile(file, county?.name);
  let created = false;
  const result = await inTransaction(db, dryRun, async (trx) => {
    let root = county ?? (city && { id: city.id, level: 'city' as const, name: city.name });
    if (!root) {
      root = { id: await repo.insertCity(trx, cityName as string), level: 'city', name: cityName as string };
      created = true;
    }
    return runImport(trx, CLI_ACTOR, root, checked, { filename: file.filename, dryRun });
  });
  return {
    result,
    root: { level: county ? 'county' : 'city', name: county?.name ?? city?.name ?? (cityName as string), created },
  };
}
