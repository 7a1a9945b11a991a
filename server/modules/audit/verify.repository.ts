// The verifier's reads: the audit chain in id order, page by page, and the counted sessions with
// what their results are checked against. Nothing here writes.
import { sql } from 'kysely';
import type { Db } from '../../db/database.ts';
import type { Questionnaire } from '../sessions/questionnaire.ts';
import type { RuleSet } from '../tallies/tallies.rules.ts';
import type { AuditEntryRow, HistoryEntry, SessionHistory } from './verify.rules.ts';

/** Up to `limit` audit entries with id > afterId, in id order. */
export async function auditPage(db: Db, afterId: number, limit: number): Promise<AuditEntryRow[]> {
  const rows = await db
    .selectFrom('audit_event')
    .select([
      'id',
      'at',
      'actor_id as actorId',
      'actor_username as actorUsername',
      'actor_role as actorRole',
      'region_id as regionId',
      'action',
      'object_type as objectType',
      'object_id as objectId',
      'detail',
      'prev_hash as prevHash',
      'hash',
    ])
    .where('id', '>', String(afterId))
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ ...r, id: Number(r.id), at: new Date(r.at) }));
}

/** The audit entry with this id, if any. */
export async function auditHashAt(db: Db, id: number): Promise<Buffer | undefined> {
  const row = await db.selectFrom('audit_event').select('hash').where('id', '=', String(id)).executeTakeFirst();
  return row?.hash;
}

/** Ids of the sessions that were counted (closed or certified), in id order. */
export async function countedSessionIds(db: Db): Promise<number[]> {
  const rows = await db
    .selectFrom('evaluation_session')
    .select('id')
    .where('status', 'in', ['closed', 'certified'])
    .orderBy('id')
    .execute();
  return rows.map((r) => r.id);
}

export interface CountedSession {
  id: number;
  villageName: string;
  residentsPresent: number;
  issued: number;
  closedAt: Date | null;
  questionnaire: Questionnaire;
  rules: RuleSet;
  result: unknown;
  resultHash: Buffer | null;
  receipts: number;
}

export async function findCountedSession(db: Db, id: number): Promise<CountedSession | undefined> {
  const row = await db
    .selectFrom('evaluation_session as s')
    .innerJoin('region as v', 'v.id', 's.village_id')
    .select((eb) => [
      's.id',
      'v.name as villageName',
      's.residents_present as residentsPresent',
      's.issued_count as issued',
      's.closed_at as closedAt',
      's.questionnaire',
      's.rules',
      's.result',
      's.result_hash as resultHash',
      eb
        .selectFrom('receipt')
        .select(sql<number>`count(*)::int`.as('n'))
        .whereRef('receipt.session_id', '=', 's.id')
        .as('receipts'),
    ])
    .where('s.id', '=', id)
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    ...row,
    closedAt: row.closedAt === null ? null : new Date(row.closedAt),
    questionnaire: row.questionnaire as unknown as Questionnaire,
    rules: row.rules as unknown as RuleSet,
    receipts: row.receipts ?? 0,
  };
}

/** Up to `limit` sessions with id > afterId, in id order, each with its history in the audit chain. */
export async function sessionHistoryPage(db: Db, afterId: number, limit: number): Promise<SessionHistory[]> {
  const rows = await db
    .selectFrom('evaluation_session as s')
    .innerJoin('region as v', 'v.id', 's.village_id')
    .select([
      's.id',
      'v.name as where',
      's.status',
      sql<string | null>`encode(s.result_hash, 'hex')`.as('resultHash'),
      sql<unknown>`s.certification`.as('certification'),
      's.void_reason as voidReason',
      // its 'session.*' audit entries in id order (audit_event_object_idx)
      sql<HistoryEntry[]>`coalesce((
        select json_agg(json_build_object('auditId', a.id, 'action', a.action, 'detail', a.detail) order by a.id)
        from audit_event a
        where a.object_type = 'evaluation_session' and a.object_id = s.id::text and a.action like 'session.%'),
        '[]')`.as('entries'),
    ])
    .where('s.id', '>', afterId)
    .orderBy('s.id')
    .limit(limit)
    .execute();
  return rows.map(({ id, where, entries, ...now }) => ({ id, where, now, entries }));
}

