import { sql, type Transaction, type Updateable } from 'kysely';
import type { Db } from '../../db/database.ts';
import type { DB, EvaluationSession } from '../../db/schema.ts';
import type { RuleSet } from '../tallies/tallies.rules.ts';
import type { ListPosition } from './list.rules.ts';
import type { Questionnaire } from './questionnaire.ts';
import type { SessionKind, SessionStatus } from './sessions.rules.ts';

/** Shared with submit_ballot (taken shared there): close and void take it exclusively. */
export const SESSION_LOCK = 727_100;

export interface Certification {
  host: string;
  scrutineers: string[];
  counters: string[];
}

export interface SessionRow {
  id: number;
  /** random, unguessable: the only id in URLs the public sees (sql/0007) */
  publicId: string;
  villageId: number;
  villageName: string;
  villagePath: number[];
  townshipName: string;
  title: string;
  kind: SessionKind;
  status: SessionStatus;
  residentsPresent: number;
  residentsConfirmedBy: string | null;
  residentsConfirmedAt: Date | null;
  issued: number;
  questionnaire: Questionnaire;
  rules: RuleSet;
  voidReason: string | null;
  openedAt: Date | null;
  closedAt: Date | null;
  certifiedAt: Date | null;
  certification: Certification | null;
  resultHash: Buffer | null;
  /** the audit entry of the close: its id and hash anchor the result in the audit chain */
  closeAuditId: string | null;
  closeAuditHash: Buffer | null;
  caseId: number | null;
  /** when the server opens / closes the session by itself (sql/0010; null: not scheduled) */
  scheduledOpenAt: Date | null;
  scheduledCloseAt: Date | null;
  createdAt: Date;
}

function baseQuery(db: Db) {
  return (
    db
      .selectFrom('evaluation_session as s')
      .innerJoin('region as v', 'v.id', 's.village_id')
      .innerJoin('region as t', 't.id', 'v.parent_id')
      .leftJoin('official as c', 'c.id', 's.residents_confirmed_by')
      // the close's audit entry (close happens once): its id and hash anchor the result in the chain
      .leftJoinLateral(
        (eb) =>
          eb
            .selectFrom('audit_event as a')
            .select(['a.id', 'a.hash'])
            .where('a.object_type', '=', 'evaluation_session')
            .whereRef('a.object_id', '=', sql<string>`s.id::text`)
            .where('a.action', '=', 'session.close')
            .orderBy('a.id')
            .limit(1)
            .as('ca'),
        (join) => join.onTrue(),
      )
      .select([
        's.id',
        's.public_id as publicId',
        's.village_id as villageId',
        'v.name as villageName',
        'v.path as villagePath',
        't.name as townshipName',
        's.title',
        's.kind',
        's.status',
        's.residents_present as residentsPresent',
        sql<string | null>`coalesce(nullif(c.display_name, ''), c.username)`.as('residentsConfirmedBy'),
        's.residents_confirmed_at as residentsConfirmedAt',
        's.issued_count as issued',
        sql<Questionnaire>`s.questionnaire`.as('questionnaire'),
        sql<RuleSet>`s.rules`.as('rules'),
        's.void_reason as voidReason',
        's.opened_at as openedAt',
        's.closed_at as closedAt',
        's.certified_at as certifiedAt',
        sql<Certification | null>`s.certification`.as('certification'),
        's.result_hash as resultHash',
        'ca.id as closeAuditId',
        'ca.hash as closeAuditHash',
        's.case_id as caseId',
        's.scheduled_open_at as scheduledOpenAt',
        's.scheduled_close_at as scheduledCloseAt',
        's.created_at as createdAt',
      ])
      .$narrowType<{ kind: SessionKind; status: SessionStatus }>()
  );
}

export async function findSession(db: Db, id: number): Promise<SessionRow | undefined> {
  return baseQuery(db).where('s.id', '=', id).executeTakeFirst();
}

/** The session row locked FOR UPDATE (waits for, then sees, any concurrent change). */
export async function lockRow(trx: Transaction<DB>, id: number): Promise<SessionRow | undefined> {
  const row = await trx
    .selectFrom('evaluation_session')
    .select('id')
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
  return row ? findSession(trx, id) : undefined;
}

export async function takeExclusiveLock(trx: Transaction<DB>, id: number): Promise<void> {
  await sql`select pg_advisory_xact_lock(${SESSION_LOCK}, ${id})`.execute(trx);
}

export interface ListFilter {
  villageId?: number | undefined;
  status?: SessionStatus | undefined;
}

