// SQL of department reports (年内动态排查). Dates are read as YYYY-MM-DD text, so no time zone can
// move an event to another day.
import { sql, type Transaction } from 'kysely';
import type { Db } from '../../db/database.ts';
import type { DB } from '../../db/schema.ts';
import type { Action, Category, Status } from './deptreports.rules.ts';

export interface ReportRow {
  id: number;
  countyId: number;
  villageId: number;
  villageName: string;
  townshipId: number;
  townshipName: string;
  villagePath: number[];
  department: string;
  reportedBy: number;
  reporterName: string;
  category: Category;
  description: string;
  eventDate: string;
  status: Status;
  createdAt: Date;
  statusChangedAt: Date;
}

function baseQuery(db: Db) {
  return db
    .selectFrom('department_report as d')
    .innerJoin('region as v', 'v.id', 'd.village_id')
    .innerJoin('region as t', 't.id', 'v.parent_id')
    .innerJoin('official as o', 'o.id', 'd.reported_by')
    .select([
      'd.id',
      'd.county_id as countyId',
      'd.village_id as villageId',
      'v.name as villageName',
      't.id as townshipId',
      't.name as townshipName',
      'v.path as villagePath',
      'd.department',
      'd.reported_by as reportedBy',
      sql<string>`coalesce(nullif(o.display_name, ''), o.username)`.as('reporterName'),
      'd.category',
      'd.description',
      sql<string>`to_char(d.event_date, 'YYYY-MM-DD')`.as('eventDate'),
      'd.status',
      'd.created_at as createdAt',
      'd.status_changed_at as statusChangedAt',
    ])
    .$narrowType<{ category: Category; status: Status; townshipId: number }>();
}

export async function findReport(db: Db, id: number): Promise<ReportRow | undefined> {
  return baseQuery(db).where('d.id', '=', id).executeTakeFirst();
}

/** The reports one account filed, or those about villages under a region; newest first. */
export async function listReports(
  db: Db,
  scope: { authorId: number } | { regionId: number },
  status: Status | undefined,
  limit: number,
): Promise<ReportRow[]> {
  let q = baseQuery(db);
  q =
    'authorId' in scope
      ? q.where('d.reported_by', '=', scope.authorId)
      : q.where(sql<boolean>`v.path @> array[${scope.regionId}]::int[]`);
  if (status) q = q.where('d.status', '=', status);
  return q.orderBy('d.id', 'desc').limit(limit).execute();
}

/** How many reports of each status the same scope holds (the list's filter chips). */
export async function countByStatus(
  db: Db,
  scope: { authorId: number } | { regionId: number },
): Promise<{ status: Status; n: number }[]> {
  let q = db.selectFrom('department_report as d').innerJoin('region as v', 'v.id', 'd.village_id');
  q =
    'authorId' in scope
      ? q.where('d.reported_by', '=', scope.authorId)
      : q.where(sql<boolean>`v.path @> array[${scope.regionId}]::int[]`);
  const rows = await q
    .select(['d.status', (eb) => eb.fn.countAll<string>().as('n')])
    .groupBy('d.status')
    .execute();
  return rows.map((r) => ({ status: r.status as Status, n: Number(r.n) }));
}

export interface StepRow {
  action: Action;
  fromStatus: Status | null;
  toStatus: Status;
  at: Date;
  actorName: string;
  actorRole: string;
  text: string | null;
}

export async function stepsOf(db: Db, reportId: number): Promise<StepRow[]> {
  return db
    .selectFrom('department_report_step')
    .select([
      'action',
      'from_status as fromStatus',
      'to_status as toStatus',
      'at',
      'actor_name as actorName',
      'actor_role as actorRole',
      'text',
    ])
    .where('report_id', '=', reportId)
    .orderBy('id')
    .$narrowType<{ action: Action; fromStatus: Status | null; toStatus: Status }>()
    .execute();
}

