import { sql } from 'kysely';
import type { Db } from '../../db/database.ts';
import type { Action, Outcome, Stage } from '../decisions/decisions.rules.ts';
import type { Category } from '../deptreports/deptreports.rules.ts';
import type { SessionKind } from '../sessions/sessions.rules.ts';

/** Rows of one kind of item, at most `limit`, with how many there are in all. */
export interface Page<T> {
  rows: T[];
  total: number;
}

function pageOf<T extends { total: number }>(rows: T[]): Page<Omit<T, 'total'>> {
  return { rows: rows.map(({ total: _t, ...r }) => r), total: rows[0]?.total ?? 0 };
}

const inSubtree = (regionId: number) => sql<boolean>`v.path @> array[${regionId}]::int[]`;

/** Sessions of these kinds in villages under `regionId` (as `s`, their village as `v`). */
const sessionsUnder = (db: Db, regionId: number, kinds: readonly SessionKind[]) =>
  db
    .selectFrom('evaluation_session as s')
    .innerJoin('region as v', 'v.id', 's.village_id')
    .where(inSubtree(regionId))
    .where('s.kind', 'in', [...kinds]);

export interface ConfirmRow {
  id: number;
  title: string;
  villageName: string;
  residentsPresent: number;
  createdAt: Date;
}

/** Draft sessions of these kinds whose residents present wait for confirmation, oldest first. */
export async function residentsToConfirm(
  db: Db,
  regionId: number,
  kinds: readonly SessionKind[],
  limit: number,
): Promise<Page<ConfirmRow>> {
  const rows = await sessionsUnder(db, regionId, kinds)
    .select([
      's.id',
      's.title',
      'v.name as villageName',
      's.residents_present as residentsPresent',
      's.created_at as createdAt',
      sql<number>`(count(*) over ())::int`.as('total'),
    ])
    .where('s.status', '=', 'draft')
    .where('s.residents_confirmed_at', 'is', null)
    .orderBy('s.created_at')
    .orderBy('s.id')
    .limit(limit)
    .execute();
  return pageOf(rows);
}

export interface ClosingRow {
  id: number;
  title: string;
  villageName: string;
  openedAt: Date;
  scheduledCloseAt: Date | null;
}

/**
 * Open sessions of these kinds that should close today: scheduled to close before `end` (today's
 * end, overdue ones included), or unscheduled and opened before `start` (today's start).
 */
export async function closingToday(
  db: Db,
  regionId: number,
  kinds: readonly SessionKind[],
  today: { start: Date; end: Date },
  limit: number,
): Promise<Page<ClosingRow>> {
  const rows = await sessionsUnder(db, regionId, kinds)
    .select([
      's.id',
      's.title',
      'v.name as villageName',
      sql<Date>`s.opened_at`.as('openedAt'),
      's.scheduled_close_at as scheduledCloseAt',
      sql<number>`(count(*) over ())::int`.as('total'),
    ])
    .where('s.status', '=', 'open')
    .where((eb) =>
      eb.or([
        eb('s.scheduled_close_at', '<', today.end),
        eb.and([eb('s.scheduled_close_at', 'is', null), eb('s.opened_at', '<', today.start)]),
      ]),
    )
    .orderBy(sql`coalesce(s.scheduled_close_at, s.opened_at)`)
    .orderBy('s.id')
    .limit(limit)
    .execute();
  return pageOf(rows);
}

export interface OverdueRow {
  id: number;
  caseId: number;
  villageName: string;
  description: string;
  owner: string;
  deadline: string;
}

/** Open problems of open cases whose deadline (a China date) is before `today`, most overdue first. */
export async function overdueProblems(
  db: Db,
  regionId: number,
  today: string,
  limit: number,
): Promise<Page<OverdueRow>> {
  const rows = await db
    .selectFrom('case_problem as p')
    .innerJoin('rectification_case as k', 'k.id', 'p.case_id')
    .innerJoin('region as v', 'v.id', 'k.village_id')
    .select([
      'p.id',
      'k.id as caseId',
      'v.name as villageName',
      'p.description',
      'p.owner',
      sql<string>`to_char(p.deadline, 'YYYY-MM-DD')`.as('deadline'),
      sql<number>`(count(*) over ())::int`.as('total'),
    ])
    .where(inSubtree(regionId))
    .where('p.status', '=', 'open')
    .where('k.state', 'not in', ['exited', 'monitoring'])
    .where(sql<boolean>`p.deadline < ${today}::date`)
    .orderBy('p.deadline')
    .orderBy('p.id')
    .limit(limit)
    .execute();
  return pageOf(rows);
}

