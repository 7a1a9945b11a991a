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
  assertMay,
  getSessionView,
  lockForClose,
  lockForCloseFor,
  lockSessionFor,
  recordSessionChange,
  type SessionRow,
} from './sessions.service.ts';

/** What a scheduled run (server/modules/schedule) decides, looking at the session under its lock. */
export type ScheduledCheck = { go: true } | { go: false; reason: string | null };

/**
 * A scheduled open or close, carried out by the server as the official who scheduled it. `check`
 * runs under the session's lock, before anything else: { go: false, reason: null } means there is
 * nothing to do (the time changed, or it already ran: a duplicate delivery does nothing); a reason
 * is recorded as a session event and the schedule cleared. Then the change is exactly the manual
 * one, recorded with { scheduled: true }.
 */
export interface ScheduledRun {
  dueAt: Date;
  check(row: SessionRow): ScheduledCheck;
}

const NO_RIGHT = '安排定时的账户已无权操作此测评';

/** Under the lock: may the scheduled run go on? Records why not when there is a reason. */
async function scheduledGoesOn(
  trx: Transaction<DB>,
  user: CurrentUser,
  id: number,
  action: 'open' | 'close',
  run: ScheduledRun,
): Promise<boolean> {
  const row = action === 'close' ? await lockForClose(trx, id) : await repo.lockRow(trx, id);
  if (!row) return false;
  let verdict = run.check(row);
  if (verdict.go) {
    try {
      assertMay(user, row, action);
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      verdict = { go: false, reason: err.code === 'INVALID_STATE' ? err.message : NO_RIGHT };
    }
  }
  if (verdict.go) return true;
  if (verdict.reason !== null) {
    await repo.updateSession(trx, id, action === 'open' ? { scheduled_open_at: null } : { scheduled_close_at: null });
    await recordSessionChange(trx, user, row, `scheduled_${action}_failed`, {
      scheduled: true,
      dueAt: run.dueAt.toISOString(),
      reason: verdict.reason,
    });
  }
  return false;
}

const scheduledMark = (run: ScheduledRun | undefined) => (run ? { scheduled: true } : {});

export async function openSession(db: Db, user: CurrentUser, id: number, run?: ScheduledRun): Promise<SessionView> {
  await db.transaction().execute(async (trx) => {
    if (run && !(await scheduledGoesOn(trx, user, id, 'open', run))) return;
    const row = await lockSessionFor(trx, user, id, 'open');
    if (row.residentsConfirmedAt === null) {
      throw new AppError('RESIDENTS_NOT_CONFIRMED', '在村人数尚未经乡镇确认，不能开始测评');
    }
    await repo.updateSession(trx, id, { status: 'open', opened_at: new Date() });
    await recordSessionChange(trx, user, row, 'open', {
      residentsPresent: row.residentsPresent,
      issued: row.issued,
      ...scheduledMark(run),
    });
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

export async function closeSession(db: Db, user: CurrentUser, id: number, run?: ScheduledRun): Promise<SessionView> {
  const closed = await db.transaction().execute(async (trx) => {
    if (run && !(await scheduledGoesOn(trx, user, id, 'close', run))) return false;
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
      ...scheduledMark(run),
    });
    return true;
  });
  if (closed) await vacuumAfterClose(db);
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
