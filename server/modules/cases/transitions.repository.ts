// SQL of a case's steps: the append-only transition log, the sessions attached to the case and the
// facts its gates read.
import { sql, type Transaction } from 'kysely';
import type { Db } from '../../db/database.ts';
import type { DB } from '../../db/schema.ts';
import type { SessionKind, SessionStatus } from '../sessions/sessions.rules.ts';
import type { CaseAction, CaseState, FortressGrade, SessionFact } from './cases.rules.ts';

export interface TransitionRow {
  id: number;
  action: CaseAction;
  fromState: CaseState;
  toState: CaseState;
  at: Date;
  actorName: string;
  actorRole: string;
  reason: string | null;
  deadline: string | null;
  sessionId: number | null;
  evidence: string | null;
  fortressGrade: FortressGrade | null;
  newCaseId: number | null;
}

export async function listTransitions(db: Db, caseId: number): Promise<TransitionRow[]> {
  return db
    .selectFrom('case_transition')
    .select([
      sql<number>`id::int`.as('id'),
      sql<CaseAction>`action`.as('action'),
      sql<CaseState>`from_state`.as('fromState'),
      sql<CaseState>`to_state`.as('toState'),
      'at',
      'actor_name as actorName',
      'actor_role as actorRole',
      'reason',
      sql<string | null>`to_char(deadline, 'YYYY-MM-DD')`.as('deadline'),
      'session_id as sessionId',
      'evidence',
      sql<FortressGrade | null>`fortress_grade`.as('fortressGrade'),
      'new_case_id as newCaseId',
    ])
    .where('case_id', '=', caseId)
    .orderBy('id')
    .execute();
}

export interface NewTransition {
  caseId: number;
  action: CaseAction;
  fromState: CaseState;
  toState: CaseState;
  officialId: number;
  actorName: string;
  actorRole: string;
  reason: string | null;
  deadline: string | null;
  sessionId: number | null;
  evidence: string | null;
  fortressGrade: FortressGrade | null;
  newCaseId: number | null;
}

export async function insertTransition(trx: Transaction<DB>, t: NewTransition): Promise<number> {
  const row = await trx
    .insertInto('case_transition')
    .values({
      case_id: t.caseId,
      action: t.action,
      from_state: t.fromState,
      to_state: t.toState,
      official_id: t.officialId,
      actor_name: t.actorName,
      actor_role: t.actorRole,
      reason: t.reason,
      deadline: t.deadline,
      session_id: t.sessionId,
      evidence: t.evidence,
      fortress_grade: t.fortressGrade,
      new_case_id: t.newCaseId,
    })
    .returning(sql<number>`id::int`.as('id'))
    .executeTakeFirstOrThrow();
  return row.id;
}

export interface VerdictJson {
  outcome: 'pass' | 'fail' | 'undecidable';
  satisfied: number;
  denominator: number;
  needed: number;
  rule: string;
  reason: string | null;
}

export interface CaseSessionRow {
  id: number;
  kind: SessionKind;
  title: string;
  status: SessionStatus;
  residentsPresent: number;
  closedAt: Date | null;
  verdict: VerdictJson | null;
  reconciled: boolean | null;
  ballots: number | null;
}

function caseSessions(db: Db) {
  return db
    .selectFrom('evaluation_session')
    .select([
      'id',
      sql<SessionKind>`kind`.as('kind'),
      'title',
      sql<SessionStatus>`status`.as('status'),
      'residents_present as residentsPresent',
      'closed_at as closedAt',
      sql<VerdictJson | null>`result -> 'verdict'`.as('verdict'),
      sql<boolean | null>`(result ->> 'reconciled')::boolean`.as('reconciled'),
      sql<number | null>`(result ->> 'ballots')::int`.as('ballots'),
    ]);
}

export async function listCaseSessions(db: Db, caseId: number): Promise<CaseSessionRow[]> {
  return caseSessions(db).where('case_id', '=', caseId).orderBy('created_at').orderBy('id').execute();
}

/** The latest counted (closed or certified, never void) session of this kind on the case. */
async function latestCounted(db: Db, caseId: number, kind: SessionKind): Promise<SessionFact | null> {
  const row = await caseSessions(db)
    .where('case_id', '=', caseId)
    .where('kind', '=', kind)
    .where('status', 'in', ['closed', 'certified'])
    .orderBy('closed_at', 'desc')
    .orderBy('id', 'desc')
    .executeTakeFirst();
  if (!row) return null;
  const v = row.verdict;
  return {
    id: row.id,
    outcome: v?.outcome ?? 'undecidable',
    reconciled: row.reconciled === true,
    satisfied: v?.satisfied ?? 0,
    needed: v?.needed ?? 0,
    rule: v?.rule ?? '',
    reason: v?.reason ?? null,
  };
}

export interface StoredFacts {
  selfEvaluation: SessionFact | null;
  countyCallback: SessionFact | null;
  lookBack: SessionFact | null;
  lookBackUsed: boolean;
  countyPassSinceReturn: boolean;
  openProblems: number;
}

export async function readFacts(db: Db, caseId: number): Promise<StoredFacts> {
  const [selfEvaluation, countyCallback, lookBack] = await Promise.all([
    latestCounted(db, caseId, 'self_evaluation'),
    latestCounted(db, caseId, 'county_callback'),
    latestCounted(db, caseId, 'look_back'),
  ]);
  const { rows } = await sql<{ open: number; used: boolean; countyPass: boolean }>`
    select
      (select count(*)::int from case_problem where case_id = ${caseId} and status = 'open') as open,
      exists (select 1 from case_transition where case_id = ${caseId} and action = 'lookback_pass'
        and session_id = ${lookBack?.id ?? null}::int) as used,
      exists (select 1 from case_transition where case_id = ${caseId} and action = 'county_pass'
        and id > coalesce((select max(id) from case_transition where case_id = ${caseId} and action = 'return'), 0))
        as "countyPass"`.execute(db);
  const r = rows[0] as { open: number; used: boolean; countyPass: boolean };
  return {
    selfEvaluation,
    countyCallback,
    lookBack,
    lookBackUsed: r.used,
    countyPassSinceReturn: r.countyPass,
    openProblems: r.open,
  };
}

/** Does the session belong to the case? */
export async function sessionOfCase(db: Db, caseId: number, sessionId: number): Promise<boolean> {
  const row = await db
    .selectFrom('evaluation_session')
    .select('id')
    .where('id', '=', sessionId)
    .where('case_id', '=', caseId)
    .executeTakeFirst();
  return row !== undefined;
}
