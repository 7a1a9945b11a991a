// Server-side login sessions (issue 2, item 6): the cookie, what the table holds, and every way a
// session ends. Time is moved by rewriting auth_session, never by sleeping.
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SESSION_ABSOLUTE_SECONDS, SESSION_IDLE_SECONDS } from '../../server/modules/auth/auth.rules.ts';
import { sha256 } from '../../server/lib/crypto.ts';
import { buildTestApp, sessionCookie } from '../helpers/app.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { createOfficial, createTree, type TestOfficial, type Tree } from '../helpers/factories.ts';
import { sessionFor } from '../helpers/world.ts';

let tdb: TestDatabase;
let app: FastifyInstance;
let tree: Tree;
let admin: TestOfficial;

beforeAll(async () => {
  tdb = await createTestDatabase();
  app = await buildTestApp(tdb.db);
  tree = await createTree(tdb.db);
  admin = await createOfficial(tdb.db, 'admin', tree.city);
});

afterAll(async () => {
  await app.close();
  await tdb.close();
});

const UNAUTHENTICATED = { statusCode: 401, code: 'UNAUTHENTICATED', error: 'Unauthorized', message: '请先登录' };

function login(who: { username: string; password: string }, cookie?: string, on = app, headers = {}) {
  return on.inject({
    method: 'POST',
    url: '/api/auth/login',
    payload: { username: who.username, password: who.password },
    headers: { ...headers, ...(cookie ? { cookie } : {}) },
  });
}

const me = (cookie: string) => app.inject({ method: 'GET', url: '/api/auth/me', headers: { cookie } });
const valueOf = (cookie: string) => cookie.slice('vre_sid='.length);

/** The Set-Cookie of the session cookie, as its name=value and its attributes in order. */
function setCookieOf(res: LightMyRequestResponse): { pair: string; attributes: string[] } {
  const raw = res.headers['set-cookie'];
  const list = (Array.isArray(raw) ? raw : [raw]).filter((c): c is string => typeof c === 'string');
  expect(list.filter((c) => c.startsWith('vre_sid='))).toHaveLength(1);
  const [pair, ...attributes] = (list.find((c) => c.startsWith('vre_sid=')) as string).split('; ');
  return { pair: pair as string, attributes };
}

async function sessionsOf(id: number): Promise<number> {
  const row = await tdb.db
    .selectFrom('auth_session')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('official_id', '=', id)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

const newOfficial = () => createOfficial(tdb.db, 'township', tree.township);

describe('the session cookie', () => {
  it('is HttpOnly, SameSite=Strict, Path=/, lives 12 hours and is not Secure over plain http', async () => {
    const res = await login(await newOfficial());
    expect(res.statusCode).toBe(200);
    expect(setCookieOf(res).attributes).toEqual(['Max-Age=43200', 'Path=/', 'HttpOnly', 'SameSite=Strict']);
  });

  it('is Secure when a trusted proxy says the request came over https, and only then', async () => {
    const proxied = await buildTestApp(tdb.db, { trustProxy: ['127.0.0.1'] });
    try {
      const o = await newOfficial();
      const https = { 'x-forwarded-proto': 'https' };
      const viaProxy = await login(o, undefined, proxied, https);
      expect(setCookieOf(viaProxy).attributes).toEqual([
        'Max-Age=43200',
        'Path=/',
        'HttpOnly',
        'Secure',
        'SameSite=Strict',
      ]);
      // The same header from a client the app does not trust, or with no proxy configured, is ignored.
      const spoofed = await proxied.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { username: o.username, password: o.password },
        headers: https,
        remoteAddress: '198.51.100.9',
      });
      expect(setCookieOf(spoofed).attributes).not.toContain('Secure');
      expect(setCookieOf(await login(o, undefined, app, https)).attributes).not.toContain('Secure');
    } finally {
      await proxied.close();
    }
  });

  it('holds at least 128 random bits, and the database holds only their SHA-256', async () => {
    const o = await newOfficial();
    const value = valueOf(sessionCookie(await login(o)));
    expect(value).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(value.length * 6).toBeGreaterThanOrEqual(128);
    const rows = await tdb.db.selectFrom('auth_session').select('id_hash').where('official_id', '=', o.id).execute();
    expect(rows.map((r) => Buffer.from(r.id_hash).toString('hex'))).toEqual([sha256(value).toString('hex')]);
    // Neither the cookie nor its raw bytes appear anywhere in the database.
    const rawHex = Buffer.from(value, 'base64url').toString('hex');
    const tables = await sql<{
      tablename: string;
    }>`select tablename from pg_tables where schemaname = 'public'`.execute(tdb.db);
    for (const { tablename } of tables.rows) {
      const { rows: hits } = await sql<{ n: string }>`
        select count(*) as n from ${sql.table(tablename)} t
        where strpos(t::text, ${value}) > 0 or strpos(t::text, ${rawHex}) > 0`.execute(tdb.db);
      expect(hits[0]?.n, `the session id appears in table ${tablename}`).toBe('0');
    }
  });
});

