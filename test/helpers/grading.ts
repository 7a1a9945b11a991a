// 堡垒指数 and 负面清单 fixtures: a county's sheet and list for a year (the defaults) and a village's
// scoring at a grade, written directly to the database, so case tests can give a village the grade the exit gate reads.
import type { Db } from '../../server/db/database.ts';
import {
  DEFAULT_CUTOFFS,
  DEFAULT_SHEET,
  grade as gradeOf,
  sumMax,
  type FortressGrade,
} from '../../server/modules/grading/grading.rules.ts';
import { DEFAULT_RISK_ITEMS, DEFAULT_THRESHOLDS } from '../../server/modules/risk/risk.rules.ts';
import { createOfficial } from './factories.ts';

/** A total on the default sheet (100 points, 85 / 60) giving each grade. */
export const TOTAL_FOR: Record<FortressGrade, number> = { strong: 90, middle: 70, weak: 40 };

/** The county's sheet of the year (made from the defaults when missing). */
export async function ensureSheet(db: Db, countyId: number, year: number): Promise<{ id: number; official: number }> {
  const found = await db
    .selectFrom('grading_sheet')
    .select(['id', 'created_by'])
    .where('region_id', '=', countyId)
    .where('year', '=', year)
    .executeTakeFirst();
  if (found) return { id: found.id, official: found.created_by };
  const official = (await createOfficial(db, 'county', countyId)).id;
  const sheet = await db
    .insertInto('grading_sheet')
    .values({
      region_id: countyId,
      year,
      strong_min: DEFAULT_CUTOFFS.strongMin,
      middle_min: DEFAULT_CUTOFFS.middleMin,
      created_by: official,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db
    .insertInto('grading_item')
    .values(
      DEFAULT_SHEET.map((it, i) => ({
        sheet_id: sheet.id,
        section: it.section,
        position: i + 1,
        title: it.title,
        max_score: it.maxScore,
      })),
    )
    .execute();
  return { id: sheet.id, official };
}

/** A scoring of the village for the year at this grade (or this total), on its county's default sheet. */
export async function gradeVillage(
  db: Db,
  villageId: number,
  year: number,
  grade: FortressGrade,
  total = TOTAL_FOR[grade],
): Promise<number> {
  const village = await db.selectFrom('region').select('path').where('id', '=', villageId).executeTakeFirstOrThrow();
  const sheet = await ensureSheet(db, village.path[1] as number, year);
  if (gradeOf(total, DEFAULT_CUTOFFS) !== grade) throw new Error(`total ${total} is not ${grade}`);
  const items = await db
    .selectFrom('grading_item')
    .select(['id', 'max_score'])
    .where('sheet_id', '=', sheet.id)
    .orderBy('position')
    .execute();
  // spread the total over the items, each at most its maximum
  let left = total;
  const scores = items.map((it) => {
    const score = Math.min(it.max_score, left);
    left -= score;
    return { itemId: it.id, score };
  });
  const row = await db
    .insertInto('village_grade')
    .values({
      sheet_id: sheet.id,
      year,
      village_id: villageId,
      total,
      max_total: sumMax(items.map((i) => ({ maxScore: i.max_score }))),
      strong_min: DEFAULT_CUTOFFS.strongMin,
      middle_min: DEFAULT_CUTOFFS.middleMin,
      grade,
      scored_by: sheet.official,
      actor_name: '测试乡镇',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db
    .insertInto('village_grade_item')
    .values(scores.map((s) => ({ grade_id: row.id, item_id: s.itemId, score: s.score, note: '' })))
    .execute();
  return row.id;
}

/** The county's negative list of the year (made from the defaults when missing). */
export async function ensureRiskList(db: Db, countyId: number, year: number): Promise<number> {
  const found = await db
    .selectFrom('risk_list')
    .select('id')
    .where('region_id', '=', countyId)
    .where('year', '=', year)
    .executeTakeFirst();
  if (found) return found.id;
  const official = (await createOfficial(db, 'county', countyId)).id;
  const list = await db
    .insertInto('risk_list')
    .values({
      region_id: countyId,
      year,
      high_min: DEFAULT_THRESHOLDS.highMin,
      middle_min: DEFAULT_THRESHOLDS.middleMin,
      created_by: official,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db
    .insertInto('risk_item')
    .values(
      DEFAULT_RISK_ITEMS.map((it, i) => ({
        list_id: list.id,
        type: it.type,
        position: i + 1,
        title: it.title,
        weight: it.weight,
      })),
    )
    .execute();
  return list.id;
}
