// Access to one session, shared by every use case that touches it (here, slips, tallies, ballots):
// the session's village must lie in the caller's subtree (else the one 404), then sessions.rules
// decides by role, kind and state (403, then 409). And the one way a change is recorded: a
// session_event row and an audit entry, in the transaction that makes the change.
import type { Transaction } from 'kysely';
import type { Db } from '../../db/database.ts';
import type { DB } from '../../db/schema.ts';
import { AppError, forbidden, notFound } from '../../errors.ts';
import { assertInScope, type CurrentUser } from '../../lib/access.ts';
import { actorOf, recordAudit } from '../audit/audit.service.ts';
import * as repo from './sessions.repository.ts';
import { refusal, type SessionAction } from './sessions.rules.ts';

type SessionRow = repo.SessionRow;

/** Scope (404), then role (403), then state (409). */
export function assertMay(user: CurrentUser, row: SessionRow | undefined, action: SessionAction): SessionRow {
  if (!row) throw notFound();
  assertInScope(user, row.villagePath);
  const why = refusal(user.role, row.kind, action, row.status);
  if (why?.reason === 'role') throw forbidden();
  if (why?.reason === 'state') throw new AppError('INVALID_STATE', why.message, { status: row.status });
  return row;
}

/** The session, if the caller may take `action` on it now (no lock). */
export async function sessionFor(db: Db, user: CurrentUser, id: number, action: SessionAction): Promise<SessionRow> {
  return assertMay(user, await repo.findSession(db, id), action);
}

/** Scope first, without a lock: an official outside the session's region must not be able to
 * stall its ballot submissions by taking its locks, even briefly. */
async function assertScopeUnlocked(db: Db, user: CurrentUser, id: number): Promise<void> {
  const row = await repo.findSession(db, id);
  if (!row) throw notFound();
  assertInScope(user, row.villagePath);
}

/** The session locked FOR UPDATE, if the caller may take `action` on it. */
export async function lockSessionFor(
  trx: Transaction<DB>,
  user: CurrentUser,
  id: number,
  action: SessionAction,
): Promise<SessionRow> {
  await assertScopeUnlocked(trx, user, id);
  return assertMay(user, await repo.lockRow(trx, id), action);
}

/** lockForClose, if the caller may take `action` (close or void) on the session. */
export async function lockForCloseFor(
  trx: Transaction<DB>,
  user: CurrentUser,
  id: number,
  action: SessionAction,
): Promise<SessionRow> {
  await assertScopeUnlocked(trx, user, id);
  return assertMay(user, await lockForClose(trx, id), action);
}

/** Close's lock: the session's advisory lock taken exclusively (so no submission is in flight or
 * can start: submit_ballot takes it shared), then the row FOR UPDATE. */
export async function lockForClose(trx: Transaction<DB>, sessionId: number): Promise<SessionRow | undefined> {
  await repo.takeExclusiveLock(trx, sessionId);
  return repo.lockRow(trx, sessionId);
}

/** One change: a session_event row and an audit entry, in the caller's transaction. */
export async function recordSessionChange(
  trx: Transaction<DB>,
  user: CurrentUser,
  session: { id: number; villageId: number },
  action: string,
  detail: Record<string, unknown> = {},
): Promise<void> {
  await repo.insertEvent(trx, { sessionId: session.id, officialId: user.id, action, detail });
  await recordAudit(
    trx,
    actorOf(user),
    `session.${action}`,
    { type: 'evaluation_session', id: session.id, regionId: session.villageId },
    detail,
  );
}
