// Logging in and server-side sessions.
// - An unknown user and a wrong password get the same answer after the same work (a dummy hash).
// - Device cookies (OWASP): a successful login leaves a signed device cookie (auth.device.ts) in
//   the browser. A login carrying a valid one for that account is throttled only by that device's
//   own failures; DEVICE_MAX_FAILURES wrong passwords in a row and it is no longer known. Every
//   other login is from an unknown device: throttled per username (never per IP: a village hall is
//   one NAT address): after a few free failures each attempt waits exponentially longer, and after
//   HARD_STOP_FAILURES consecutive failures unknown devices get no password checked until an admin
//   resets it. So whoever knows a username can lock out unknown devices, never the owner's browser.
//   The current password asked by a password change counts on the same throttles.
// - The session cookie holds 256 random bits; the table holds only their SHA-256. A new id at
//   every login.
import type { Db } from '../../db/database.ts';
import type { CurrentUser, Role } from '../../lib/access.ts';
import { randomId, sha256 } from '../../lib/crypto.ts';
import { dummyHash, verifyPassword } from '../../lib/passwords.ts';
import { AppError } from '../../errors.ts';
import { actorOf, recordAudit } from '../audit/audit.service.ts';
import { changeOwnPassword, findForLogin } from '../officials/officials.service.ts';
import { getRegion } from '../regions/regions.service.ts';
import { issueDevice, readDevice, type DeviceClaim } from './auth.device.ts';
import {
  backoffSeconds,
  DEVICE_COOKIE_SECONDS,
  DEVICES_PER_ACCOUNT,
  FREE_FAILURES,
  HARD_STOP_FAILURES,
  isDeviceSpent,
  isHardStopped,
  SESSION_ABSOLUTE_SECONDS,
  SESSION_IDLE_SECONDS,
  THROTTLE_KEEP_FREE_SECONDS,
  THROTTLE_KEEP_SECONDS,
} from './auth.rules.ts';
import * as repo from './auth.repository.ts';

const INVALID = () => new AppError('INVALID_CREDENTIALS', '用户名或密码错误');
const LOCKED = () =>
  new AppError(
    'ACCOUNT_LOCKED',
    `连续 ${HARD_STOP_FAILURES} 次登录失败，此账户已不能在新的设备上登录：请在以前登录过的浏览器上登录，或联系管理员重置密码`,
  );
const THROTTLED = (seconds: number) =>
  new AppError('LOGIN_THROTTLED', `登录失败次数过多，请 ${seconds} 秒后再试`, { retryAfterSeconds: seconds });

const keyOf = (username: string) => username.trim().toLowerCase();

export interface LoginResult {
  sessionId: string;
  /** The new device cookie of this browser (the one it sent, if any, is no longer valid). */
  deviceCookie: string;
  user: CurrentUser;
}

type Account = NonNullable<Awaited<ReturnType<typeof findForLogin>>>;
type Attempt = { account: Account; device: DeviceClaim | null } | { error: AppError };

const DEVICE_SECRET = 'device_cookie';

/** One password attempt, inside the caller's transaction: from a known device of the account on
 * that device's throttle, otherwise on the username's unknown-device throttle. The same work is
 * done whether or not the username exists: the account lookup, the cookie's mac when one is sent,
 * one throttle read and one password hash. */
async function attempt(trx: Db, key: string, password: string, deviceCookie: string | undefined): Promise<Attempt> {
  const account = await findForLogin(trx, key);
  const claim = deviceCookie ? readDevice(await repo.readSecret(trx, DEVICE_SECRET), deviceCookie) : null;
  if (account && claim?.officialId === account.id) {
    const device = await repo.lockDevice(trx, claim.nonceHash, account.id);
    if (device) return knownDeviceAttempt(trx, account, claim, device, password);
  }
  return unknownDeviceAttempt(trx, key, account, password);
}

