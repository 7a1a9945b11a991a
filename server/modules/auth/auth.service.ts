// Logging in and server-side sessions.
// - An unknown user and a wrong password get the same answer after the same work (a dummy hash).
// - Throttling is per username (never per IP: a village hall is one NAT address): after a few free
//   failures each attempt must wait exponentially longer; after HARD_STOP_FAILURES consecutive
//   failures the account takes no password until an admin resets it. The current password asked
//   by a password change counts on the same throttle.
// - The cookie holds 256 random bits; the table holds only their SHA-256. A new id at every login.
import type { Db } from '../../db/database.ts';
import type { CurrentUser, Role } from '../../lib/access.ts';
import { randomId, sha256 } from '../../lib/crypto.ts';
import { dummyHash, verifyPassword } from '../../lib/passwords.ts';
import { AppError } from '../../errors.ts';
import { actorOf, recordAudit } from '../audit/audit.service.ts';
import { changeOwnPassword, findForLogin } from '../officials/officials.service.ts';
import { getRegion } from '../regions/regions.service.ts';
import {
  backoffSeconds,
  HARD_STOP_FAILURES,
  isHardStopped,
  SESSION_ABSOLUTE_SECONDS,
  SESSION_IDLE_SECONDS,
} from './auth.rules.ts';
import * as repo from './auth.repository.ts';

const INVALID = () => new AppError('INVALID_CREDENTIALS', '用户名或密码错误');
const LOCKED = () =>
  new AppError('ACCOUNT_LOCKED', `连续 ${HARD_STOP_FAILURES} 次登录失败，账户已锁定，请联系管理员重置密码`);
const THROTTLED = (seconds: number) =>
  new AppError('LOGIN_THROTTLED', `登录失败次数过多，请 ${seconds} 秒后再试`, { retryAfterSeconds: seconds });

const keyOf = (username: string) => username.trim().toLowerCase();

export interface LoginResult {
  sessionId: string;
  user: CurrentUser;
}

type Attempt = { account: { id: number } } | { error: AppError };

/** One password attempt on the throttle of `key`, inside the caller's transaction: refused while
 * the account must wait or is stopped; a wrong password is counted, a right one clears the count. */
async function attempt(trx: Db, key: string, password: string): Promise<Attempt> {
  const throttle = await repo.lockThrottle(trx, key);
  if (isHardStopped(throttle.failures)) return { error: LOCKED() };
  if (throttle.waitSeconds > 0) return { error: THROTTLED(throttle.waitSeconds) };
  const account = await findForLogin(trx, key);
  const ok = await verifyPassword(account?.passwordHash ?? (await dummyHash()), password);
  if (!account || !ok || account.disabled) {
    const failures = throttle.failures + 1;
    await repo.recordFailure(trx, key, failures, backoffSeconds(failures));
    return { error: isHardStopped(failures) ? LOCKED() : INVALID() };
  }
  await repo.clearThrottle(trx, key);
  return { account };
}

export async function login(db: Db, username: string, password: string): Promise<LoginResult> {
  const outcome = await db.transaction().execute(async (trx) => {
    const result = await attempt(trx, keyOf(username), password);
    if ('error' in result) return result;
    const sessionId = randomId(32);
    await repo.insertSession(trx, sha256(sessionId), result.account.id, SESSION_ABSOLUTE_SECONDS);
    return { sessionId };
  });
  // Failures are committed before answering, so a refused attempt still counts.
  if ('error' in outcome) throw outcome.error;
  const user = await resolveSession(db, outcome.sessionId);
  if (!user) throw INVALID();
  await db
    .transaction()
    .execute((trx) => recordAudit(trx, actorOf(user), 'auth.login', { type: 'official', id: user.id }));
  return { sessionId: outcome.sessionId, user };
}

/** The user behind a session cookie, or null when the session is unknown, expired or idle too long. */
export async function resolveSession(db: Db, sessionId: string): Promise<CurrentUser | null> {
  if (sessionId.length < 20 || sessionId.length > 100) return null;
  const idHash = sha256(sessionId);
  const row = await repo.findSessionUser(db, idHash, SESSION_IDLE_SECONDS);
  if (!row) return null;
  // Refresh the idle clock at most once a minute to keep writes off every request.
  if (Date.now() - row.lastSeenAt.getTime() > 60_000) await repo.touchSession(db, idHash);
  return {
    id: row.officialId,
    username: row.username,
    displayName: row.displayName,
    role: row.role as Role,
    regionId: row.regionId,
    regionPath: row.regionPath,
  };
}

export async function logout(db: Db, sessionId: string): Promise<void> {
  await repo.deleteSession(db, sha256(sessionId));
}

export async function endSessionsOf(db: Db, officialId: number): Promise<void> {
  await repo.deleteSessionsOf(db, officialId);
}

export async function resetThrottle(db: Db, username: string): Promise<void> {
  await repo.clearThrottle(db, keyOf(username));
}

export async function pruneSessions(db: Db): Promise<void> {
  await repo.deleteExpiredSessions(db, SESSION_IDLE_SECONDS);
}

export async function changePassword(
  db: Db,
  user: CurrentUser,
  currentPassword: string,
  newPassword: string,
): Promise<void> {
  // The current password is throttled like a login: a stolen session must not allow guessing it.
  const outcome = await db.transaction().execute((trx) => attempt(trx, keyOf(user.username), currentPassword));
  if ('error' in outcome) {
    if (outcome.error.code !== 'INVALID_CREDENTIALS') throw outcome.error;
    throw new AppError('VALIDATION_FAILED', '当前密码不正确', [{ field: 'currentPassword', message: '不正确' }]);
  }
  await changeOwnPassword(db, user, newPassword);
}

export interface UserView {
  id: number;
  username: string;
  displayName: string;
  role: Role;
  regionId: number;
  regionName: string;
  regionLevel: string;
}

export async function describeUser(db: Db, user: CurrentUser): Promise<UserView> {
  const region = await getRegion(db, user.regionId);
  return {
    id: user.id,
    username: user.username,
    displayName: user.displayName,
    role: user.role,
    regionId: user.regionId,
    regionName: region?.name ?? '',
    regionLevel: region?.level ?? '',
  };
}
