// The ballot path. A submission is: shape check (routes) → SHA-256 of the normalized token → one
// indexed lookup of the slip and its session's status → the frozen questionnaire (cached while
// open) → answers checked against it → submit_ballot(), the whole exactly-once transaction in one
// statement (sql/0004). The reply is sent only after that statement has committed.
// Unknown, malformed and voided codes get one identical 404; no answer ever depends on who asks.
// The plain token is never stored, logged or put in an error.
import { customAlphabet } from 'nanoid';
import type { Db } from '../../db/database.ts';
import { AppError } from '../../errors.ts';
import type { CurrentUser } from '../../lib/access.ts';
import { sha256 } from '../../lib/crypto.ts';
import type { Questionnaire } from '../sessions/questionnaire.ts';
import { getSessionForBallot, sessionFor } from '../sessions/sessions.service.ts';
import * as repo from './ballots.repository.ts';
import {
  checkAnswers,
  describeProblem,
  normalizeToken,
  RECEIPT_ALPHABET,
  RECEIPT_LENGTH,
  type CheckOptions,
} from './ballots.rules.ts';
import type { PaperInput, QuestionnaireView, SubmitInput } from './ballots.schemas.ts';

export {
  countBallots,
  countsFrom,
  crossTabPair,
  digestBallots,
  turnout,
  unlinkForClose,
  vacuumAfterClose,
  type BallotCounts,
} from './ballots.close.ts';

const newReceipt = customAlphabet(RECEIPT_ALPHABET, RECEIPT_LENGTH);

export const slipNotFound = (): AppError =>
  new AppError('SLIP_NOT_FOUND', '未找到这张测评票，请核对二维码或票上的测评码');
const slipUsed = (): AppError => new AppError('SLIP_ALREADY_USED', '这张测评票已经投过票了，每张票只能投一次');
const notOpen = (status: string): AppError =>
  new AppError('SESSION_NOT_OPEN', status === 'draft' ? '测评尚未开始' : '测评已结束');
const paperNotOpen = (): AppError => new AppError('INVALID_STATE', '测评不在进行中，不能录入纸质票');

interface FoundSlip extends repo.SlipLookup {
  tokenHash: Buffer;
}

/** The slip a (typed or scanned) code names; anything else is the one SLIP_NOT_FOUND. */
async function findSlip(db: Db, rawToken: string): Promise<FoundSlip> {
  const token = normalizeToken(rawToken);
  if (token === null) throw slipNotFound();
  const tokenHash = sha256(token);
  const slip = await repo.findSlip(db, tokenHash);
  if (!slip || slip.voided) throw slipNotFound();
  return { ...slip, tokenHash };
}

async function openSession(db: Db, slip: FoundSlip) {
  if (slip.status !== 'open') throw notOpen(slip.status);
  const session = await getSessionForBallot(db, slip.sessionId, 'open');
  if (!session) throw slipNotFound();
  return session;
}

function checkedAnswers(
  questionnaire: Questionnaire,
  answers: Record<string, string>,
  opts: CheckOptions = {},
): Record<string, string> {
  const result = checkAnswers(questionnaire, answers, opts);
  if (result.ok) return result.answers;
  const { problem } = result;
  throw new AppError('VALIDATION_FAILED', describeProblem(problem), [
    { field: `answers.${problem.questionId}`, message: problem.message },
  ]);
}

/** The questionnaire a slip opens. Consumes nothing. */
export async function getQuestionnaire(db: Db, rawToken: string): Promise<QuestionnaireView> {
  const slip = await findSlip(db, rawToken);
  const session = await openSession(db, slip);
  if (slip.used) throw slipUsed();
  return {
    session: {
      publicId: session.publicId,
      title: session.title,
      villageName: session.villageName,
      status: session.status,
    },
    header: session.questionnaire.header,
    questions: session.questionnaire.questions.map((q) => ({
      id: q.id,
      text: q.text,
      type: q.type,
      required: q.required,
      ...(q.maxLength !== undefined ? { maxLength: q.maxLength } : {}),
      options: q.options.map((o) => ({ id: o.id, label: o.label })),
    })),
  };
}

export interface Submitted {
  receipt: string;
  /** false for a retry with the same client id: the ballot was stored by an earlier attempt */
  created: boolean;
}

/** An online ballot: 201 the first time, 200 with the same receipt for a retry of the same client. */
export async function submitBallot(db: Db, input: SubmitInput): Promise<Submitted> {
  const slip = await findSlip(db, input.token);
  // A used slip stays used: this can only be the same client's retry (its receipt, even after the
  // close: a villager whose reply was lost must not be told their vote failed) or a refusal.
  if (slip.used) {
    const retry = { clientId: input.clientId, answers: {}, paper: false, sessionId: null };
    return consume(db, slip, retry, () => (slip.status === 'open' ? slipUsed() : notOpen(slip.status)));
  }
  const session = await openSession(db, slip);
  const answers = checkedAnswers(session.questionnaire, input.answers);
  return consume(db, slip, { clientId: input.clientId, answers, paper: false, sessionId: null }, notOpen);
}

/** A paper form entered by an official allowed on the session; it consumes the slip like a vote. */
export async function enterPaperBallot(
  db: Db,
  user: CurrentUser,
  sessionId: number,
  input: PaperInput,
): Promise<Submitted> {
  const session = await sessionFor(db, user, sessionId, 'paper');
  const slip = await findSlip(db, input.token);
  if (slip.sessionId !== sessionId) throw slipNotFound();
  // what the form shows: an item left blank or marked twice is entered blank (checkAnswers)
  const answers = checkedAnswers(session.questionnaire, input.answers, { blankAllowed: true });
  const clientId = input.clientId ?? null;
  return consume(db, slip, { clientId, answers, paper: true, sessionId }, paperNotOpen);
}

async function consume(
  db: Db,
  slip: FoundSlip,
  a: { clientId: string | null; answers: Record<string, string>; paper: boolean; sessionId: number | null },
  closedError: (status: string) => AppError,
): Promise<Submitted> {
  const { outcome, receipt } = await repo.submitBallot(db, { ...a, tokenHash: slip.tokenHash, receipt: newReceipt() });
  switch (outcome) {
    case 'accepted':
      return { receipt: receipt as string, created: true };
    case 'retry':
      return { receipt: receipt as string, created: false };
    case 'used':
      throw slipUsed();
    case 'not_open':
      // the lookup saw it open (else we would not be here), so it has closed since
      throw closedError(slip.status === 'draft' ? 'draft' : 'closed');
    default:
      throw slipNotFound();
  }
}
