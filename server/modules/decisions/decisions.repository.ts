// SQL of the three-level decision: the townships' yearly lists, their entries and steps, the
// 重点防控村 records and the risk reviews. Meeting dates are read as YYYY-MM-DD text so no time zone
// ever shifts a day.
import { sql, type Transaction } from 'kysely';
import type { Db } from '../../db/database.ts';
import type { DB } from '../../db/schema.ts';
import type { Action, Level, Outcome, Stage } from './decisions.rules.ts';

type RiskLevel = 'high' | 'middle' | 'low';

export interface ListRow {
  id: number;
  townshipId: number;
  townshipName: string;
  townshipPath: number[];
  countyId: number;
  countyName: string;
  year: number;
  stage: Stage;
  version: number;
  campaignId: number | null;
  campaignTitle: string | null;
  createdAt: Date;
  updatedAt: Date;
}

function lists(db: Db) {
  return db
    .selectFrom('identification_list as l')
    .innerJoin('region as t', 't.id', 'l.township_id')
    .innerJoin('region as co', 'co.id', 'l.county_id')
    .leftJoin('campaign as c', 'c.id', 'l.campaign_id')
    .select([
      'l.id',
      'l.township_id as townshipId',
      't.name as townshipName',
      't.path as townshipPath',
      'l.county_id as countyId',
      'co.name as countyName',
      'l.year',
      sql<Stage>`l.stage`.as('stage'),
      'l.version',
      'l.campaign_id as campaignId',
      'c.title as campaignTitle',
      'l.created_at as createdAt',
      'l.updated_at as updatedAt',
    ]);
}

export const findList = (db: Db, id: number): Promise<ListRow | undefined> =>
  lists(db).where('l.id', '=', id).executeTakeFirst();

export const listOfTownship = (db: Db, townshipId: number, year: number): Promise<ListRow | undefined> =>
  lists(db).where('l.township_id', '=', townshipId).where('l.year', '=', year).executeTakeFirst();

/** The lists of the year whose township lies under the region. */
export const listsUnder = (db: Db, regionId: number, year: number): Promise<ListRow[]> =>
  lists(db)
    .where(sql<boolean>`t.path @> array[${regionId}]::int[]`)
    .where('l.year', '=', year)
    .orderBy('t.name')
    .execute();

export async function lockList(trx: Transaction<DB>, id: number): Promise<ListRow | undefined> {
  await trx.selectFrom('identification_list').select('id').where('id', '=', id).forUpdate().execute();
  return findList(trx, id);
}