export interface ListItemRow {
  id: number;
  publicId: string;
  villageId: number;
  villageName: string;
  townshipName: string;
  title: string;
  kind: SessionKind;
  status: SessionStatus;
  residentsPresent: number;
  residentsConfirmedAt: Date | null;
  issued: number;
  used: number;
  caseId: number | null;
  openedAt: Date | null;
  closedAt: Date | null;
  createdAt: Date;
  /** created_at in whole microseconds since the epoch: the keyset position (list.rules) */
  createdAtMicros: string;
}

/** exact: extract returns numeric (PostgreSQL 14+) */
const MICROS = sql<string>`(extract(epoch from s.created_at) * 1000000)::bigint`;

function listBase(db: Db, regionId: number, filter: ListFilter) {
  let q = db
    .selectFrom('evaluation_session as s')
    .innerJoin('region as v', 'v.id', 's.village_id')
    .where(sql<boolean>`v.path @> array[${regionId}]::int[]`);
  if (filter.villageId !== undefined) q = q.where('s.village_id', '=', filter.villageId);
  if (filter.status !== undefined) q = q.where('s.status', '=', filter.status);
  return q;
}

/** One page of the sessions in the subtree of `regionId`, newest first, after `after` (keyset). */
export async function listPage(
  db: Db,
  regionId: number,
  filter: ListFilter,
  after: ListPosition | null,
  limit: number,
): Promise<ListItemRow[]> {
  let q = listBase(db, regionId, filter)
    .innerJoin('region as t', 't.id', 'v.parent_id')
    .select([
      's.id',
      's.public_id as publicId',
      's.village_id as villageId',
      'v.name as villageName',
      't.name as townshipName',
      's.title',
      's.kind',
      's.status',
      's.residents_present as residentsPresent',
      's.residents_confirmed_at as residentsConfirmedAt',
      's.issued_count as issued',
      sql<number>`(select coalesce(sum(u.online + u.paper), 0)::int from turnout_shard u where u.session_id = s.id)`.as(
        'used',
      ),
      's.case_id as caseId',
      's.opened_at as openedAt',
      's.closed_at as closedAt',
      's.created_at as createdAt',
      sql<string>`${MICROS}::text`.as('createdAtMicros'),
    ])
    .$narrowType<{ kind: SessionKind; status: SessionStatus }>();
  if (after) {
    q = q.where(sql<boolean>`(${MICROS}, s.id) < (${after.createdAtMicros}::bigint, ${after.id}::int)`);
  }
  return q.orderBy('s.created_at', 'desc').orderBy('s.id', 'desc').limit(limit).execute();
}

export async function countInSubtree(db: Db, regionId: number, filter: ListFilter): Promise<number> {
  const row = await listBase(db, regionId, filter)
    .select(sql<number>`count(*)::int`.as('n'))
    .executeTakeFirstOrThrow();
  return row.n;
}

export interface NewSession {
  villageId: number;
  title: string;
  kind: SessionKind;
  questionnaire: Questionnaire;
  rules: RuleSet;
  residentsPresent: number;
  createdBy: number;
  caseId: number | null;
}

export async function insertSession(trx: Transaction<DB>, s: NewSession): Promise<number> {
  const row = await trx
    .insertInto('evaluation_session')
    .values({
      village_id: s.villageId,
      title: s.title,
      kind: s.kind,
      questionnaire: JSON.stringify(s.questionnaire),
      rules: JSON.stringify(s.rules),
      residents_present: s.residentsPresent,
      created_by: s.createdBy,
      case_id: s.caseId,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function updateSession(
  trx: Transaction<DB>,
  id: number,
  values: Updateable<EvaluationSession>,
): Promise<void> {
  await trx
    .updateTable('evaluation_session')
    .set({ ...values, updated_at: sql`now()` })
    .where('id', '=', id)
    .execute();
}

export async function insertEvent(
  trx: Transaction<DB>,
  e: { sessionId: number; officialId: number; action: string; detail: Record<string, unknown> },
): Promise<void> {
  await trx
    .insertInto('session_event')
    .values({ session_id: e.sessionId, official_id: e.officialId, action: e.action, detail: JSON.stringify(e.detail) })
    .execute();
}

export interface EventRow {
  at: Date;
  action: string;
  officialName: string | null;
  detail: Record<string, unknown>;
}

export async function listEvents(db: Db, sessionId: number): Promise<EventRow[]> {
  return db
    .selectFrom('session_event as e')
    .leftJoin('official as o', 'o.id', 'e.official_id')
    .select([
      'e.at',
      'e.action',
      sql<string | null>`coalesce(nullif(o.display_name, ''), o.username)`.as('officialName'),
      sql<Record<string, unknown>>`e.detail`.as('detail'),
    ])
    .where('e.session_id', '=', sessionId)
    .orderBy('e.id')
    .execute();
}
