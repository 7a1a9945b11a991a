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

/** The throttle state of a username, locked for the rest of the transaction. An upsert rather than
 * insert-then-select: `do update` takes the row lock itself, and when a concurrent successful login
 * deletes the row while we wait, PostgreSQL inserts a fresh one instead of returning nothing.
 * Times are clock_timestamp(), not now(): now() is when the transaction began, possibly before the
 * attempt we waited for recorded its failure, which made a free attempt look throttled. */
export async function lockThrottle(db: Db, key: string): Promise<ThrottleRow> {
  return db
    .insertInto('login_throttle')
    .values({ username_key: key })
    .onConflict((oc) =>
      oc.column('username_key').doUpdateSet((eb) => ({ username_key: eb.ref('excluded.username_key') })),
    )
    .returning([
      'failures',
      sql<number>`greatest(0, ceil(extract(epoch from next_attempt_at - clock_timestamp())))::int`.as('waitSeconds'),
    ])
    .executeTakeFirstOrThrow();
}

export async function recordFailure(db: Db, key: string, failures: number, delaySeconds: number): Promise<void> {
  await db
    .updateTable('login_throttle')
    .set({ failures, next_attempt_at: sql`clock_timestamp() + make_interval(secs => ${delaySeconds})` })
    .where('username_key', '=', key)
    .execute();
}

export async function clearThrottle(db: Db, key: string): Promise<void> {
  await db.deleteFrom('login_throttle').where('username_key', '=', key).execute();
}
