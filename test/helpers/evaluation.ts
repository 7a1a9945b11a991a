// Evaluation fixtures: a session with slips whose plain tokens the test knows, written directly to
// the database (no HTTP), so ballot and tally tests start from a known state in one call.
import { sql } from 'kysely';
import { customAlphabet } from 'nanoid';
import type { Db } from '../../server/db/database.ts';
import { sha256 } from '../../server/lib/crypto.ts';
import { canonicalJson } from '../../server/modules/audit/audit.rules.ts';
import { defaultQuestionnaire, type Questionnaire } from '../../server/modules/sessions/questionnaire.ts';
import { ballotDigest, buildResult } from '../../server/modules/tallies/results.rules.ts';
import { defaultRuleSet, type RuleSet } from '../../server/modules/tallies/tallies.rules.ts';
import { createOfficial, createTree, type TestOfficial, type Tree } from './factories.ts';

export const TOKEN_ALPHABET = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';
export const newToken = customAlphabet(TOKEN_ALPHABET, 16);

export type FixtureStatus = 'draft' | 'open' | 'closed' | 'certified' | 'void';

export interface SessionFixture {
  sessionId: number;
  /** the random id of public URLs (sql/0007) */
  publicId: string;
  batchId: number;
  tree: Tree;
  villageName: string;
  title: string;
  /** the village secretary who created the session */
  secretary: TestOfficial;
  /** the township official who confirmed the residents present */
  township: TestOfficial;
  /** plain tokens of the slips, in issuing order */
  tokens: string[];
  questionnaire: Questionnaire;
}

export interface SessionFixtureOptions {
  /** slips to issue (default 10) */
  slips?: number;
  /** residents present (default: the number of slips) */
  residentsPresent?: number;
  status?: FixtureStatus;
  title?: string;
  tree?: Tree;
}

/** A confirmed session (open by default) with `slips` unused slips of one batch. */
export async function createSessionFixture(db: Db, opts: SessionFixtureOptions = {}): Promise<SessionFixture> {
  const slips = opts.slips ?? 10;
  const residents = opts.residentsPresent ?? slips;
  const status = opts.status ?? 'open';
  const title = opts.title ?? '2025年度整顿村级自评';
  const tree = opts.tree ?? (await createTree(db));
  const secretary = await createOfficial(db, 'village', tree.village);
  const township = await createOfficial(db, 'township', tree.township);
  const village = await db.selectFrom('region').select('name').where('id', '=', tree.village).executeTakeFirstOrThrow();
  const questionnaire = defaultQuestionnaire();
  const started = status !== 'draft';
  const ended = status === 'closed' || status === 'certified';
  const session = await db
    .insertInto('evaluation_session')
    .values({
      village_id: tree.village,
      title,
      questionnaire: JSON.stringify(questionnaire),
      rules: JSON.stringify(defaultRuleSet()),
      residents_present: residents,
      residents_confirmed_by: township.id,
      residents_confirmed_at: sql<Date>`now()`,
      // an ended session is written open and then closed with a real result (closeFixtureSession)
      status: ended ? 'open' : status,
      void_reason: status === 'void' ? '测试作废' : null,
      issued_count: slips,
      opened_at: started ? sql<Date>`now()` : null,
      created_by: secretary.id,
    })
    .returning(['id', 'public_id'])
    .executeTakeFirstOrThrow();
  const batchId = slips > 0 ? await insertBatch(db, session.id, secretary.id, slips) : 0;
  const tokens = Array.from({ length: slips }, () => newToken());
  for (let i = 0; i < tokens.length; i += 1000) {
    const part = tokens.slice(i, i + 1000);
    await db
      .insertInto('slip')
      .values(part.map((t) => ({ token_hash: sha256(t), session_id: session.id, batch_id: batchId })))
      .execute();
  }
  if (ended) await closeFixtureSession(db, session.id, status === 'certified');
  return {
    sessionId: session.id,
    publicId: session.public_id,
    batchId,
    tree,
    villageName: village.name,
    title,
    secretary,
    township,
    tokens,
    questionnaire,
  };
}

