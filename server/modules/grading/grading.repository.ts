// SQL of the 堡垒指数: county sheets and their items, village scorings (append-only: the latest row
// of a village and year counts) and their item scores.
import { sql, type Transaction } from 'kysely';
import type { Db } from '../../db/database.ts';
import type { DB } from '../../db/schema.ts';
import type { FortressGrade, Section } from './grading.rules.ts';

export interface SheetRow {
  id: number;
  regionId: number;
  regionName: string;
  year: number;
  strongMin: number;
  middleMin: number;
  usedBy: number;
  updatedAt: Date;
}

export interface ItemRow {
  id: number;
  section: Section;
  title: string;
  maxScore: number;
}

function sheets(db: Db) {
  return db
    .selectFrom('grading_sheet as s')
    .innerJoin('region as r', 'r.id', 's.region_id')
    .select([
      's.id',
      's.region_id as regionId',
      'r.name as regionName',
      's.year',
      's.strong_min as strongMin',
      's.middle_min as middleMin',
      sql<number>`(select count(distinct g.village_id)::int from village_grade g where g.sheet_id = s.id)`.as('usedBy'),
      's.updated_at as updatedAt',
    ]);
}

export async function findSheet(db: Db, id: number): Promise<SheetRow | undefined> {
  return sheets(db).where('s.id', '=', id).executeTakeFirst();
}

export async function sheetOf(db: Db, regionId: number, year: number): Promise<SheetRow | undefined> {
  return sheets(db).where('s.region_id', '=', regionId).where('s.year', '=', year).executeTakeFirst();
}

/** The newest sheet of the county before this year (to copy from). */
export async function previousSheet(db: Db, regionId: number, year: number): Promise<SheetRow | undefined> {
  return sheets(db)
    .where('s.region_id', '=', regionId)
    .where('s.year', '<', year)
    .orderBy('s.year', 'desc')
    .executeTakeFirst();
}

export async function listItems(db: Db, sheetId: number): Promise<ItemRow[]> {
  return db
    .selectFrom('grading_item')
    .select(['id', sql<Section>`section`.as('section'), 'title', 'max_score as maxScore'])
    .where('sheet_id', '=', sheetId)
    .orderBy('position')
    .orderBy('id')
    .execute();
}

export async function lockSheet(trx: Transaction<DB>, id: number): Promise<void> {
  await trx.selectFrom('grading_sheet').select('id').where('id', '=', id).forUpdate().execute();
}