export async function insertList(
  trx: Transaction<DB>,
  l: { townshipId: number; countyId: number; year: number; createdBy: number },
): Promise<number> {
  const row = await trx
    .insertInto('identification_list')
    .values({ township_id: l.townshipId, county_id: l.countyId, year: l.year, created_by: l.createdBy })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** Moves the list (stage, campaign) and bumps its version. */
export async function touchList(
  trx: Transaction<DB>,
  id: number,
  changes: { stage?: Stage; campaignId?: number } = {},
): Promise<void> {
  await trx
    .updateTable('identification_list')
    .set({
      ...(changes.stage ? { stage: changes.stage } : {}),
      ...(changes.campaignId !== undefined ? { campaign_id: changes.campaignId } : {}),
      version: sql`version + 1`,
      updated_at: sql`now()`,
    })
    .where('id', '=', id)
    .execute();
}

export interface EntryRow {
  villageId: number;
  villageName: string;
  outcome: Outcome;
  preventionLevel: Level | null;
  screeningId: number | null;
  gradeId: number | null;
  note: string;
  caseId: number | null;
  preventionId: number | null;
}

export async function entriesOf(db: Db, listId: number): Promise<EntryRow[]> {
  return db
    .selectFrom('identification_entry as e')
    .innerJoin('region as v', 'v.id', 'e.village_id')
    .select([
      'e.village_id as villageId',
      'v.name as villageName',
      sql<Outcome>`e.outcome`.as('outcome'),
      sql<Level | null>`e.prevention_level`.as('preventionLevel'),
      'e.screening_id as screeningId',
      'e.grade_id as gradeId',
      'e.note',
      'e.case_id as caseId',
      'e.prevention_id as preventionId',
    ])
    .where('e.list_id', '=', listId)
    .orderBy('v.name')
    .orderBy('v.id')
    .execute();
}

export type NewEntry = Omit<EntryRow, 'villageName' | 'caseId' | 'preventionId'>;

export async function replaceEntries(trx: Transaction<DB>, listId: number, entries: readonly NewEntry[]) {
  await trx.deleteFrom('identification_entry').where('list_id', '=', listId).execute();
  if (entries.length === 0) return;
  await trx
    .insertInto('identification_entry')
    .values(
      entries.map((e) => ({
        list_id: listId,
        village_id: e.villageId,
        outcome: e.outcome,
        prevention_level: e.preventionLevel,
        screening_id: e.screeningId,
        grade_id: e.gradeId,
        note: e.note,
      })),
    )
    .execute();
}

export async function linkEntry(
  trx: Transaction<DB>,
  listId: number,
  villageId: number,
  link: { caseId: number } | { preventionId: number },
): Promise<void> {
  await trx
    .updateTable('identification_entry')
    .set('caseId' in link ? { case_id: link.caseId } : { prevention_id: link.preventionId })
    .where('list_id', '=', listId)
    .where('village_id', '=', villageId)
    .execute();
}

export interface StepRow {
  id: number;
  action: Action;
  fromStage: Stage;
  toStage: Stage;
  meeting: string | null;
  meetingDate: string | null;
  documentNo: string | null;
  decision: string | null;
  reason: string | null;
  actorName: string;
  actorRole: string;
  at: Date;
}

export async function stepsOf(db: Db, listId: number): Promise<StepRow[]> {
  return db
    .selectFrom('identification_step')
    .select([
      sql<number>`id::int`.as('id'),
      sql<Action>`action`.as('action'),
      sql<Stage>`from_stage`.as('fromStage'),
      sql<Stage>`to_stage`.as('toStage'),
      'meeting',
      sql<string | null>`to_char(meeting_date, 'YYYY-MM-DD')`.as('meetingDate'),
      'document_no as documentNo',
      'decision',
      'reason',
      'actor_name as actorName',
      'actor_role as actorRole',
      'at',
    ])
    .where('list_id', '=', listId)
    .orderBy('id')
    .execute();
}

export async function insertStep(
  trx: Transaction<DB>,
  s: Omit<StepRow, 'id' | 'at'> & { listId: number; officialId: number },
): Promise<void> {
  await trx
    .insertInto('identification_step')
    .values({
      list_id: s.listId,
      action: s.action,
      from_stage: s.fromStage,
      to_stage: s.toStage,
      meeting: s.meeting,
      meeting_date: s.meetingDate,
      document_no: s.documentNo,
      decision: s.decision,
      reason: s.reason,
      official_id: s.officialId,
      actor_name: s.actorName,
      actor_role: s.actorRole,
    })
    .execute();
}

/** Counts per list: entries by outcome (for the county's overview). */
export async function outcomeCounts(db: Db, listIds: readonly number[]) {
  if (listIds.length === 0) return [];
  return db
    .selectFrom('identification_entry')
    .select(['list_id as listId', sql<Outcome>`outcome`.as('outcome'), sql<number>`count(*)::int`.as('n')])
    .where('list_id', 'in', [...listIds])
    .groupBy(['list_id', 'outcome'])
    .execute();
}

/** The villages of these that already have a 重点防控村 record of the year. */
export async function preventedVillages(db: Db, villageIds: readonly number[], year: number): Promise<number[]> {
  if (villageIds.length === 0) return [];
  const rows = await db
    .selectFrom('prevention_record')
    .select('village_id')
    .where('village_id', 'in', [...villageIds])
    .where('year', '=', year)
    .execute();
  return rows.map((r) => r.village_id);
}

/** Department reports about the village with an event in the year (evidence beside the screening). */
export async function reportsOf(db: Db, villageId: number, year: number) {
  return db
    .selectFrom('department_report')
    .select(['id', 'department', 'category', sql<string>`to_char(event_date, 'YYYY-MM-DD')`.as('eventDate'), 'status'])
    .where('village_id', '=', villageId)
    .where(sql<boolean>`extract(year from event_date) = ${year}`)
    .orderBy('event_date')
    .orderBy('id')
    .execute();
}

export async function reportCounts(db: Db, villageIds: readonly number[], year: number): Promise<Map<number, number>> {
  if (villageIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('department_report')
    .select(['village_id as villageId', sql<number>`count(*)::int`.as('n')])
    .where('village_id', 'in', [...villageIds])
    .where(sql<boolean>`extract(year from event_date) = ${year}`)
    .groupBy('village_id')
    .execute();
  return new Map(rows.map((r) => [r.villageId, r.n]));
}

/** The entry that listed this case, with its list, or undefined (a case listed by hand). */
export async function entryOfCase(db: Db, caseId: number): Promise<(EntryRow & { listId: number }) | undefined> {
  return db
    .selectFrom('identification_entry as e')
    .innerJoin('region as v', 'v.id', 'e.village_id')
    .select([
      'e.list_id as listId',
      'e.village_id as villageId',
      'v.name as villageName',
      sql<Outcome>`e.outcome`.as('outcome'),
      sql<Level | null>`e.prevention_level`.as('preventionLevel'),
      'e.screening_id as screeningId',
      'e.grade_id as gradeId',
      'e.note',
      'e.case_id as caseId',
      'e.prevention_id as preventionId',
    ])
    .where('e.case_id', '=', caseId)
    .executeTakeFirst();
}

export { type RiskLevel };
