import { sql } from 'kysely';
import type { Db } from '../../db/database.ts';
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
