// Device cookies (issue 8, OWASP Authentication Cheat Sheet): failures from unknown devices throttle
// and lock only unknown devices, so whoever knows a username cannot keep its owner out of the
// browser the owner logged in with before. Time is moved by rewriting next_attempt_at, never by
// sleeping.
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256 } from '../../server/lib/crypto.ts';
import { DEVICE_MAX_FAILURES } from '../../server/modules/auth/auth.rules.ts';
import { buildTestApp, sessionCookie } from '../helpers/app.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { createOfficial, createTree, type TestOfficial, type Tree } from '../helpers/factories.ts';
import { INVALID, LOCKED, throttled, WRONG } from '../helpers/login-replies.ts';

let tdb: TestDatabase;
let app: FastifyInstance;
let tree: Tree;

beforeAll(async () => {
  tdb = await createTestDatabase();
  app = await buildTestApp(tdb.db);
  tree = await createTree(tdb.db);
});

afterAll(async () => {
  await app.close();
  await tdb.close();
});

const newAccount = () => createOfficial(tdb.db, 'township', tree.township);

function login(username: string, password: string, cookie?: string, on = app, headers = {}) {
  return on.inject({
    method: 'POST',
    url: '/api/auth/login',
    payload: { username, password },
    headers: { ...headers, ...(cookie ? { cookie } : {}) },
  });
}

/** The Set-Cookie of the device cookie: its name=value and its attributes in order. */
function deviceSetCookie(res: LightMyRequestResponse): { pair: string; attributes: string[] } {
  const raw = res.headers['set-cookie'];
  const list = (Array.isArray(raw) ? raw : [raw]).filter((c): c is string => typeof c === 'string');
  const found = list.filter((c) => c.startsWith('vre_dev='));
  expect(found).toHaveLength(1);
  const [pair, ...attributes] = (found[0] as string).split('; ');
  return { pair: pair as string, attributes };
}

/** Logs in from a browser and returns the device cookie that browser now holds. */
async function deviceOf(who: TestOfficial, cookie?: string): Promise<string> {
  const res = await login(who.username, who.password, cookie);
  expect(res.statusCode).toBe(200);
  return deviceSetCookie(res).pair;
}

const me = (cookie: string) => app.inject({ method: 'GET', url: '/api/auth/me', headers: { cookie } });

async function setUnknownFailures(username: string, failures: number, waitSeconds = -1): Promise<void> {
  const next = sql<Date>`now() + make_interval(secs => ${waitSeconds})`;
  await tdb.db
    .insertInto('login_throttle')
    .values({ username_key: username.toLowerCase(), failures, next_attempt_at: next })
    .onConflict((oc) => oc.column('username_key').doUpdateSet({ failures, next_attempt_at: next }))
    .execute();
}

async function unknownFailuresOf(username: string): Promise<number | undefined> {
  const row = await tdb.db
    .selectFrom('login_throttle')
    .select('failures')
    .where('username_key', '=', username.toLowerCase())
    .executeTakeFirst();
  return row?.failures;
}

const nonceOf = (device: string) => (device.split('=')[1] as string).split('.')[1] as string;

async function deviceRow(device: string): Promise<{ failures: number } | undefined> {
  return tdb.db
    .selectFrom('login_device')
    .select('failures')
    .where('nonce_hash', '=', sha256(nonceOf(device)))
    .executeTakeFirst();
}

/** As if the device's back-off had elapsed. */
async function waitOutDevice(device: string): Promise<void> {
  await tdb.db
    .updateTable('login_device')
    .set({ next_attempt_at: sql`now() - interval '1 second'` })
    .where('nonce_hash', '=', sha256(nonceOf(device)))
    .execute();
}

