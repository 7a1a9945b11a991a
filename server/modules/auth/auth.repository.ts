import { sql } from 'kysely';
import type { Db } from '../../db/database.ts';

export interface SessionUserRow {
  officialId: number;
  username: string;
  displayName: string;
  role: string;
  regionId: number;
  regionPath: number[];
  lastSeenAt: Date;
}

export async function findSessionUser(
  db: Db,
  idHash: Buffer,
  idleSeconds: number,
): Promise<SessionUserRow | undefined> {
  return db
    .selectFrom('auth_session as s')
    .innerJoin('official as o', 'o.id', 's.official_id')
    .innerJoin('region as r', 'r.id', 'o.region_id')
    .select([
      'o.id as officialId',
      'o.username',
      'o.display_name as displayName',
      'o.role',
      'o.region_id as regionId',
      'r.path as regionPath',
      's.last_seen_at as lastSeenAt',
    ])
    .where('s.id_hash', '=', idHash)
    .where('s.expires_at', '>', sql<Date>`now()`)
    .where('s.last_seen_at', '>', sql<Date>`now() - make_interval(secs => ${idleSeconds})`)
    .where('o.disabled_at', 'is', null)
    .executeTakeFirst();
}

export async function touchSession(db: Db, idHash: Buffer): Promise<void> {
  await db
    .updateTable('auth_session')
    .set({ last_seen_at: sql`now()` })
    .where('id_hash', '=', idHash)
    .execute();
}

export async function insertSession(
  db: Db,
  idHash: Buffer,
  officialId: number,
  absoluteSeconds: number,
): Promise<void> {
  await db
    .insertInto('auth_session')
    .values({
      id_hash: idHash,
      official_id: officialId,
      expires_at: sql`now() + make_interval(secs => ${absoluteSeconds})`,
    })
    .execute();
}

export async function deleteSession(db: Db, idHash: Buffer): Promise<void> {
  await db.deleteFrom('auth_session').where('id_hash', '=', idHash).execute();
}

export async function deleteSessionsOf(db: Db, officialId: number): Promise<void> {
  await db.deleteFrom('auth_session').where('official_id', '=', officialId).execute();
}

export async function deleteExpiredSessions(db: Db, idleSeconds: number): Promise<void> {
  await db
    .deleteFrom('auth_session')
    .where((eb) =>
      eb.or([
        eb('expires_at', '<=', sql<Date>`now()`),
        eb('last_seen_at', '<=', sql<Date>`now() - make_interval(secs => ${idleSeconds})`),
      ]),
    )
    .execute();
}

export interface ThrottleRow {
  failures: number;
  waitSeconds: number;
}

// Times below are clock_timestamp(), not now(): now() is when the transaction began, possibly
// before the attempt we waited for recorded its failure, which made a free attempt look throttled.
const waitSeconds = sql<number>`greatest(0, ceil(extract(epoch from next_attempt_at - clock_timestamp())))::int`;
const LOGIN_LOCK = 727_200; // advisory lock namespace of login attempts per username (cf. SESSION_LOCK)

/** The unknown-device throttle of a username, held for the rest of the transaction: attempts on one
 * username queue behind each other, so simultaneous guesses cannot all read the same count. An
 * advisory lock rather than a row lock, so that no row is written until a failure needs one. */
export async function lockThrottle(db: Db, key: string): Promise<ThrottleRow> {
  await sql`select pg_advisory_xact_lock(${LOGIN_LOCK}, hashtext(${key}))`.execute(db);
  const row = await db
    .selectFrom('login_throttle')
    .select(['failures', waitSeconds.as('waitSeconds')])
    .where('username_key', '=', key)
    .executeTakeFirst();
  return row ?? { failures: 0, waitSeconds: 0 };
}

export async function recordFailure(db: Db, key: string, failures: number, delaySeconds: number): Promise<void> {
  const next = sql<Date>`clock_timestamp() + make_interval(secs => ${delaySeconds})`;
  await db
    .insertInto('login_throttle')
    .values({ username_key: key, failures, next_attempt_at: next })
    .onConflict((oc) => oc.column('username_key').doUpdateSet({ failures, next_attempt_at: next }))
    .execute();
}