describe('logging in', () => {
  it('issues a new id at every login and ends the session whose cookie the browser sent', async () => {
    const o = await newOfficial();
    const first = sessionCookie(await login(o));
    const second = sessionCookie(await login(o, first));
    expect(second).not.toBe(first);
    expect((await me(first)).json()).toEqual(UNAUTHENTICATED);
    expect((await me(second)).statusCode).toBe(200);
    expect(await sessionsOf(o.id)).toBe(1);
  });

  it('keeps the current session when a login with it fails: wrong password, throttled, unknown user', async () => {
    const o = await newOfficial();
    const other = await newOfficial();
    const current = sessionCookie(await login(o));
    const wrong = (who: { username: string }) => login({ username: who.username, password: 'Wrong-passw0rd' }, current);
    expect((await wrong(o)).statusCode).toBe(401);
    expect((await wrong(other)).statusCode).toBe(401);
    expect((await wrong({ username: `nobody_${process.pid}` })).statusCode).toBe(401);
    await tdb.db
      .insertInto('login_throttle')
      .values({
        username_key: o.username.toLowerCase(),
        failures: 7,
        next_attempt_at: sql`now() + interval '10 minutes'`,
      })
      .onConflict((oc) =>
        oc.column('username_key').doUpdateSet({ failures: 7, next_attempt_at: sql`now() + interval '10 minutes'` }),
      )
      .execute();
    const throttled = await login(o, current);
    expect(throttled.statusCode).toBe(429);
    expect(throttled.headers['set-cookie']).toBeUndefined();
    expect((await me(current)).json()).toMatchObject({ user: { id: o.id } });
    expect(await sessionsOf(o.id)).toBe(1);
  });

  it('keeps the sessions of two browsers apart', async () => {
    const o = await newOfficial();
    const a = sessionCookie(await login(o));
    const b = sessionCookie(await login(o));
    expect([(await me(a)).statusCode, (await me(b)).statusCode]).toEqual([200, 200]);
    expect(await sessionsOf(o.id)).toBe(2);
  });

  it('never adopts a session id the caller chose', async () => {
    const o = await newOfficial();
    const planted = 'vre_sid=' + 'A'.repeat(43);
    const issued = sessionCookie(await login(o, planted));
    expect(issued).not.toBe(planted);
    expect((await me(planted)).statusCode).toBe(401);
    const hit = await tdb.db
      .selectFrom('auth_session')
      .select('official_id')
      .where('id_hash', '=', sha256(valueOf(planted)))
      .execute();
    expect(hit).toEqual([]);
  });

  it('writes an absolute expiry 12 hours after the login', async () => {
    const o = await newOfficial();
    await login(o);
    const row = await tdb.db
      .selectFrom('auth_session')
      .select(sql<number>`extract(epoch from expires_at - created_at)::int`.as('lifetime'))
      .where('official_id', '=', o.id)
      .executeTakeFirstOrThrow();
    expect(row.lifetime).toBe(SESSION_ABSOLUTE_SECONDS);
  });
});

