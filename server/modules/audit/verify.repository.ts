// The verifier's reads: the audit chain in id order, page by page, and the counted sessions with
// what their results are checked against. Nothing here writes.
import { sql } from 'kysely';
import type { Db } from '../../db/database.ts';
import type { Questionnaire } from '../sessions/questionnaire.ts';
import type { RuleSet } from '../tallies/tallies.rules.ts';
import type { AuditEntryRow } from './verify.rules.ts';

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
  /** detail.resultHash of every 'session.close' audit entry of the session */
  closeHashes: (string | null)[];
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
      sql<(string | null)[]>`array(
        select a.detail ->> 'resultHash' from audit_event a
        where a.object_type = 'evaluation_session' and a.object_id = s.id::text and a.action = 'session.close'
        order by a.id)`.as('closeHashes'),
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