export interface ListWaitingRow {
  id: number;
  townshipName: string;
  year: number;
  stage: Stage;
  rectify: number;
  prevent: number;
  none: number;
  /** the list's latest step, if any */
  lastAction: Action | null;
  lastMeeting: string | null;
  lastMeetingDate: string | null;
  lastDocumentNo: string | null;
  lastReason: string | null;
  lastAt: Date | null;
}

const countOf = (outcome: Outcome) =>
  sql<number>`(select count(*) from identification_entry e where e.list_id = l.id and e.outcome = ${outcome})::int`;

/**
 * 三级认定 lists of townships under `regionId` waiting for a step: in one of `stages`, and when
 * `returned`, only those whose latest step sent them back. Oldest year first, then the longest waiting.
 */
export async function listsWaiting(
  db: Db,
  regionId: number,
  filter: { stages: readonly Stage[]; returned?: boolean },
  limit: number,
): Promise<Page<ListWaitingRow>> {
  if (filter.stages.length === 0) return { rows: [], total: 0 };
  let q = db
    .selectFrom('identification_list as l')
    .innerJoin('region as t', 't.id', 'l.township_id')
    .leftJoinLateral(
      (eb) =>
        eb
          .selectFrom('identification_step')
          .select(['action', 'meeting', 'meeting_date', 'document_no', 'reason', 'at'])
          .whereRef('list_id', '=', 'l.id')
          .orderBy('id', 'desc')
          .limit(1)
          .as('st'),
      (join) => join.onTrue(),
    )
    .select([
      'l.id',
      't.name as townshipName',
      'l.year',
      sql<Stage>`l.stage`.as('stage'),
      countOf('rectify').as('rectify'),
      countOf('prevent').as('prevent'),
      countOf('none').as('none'),
      sql<Action | null>`st.action`.as('lastAction'),
      'st.meeting as lastMeeting',
      sql<string | null>`to_char(st.meeting_date, 'YYYY-MM-DD')`.as('lastMeetingDate'),
      'st.document_no as lastDocumentNo',
      'st.reason as lastReason',
      'st.at as lastAt',
      sql<number>`(count(*) over ())::int`.as('total'),
    ])
    .where(sql<boolean>`t.path @> array[${regionId}]::int[]`)
    .where('l.stage', 'in', [...filter.stages]);
  if (filter.returned) q = q.where('st.action', '=', 'return');
  const rows = await q.orderBy('l.year').orderBy('l.updated_at').orderBy('l.id').limit(limit).execute();
  return pageOf(rows);
}

export interface ReportToScreenRow {
  id: number;
  villageId: number;
  villageName: string;
  townshipName: string;
  department: string;
  category: Category;
  requestedAt: Date;
}

/**
 * Department reports about villages under `regionId` whose screening the county requested and for
 * which no risk screening was made yet (risk_screening.report_id), the longest waiting first.
 */
export async function reportsToScreen(db: Db, regionId: number, limit: number): Promise<Page<ReportToScreenRow>> {
  const rows = await db
    .selectFrom('department_report as d')
    .innerJoin('region as v', 'v.id', 'd.village_id')
    .innerJoin('region as t', 't.id', 'v.parent_id')
    .select([
      'd.id',
      'd.village_id as villageId',
      'v.name as villageName',
      't.name as townshipName',
      'd.department',
      sql<Category>`d.category`.as('category'),
      'd.status_changed_at as requestedAt',
      sql<number>`(count(*) over ())::int`.as('total'),
    ])
    .where(inSubtree(regionId))
    .where('d.status', '=', 'screening_requested')
    .where(sql<boolean>`not exists (select 1 from risk_screening s where s.report_id = d.id)`)
    .orderBy('d.status_changed_at')
    .orderBy('d.id')
    .limit(limit)
    .execute();
  return pageOf(rows);
}
