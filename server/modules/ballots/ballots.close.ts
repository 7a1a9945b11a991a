// What the sessions service's close needs from the ballot tables, called inside its transaction
// after it holds the session's exclusive lock (so no submission is in flight): the raw counts, the
// ballot digest, the live turnout, and the unlinking rewrite. Re-exported by ballots.service.ts;
// npm run verify recounts a closed session with the same functions.
import crypto from 'node:crypto';
import type { Transaction } from 'kysely';
import type { Db } from '../../db/database.ts';
import type { DB } from '../../db/schema.ts';
import { DEFAULT_GATE_QUESTION, type Question } from '../sessions/questionnaire.ts';
import { getSessionForBallot } from '../sessions/sessions.service.ts';
import { ballotDigest } from '../tallies/results.rules.ts';
import * as repo from './ballots.repository.ts';

export interface BallotCounts {
  ballots: number;
  /** choice questions: question id → option id → ballots choosing it (every option present) */
  perQuestion: Record<string, Record<string, number>>;
  /** answers to text questions, in random order */
  comments: string[];
  /** identity option → gate option → ballots (only ballots that answered the identity question) */
  identityGate: Record<string, Record<string, number>>;
}

function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = crypto.randomInt(i + 1);
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
  return items;
}

export interface CountOptions {
  gateQuestionId?: string;
  /** default: the first choice question whose text mentions 身份 (q12 of the template) */
  identityQuestionId?: string;
}

export async function countBallots(db: Db, sessionId: number, opts: CountOptions = {}): Promise<BallotCounts> {
  const session = await getSessionForBallot(db, sessionId);
  if (!session) throw new Error(`session ${sessionId} not found`);
  const questions = session.questionnaire.questions;
  const [ballots, values] = await Promise.all([
    repo.countBallotRows(db, sessionId),
    repo.countAnswerValues(db, sessionId),
  ]);
  const pair = crossTabPair(questions, opts);
  const cross = pair ? await repo.crossTab(db, sessionId, pair.by, pair.of) : [];
  return countsFrom(questions, ballots, values, cross, opts);
}

/** The identity and gate questions whose cross-tab the counts hold, if the questionnaire has both. */
export function crossTabPair(questions: Question[], opts: CountOptions = {}): { by: string; of: string } | null {
  const gateId = opts.gateQuestionId ?? DEFAULT_GATE_QUESTION;
  const identity = opts.identityQuestionId ?? questions.find((q) => q.type === 'choice' && q.text.includes('身份'))?.id;
  const gate = questions.find((q) => q.id === gateId);
  const identityQ = questions.find((q) => q.id === identity);
  return gate && identityQ && identityQ.id !== gate.id ? { by: identityQ.id, of: gate.id } : null;
}

/**
 * The counts from what the ballot queries read (countBallotRows, countAnswerValues, crossTab of
 * crossTabPair): shared by the close and by npm run verify, which reads them for many sessions at once.
 */
export function countsFrom(
  questions: Question[],
  ballots: number,
  values: readonly { question: string; value: string; n: number }[],
  cross: readonly { by: string; of: string | null; n: number }[],
  opts: CountOptions = {},
): BallotCounts {
  const perQuestion: Record<string, Record<string, number>> = {};
  for (const q of questions) {
    if (q.type === 'choice') perQuestion[q.id] = Object.fromEntries(q.options.map((o) => [o.id, 0]));
  }
  const textIds = new Set(questions.filter((q) => q.type === 'text').map((q) => q.id));
  const comments: string[] = [];
  // Own keys only: a hand-edited ballot may carry keys such as __proto__ or toString, which must
  // neither be counted nor reach Object.prototype.
  for (const { question, value, n } of values) {
    const counts = Object.hasOwn(perQuestion, question) ? perQuestion[question] : undefined;
    if (counts && Object.hasOwn(counts, value)) counts[value] = (counts[value] ?? 0) + n;
    else if (textIds.has(question)) for (let i = 0; i < n; i++) comments.push(value);
  }
  const identityGate: Record<string, Record<string, number>> = {};
  const pair = crossTabPair(questions, opts);
  const gate = questions.find((q) => q.id === pair?.of);
  const identityQ = questions.find((q) => q.id === pair?.by);
  if (gate && identityQ) {
    for (const o of identityQ.options) identityGate[o.id] = Object.fromEntries(gate.options.map((g) => [g.id, 0]));
    for (const row of cross) {
      const inner = Object.hasOwn(identityGate, row.by) ? identityGate[row.by] : undefined;
      if (inner && row.of !== null && Object.hasOwn(inner, row.of)) inner[row.of] = (inner[row.of] ?? 0) + row.n;
    }
  }
  return { ballots, perQuestion, comments: shuffle(comments), identityGate };
}

/** The ballot digest (results.rules ballotDigest) of the session's ballots as stored now. */
export async function digestBallots(db: Db, sessionId: number): Promise<string> {
  return ballotDigest(await repo.listAnswers(db, sessionId));
}

export function turnout(db: Db, sessionId: number): Promise<{ used: number; online: number; paper: number }> {
  return repo.turnoutCounts(db, sessionId);
}

const REWRITES = [
  ['unlink_ballot', repo.rewriteBallots],
  ['unlink_receipt', repo.rewriteReceipts],
  ['unlink_slip', repo.rewriteSlips],
] as const;

/**
 * Rewrites the session's ballots, receipts and slips (slips keep their client id and receipt, so a
 * villager whose reply was lost still gets the receipt on retry after the close),
 * each table in its own savepoint, in random order. A savepoint that writes gets its own
 * transaction id, so afterwards every ballot row shares one xmin, every slip row another, and no
 * xmin or physical position links a ballot to its slip or receipt. The caller then commits and
 * runs vacuumAfterClose so the old row versions are gone.
 */
export async function unlinkForClose(trx: Transaction<DB>, sessionId: number): Promise<void> {
  for (const [name, rewrite] of shuffle([...REWRITES])) {
    await repo.inSavepoint(trx, name, () => rewrite(trx, sessionId));
  }
}

/** Best effort, outside any transaction: true when the vacuum ran. */
export async function vacuumAfterClose(db: Db): Promise<boolean> {
  try {
    await repo.vacuumBallotTables(db);
    return true;
  } catch {
    return false;
  }
}
