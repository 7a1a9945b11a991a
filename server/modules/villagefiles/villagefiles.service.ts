// 村情档案 (issue 10 item 1), 一村一档、一乡一库: one file per village and year.
// - Scope as everywhere: a village or region outside the caller's subtree is the one 404.
// - 县级组织部门牵头指导，乡镇党委具体负责 (DOMAIN.md): the township keeps (changes) its villages'
//   files; the county and city read their subtree, the village secretary their own village; the
//   admin account runs the system and reads none (routes). A reader who tries to change gets 403.
// - Every change of a file appends its field-level diff with who and when (village_file_change,
//   append-only); a save that changes nothing records nothing. A save names the version it was made
//   on: a file changed meanwhile answers 409 instead of silently overwriting someone's work.
// - A new year starts from last year's file only by an explicit carry-forward (per township or per
//   village); it copies what carries (villagefiles.rules carryForward) and never touches a file the
//   year already has.
import type { Transaction } from 'kysely';
import type { Db } from '../../db/database.ts';
import type { DB } from '../../db/schema.ts';
import { AppError } from '../../errors.ts';
import { assertInScope, assertRole, type CurrentUser } from '../../lib/access.ts';
import { getRegionInScope } from '../regions/regions.service.ts';
import { chinaToday } from '../reports/reports.rules.ts';
import * as repo from './villagefiles.repository.ts';
import type { ChangeAction, FileRow, VillageRow } from './villagefiles.repository.ts';
import {
  carryForward as carried,
  checkData,
  completeness,
  diff,
  displayValue,
  FIELD_BY_KEY,
  FIELDS,
  percentOf,
  type FieldChange,
  type FileData,
} from './villagefiles.rules.ts';
import type { CarryInput, CarryResult, Changes, FileList, FileView, SaveInput } from './villagefiles.schemas.ts';

export const READER_ROLES = ['city', 'county', 'township', 'village'] as const;
const EDITOR_ROLES = ['township'] as const;

export const ACTION_LABEL: Record<ChangeAction, string> = {
  create: '建档',
  update: '修改',
  carry_forward: '沿用上年档案',
  import: '表格导入',
};

/** This year in China. */
export const chinaYear = (now = new Date()): number => Number(chinaToday(now).slice(0, 4));

const mayEdit = (user: CurrentUser): boolean => (EDITOR_ROLES as readonly string[]).includes(user.role);
const villageRef = (v: VillageRow) => ({
  id: v.id,
  name: v.name,
  townshipId: v.townshipId,
  townshipName: v.townshipName,
});

/** The village, if it lies in the caller's subtree; otherwise the one 404. */
export async function villageInScope(db: Db | Transaction<DB>, user: CurrentUser, id: number): Promise<VillageRow> {
  const village = await repo.findVillage(db, id);
  assertInScope(user, village?.path);
  return village as VillageRow;
}

/** The villages of a region in the caller's subtree (default their own region). */
export async function villagesOf(db: Db, user: CurrentUser, regionId: number | undefined) {
  const region = await getRegionInScope(db, user, regionId ?? user.regionId);
  return { region, villages: await repo.listVillages(db, region.id) };
}

export async function listFiles(db: Db, user: CurrentUser, q: { regionId?: number; year?: number }): Promise<FileList> {
  const year = q.year ?? chinaYear();
  const { region, villages } = await villagesOf(db, user, q.regionId);
  const ids = villages.map((v) => v.id);
  const [files, previous] = await Promise.all([
    repo.listFiles(db, ids, year),
    repo.villagesWithFile(db, ids, year - 1),
  ]);
  const byVillage = new Map(files.map((f) => [f.villageId, f]));
  const rows = villages.map((v) => {
    const f = byVillage.get(v.id);
    const c = f ? completeness(f.data) : null;
    return {
      village: villageRef(v),
      file: f && c ? { version: f.version, updatedAt: f.updatedAt.toISOString(), completeness: pick(c) } : null,
      previous: previous.has(v.id),
    };
  });
  return {
    region: { id: region.id, name: region.name, level: region.level },
    year,
    mayEdit: mayEdit(user),
    villages: rows,
    totals: {
      villages: rows.length,
      withFile: files.length,
      complete: rows.filter((r) => r.file?.completeness.percent === 100).length,
    },
  };
}

const pick = (c: { filled: number; required: number; percent: number }) => ({
  filled: c.filled,
  required: c.required,
  percent: c.percent,
});

/**
 * The completeness of every file under a region in `year`, by village, for the board (no scope
 * check: the board did it). Counted in SQL: the board of a county reads a number per file, not the files.
 */
export async function completenessUnder(db: Db, regionId: number, year: number) {
  const keys = FIELDS.filter((f) => f.required).map((f) => f.key);
  const rows = await repo.listFilledCounts(db, regionId, year, keys);
  return new Map(
    rows.map((r) => [
      r.villageId,
      { year, filled: r.filled, required: keys.length, percent: percentOf(r.filled, keys.length) },
    ]),
  );
}

function viewOf(
  user: CurrentUser,
  village: VillageRow,
  year: number,
  file: FileRow | undefined,
  previous: boolean,
): FileView {
  return {
    village: villageRef(village),
    year,
    mayEdit: mayEdit(user),
    previous,
    file: file
      ? { version: file.version, data: file.data, updatedAt: file.updatedAt.toISOString(), updatedBy: file.updatedBy }
      : null,
    completeness: completeness(file?.data ?? {}),
  };
}