/** Sessions the audit chain records but whose row is gone, each with its history. */
export async function vanishedSessions(db: Db): Promise<SessionHistory[]> {
  const { rows } = await sql<{ objectId: string; where: string | null; entries: HistoryEntry[] }>`
    select a.object_id as "objectId", (array_agg(r.name order by a.id))[1] as "where",
      json_agg(json_build_object('auditId', a.id, 'action', a.action, 'detail', a.detail) order by a.id) as entries
    from audit_event a
    left join region r on r.id = a.region_id
    where a.object_type = 'evaluation_session' and a.action like 'session.%' and a.object_id is not null
      and not exists (select 1 from evaluation_session s where s.id::text = a.object_id)
    group by a.object_id
    order by length(a.object_id), a.object_id`.execute(db);
  return rows.map((r) => ({
    id: /^\d{1,9}$/.test(r.objectId) ? Number(r.objectId) : 0,
    where: r.where ?? '（村不详）',
    now: null,
    entries: r.entries,
  }));
}

// Set-based reads: what the per-session path reads with seven statements per session, here with
// one statement per page of sessions that reads each ballot once.

export interface CountedSessionWithBallots extends CountedSession {
  turnout: { used: number; online: number; paper: number };
  /** every ballot's answers, in no particular order */
  answers: unknown[];
}

/**
 * Up to `limit` counted sessions with id > afterId, in id order, with receipts, turnout and their
 * ballots' answers: one statement, so one snapshot, and one JSON text a session for the driver to
 * parse rather than a row a ballot.
 */
export async function countedSessionPage(db: Db, afterId: number, limit: number): Promise<CountedSessionWithBallots[]> {
  const { rows } = await sql<{
    id: number;
    villageName: string;
    residentsPresent: number;
    issued: number;
    closedAt: Date | string | null;
    questionnaire: Questionnaire;
    rules: RuleSet;
    result: unknown;
    resultHash: Buffer | null;
    receipts: number;
    used: number;
    online: number;
    paper: number;
    answers: unknown[] | null;
  }>`
    select s.id, v.name as "villageName", s.residents_present as "residentsPresent", s.issued_count as issued,
      s.closed_at as "closedAt", s.questionnaire, s.rules, s.result, s.result_hash as "resultHash",
      (select count(*)::int from receipt r where r.session_id = s.id) as receipts,
      (select count(*)::int from slip l where l.session_id = s.id and l.used) as used,
      (select coalesce(sum(t.online), 0)::int from turnout_shard t where t.session_id = s.id) as online,
      (select coalesce(sum(t.paper), 0)::int from turnout_shard t where t.session_id = s.id) as paper,
      (select json_agg(b.answers) from ballot b where b.session_id = s.id) as answers
    from evaluation_session s join region v on v.id = s.village_id
    where s.status in ('closed', 'certified') and s.id > ${afterId}
    order by s.id
    limit ${limit}`.execute(db);
  return rows.map(({ used, online, paper, closedAt, answers, ...r }) => ({
    ...r,
    closedAt: closedAt === null ? null : new Date(closedAt),
    turnout: { used, online, paper },
    answers: answers ?? [],
  }));
}

/** How often each (question, answer value) pair occurs in each session's ballots (as countAnswerValues):
 * for a session whose ballots recount.rules cannot tally. */
export async function answerValuesOf(
  db: Db,
  ids: number[],
): Promise<{ sessionId: number; question: string; value: string; n: number }[]> {
  const { rows } = await sql<{ sessionId: number; question: string; value: string; n: number }>`
    select b.session_id as "sessionId", kv.key as question, kv.value #>> '{}' as value, count(*)::int as n
    from ballot b cross join lateral jsonb_each(b.answers) kv
    where b.session_id = any(${ids}::int[])
    group by 1, 2, 3`.execute(db);
  return rows;
}

/** Each session's cross-tab of its two questions (as crossTab), for the sessions listed in `pairs`. */
export async function crossTabsOf(
  db: Db,
  pairs: { sessionId: number; by: string; of: string }[],
): Promise<{ sessionId: number; by: string; of: string | null; n: number }[]> {
  if (pairs.length === 0) return [];
  const { rows } = await sql<{ sessionId: number; by: string; of: string | null; n: number }>`
    select x.sid as "sessionId", b.answers ->> x.byq as by, b.answers ->> x.ofq as of, count(*)::int as n
    from unnest(${pairs.map((p) => p.sessionId)}::int[], ${pairs.map((p) => p.by)}::text[],
      ${pairs.map((p) => p.of)}::text[]) as x(sid, byq, ofq)
    join ballot b on b.session_id = x.sid and b.answers ? x.byq
    group by 1, 2, 3`.execute(db);
  return rows;
}