async function knownDeviceAttempt(
  trx: Db,
  account: Account,
  claim: DeviceClaim,
  device: repo.ThrottleRow,
  password: string,
): Promise<Attempt> {
  if (device.waitSeconds > 0) return { error: THROTTLED(device.waitSeconds) };
  const ok = await verifyPassword(account.passwordHash, password);
  if (!ok || account.disabled) {
    const failures = device.failures + 1;
    if (isDeviceSpent(failures)) await repo.deleteDevice(trx, claim.nonceHash);
    else await repo.recordDeviceFailure(trx, claim.nonceHash, failures, backoffSeconds(failures));
    return { error: INVALID() };
  }
  if (device.failures > 0) await repo.clearDeviceFailures(trx, claim.nonceHash);
  return { account, device: claim };
}

async function unknownDeviceAttempt(
  trx: Db,
  key: string,
  account: Account | undefined,
  password: string,
): Promise<Attempt> {
  const throttle = await repo.lockThrottle(trx, key);
  if (isHardStopped(throttle.failures)) return { error: LOCKED() };
  if (throttle.waitSeconds > 0) return { error: THROTTLED(throttle.waitSeconds) };
  const ok = await verifyPassword(account?.passwordHash ?? (await dummyHash()), password);
  if (!account || !ok || account.disabled) {
    const failures = throttle.failures + 1;
    await repo.recordFailure(trx, key, failures, backoffSeconds(failures));
    return { error: isHardStopped(failures) ? LOCKED() : INVALID() };
  }
  if (throttle.failures > 0) await repo.clearThrottle(trx, key);
  return { account, device: null };
}

export async function login(
  db: Db,
  username: string,
  password: string,
  deviceCookie?: string | undefined,
): Promise<LoginResult> {
  const outcome = await db.transaction().execute(async (trx) => {
    const result = await attempt(trx, keyOf(username), password, deviceCookie);
    if ('error' in result) return result;
    const { account, device } = result;
    // The device cookie is replaced at every login, so a copy taken earlier stops counting.
    if (device) await repo.deleteDevice(trx, device.nonceHash);
    const issued = issueDevice(await repo.readSecret(trx, DEVICE_SECRET), account.id);
    await repo.insertDevice(trx, issued.nonceHash, account.id, DEVICES_PER_ACCOUNT);
    const sessionId = randomId(32);
    await repo.insertSession(trx, sha256(sessionId), account.id, SESSION_ABSOLUTE_SECONDS);
    return { sessionId, deviceCookie: issued.cookie };
  });
  // Failures are committed before answering, so a refused attempt still counts.
  if ('error' in outcome) throw outcome.error;
  const user = await resolveSession(db, outcome.sessionId);
  if (!user) throw INVALID();
  await db
    .transaction()
    .execute((trx) => recordAudit(trx, actorOf(user), 'auth.login', { type: 'official', id: user.id }));
  return { ...outcome, user };
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

/** The user behind a session cookie as the console shows it; null when there is no live session. */
export async function sessionUser(db: Db, sessionId: string | undefined): Promise<UserView | null> {
  const user = sessionId ? await resolveSession(db, sessionId) : null;
  return user ? describeUser(db, user) : null;
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

/** The periodic clean-up (server/main.ts): expired sessions, throttle rows whose back-off ended
 * long ago (auth.rules.ts; active locks of existing accounts stay) and expired device cookies. */
export async function pruneAuthState(db: Db): Promise<void> {
  await repo.deleteExpiredSessions(db, SESSION_IDLE_SECONDS);
  await repo.deleteStaleThrottles(
    db,
    FREE_FAILURES,
    HARD_STOP_FAILURES,
    THROTTLE_KEEP_FREE_SECONDS,
    THROTTLE_KEEP_SECONDS,
  );
  await repo.deleteExpiredDevices(db, DEVICE_COOKIE_SECONDS);
}

export async function changePassword(
  db: Db,
  user: CurrentUser,
  currentPassword: string,
  newPassword: string,
  deviceCookie?: string | undefined,
): Promise<void> {
  // The current password is throttled like a login: a stolen session must not allow guessing it.
  const outcome = await db
    .transaction()
    .execute((trx) => attempt(trx, keyOf(user.username), currentPassword, deviceCookie));
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
