// All SQL of the ballot path. Every query filters by session (or by the slip's primary key), so
// the ballot tables can be sharded by session.
import { sql, type Transaction } from 'kysely';
import type { Db } from '../../db/database.ts';
import type { DB } from '../../db/schema.ts';

export interface SlipLookup {
  sessionId: number;
  status: string;
  used: boolean;
  voided: boolean;
}

/** The slip's session and state: one primary-key probe joined to the session row. */
export async function findSlip(db: Db, tokenHash: Buffer): Promise<SlipLookup | undefined> {
  return db
    .selectFrom('slip as s')
    .innerJoin('evaluation_session as e', 'e.id', 's.session_id')
    .select(['s.session_id as sessionId', 'e.status', 's.used', 's.voided'])
    .where('s.token_hash', '=', tokenHash)
    .executeTakeFirst();
}

export type SubmitOutcome = 'accepted' | 'retry' | 'used' | 'not_open' | 'not_found';

export interface SubmitArgs {
  tokenHash: Buffer;
  clientId: string | null;
  receipt: string;
  answers: Record<string, string>;
  paper: boolean;
  /** paper entry: the session named in the URL, which must be the slip's */
  sessionId: number | null;
}

/**
 * The whole exactly-once transaction (sql/0004 submit_ballot): one statement in autocommit, so it
 * has committed when the reply to this query arrives.
 */
export async function submitBallot(db: Db, a: SubmitArgs): Promise<{ outcome: SubmitOutcome; receipt: string | null }> {
  const { rows } = await sql<{ outcome: SubmitOutcome; receipt: string | null }>`
    select outcome, receipt from submit_ballot(
      ${a.tokenHash}, ${a.clientId}, ${a.receipt}, ${JSON.stringify(a.answers)}::jsonb, ${a.paper}, ${a.sessionId}::integer
    )`.execute(db);
  const row = rows[0];
  if (!row) throw new Error('submit_ballot returned no row');
  return row;
}

export async function countBallotRows(db: Db, sessionId: number): Promise<number> {
  const row = await db
    .selectFrom('ballot')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('session_id', '=', sessionId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** How often each (question, answer value) pair occurs in the session's ballots. */
export async function countAnswerValues(
  db: Db,
  sessionId: number,
): Promise<{ question: string; value: string; n: number }[]> {
  const { rows } = await sql<{ question: string; value: string; n: number }>`
    select kv.key as question, kv.value #>> '{}' as value, count(*)::int as n
    from ballot b cross join lateral jsonb_each(b.answers) kv
    where b.session_id = ${sessionId}
    group by 1, 2`.execute(db);
  return rows;
}

/** Every ballot's answers (for the ballot digest: the order is of no meaning). */
export async function listAnswers(db: Db, sessionId: number): Promise<unknown[]> {
  const rows = await db.selectFrom('ballot').select('answers').where('session_id', '=', sessionId).execute();
  return rows.map((r) => r.answers);
}

/** Cross-tab of two questions' answers (ballots that answered the first one). */
export async function crossTab(
  db: Db,
  sessionId: number,
  byQuestion: string,
  ofQuestion: string,
): Promise<{ by: string; of: string | null; n: number }[]> {
  const { rows } = await sql<{ by: string; of: string | null; n: number }>`
    select answers ->> ${byQuestion}::text as by, answers ->> ${ofQuestion}::text as of, count(*)::int as n
    from ballot
    where session_id = ${sessionId} and answers ? ${byQuestion}::text
    group by 1, 2`.execute(db);
  return rows;
}

export async function findSessionRules(db: Db, sessionId: number): Promise<unknown> {
  const row = await db.selectFrom('evaluation_session').select('rules').where('id', '=', sessionId).executeTakeFirst();
  return row?.rules;
}

export async function turnoutCounts(
  db: Db,
  sessionId: number,
): Promise<{ used: number; online: number; paper: number }> {
  const { rows } = await sql<{ used: number; online: number; paper: number }>`
    select
      (select count(*)::int from slip where session_id = ${sessionId} and used) as used,
      coalesce(sum(online), 0)::int as online,
      coalesce(sum(paper), 0)::int as paper
    from turnout_shard where session_id = ${sessionId}`.execute(db);
  return rows[0] ?? { used: 0, online: 0, paper: 0 };
}

// The three rewrites of close. Each deletes the session's rows and inserts them again in random
// order in one statement: new tuples, new physical positions, one xmin (the caller's savepoint).

export async function rewriteBallots(trx: Transaction<DB>, sessionId: number): Promise<void> {
  await sql`
    with gone as (delete from ballot where session_id = ${sessionId} returning answers)
    insert into ballot (session_id, answers)
    select ${sessionId}, answers from gone order by random()`.execute(trx);
}

export async function rewriteReceipts(trx: Transaction<DB>, sessionId: number): Promise<void> {
  await sql`
    with gone as (delete from receipt where session_id = ${sessionId} returning code)
    insert into receipt (session_id, code)
    select ${sessionId}, code from gone order by random()`.execute(trx);
}

/** Slips keep what reconciliation needs (hash, session, batch, used, voided), not client or receipt. */
export async function rewriteSlips(trx: Transaction<DB>, sessionId: number): Promise<void> {
  await sql`
    with gone as (
      delete from slip where session_id = ${sessionId}
      returning token_hash, batch_id, used, voided, client_id, receipt
    )
    insert into slip (token_hash, session_id, batch_id, used, voided, client_id, receipt)
    select token_hash, ${sessionId}, batch_id, used, voided, client_id, receipt from gone order by random()`.execute(
    trx,
  );
}

/** Runs `fn` inside a savepoint (released after): its writes get their own transaction id. */
export async function inSavepoint(trx: Transaction<DB>, name: string, fn: () => Promise<void>): Promise<void> {
  await sql.raw(`savepoint ${name}`).execute(trx);
  await fn();
  await sql.raw(`release savepoint ${name}`).execute(trx);
}

/** Removes the dead tuples the rewrites left behind. Must run outside any transaction. */
export async function vacuumBallotTables(db: Db): Promise<void> {
  await sql`vacuum (skip_locked) ballot, receipt, slip`.execute(db);
}
