// SQL of the 认定台账: every village under a region with its latest grade and screening of the year,
// the number of department reports about it, and its township list's entry, in one statement (a
// county of a thousand villages is one round trip, each lateral read by its (village, year) index);
// the county rules of the year in words; and the cases that exited in the year.
import { sql } from 'kysely';
import type { Db } from '../../db/database.ts';
import type { Grade, Level, Outcome, RiskType, Stage } from './identification.rules.ts';

export interface VillageRow {
  villageId: number;
  villageName: string;
  townshipId: number;
  townshipName: string;
  countyId: number;
  gradeTotal: number | null;
  grade: Grade | null;
  screeningId: number | null;
  level: Level | null;
  types: RiskType[] | null;
  reports: number;
  stage: Stage | null;
  outcome: Outcome | null;
  preventionLevel: 1 | 2 | 3 | null;
  caseId: number | null;
  listId: number | null;
}

/** The villages under the region (a township, county or city) with their register columns for the year. */
export async function registerRows(db: Db, regionId: number, year: number): Promise<VillageRow[]> {
  return db
    .selectFrom('region as v')
    .innerJoin('region as t', 't.id', 'v.parent_id')
    .leftJoinLateral(
      (eb) =>
        eb
          .selectFrom('village_grade as g')
          .select(['g.total', 'g.grade'])
          .whereRef('g.village_id', '=', 'v.id')
          .where('g.year', '=', year)
          .orderBy('g.id', 'desc')
          .limit(1)
          .as('g'),
      (join) => join.onTrue(),
    )
    .leftJoinLateral(
      (eb) =>
        eb
          .selectFrom('risk_screening as s')
          .select(['s.id', 's.level'])
          .whereRef('s.village_id', '=', 'v.id')
          .where('s.year', '=', year)
          .orderBy('s.id', 'desc')
          .limit(1)
          .as('s'),
      (join) => join.onTrue(),
    )
    .leftJoinLateral(
      (eb) =>
        eb
          .selectFrom('identification_entry as e')
          .innerJoin('identification_list as l', 'l.id', 'e.list_id')
          .select(['l.id', 'l.stage', 'e.outcome', 'e.prevention_level', 'e.case_id'])
          .whereRef('e.village_id', '=', 'v.id')
          .where('l.year', '=', year)
          .limit(1)
          .as('d'),
      (join) => join.onTrue(),
    )
    .select([
      'v.id as villageId',
      'v.name as villageName',
      't.id as townshipId',
      't.name as townshipName',
      sql<number>`v.path[2]`.as('countyId'),
      'g.total as gradeTotal',
      sql<Grade | null>`g.grade`.as('grade'),
      's.id as screeningId',
      sql<Level | null>`s.level`.as('level'),
      sql<RiskType[] | null>`(select array_agg(distinct i.type) from risk_mark m
        join risk_item i on i.id = m.item_id where m.screening_id = s.id and m.present)`.as('types'),
      sql<number>`(select count(*)::int from department_report r where r.village_id = v.id
        and r.event_date >= make_date(${year}, 1, 1) and r.event_date < make_date(${year + 1}, 1, 1))`.as('reports'),
      sql<Stage | null>`d.stage`.as('stage'),
      sql<Outcome | null>`d.outcome`.as('outcome'),
      sql<1 | 2 | 3 | null>`d.prevention_level`.as('preventionLevel'),
      'd.case_id as caseId',
      'd.id as listId',
    ])
    .where('v.level', '=', 'village')
    .where(sql<boolean>`v.path @> array[${regionId}]::int[]`)
    .orderBy('t.name')
    .orderBy('t.id')
    .orderBy('v.name')
    .execute();
}

export interface CountyRules {
  countyId: number;
  countyName: string;
  strongMin: number | null;
  middleMin: number | null;
  maxTotal: number | null;
  highMin: number | null;
  riskMiddleMin: number | null;
}

/** Each county at or under the region (or above it: a township's county) with its sheet's cut-offs
 * and its negative list's thresholds of the year (null where not made). */
export async function countyRules(db: Db, countyIds: readonly number[], year: number): Promise<CountyRules[]> {
  if (countyIds.length === 0) return [];
  return db
    .selectFrom('region as c')
    .leftJoin('grading_sheet as gs', (j) => j.onRef('gs.region_id', '=', 'c.id').on('gs.year', '=', year))
    .leftJoin('risk_list as rl', (j) => j.onRef('rl.region_id', '=', 'c.id').on('rl.year', '=', year))
    .select([
      'c.id as countyId',
      'c.name as countyName',
      'gs.strong_min as strongMin',
      'gs.middle_min as middleMin',
      sql<number | null>`(select sum(i.max_score)::int from grading_item i where i.sheet_id = gs.id)`.as('maxTotal'),
      'rl.high_min as highMin',
      'rl.middle_min as riskMiddleMin',
    ])
    .where('c.id', 'in', [...countyIds])
    .orderBy('c.name')
    .execute();
}

/** The counties under a city (its register spans them). */
export async function countiesUnder(db: Db, cityId: number): Promise<number[]> {
  const rows = await db
    .selectFrom('region')
    .select('id')
    .where('parent_id', '=', cityId)
    .where('level', '=', 'county')
    .execute();
  return rows.map((r) => r.id);
}

export interface ExitedRow {
  caseId: number;
  villageId: number;
  villageName: string;
  townshipName: string;
  campaignYear: number;
  /** YYYY-MM-DD, China time */
  exitedOn: string;
  riskLevel: Level | null;
}

/** The cases under the region that exited in the year (China time), with the risk level the county
 * recorded after the exit (the latest review), if any. */
export async function exitedIn(db: Db, regionId: number, year: number): Promise<ExitedRow[]> {
  return db
    .selectFrom('case_transition as x')
    .innerJoin('rectification_case as c', 'c.id', 'x.case_id')
    .innerJoin('campaign as k', 'k.id', 'c.campaign_id')
    .innerJoin('region as v', 'v.id', 'c.village_id')
    .innerJoin('region as t', 't.id', 'v.parent_id')
    .select([
      'c.id as caseId',
      'v.id as villageId',
      'v.name as villageName',
      't.name as townshipName',
      'k.year as campaignYear',
      sql<string>`to_char(x.at at time zone 'Asia/Shanghai', 'YYYY-MM-DD')`.as('exitedOn'),
      sql<Level | null>`(select rr.risk_level from risk_review rr where rr.case_id = c.id
        order by rr.id desc limit 1)`.as('riskLevel'),
    ])
    .where('x.to_state', '=', 'exited')
    .where(sql<boolean>`v.path @> array[${regionId}]::int[]`)
    .where(sql<boolean>`extract(year from x.at at time zone 'Asia/Shanghai') = ${year}`)
    .orderBy('t.name')
    .orderBy('v.name')
    .orderBy('c.id')
    .execute();
}