describe('a session ends', () => {
  it('at logout: the old cookie is refused and the reply clears it', async () => {
    const o = await newOfficial();
    const cookie = sessionCookie(await login(o));
    const out = await app.inject({ method: 'POST', url: '/api/auth/logout', headers: { cookie } });
    expect({ status: out.statusCode, body: out.json() }).toEqual({ status: 200, body: { ok: true } });
    const cleared = setCookieOf(out);
    expect(cleared.pair).toBe('vre_sid=');
    expect(cleared.attributes).toContain('Expires=Thu, 01 Jan 1970 00:00:00 GMT');
    expect((await me(cookie)).json()).toEqual(UNAUTHENTICATED);
    expect(await sessionsOf(o.id)).toBe(0);
  });

  it('after two hours without a request, but not before, and each request restarts that clock', async () => {
    const o = await newOfficial();
    const cookie = sessionCookie(await login(o));
    const idHash = sha256(valueOf(cookie));
    const lastSeen = (secondsAgo: number) =>
      tdb.db
        .updateTable('auth_session')
        .set({ last_seen_at: sql`now() - make_interval(secs => ${secondsAgo})` })
        .where('id_hash', '=', idHash)
        .execute();
    await lastSeen(SESSION_IDLE_SECONDS - 120);
    expect((await me(cookie)).statusCode).toBe(200);
    const row = await tdb.db
      .selectFrom('auth_session')
      .select(sql<boolean>`last_seen_at > now() - interval '1 minute'`.as('fresh'))
      .where('id_hash', '=', idHash)
      .executeTakeFirstOrThrow();
    expect(row.fresh).toBe(true);
    await lastSeen(SESSION_IDLE_SECONDS + 1);
    expect((await me(cookie)).json()).toEqual(UNAUTHENTICATED);
  });

  it('at its absolute expiry, however active it is', async () => {
    const o = await newOfficial();
    const cookie = sessionCookie(await login(o));
    await tdb.db
      .updateTable('auth_session')
      .set({ expires_at: sql`now() - interval '1 second'`, last_seen_at: sql`now()` })
      .where('id_hash', '=', sha256(valueOf(cookie)))
      .execute();
    expect((await me(cookie)).json()).toEqual(UNAUTHENTICATED);
  });

  it('for every session of an account at once when an admin disables it, and stays ended after re-enabling', async () => {
    const o = await newOfficial();
    const [a, b] = [sessionCookie(await login(o)), sessionCookie(await login(o))];
    const bystander = sessionCookie(await login(await newOfficial()));
    const adminCookie = await sessionFor(tdb.db, admin.id);
    const res = await app.inject({
      method: 'POST',
      url: `/api/officials/${o.id}/disable`,
      headers: { cookie: adminCookie },
    });
    expect(res.statusCode).toBe(200);
    expect([(await me(a)).statusCode, (await me(b)).statusCode, (await me(bystander)).statusCode]).toEqual([
      401, 401, 200,
    ]);
    expect(await sessionsOf(o.id)).toBe(0);
    await app.inject({ method: 'POST', url: `/api/officials/${o.id}/enable`, headers: { cookie: adminCookie } });
    expect([(await me(a)).statusCode, (await me(b)).statusCode]).toEqual([401, 401]);
  });

  it('for every session of an account when an admin resets its password', async () => {
    const o = await newOfficial();
    const [a, b] = [sessionCookie(await login(o)), sessionCookie(await login(o))];
    const res = await app.inject({
      method: 'POST',
      url: `/api/officials/${o.id}/reset-password`,
      headers: { cookie: await sessionFor(tdb.db, admin.id) },
    });
    expect(res.statusCode).toBe(200);
    expect([(await me(a)).statusCode, (await me(b)).statusCode]).toEqual([401, 401]);
    expect(await sessionsOf(o.id)).toBe(0);
    expect((await login(o)).statusCode).toBe(401);
    expect((await login({ username: o.username, password: res.json().password })).statusCode).toBe(200);
  });

  it('for every session of an account when its owner changes the password', async () => {
    const o = await newOfficial();
    const [a, b] = [sessionCookie(await login(o)), sessionCookie(await login(o))];
    const res = await app.inject({
      method: 'POST',
      url: '/api/auth/password',
      headers: { cookie: a },
      payload: { currentPassword: o.password, newPassword: 'Brand-new-passw0rd' },
    });
    expect({ status: res.statusCode, body: res.json() }).toEqual({ status: 200, body: { ok: true } });
    expect(setCookieOf(res).pair).toBe('vre_sid=');
    expect([(await me(a)).statusCode, (await me(b)).statusCode]).toEqual([401, 401]);
    expect(await sessionsOf(o.id)).toBe(0);
    expect((await login(o)).statusCode).toBe(401);
    expect((await login({ username: o.username, password: 'Brand-new-passw0rd' })).statusCode).toBe(200);
  });

  it('not when the current password given for a change is wrong', async () => {
    const o = await newOfficial();
    const cookie = sessionCookie(await login(o));
    const res = await app.inject({
      method: 'POST',
      url: '/api/auth/password',
      headers: { cookie },
      payload: { currentPassword: 'Not-my-passw0rd', newPassword: 'Brand-new-passw0rd' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({
      statusCode: 400,
      code: 'VALIDATION_FAILED',
      error: 'Bad Request',
      message: '当前密码不正确',
      details: [{ field: 'currentPassword', message: '不正确' }],
    });
    expect((await me(cookie)).statusCode).toBe(200);
    expect((await login(o)).statusCode).toBe(200);
  });
});