async function sessionsOf(account: TestOfficial): Promise<number> {
  const row = await tdb.db
    .selectFrom('auth_session')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('official_id', '=', account.id)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

const answer = (res: LightMyRequestResponse) => ({ status: res.statusCode, body: res.json() as unknown });

describe('the device cookie', () => {
  it('is set at login: HttpOnly, SameSite=Strict, sent only to /api/auth, kept 400 days, not Secure over http', async () => {
    const a = await newAccount();
    const res = await login(a.username, a.password);
    const { pair, attributes } = deviceSetCookie(res);
    expect(attributes).toEqual(['Max-Age=34560000', 'Path=/api/auth', 'HttpOnly', 'SameSite=Strict']);
    // official id, 128-bit nonce, HMAC-SHA256
    expect(pair).toMatch(new RegExp(`^vre_dev=${a.id}\\.[A-Za-z0-9_-]{22}\\.[A-Za-z0-9_-]{43}$`));
    // the table holds the nonce's SHA-256 only
    expect(await deviceRow(pair)).toEqual({ failures: 0 });
    const { rows } = await sql<{ n: number }>`
      select count(*)::int as n from login_device x where x::text like ${`%${nonceOf(pair)}%`}`.execute(tdb.db);
    expect(rows[0]?.n).toBe(0);
  });

  it('is Secure when a trusted proxy says the request came over https', async () => {
    const proxied = await buildTestApp(tdb.db, { trustProxy: ['127.0.0.1'] });
    try {
      const a = await newAccount();
      const res = await login(a.username, a.password, undefined, proxied, { 'x-forwarded-proto': 'https' });
      expect(deviceSetCookie(res).attributes).toEqual([
        'Max-Age=34560000',
        'Path=/api/auth',
        'HttpOnly',
        'Secure',
        'SameSite=Strict',
      ]);
    } finally {
      await proxied.close();
    }
  });

  it('is replaced at every login, and the replaced one no longer counts as a known device', async () => {
    const a = await newAccount();
    const first = await deviceOf(a);
    const second = await deviceOf(a, first);
    expect(second).not.toBe(first);
    expect(await deviceRow(first)).toBeUndefined();
    expect(await deviceRow(second)).toEqual({ failures: 0 });
  });

  it('is not set by a failed login', async () => {
    const a = await newAccount();
    const res = await login(a.username, WRONG);
    expect(res.statusCode).toBe(401);
    expect(res.headers['set-cookie']).toBeUndefined();
  });
});

describe('someone who knows the username', () => {
  it('locks out unknown devices, but the owner still logs in from the browser used before', async () => {
    const owner = await newAccount();
    const device = await deviceOf(owner);
    // the attacker: wrong passwords from unknown devices, many at once, then up to the lock
    const burst = await Promise.all(Array.from({ length: 20 }, () => login(owner.username, WRONG)));
    expect(burst.every((r) => r.statusCode === 401 || r.statusCode === 429)).toBe(true);
    const whileWaiting = await login(owner.username, owner.password, device);
    expect(whileWaiting.statusCode).toBe(200);
    const device2 = deviceSetCookie(whileWaiting).pair;

    await setUnknownFailures(owner.username, 99);
    expect(answer(await login(owner.username, WRONG))).toEqual({ status: 429, body: LOCKED });
    // unknown devices: locked even with the right password
    expect(answer(await login(owner.username, owner.password))).toEqual({ status: 429, body: LOCKED });
    // the owner's browser: in, and the unknown devices stay locked
    const res = await login(owner.username, owner.password, device2);
    expect(res.statusCode).toBe(200);
    expect((await me(sessionCookie(res))).json()).toMatchObject({ user: { id: owner.id } });
    expect(await unknownFailuresOf(owner.username)).toBe(100);
    expect(answer(await login(owner.username, owner.password))).toEqual({ status: 429, body: LOCKED });
  });

  it('gets no bypass from a forged, altered, replaced or other account’s device cookie', async () => {
    const victim = await newAccount();
    const other = await newAccount();
    const replaced = await deviceOf(victim);
    const current = await deviceOf(victim, replaced);
    const othersDevice = await deviceOf(other);
    await setUnknownFailures(victim.username, 100);
    const [, value] = current.split('=') as [string, string];
    const [id, nonce, mac] = value.split('.') as [string, string, string];
    const flip = (s: string) => (s[0] === 'A' ? 'B' : 'A') + s.slice(1);
    const attempts = {
      forged: `vre_dev=${victim.id}.${'A'.repeat(22)}.${'A'.repeat(43)}`,
      'altered mac': `vre_dev=${id}.${nonce}.${flip(mac)}`,
      'altered nonce': `vre_dev=${id}.${flip(nonce)}.${mac}`,
      'another id': `vre_dev=${other.id}.${nonce}.${mac}`,
      replaced,
      "other account's": othersDevice,
      garbage: 'vre_dev=%00%ff',
    };
    for (const [kind, cookie] of Object.entries(attempts)) {
      const res = await login(victim.username, victim.password, cookie);
      expect({ kind, ...answer(res) }).toEqual({ kind, status: 429, body: LOCKED });
    }
    expect(await sessionsOf(victim)).toBe(2);
    // the victim's current device still works
    expect((await login(victim.username, victim.password, current)).statusCode).toBe(200);
  });

  it("answers an unknown username sent with one's own device cookie exactly like a wrong password", async () => {
    const attacker = await newAccount();
    const victim = await newAccount();
    const device = await deviceOf(attacker);
    const known = await login(victim.username, WRONG, device);
    const unknown = await login(`ghost_d_${process.pid}`, WRONG, device);
    expect(answer(known)).toEqual({ status: 401, body: INVALID });
    expect(unknown.body).toBe(known.body);
    expect(unknown.headers['set-cookie']).toBeUndefined();
    expect(await deviceRow(device)).toEqual({ failures: 0 });
  });
});

describe("a device's own failures", () => {
  it('throttle that device only, and do not count against unknown devices', async () => {
    const a = await newAccount();
    const device = await deviceOf(a);
    for (let i = 0; i < 5; i++)
      expect(answer(await login(a.username, WRONG, device))).toEqual({ status: 401, body: INVALID });
    const res = await login(a.username, a.password, device);
    expect({ ...answer(res), retryAfter: res.headers['retry-after'] }).toEqual({
      status: 429,
      body: throttled(1),
      retryAfter: '1',
    });
    expect(await deviceRow(device)).toEqual({ failures: 5 });
    expect(await unknownFailuresOf(a.username)).toBeUndefined();
    // an unknown device is not held back by them
    expect((await login(a.username, a.password)).statusCode).toBe(200);
  });

  it(`make a stolen copy useless after ${DEVICE_MAX_FAILURES} wrong passwords: the device is unknown from then on`, async () => {
    const owner = await newAccount();
    const device = await deviceOf(owner);
    await setUnknownFailures(owner.username, 100);
    // the thief, with a copy of the owner's cookie
    for (let i = 1; i <= DEVICE_MAX_FAILURES; i++) {
      await waitOutDevice(device);
      expect(answer(await login(owner.username, WRONG, device))).toEqual({ status: 401, body: INVALID });
      expect(await deviceRow(device)).toEqual(i < DEVICE_MAX_FAILURES ? { failures: i } : undefined);
    }
    // that cookie is now an unknown device, and unknown devices are locked
    expect(answer(await login(owner.username, owner.password, device))).toEqual({ status: 429, body: LOCKED });
    expect(await unknownFailuresOf(owner.username)).toBe(100);
  });

  it('are cleared by the right password from that device', async () => {
    const a = await newAccount();
    const device = await deviceOf(a);
    for (let i = 0; i < 3; i++) await login(a.username, WRONG, device);
    expect(await deviceRow(device)).toEqual({ failures: 3 });
    const next = await deviceOf(a, device);
    expect(await deviceRow(device)).toBeUndefined();
    expect(await deviceRow(next)).toEqual({ failures: 0 });
  });
});

describe('the current password of a password change', () => {
  const change = (cookie: string, currentPassword: string) =>
    app.inject({
      method: 'POST',
      url: '/api/auth/password',
      headers: { cookie },
      payload: { currentPassword, newPassword: 'Brand-new-passw0rd' },
    });

  it("counts on the device's throttle from a known device, so a locked-out username can still change it", async () => {
    const a = await newAccount();
    const res = await login(a.username, a.password);
    const cookies = `${sessionCookie(res)}; ${deviceSetCookie(res).pair}`;
    await setUnknownFailures(a.username, 100);
    expect((await change(cookies, WRONG)).statusCode).toBe(400);
    expect(await deviceRow(deviceSetCookie(res).pair)).toEqual({ failures: 1 });
    expect(await unknownFailuresOf(a.username)).toBe(100);
    expect((await change(cookies, a.password)).statusCode).toBe(200);
    // without the device cookie the same session is on the unknown devices' lock
    const again = await login(a.username, 'Brand-new-passw0rd', deviceSetCookie(res).pair);
    expect(again.statusCode).toBe(200);
    expect(answer(await change(sessionCookie(again), 'Brand-new-passw0rd'))).toEqual({ status: 429, body: LOCKED });
  });
});

describe('devices kept per account', () => {
  it('keeps the ten most recent; an older one counts as unknown', async () => {
    const a = await newAccount();
    const devices: string[] = [];
    for (let i = 0; i < 11; i++) devices.push(await deviceOf(a));
    const rows = await tdb.db
      .selectFrom('login_device')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('official_id', '=', a.id)
      .executeTakeFirstOrThrow();
    expect(Number(rows.n)).toBe(10);
    expect(await deviceRow(devices[0] as string)).toBeUndefined();
    expect(await deviceRow(devices[10] as string)).toEqual({ failures: 0 });
  });
});
