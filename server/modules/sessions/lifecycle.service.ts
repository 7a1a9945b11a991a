// The state changes of a session: open (residents confirmed; the questionnaire is frozen from here
// on), close (DESIGN.md step 5), certify and void. Close runs in one transaction: the session's
// lock taken exclusively (no submission in flight or to come), the counts read, the ballots,
// receipts and slips rewritten so nothing links a ballot to its slip, the verdict decided by the
// pure rule and the result written with its SHA-256 fingerprint (version 2 of the result also
// fingerprints the ballots themselves: results.rules ballotDigest). VACUUM follows the commit.
// sql/0006 refuses any later change to the result, and any ballot write outside this path.
import type { Transaction } from 'kysely';
import type { Db } from '../../db/database.ts';
import type { DB } from '../../db/schema.ts';
import { AppError } from '../../errors.ts';
import type { CurrentUser } from '../../lib/access.ts';
import { sha256 } from '../../lib/crypto.ts';
import { canonicalJson } from '../audit/audit.rules.ts';
import { countBallots, digestBallots, turnout, unlinkForClose, vacuumAfterClose } from '../ballots/ballots.service.ts';
import { buildResult, identityQuestionOf, type SessionResult } from '../tallies/results.rules.ts';
import * as repo from './sessions.repository.ts';
import type { CertifyInput, SessionView } from './sessions.schemas.ts';
import {
  getSessionView,
  lockForCloseFor,
  lockSessionFor,
  recordSessionChange,
  type SessionRow,
} from './sessions.service.ts';

export async function openSession(db: Db, user: CurrentUser, id: number): Promise<SessionView> {
  await db.transaction().execute(async (trx) => {
    const row = await lockSessionFor(trx, user, id, 'open');
    if (row.residentsConfirmedAt === null) {
      throw new AppError('RESIDENTS_NOT_CONFIRMED', '在村人数尚未经乡镇确认，不能开始测评');
    }
    await repo.updateSession(trx, id, { status: 'open', opened_at: new Date() });
    await recordSessionChange(trx, user, row, 'open', { residentsPresent: row.residentsPresent, issued: row.issued });
  });
  return getSessionView(db, id);
}

async function readResult(trx: Transaction<DB>, row: SessionRow, at: Date): Promise<SessionResult> {
  const identityQuestionId = identityQuestionOf(row.questionnaire, row.rules);
  const t = await turnout(trx, row.id);
  const counts = await countBallots(trx, row.id, {
    gateQuestionId: row.rules.gateQuestionId,
    ...(identityQuestionId ? { identityQuestionId } : {}),
  });
  const digest = await digestBallots(trx, row.id);
  return buildResult({
    sessionId: row.id,
    closedAt: at,
    residentsPresent: row.residentsPresent,
    issued: row.issued,
    questionnaire: row.questionnaire,
    rules: row.rules,
    turnout: t,
    counts,
    ballotDigest: digest,
  });
}

export async function closeSession(db: Db, user: CurrentUser, id: number): Promise<SessionView> {
  await db.transaction().execute(async (trx) => {
    const row = await lockForCloseFor(trx, user, id, 'close');
    const closedAt = new Date();
    const result = await readResult(trx, row, closedAt);
    await unlinkForClose(trx, id);
    const hash = sha256(canonicalJson(result));
    await repo.updateSession(trx, id, {
      status: 'closed',
      closed_at: closedAt,
      result: JSON.stringify(result),
      result_hash: hash,
    });
    await recordSessionChange(trx, user, row, 'close', {
      outcome: result.verdict.outcome,
      ballots: result.ballots,
      used: result.used,
      issued: result.issued,
      residentsPresent: result.residentsPresent,
      resultHash: hash.toString('hex'),
    });
  });
  await vacuumAfterClose(db);
  return getSessionView(db, id);
}

function cleanNames(names: string[], field: string): string[] {
  const out = names.map((n) => n.trim());
  if (out.some((n) => n.length === 0)) {
    throw new AppError('VALIDATION_FAILED', '姓名不能为空', [{ field, message: '姓名不能为空' }]);
  }
  return out;
}

export async function certifySession(db: Db, user: CurrentUser, id: number, input: CertifyInput): Promise<SessionView> {
  const certification = {
    host: cleanNames([input.host], 'host')[0] as string,
    scrutineers: cleanNames(input.scrutineers, 'scrutineers'),
    counters: cleanNames(input.counters, 'counters'),
  };
  const both = certification.scrutineers.filter((n) => certification.counters.includes(n));
  if (both.length > 0) {
    throw new AppError('VALIDATION_FAILED', `监票人与计票人应由不同的人担任：${both.join('、')}`, [
      { field: 'counters', message: '与监票人重复' },
    ]);
  }
  await db.transaction().execute(async (trx) => {
    const row = await lockSessionFor(trx, user, id, 'certify');
    await repo.updateSession(trx, id, {
      status: 'certified',
      certified_at: new Date(),
      certification: JSON.stringify(certification),
    });
    await recordSessionChange(trx, user, row, 'certify', certification);
  });
  return getSessionView(db, id);
}

export async function voidSession(db: Db, user: CurrentUser, id: number, reason: string): Promise<SessionView> {
  const why = reason.trim();
  if (why.length === 0) {
    throw new AppError('VALIDATION_FAILED', '请填写作废原因', [{ field: 'reason', message: '不能为空' }]);
  }
  const wasOpen = await db.transaction().execute(async (trx) => {
    // The close lock: no ballot commits after the void.
    const row = await lockForCloseFor(trx, user, id, 'void');
    // Ballots cast before the void stay stored: unlink them from their slips as close would.
    if (row.status === 'open') await unlinkForClose(trx, id);
    await repo.updateSession(trx, id, { status: 'void', void_reason: why });
    await recordSessionChange(trx, user, row, 'void', { reason: why, from: row.status });
    return row.status === 'open';
  });
  if (wasOpen) await vacuumAfterClose(db);
  return getSessionView(db, id);
}