export async function getFile(db: Db, user: CurrentUser, villageId: number, year: number): Promise<FileView> {
  const village = await villageInScope(db, user, villageId);
  const [file, previous] = await Promise.all([
    repo.findFile(db, villageId, year),
    repo.villagesWithFile(db, [villageId], year - 1),
  ]);
  return viewOf(user, village, year, file, previous.has(villageId));
}

const conflict = () => new AppError('CONFLICT', '该村档案已被他人修改，请刷新后在最新内容上再改');

/**
 * Writes `data` as the village's file of `year` (creating it, or changing `existing`) and appends
 * the diff; nothing when nothing changed. `existing` must have been read with its lock.
 */
export async function writeFile(
  trx: Transaction<DB>,
  user: CurrentUser,
  target: { villageId: number; year: number; existing: FileRow | undefined },
  data: FileData,
  action: ChangeAction,
): Promise<FieldChange[]> {
  const { existing } = target;
  const changes = diff(existing?.data ?? {}, data);
  if (existing && changes.length === 0) return changes;
  let fileId: number;
  let version = 1;
  if (existing) {
    fileId = existing.id;
    version = await repo.updateFile(trx, existing.id, data, user.id);
  } else {
    try {
      fileId = await repo.insertFile(trx, {
        villageId: target.villageId,
        year: target.year,
        data,
        officialId: user.id,
      });
    } catch (err) {
      // another official created the year's file a moment ago
      if (repo.isUniqueViolation(err)) throw conflict();
      throw err;
    }
  }
  const actorName = user.displayName || user.username;
  await repo.insertChange(trx, {
    fileId,
    action,
    officialId: user.id,
    actorName,
    actorRole: user.role,
    changes,
    version,
  });
  return changes;
}

export async function saveFile(
  db: Db,
  user: CurrentUser,
  villageId: number,
  year: number,
  input: SaveInput,
): Promise<FileView> {
  await villageInScope(db, user, villageId);
  assertRole(user, EDITOR_ROLES);
  const { data, errors } = checkData(input.data);
  if (errors.length > 0) {
    throw new AppError('VALIDATION_FAILED', `档案中有 ${errors.length} 处需要修改：${errors[0]?.message}`, errors);
  }
  await db.transaction().execute(async (trx) => {
    const existing = await repo.findFile(trx, villageId, year, true);
    if ((existing?.version ?? null) !== input.version) throw conflict();
    await writeFile(trx, user, { villageId, year, existing }, data, existing ? 'update' : 'create');
  });
  return getFile(db, user, villageId, year);
}

export async function listChanges(db: Db, user: CurrentUser, villageId: number, year: number): Promise<Changes> {
  await villageInScope(db, user, villageId);
  const file = await repo.findFile(db, villageId, year);
  const rows = file ? await repo.listChanges(db, file.id) : [];
  const text = (field: string, v: FieldChange['from']) => {
    if (v === null) return null;
    const f = FIELD_BY_KEY.get(field);
    return f ? displayValue(f, v) : String(v);
  };
  return {
    changes: rows.map((r) => ({
      action: r.action,
      actionLabel: ACTION_LABEL[r.action],
      at: r.at.toISOString(),
      actorName: r.actorName,
      actorRole: r.actorRole,
      version: r.version,
      fields: r.changes.map((c) => ({
        field: c.field,
        label: FIELD_BY_KEY.get(c.field)?.label ?? c.field,
        from: text(c.field, c.from),
        to: text(c.field, c.to),
      })),
    })),
  };
}

/** Starts `year`'s files of a township (or one village) from last year's; a dry run only says what it would do. */
export async function carryForward(db: Db, user: CurrentUser, input: CarryInput): Promise<CarryResult> {
  const region = await getRegionInScope(db, user, input.regionId);
  assertRole(user, EDITOR_ROLES);
  if (region.level !== 'township' && region.level !== 'village') {
    throw new AppError('BAD_REQUEST', '沿用上年档案按乡镇或按村进行，请选择乡镇或村');
  }
  const dryRun = input.dryRun ?? false;
  return db.transaction().execute(async (trx) => {
    await repo.lockRegion(trx, region.level === 'village' ? (region.parentId as number) : region.id);
    const villages = await repo.listVillages(trx, region.id);
    const ids = villages.map((v) => v.id);
    const [last, now] = await Promise.all([
      repo.listFiles(trx, ids, input.year - 1),
      repo.villagesWithFile(trx, ids, input.year),
    ]);
    const lastBy = new Map(last.map((f) => [f.villageId, f]));
    const result: CarryResult = { dryRun, year: input.year, created: [], existing: [], noPrevious: [] };
    for (const v of villages) {
      const name = { villageId: v.id, villageName: v.name };
      const from = lastBy.get(v.id);
      if (now.has(v.id)) result.existing.push(name);
      else if (!from) result.noPrevious.push(name);
      else {
        result.created.push(name);
        if (!dryRun) {
          const target = { villageId: v.id, year: input.year, existing: undefined };
          await writeFile(trx, user, target, carried(from.data), 'carry_forward');
        }
      }
    }
    return result;
  });
}

/** Creates the village's file of `year` with `data` unless it has one (the demo data). */
export async function ensureFile(
  trx: Transaction<DB>,
  user: CurrentUser,
  villageId: number,
  year: number,
  data: FileData,
): Promise<boolean> {
  if (await repo.findFile(trx, villageId, year)) return false;
  await writeFile(trx, user, { villageId, year, existing: undefined }, data, 'create');
  return true;
}