async function insertBatch(db: Db, sessionId: number, officialId: number, count: number): Promise<number> {
  const row = await db
    .insertInto('slip_batch')
    .values({ session_id: sessionId, slip_count: count, created_by: officialId })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/**
 * Closes (or certifies) a session directly, with a result built by the close's own pure function
 * from no ballots and its fingerprint, so `npm run verify`, the exports and the result pages read
 * it like a real one (a ballot cast into the fixture is not counted: a closed session's counts are
 * tested through the real close).
 */
export async function closeFixtureSession(db: Db, sessionId: number, certified: boolean): Promise<void> {
  const s = await db
    .selectFrom('evaluation_session')
    .select(['residents_present', 'issued_count', 'questionnaire', 'rules'])
    .where('id', '=', sessionId)
    .executeTakeFirstOrThrow();
  const closedAt = new Date();
  const result = buildResult({
    sessionId,
    closedAt,
    residentsPresent: s.residents_present,
    issued: s.issued_count,
    questionnaire: s.questionnaire as unknown as Questionnaire,
    rules: s.rules as unknown as RuleSet,
    turnout: { used: 0, online: 0, paper: 0 },
    counts: { ballots: 0, perQuestion: {}, comments: [], identityGate: {} },
    ballotDigest: ballotDigest([]),
  });
  await db
    .updateTable('evaluation_session')
    .set({
      status: certified ? 'certified' : 'closed',
      closed_at: closedAt,
      certified_at: certified ? closedAt : null,
      result: JSON.stringify(result),
      result_hash: sha256(canonicalJson(result)),
    })
    .where('id', '=', sessionId)
    .execute();
}

/** Mark slips voided directly (as voiding their batch would). */
export async function voidSlips(db: Db, tokens: string[]): Promise<void> {
  await db
    .updateTable('slip')
    .set({ voided: true })
    .where(
      'token_hash',
      'in',
      tokens.map((t) => sha256(t)),
    )
    .execute();
}

/** A full set of valid answers to the default questionnaire: every choice item answered `option`. */
export function validAnswers(option = 'satisfied', extra: Record<string, string> = {}): Record<string, string> {
  const answers: Record<string, string> = {};
  for (let i = 1; i <= 10; i++) answers[`q${i}`] = option;
  return { ...answers, ...extra };
}

/** Counts of the ballot path's tables for one session. */
export async function ballotState(
  db: Db,
  sessionId: number,
): Promise<{ ballots: number; receipts: number; used: number; online: number; paper: number }> {
  const { rows } = await sql<{ ballots: number; receipts: number; used: number; online: number; paper: number }>`
    select
      (select count(*)::int from ballot where session_id = ${sessionId}) as ballots,
      (select count(*)::int from receipt where session_id = ${sessionId}) as receipts,
      (select count(*)::int from slip where session_id = ${sessionId} and used) as used,
      (select coalesce(sum(online), 0)::int from turnout_shard where session_id = ${sessionId}) as online,
      (select coalesce(sum(paper), 0)::int from turnout_shard where session_id = ${sessionId}) as paper
  `.execute(db);
  return rows[0] as { ballots: number; receipts: number; used: number; online: number; paper: number };
}

const newReceipt = customAlphabet('0123456789ABCDEFGHJKLMNPQRSTUVWXYZ', 10);

/** One ballot straight through the submit_ballot SQL function (no HTTP), as the ballot route casts it. */
export async function castBallot(
  db: Db,
  token: string,
  answers: Record<string, string>,
  opts: { paper?: boolean; clientId?: string } = {},
): Promise<{ outcome: string; receipt: string | null }> {
  const { rows } = await sql<{ outcome: string; receipt: string | null }>`
    select outcome, receipt from submit_ballot(
      ${sha256(token)}, ${opts.paper ? null : (opts.clientId ?? `client-${newReceipt()}`)}, ${newReceipt()},
      ${JSON.stringify(answers)}::jsonb, ${opts.paper ?? false})`.execute(db);
  return rows[0] as { outcome: string; receipt: string | null };
}