export async function insertSheet(
  trx: Transaction<DB>,
  s: { regionId: number; year: number; strongMin: number; middleMin: number; createdBy: number },
): Promise<number> {
  const row = await trx
    .insertInto('grading_sheet')
    .values({
      region_id: s.regionId,
      year: s.year,
      strong_min: s.strongMin,
      middle_min: s.middleMin,
      created_by: s.createdBy,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function updateCutoffs(trx: Transaction<DB>, id: number, strongMin: number, middleMin: number) {
  await trx
    .updateTable('grading_sheet')
    .set({ strong_min: strongMin, middle_min: middleMin, updated_at: sql`now()` })
    .where('id', '=', id)
    .execute();
}

/** Sets the items of a sheet nobody was scored on yet: those with an id are kept (updated in
 * place), the others added, and the sheet's items not named removed. */
export async function replaceItems(
  trx: Transaction<DB>,
  sheetId: number,
  items: readonly { id?: number | undefined; section: Section; title: string; maxScore: number }[],
): Promise<void> {
  const kept = items.flatMap((it) => (it.id === undefined ? [] : [it.id]));
  let removal = trx.deleteFrom('grading_item').where('sheet_id', '=', sheetId);
  if (kept.length > 0) removal = removal.where('id', 'not in', kept);
  await removal.execute();
  for (const [i, it] of items.entries()) {
    const values = { section: it.section, position: i + 1, title: it.title, max_score: it.maxScore };
    if (it.id === undefined)
      await trx
        .insertInto('grading_item')
        .values({ sheet_id: sheetId, ...values })
        .execute();
    else
      await trx
        .updateTable('grading_item')
        .set(values)
        .where('id', '=', it.id)
        .where('sheet_id', '=', sheetId)
        .execute();
  }
}

/** Renames items in place (a sheet in use: ids, sections and maxima stay). */
export async function renameItems(trx: Transaction<DB>, items: readonly { id: number; title: string }[]) {
  for (const it of items) {
    await trx.updateTable('grading_item').set({ title: it.title }).where('id', '=', it.id).execute();
  }
}

export interface GradeRow {
  id: number;
  villageId: number;
  year: number;
  sheetId: number;
  total: number;
  maxTotal: number;
  strongMin: number;
  middleMin: number;
  grade: FortressGrade;
  actorName: string;
  scoredAt: Date;
}

function grades(db: Db) {
  return db
    .selectFrom('village_grade as g')
    .select([
      'g.id',
      'g.village_id as villageId',
      'g.year',
      'g.sheet_id as sheetId',
      'g.total',
      'g.max_total as maxTotal',
      'g.strong_min as strongMin',
      'g.middle_min as middleMin',
      sql<FortressGrade>`g.grade`.as('grade'),
      'g.actor_name as actorName',
      'g.scored_at as scoredAt',
    ]);
}

/** Every scoring of the village in the year, newest first (the first one counts). */
export async function gradesOf(db: Db, villageId: number, year: number): Promise<GradeRow[]> {
  return grades(db).where('g.village_id', '=', villageId).where('g.year', '=', year).orderBy('g.id', 'desc').execute();
}

/** The village's latest scoring of the newest year from `fromYear` on. */
export async function latestGradeFrom(db: Db, villageId: number, fromYear: number): Promise<GradeRow | undefined> {
  return grades(db)
    .where('g.village_id', '=', villageId)
    .where('g.year', '>=', fromYear)
    .orderBy('g.year', 'desc')
    .orderBy('g.id', 'desc')
    .executeTakeFirst();
}

export async function findGrade(db: Db, id: number): Promise<GradeRow | undefined> {
  return grades(db).where('g.id', '=', id).executeTakeFirst();
}

export async function itemScores(db: Db, gradeId: number) {
  return db
    .selectFrom('village_grade_item')
    .select(['item_id as itemId', 'score', 'note'])
    .where('grade_id', '=', gradeId)
    .execute();
}

export interface VillageRow {
  villageId: number;
  villageName: string;
  townshipId: number;
  townshipName: string;
  grade: GradeRow | null;
}

/** The villages under a region with each one's current scoring of the year (null when none). */
export async function villagesWithGrades(db: Db, regionId: number, year: number): Promise<VillageRow[]> {
  const rows = await db
    .selectFrom('region as v')
    .innerJoin('region as t', 't.id', 'v.parent_id')
    .leftJoinLateral(
      (eb) =>
        eb
          .selectFrom('village_grade as g')
          .select([
            'g.id',
            'g.sheet_id as sheetId',
            'g.total',
            'g.max_total as maxTotal',
            'g.strong_min as strongMin',
            'g.middle_min as middleMin',
            sql<FortressGrade>`g.grade`.as('grade'),
            'g.actor_name as actorName',
            'g.scored_at as scoredAt',
          ])
          .whereRef('g.village_id', '=', 'v.id')
          .where('g.year', '=', year)
          .orderBy('g.id', 'desc')
          .limit(1)
          .as('g'),
      (join) => join.onTrue(),
    )
    .select([
      'v.id as villageId',
      'v.name as villageName',
      't.id as townshipId',
      't.name as townshipName',
      'g.id as gradeId',
      'g.sheetId',
      'g.total',
      'g.maxTotal',
      'g.strongMin',
      'g.middleMin',
      'g.grade',
      'g.actorName',
      'g.scoredAt',
    ])
    .where('v.level', '=', 'village')
    .where(sql<boolean>`v.path @> array[${regionId}]::int[]`)
    .orderBy('t.name')
    .orderBy('v.name')
    .execute();
  return rows.map((r) => ({
    villageId: r.villageId,
    villageName: r.villageName,
    townshipId: r.townshipId,
    townshipName: r.townshipName,
    grade:
      r.gradeId === null
        ? null
        : {
            id: r.gradeId,
            villageId: r.villageId,
            year,
            sheetId: r.sheetId as number,
            total: r.total as number,
            maxTotal: r.maxTotal as number,
            strongMin: r.strongMin as number,
            middleMin: r.middleMin as number,
            grade: r.grade as FortressGrade,
            actorName: r.actorName as string,
            scoredAt: r.scoredAt as Date,
          },
  }));
}

export async function insertGrade(
  trx: Transaction<DB>,
  g: Omit<GradeRow, 'id' | 'scoredAt'> & { scoredBy: number },
  items: readonly { itemId: number; score: number; note: string }[],
): Promise<number> {
  const row = await trx
    .insertInto('village_grade')
    .values({
      sheet_id: g.sheetId,
      year: g.year,
      village_id: g.villageId,
      total: g.total,
      max_total: g.maxTotal,
      strong_min: g.strongMin,
      middle_min: g.middleMin,
      grade: g.grade,
      scored_by: g.scoredBy,
      actor_name: g.actorName,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await trx
    .insertInto('village_grade_item')
    .values(items.map((i) => ({ grade_id: row.id, item_id: i.itemId, score: i.score, note: i.note })))
    .execute();
  return row.id;
}
