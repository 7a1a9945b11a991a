// Village import from a CSV or XLSX file (columns 县, 乡镇, 村, optional 统计代码).
// - Every row is checked first and every problem reported; a file with any problem changes nothing.
// - One transaction, imports serialized by an advisory lock, a handful of set-based statements
//   whatever the number of rows.
// - Idempotent: regions are matched by (parent, name); a re-import creates nothing. A code fills
//   an empty code; a code that belongs to another region is an error, never a silent move.
// - One audit entry per applied import (a re-import that changes nothing is still recorded: an
//   official did import a file). Dry runs and rejected files record nothing.
import type { Transaction } from 'kysely';
import type { Db } from '../../db/database.ts';
import type { DB } from '../../db/schema.ts';
import { AppError, forbidden } from '../../errors.ts';
import { assertRole, type CurrentUser } from '../../lib/access.ts';
import { actorOf, recordAudit, type Actor } from '../audit/audit.service.ts';
import { IMPORT_LIMITS, type ImportLimits } from './import.limits.ts';
import { readGridInWorker } from './import.pool.ts';
import { planImport, TreeIndex, type ImportPlan, type ImportRoot } from './import.plan.ts';
import { checkRows, FileError, findHeader, rejectionMessage, reportErrors, type RowError } from './import.rules.ts';
import * as repo from './regions.repository.ts';

export interface ImportFile {
  filename: string;
  bytes: Buffer;
}

export interface ImportResult {
  dryRun: boolean;
  rows: number;
  created: { counties: number; townships: number; villages: number };
  unchanged: number;
  /** existing villages that had no code and received the file's code */
  codesSet: number;
}

interface Checked {
  rows: ReturnType<typeof checkRows>['rows'];
  errors: RowError[];
  codeColumn: string;
}

class DryRunDone extends Error {
  constructor(readonly result: ImportResult) {
    super('dry run');
  }
}

/** Parses (in a worker thread, within `limits`) and checks the file on its own, before any database work. */
export async function checkFile(
  file: ImportFile,
  countyName: string | undefined,
  limits: ImportLimits = IMPORT_LIMITS,
): Promise<Checked> {
  try {
    const grid = await readGridInWorker(file.filename, file.bytes, limits);
    const header = findHeader(grid);
    return { ...checkRows(grid, header, countyName), codeColumn: header.codeLabel };
  } catch (err) {
    if (err instanceof FileError) throw new AppError('INVALID_FILE', err.message);
    throw err;
  }
}

function reject(errors: RowError[]): never {
  throw new AppError('IMPORT_REJECTED', rejectionMessage(errors.length), { errors: reportErrors(errors) });
}

async function applyPlan(trx: Transaction<DB>, index: TreeIndex, plan: ImportPlan): Promise<number> {
  const inserted = async (level: 'county' | 'township' | 'village', rows: Parameters<typeof repo.insertRegions>[2]) => {
    const created = await repo.insertRegions(trx, level, rows);
    // Only a writer outside the import lock could have taken a name between our read and write.
    if (created.length !== rows.length) throw new AppError('CONFLICT', '区域数据在导入过程中被修改，请重新导入');
    for (const r of created) index.add({ ...r, level });
  };
  const rootId = index.root.id;
  await inserted(
    'county',
    plan.newCounties.map((name) => ({ parentId: rootId, name, code: null })),
  );
  const countyId = (name: string) => index.county(name)?.id as number;
  await inserted(
    'township',
    plan.newTownships.map((t) => ({ parentId: countyId(t.county), name: t.name, code: null })),
  );
  await inserted(
    'village',
    plan.newVillages.map((v) => ({
      parentId: index.township(v.county, v.township)?.id as number,
      name: v.name,
      code: v.code,
    })),
  );
  return repo.setCodes(trx, plan.codeUpdates);
}

function resultOf(plan: ImportPlan, rows: number, dryRun: boolean): ImportResult {
  const { newCounties, newTownships, newVillages } = plan;
  return {
    dryRun,
    rows,
    created: { counties: newCounties.length, townships: newTownships.length, villages: newVillages.length },
    unchanged: plan.unchanged,
    codesSet: plan.codeUpdates.length,
  };
}

/** Matches the checked rows against the database and, unless any row is rejected, applies them. */
export async function runImport(
  trx: Transaction<DB>,
  actor: Actor,
  root: ImportRoot,
  checked: Checked,
  opts: { filename: string; dryRun: boolean },
): Promise<ImportResult> {
  const index = new TreeIndex(root, await repo.listSubtree(trx, root.id));
  const codes = checked.rows.flatMap((r) => (r.code === null ? [] : [r.code]));
  const owners = new Map((await repo.findCodeOwners(trx, codes)).map((o) => [o.code, o.id]));
  const plan = planImport(checked.rows, index, owners, checked.codeColumn);
  const errors = [...checked.errors, ...plan.errors];
  if (errors.length > 0) reject(errors);
  const result = resultOf(plan, checked.rows.length, opts.dryRun);
  if (opts.dryRun) return result;
  const codesSet = await applyPlan(trx, index, plan);
  if (codesSet !== plan.codeUpdates.length) throw new AppError('CONFLICT', '区域数据在导入过程中被修改，请重新导入');
  await recordAudit(
    trx,
    actor,
    'regions.import',
    { type: 'region', id: root.id, regionId: root.id },
    { filename: opts.filename, rows: result.rows, created: result.created, unchanged: result.unchanged, codesSet },
  );
  return result;
}

/** Runs `work` in one transaction; a dry run rolls back whatever it did (e.g. a new city). */
export async function inTransaction(db: Db, dryRun: boolean, work: (trx: Transaction<DB>) => Promise<ImportResult>) {
  try {
    return await db.transaction().execute(async (trx) => {
      await repo.lockImports(trx);
      const result = await work(trx);
      if (dryRun) throw new DryRunDone(result);
      return result;
    });
  } catch (err) {
    if (err instanceof DryRunDone) return err.result;
    throw err;
  }
}

/** The console's import: rows go under the caller's own city or county. */
export async function importVillages(
  db: Db,
  user: CurrentUser,
  file: ImportFile,
  opts: { dryRun?: boolean; limits?: ImportLimits } = {},
): Promise<ImportResult> {
  assertRole(user, ['admin', 'city', 'county']);
  const region = await repo.findRegion(db, user.regionId);
  if (!region || (region.level !== 'city' && region.level !== 'county')) throw forbidden();
  const root: ImportRoot = { id: region.id, level: region.level, name: region.name };
  const checked = await checkFile(file, root.level === 'county' ? root.name : undefined, opts.limits);
  const dryRun = opts.dryRun ?? false;
  return inTransaction(db, dryRun, (trx) =>
    runImport(trx, actorOf(user), root, checked, { filename: file.filename, dryRun }),
  );
}
