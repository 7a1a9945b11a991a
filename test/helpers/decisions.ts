// 三级认定 fixtures: a village screened for a year (graded 弱村 and screened on the county's default
// negative list with a given proposal) and a township's list at a given stage, written directly.
import type { Db } from '../../server/db/database.ts';
import type { Level, Outcome, Stage } from '../../server/modules/decisions/decisions.rules.ts';
import { createOfficial } from './factories.ts';
import { ensureRiskList, gradeVillage } from './grading.ts';

export interface ScreenOptions {
  outcome?: Outcome;
  preventionLevel?: Level | null;
  level?: 'high' | 'middle' | 'low';
  /** the titles of the default items marked present (evidence '已核实') */
  present?: number;
}

const SCORE: Record<'high' | 'middle' | 'low', number> = { high: 9, middle: 5, low: 0 };

/** Grades the village 弱村 and screens it (the latest screening of the year); returns the screening id. */
export async function screenVillage(
  db: Db,
  villageId: number,
  year: number,
  opts: ScreenOptions = {},
): Promise<number> {
  const outcome = opts.outcome ?? 'rectify';
  const level = opts.level ?? (outcome === 'rectify' ? 'high' : outcome === 'prevent' ? 'middle' : 'low');
  const village = await db.selectFrom('region').select('path').where('id', '=', villageId).executeTakeFirstOrThrow();
  const county = village.path[1] as number;
  const gradeId = await gradeVillage(db, villageId, year, 'weak');
  const listId = await ensureRiskList(db, county, year);
  const items = await db
    .selectFrom('risk_item')
    .select('id')
    .where('list_id', '=', listId)
    .orderBy('position')
    .execute();
  const official = (await createOfficial(db, 'township', village.path[2] as number)).id;
  const row = await db
    .insertInto('risk_screening')
    .values({
      list_id: listId,
      year,
      village_id: villageId,
      trigger: 'weak_grade',
      grade_id: gradeId,
      score: SCORE[level],
      high_min: 8,
      middle_min: 4,
      level,
      outcome,
      prevention_level: outcome === 'prevent' ? (opts.preventionLevel ?? 2) : null,
      screened_by: official,
      actor_name: '测试乡镇',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const present = opts.present ?? (level === 'low' ? 0 : 1);
  await db
    .insertInto('risk_mark')
    .values(
      items.map((it, i) => ({
        screening_id: row.id,
        item_id: it.id,
        present: i < present,
        evidence: i < present ? '已核实' : '',
      })),
    )
    .execute();
  return row.id;
}

/** The township's list of the year at `stage`, holding the latest screening of each village given. */
export async function createList(
  db: Db,
  townshipId: number,
  year: number,
  stage: Exclude<Stage, 'approved'> = 'draft',
  villages: readonly number[] = [],
): Promise<number> {
  const township = await db.selectFrom('region').select('path').where('id', '=', townshipId).executeTakeFirstOrThrow();
  const official = (await createOfficial(db, 'township', townshipId)).id;
  const list = await db
    .insertInto('identification_list')
    .values({ township_id: townshipId, county_id: township.path[1] as number, year, stage, created_by: official })
    .returning('id')
    .executeTakeFirstOrThrow();
  for (const villageId of villages) {
    const s = await db
      .selectFrom('risk_screening')
      .select(['id', 'grade_id', 'outcome', 'prevention_level'])
      .where('village_id', '=', villageId)
      .where('year', '=', year)
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    await db
      .insertInto('identification_entry')
      .values({
        list_id: list.id,
        village_id: villageId,
        outcome: s.outcome,
        prevention_level: s.prevention_level,
        screening_id: s.id,
        grade_id: s.grade_id,
      })
      .execute();
  }
  return list.id;
}

/** A 重点防控村 record of the village and year at `level`, on the given list. */
export async function createPrevention(db: Db, villageId: number, year: number, listId: number, level: Level) {
  const village = await db.selectFrom('region').select('path').where('id', '=', villageId).executeTakeFirstOrThrow();
  const row = await db
    .insertInto('prevention_record')
    .values({
      village_id: villageId,
      county_id: village.path[1] as number,
      year,
      list_id: listId,
      level,
      risk_level: 'middle',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}