export async function insertReport(
  trx: Transaction<DB>,
  values: {
    countyId: number;
    villageId: number;
    department: string;
    reportedBy: number;
    category: Category;
    description: string;
    eventDate: string;
  },
): Promise<number> {
  const row = await trx
    .insertInto('department_report')
    .values({
      county_id: values.countyId,
      village_id: values.villageId,
      department: values.department,
      reported_by: values.reportedBy,
      category: values.category,
      description: values.description,
      event_date: values.eventDate,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function insertStep(
  trx: Transaction<DB>,
  step: {
    reportId: number;
    action: Action;
    fromStatus: Status | null;
    toStatus: Status;
    officialId: number;
    actorName: string;
    actorRole: string;
    text: string | null;
  },
): Promise<void> {
  await trx
    .insertInto('department_report_step')
    .values({
      report_id: step.reportId,
      action: step.action,
      from_status: step.fromStatus,
      to_status: step.toStatus,
      official_id: step.officialId,
      actor_name: step.actorName,
      actor_role: step.actorRole,
      text: step.text,
    })
    .execute();
}

/** The report's status, its row locked until the transaction ends (two deciders cannot both pass). */
export async function lockStatus(trx: Transaction<DB>, id: number): Promise<Status | undefined> {
  const row = await trx
    .selectFrom('department_report')
    .select('status')
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
  return row?.status as Status | undefined;
}

export async function setStatus(trx: Transaction<DB>, id: number, status: Status): Promise<void> {
  await trx
    .updateTable('department_report')
    .set({ status, status_changed_at: sql`now()` })
    .where('id', '=', id)
    .execute();
}

/** The department name of an account (null for other roles). */
export async function departmentOf(db: Db, officialId: number): Promise<string | null> {
  const row = await db.selectFrom('official').select('department').where('id', '=', officialId).executeTakeFirst();
  return row?.department ?? null;
}

/** The townships of a county with their villages, by name (the report form's picker). */
export async function villagesOfCounty(
  db: Db,
  countyId: number,
): Promise<{ townshipId: number; townshipName: string; villageId: number; villageName: string }[]> {
  return db
    .selectFrom('region as t')
    .innerJoin('region as v', 'v.parent_id', 't.id')
    .select(['t.id as townshipId', 't.name as townshipName', 'v.id as villageId', 'v.name as villageName'])
    .where('t.parent_id', '=', countyId)
    .where('t.level', '=', 'township')
    .where('v.level', '=', 'village')
    .orderBy('t.name')
    .orderBy('v.name')
    .execute();
}

/** Untreated reports about villages under a region (the inbox), newest first, and how many. */
export async function untreatedUnder(
  db: Db,
  regionId: number,
  limit: number,
): Promise<{ rows: ReportRow[]; total: number }> {
  const [rows, total] = await Promise.all([
    listReports(db, { regionId }, 'submitted', limit),
    db
      .selectFrom('department_report as d')
      .innerJoin('region as v', 'v.id', 'd.village_id')
      .where('d.status', '=', 'submitted')
      .where(sql<boolean>`v.path @> array[${regionId}]::int[]`)
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(total.n) };
}

export interface RequestedRow {
  id: number;
  department: string;
  category: Category;
  eventDate: string;
  description: string;
  /** has a risk screening been made for it (trigger 'report')? */
  answered: boolean;
}

/** The reports about a village for which the county requested a screening, newest first. */
export async function requestedAbout(db: Db, villageId: number): Promise<RequestedRow[]> {
  return db
    .selectFrom('department_report as d')
    .select([
      'd.id',
      'd.department',
      'd.category',
      sql<string>`to_char(d.event_date, 'YYYY-MM-DD')`.as('eventDate'),
      'd.description',
      sql<boolean>`exists (select 1 from risk_screening s where s.report_id = d.id)`.as('answered'),
    ])
    .where('d.village_id', '=', villageId)
    .where('d.status', '=', 'screening_requested')
    .orderBy('d.id', 'desc')
    .$narrowType<{ category: Category }>()
    .execute();
}

export interface AnswerRow {
  id: number;
  villageId: number;
  year: number;
  level: 'high' | 'middle' | 'low';
  actorName: string;
  screenedAt: Date;
}

/** The risk screenings made for a report (risk_screening.report_id references it), oldest first. */
export async function screeningsFor(db: Db, reportId: number): Promise<AnswerRow[]> {
  return db
    .selectFrom('risk_screening')
    .select(['id', 'village_id as villageId', 'year', 'level', 'actor_name as actorName', 'screened_at as screenedAt'])
    .where('report_id', '=', reportId)
    .orderBy('id')
    .$narrowType<{ level: 'high' | 'middle' | 'low' }>()
    .execute();
}

/** Per village under a region: its reports whose screening was requested and not yet made. */
export async function unansweredRequestsUnder(db: Db, regionId: number): Promise<{ villageId: number; n: number }[]> {
  const rows = await db
    .selectFrom('department_report as d')
    .innerJoin('region as v', 'v.id', 'd.village_id')
    .select(['d.village_id as villageId', (eb) => eb.fn.countAll<string>().as('n')])
    .where('d.status', '=', 'screening_requested')
    .where(sql<boolean>`v.path @> array[${regionId}]::int[]`)
    .where(sql<boolean>`not exists (select 1 from risk_screening s where s.report_id = d.id)`)
    .groupBy('d.village_id')
    .execute();
  return rows.map((r) => ({ villageId: r.villageId, n: Number(r.n) }));
}