export async function clearThrottle(db: Db, key: string): Promise<void> {
  await db.deleteFrom('login_throttle').where('username_key', '=', key).execute();
}

/** Throttle rows whose back-off ended longer ago than their keep time (auth.rules.ts); locks of
 * existing accounts are kept. */
export async function deleteStaleThrottles(
  db: Db,
  freeFailures: number,
  hardStop: number,
  keepFreeSeconds: number,
  keepSeconds: number,
): Promise<number> {
  const result = await db
    .deleteFrom('login_throttle as t')
    .where((eb) =>
      eb.or([
        eb.and([
          eb('t.failures', '<', freeFailures),
          eb('t.next_attempt_at', '<', sql<Date>`now() - make_interval(secs => ${keepFreeSeconds})`),
        ]),
        eb.and([
          eb('t.next_attempt_at', '<', sql<Date>`now() - make_interval(secs => ${keepSeconds})`),
          eb.or([
            eb('t.failures', '<', hardStop),
            eb.not(
              eb.exists(
                eb
                  .selectFrom('official as o')
                  .select(sql`1`.as('one'))
                  .where(sql<string>`lower(o.username)`, '=', eb.ref('t.username_key')),
              ),
            ),
          ]),
        ]),
      ]),
    )
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

export async function readSecret(db: Db, name: string): Promise<Buffer> {
  const row = await db.selectFrom('server_secret').select('value').where('name', '=', name).executeTakeFirstOrThrow();
  return row.value;
}

/** A known device of an official, held for the rest of the transaction; undefined when its row is
 * gone (replaced, spent or expired). */
export async function lockDevice(db: Db, nonceHash: Buffer, officialId: number): Promise<ThrottleRow | undefined> {
  return db
    .selectFrom('login_device')
    .select(['failures', waitSeconds.as('waitSeconds')])
    .where('nonce_hash', '=', nonceHash)
    .where('official_id', '=', officialId)
    .forUpdate()
    .executeTakeFirst();
}

export async function recordDeviceFailure(
  db: Db,
  nonceHash: Buffer,
  failures: number,
  delaySeconds: number,
): Promise<void> {
  await db
    .updateTable('login_device')
    .set({ failures, next_attempt_at: sql`clock_timestamp() + make_interval(secs => ${delaySeconds})` })
    .where('nonce_hash', '=', nonceHash)
    .execute();
}

export async function clearDeviceFailures(db: Db, nonceHash: Buffer): Promise<void> {
  await db
    .updateTable('login_device')
    .set({ failures: 0, next_attempt_at: sql`clock_timestamp()` })
    .where('nonce_hash', '=', nonceHash)
    .where('failures', '>', 0)
    .execute();
}

export async function deleteDevice(db: Db, nonceHash: Buffer): Promise<void> {
  await db.deleteFrom('login_device').where('nonce_hash', '=', nonceHash).execute();
}

/** Records a newly issued device and forgets the official's devices beyond the newest `keep`. */
export async function insertDevice(db: Db, nonceHash: Buffer, officialId: number, keep: number): Promise<void> {
  await db.insertInto('login_device').values({ nonce_hash: nonceHash, official_id: officialId }).execute();
  await db
    .deleteFrom('login_device')
    .where('official_id', '=', officialId)
    .where(
      'nonce_hash',
      'not in',
      db
        .selectFrom('login_device')
        .select('nonce_hash')
        .where('official_id', '=', officialId)
        .orderBy('created_at', 'desc')
        .orderBy('nonce_hash')
        .limit(keep),
    )
    .execute();
}

export async function deleteExpiredDevices(db: Db, lifetimeSeconds: number): Promise<number> {
  const result = await db
    .deleteFrom('login_device')
    .where('created_at', '<', sql<Date>`now() - make_interval(secs => ${lifetimeSeconds})`)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
