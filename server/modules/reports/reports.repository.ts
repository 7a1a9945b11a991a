import { CompiledQuery, sql, type Compilable, type Transaction } from 'kysely';
import type { Db } from '../../db/database.ts';
import type { DB } from '../../db/schema.ts';
import type { SessionResult } from '../tallies/results.rules.ts';
import type { SessionKind, SessionStatus } from '../sessions/sessions.rules.ts';
import type { ClosedSession, ProblemRecord } from './reports.rules.ts';

/** Closed and certified sessions in the subtree of `regionId` (never an open one: no results). */
function closedSessionsQuery(
  db: Db,
  regionId: number,
  filter: { campaignId?: number | undefined; year?: number | undefined },
) {
  let q = db
    .selectFrom('evaluation_session as s')
    .innerJoin('region as v', 'v.id', 's.village_id')
    .innerJoin('region as t', 't.id', 'v.parent_id')
    .select([
      's.id',
      't.name as townshipName',
      'v.name as villageName',
      's.title',
      's.kind',
      's.status',
      's.closed_at as closedAt',
      sql<SessionResult>`s.result`.as('result'),
      's.result_hash as resultHash',
      's.case_id as caseId',
    ])
    .where('s.status', 'in', ['closed', 'certified'])
    .where(sql<boolean>`v.path @> array[${regionId}]::int[]`);
  if (filter.campaignId !== undefined) {
    const campaignId = filter.campaignId;
    q = q.where('s.case_id', 'in', (eb) =>
      eb.selectFrom('rectification_case').select('id').where('campaign_id', '=', campaignId),
    );
  }
  if (filter.year !== undefined) {
    q = q.where(sql<boolean>`extract(year from s.closed_at at time zone 'Asia/Shanghai') = ${filter.year}`);
  }
  return q.orderBy('t.name').orderBy('v.name').orderBy('s.closed_at').orderBy('s.id');
}

type ClosedSessionRow = Awaited<ReturnType<ReturnType<typeof closedSessionsQuery>['execute']>>[number];

function toClosedSession(r: ClosedSessionRow): ClosedSession {
  return {
    ...r,
    kind: r.kind as SessionKind,
    status: r.status as SessionStatus,
    closedAt: r.closedAt as Date,
    resultHash: r.resultHash as Buffer,
  };
}

/** Closed and certified sessions of the subtree in batches of `size`, through a server-side cursor. */
export async function* closedSessionBatches(
  trx: Transaction<DB>,
  regionId: number,
  filter: { campaignId?: number | undefined; year?: number | undefined },
  size = 200,
): AsyncGenerator<ClosedSession[]> {
  for await (const rows of cursorBatches<ClosedSessionRow>(trx, closedSessionsQuery(trx, regionId, filter), size)) {
    yield rows.map(toClosedSession);
  }
}

let cursorSeq = 0;

/**
 * Rows of `query` `size` at a time through a server-side cursor: the database keeps the position,
 * the process holds one batch. Read in a transaction (its snapshot is the one every batch sees).
 */
async function* cursorBatches<R>(trx: Transaction<DB>, query: Compilable<R>, size: number): AsyncGenerator<R[]> {
  const name = `export_rows_${++cursorSeq}`;
  const compiled = query.compile();
  await trx.executeQuery(
    CompiledQuery.raw(`declare ${name} no scroll cursor for ${compiled.sql}`, [...compiled.parameters]),
  );
  for (;;) {
    const { rows } = await trx.executeQuery<R>(CompiledQuery.raw(`fetch forward ${size} from ${name}`));
    if (rows.length === 0) break;
    yield rows;
  }
  await trx.executeQuery(CompiledQuery.raw(`close ${name}`));
}

/** The problems of these cases, by case and then in the order they were added. */
export async function listProblems(db: Db, caseIds: number[]): Promise<ProblemRecord[]> {
  if (caseIds.length === 0) return [];
  const rows = await db
    .selectFrom('case_problem')
    .select([
      'case_id as caseId',
      'description',
      'owner',
      sql<string>`to_char(deadline, 'YYYY-MM-DD')`.as('deadline'),
      'status',
      'done_at as doneAt',
    ])
    .where('case_id', '=', sql<number>`any(${caseIds}::int[])`)
    .orderBy('case_id')
    .orderBy('id')
    .execute();
  return rows.map((r) => ({ ...r, status: r.status as 'open' | 'done' }));
}
