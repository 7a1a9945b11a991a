// Login throttling (issue 2, item 6) of unknown devices: per account, never per address; and the
// periodic prune of its rows (issue 8). Logins here send no device cookie, so every one is from an
// unknown device (known devices: auth-device.test.ts). Time is moved by rewriting
// login_throttle.next_attempt_at, never by sleeping.
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pruneAuthState } from '../../server/modules/auth/auth.service.ts';
import { buildTestApp } from '../helpers/app.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { createOfficial, createTree, type TestOfficial, type Tree } from '../helpers/factories.ts';
import { sessionFor } from '../helpers/world.ts';
import { INVALID, LOCKED, throttled, WRONG } from '../helpers/login-replies.ts';

let tdb: TestDatabase;
let app: FastifyInstance;
let tree: Tree;
let n = 0;

beforeAll(async () => {
  tdb = await createTestDatabase({ max: 25 });
  app = await buildTestApp(tdb.db);
  tree = await createTree(tdb.db);
});

afterAll(async () => {
  await app.close();
  await tdb.close();
});

const newAccount = (name = `user_${++n}_${process.pid}`) => createOfficial(tdb.db, 'township', tree.township, name);

function login(username: string, password: string, on: FastifyInstance = app, remoteAddress = '127.0.0.1') {
  return on.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password }, remoteAddress });
}

async function failuresOf(username: string): Promise<number | undefined> {
  const row = await tdb.db
    .selectFrom('login_throttle')
    .select('failures')
    .where('username_key', '=', username.toLowerCase())
    .executeTakeFirst();
  return row?.failures;
}

/** As if the back-off had elapsed. */
async function waitOut(username: string): Promise<void> {
  await tdb.db
    .updateTable('login_throttle')
    .set({ next_attempt_at: sql`now() - interval '1 second'` })
    .where('username_key', '=', username.toLowerCase())
    .execute();
}

async function setFailures(username: string, failures: number, waitSeconds = -1): Promise<void> {
  await tdb.db
    .insertInto('login_throttle')
    .values({
      username_key: username.toLowerCase(),
      failures,
      next_attempt_at: sql`now() + make_interval(secs => ${waitSeconds})`,
    })
    .onConflict((oc) =>
      oc
        .column('username_key')
        .doUpdateSet({ failures, next_attempt_at: sql`now() + make_interval(secs => ${waitSeconds})` }),
    )
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

describe('per-account back-off', () => {
  it('lets five wrong passwords through, then makes each next attempt wait 1, 2, 4, 8 … seconds', async () => {
    const a = await newAccount();
    for (let i = 1; i <= 5; i++) {
      const res = await login(a.username, WRONG);
      expect({ status: res.statusCode, body: res.json() }).toEqual({ status: 401, body: INVALID });
    }
    expect(await failuresOf(a.username)).toBe(5);
    for (let k = 0; k <= 4; k++) {
      const res = await login(a.username, WRONG);
      expect({ status: res.statusCode, retryAfter: res.headers['retry-after'], body: res.json() }).toEqual({
        status: 429,
        retryAfter: String(2 ** k),
        body: throttled(2 ** k),
      });
      // A refused attempt checks no password and is not counted.
      expect(await failuresOf(a.username)).toBe(5 + k);
      await waitOut(a.username);
      expect((await login(a.username, WRONG)).statusCode).toBe(401);
      expect(await failuresOf(a.username)).toBe(6 + k);
    }
  });

  it('never makes an account wait more than 15 minutes', async () => {
    const a = await newAccount();
    await setFailures(a.username, 40);
    expect((await login(a.username, WRONG)).statusCode).toBe(401);
    const res = await login(a.username, WRONG);
    expect(res.headers['retry-after']).toBe('900');
    expect(res.json()).toEqual(throttled(900));
  });

  it('refuses the right password while the account must wait, and does not count it', async () => {
    const a = await newAccount();
    await setFailures(a.username, 7, 600);
    const res = await login(a.username, a.password);
    expect(res.statusCode).toBe(429);
    expect(res.json().code).toBe('LOGIN_THROTTLED');
    const retryAfter = Number(res.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(590);
    expect(retryAfter).toBeLessThanOrEqual(600);
    expect(res.json()).toEqual(throttled(retryAfter));
    expect(res.headers['set-cookie']).toBeUndefined();
    expect(await sessionsOf(a)).toBe(0);
    expect(await failuresOf(a.username)).toBe(7);
  });

  it('resets the count after a successful login', async () => {
    const a = await newAccount();
    for (let i = 0; i < 3; i++) await login(a.username, WRONG);
    expect(await failuresOf(a.username)).toBe(3);
    expect((await login(a.username, a.password)).statusCode).toBe(200);
    expect(await failuresOf(a.username)).toBeUndefined();
    await login(a.username, WRONG);
    expect(await failuresOf(a.username)).toBe(1);
  });

  it('counts one account whatever the case or surrounding spaces of the typed name', async () => {
    const a = await newAccount(`Mixed_Case_${process.pid}`);
    await login(a.username.toUpperCase(), WRONG);
    await login(` ${a.username.toLowerCase()} `, WRONG);
    await login(a.username, WRONG);
    expect(await failuresOf(a.username)).toBe(3);
  });
});

describe('hard stop', () => {
  it('locks the account at the 100th consecutive failure, even against the right password, until an admin resets it', async () => {
    const a = await newAccount(`Locked_User_${process.pid}`);
    await setFailures(a.username, 99);
    const hundredth = await login(a.username, WRONG);
    expect({ status: hundredth.statusCode, body: hundredth.json() }).toEqual({ status: 429, body: LOCKED });
    expect(await failuresOf(a.username)).toBe(100);

    await tdb.db
      .updateTable('login_throttle')
      .set({ next_attempt_at: sql`now() - interval '30 days'` })
      .where('username_key', '=', a.username.toLowerCase())
      .execute();
    const right = await login(a.username, a.password);
    expect({ status: right.statusCode, body: right.json() }).toEqual({ status: 429, body: LOCKED });
    expect(await failuresOf(a.username)).toBe(100);
    expect(await sessionsOf(a)).toBe(0);

    const admin = await createOfficial(tdb.db, 'admin', tree.city);
    const reset = await app.inject({
      method: 'POST',
      url: `/api/officials/${a.id}/reset-password`,
      headers: { cookie: await sessionFor(tdb.db, admin.id) },
    });
    expect(reset.statusCode).toBe(200);
    const { password } = reset.json() as { password: string };
    expect(await failuresOf(a.username)).toBeUndefined();
    expect((await login(a.username, password)).statusCode).toBe(200);
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

  it('counts a wrong one as a failure of the account', async () => {
    const a = await newAccount();
    const res = await change(await sessionFor(tdb.db, a.id), WRONG);
    expect(res.statusCode).toBe(400);
    expect(await failuresOf(a.username)).toBe(1);
  });

  it('is refused, even when right, while the account must wait, so a stolen session cannot guess it', async () => {
    const a = await newAccount();
    await setFailures(a.username, 7, 600);
    const res = await change(await sessionFor(tdb.db, a.id), a.password);
    expect(res.statusCode).toBe(429);
    expect(res.json().code).toBe('LOGIN_THROTTLED');
    await setFailures(a.username, 100);
    const locked = await change(await sessionFor(tdb.db, a.id), a.password);
    expect({ status: locked.statusCode, body: locked.json() }).toEqual({ status: 429, body: LOCKED });
    expect((await login(a.username, a.password)).statusCode).toBe(429);
  });
});

describe('an unknown username', () => {
  it('gets byte-identical answers to a wrong password, and is throttled and stopped alike', async () => {
    const a = await newAccount();
    const ghost = `ghost_${process.pid}`;
    const same = async () => {
      const [known, unknown] = [await login(a.username, WRONG), await login(ghost, WRONG)];
      expect(unknown.statusCode).toBe(known.statusCode);
      expect(unknown.body).toBe(known.body);
      expect(unknown.headers['retry-after']).toBe(known.headers['retry-after']);
      expect(unknown.headers['content-type']).toBe(known.headers['content-type']);
      expect(unknown.headers['set-cookie']).toBeUndefined();
      expect(known.headers['set-cookie']).toBeUndefined();
      return known;
    };
    for (let i = 0; i < 5; i++) expect((await same()).json()).toEqual(INVALID);
    expect((await same()).json()).toEqual(throttled(1));
    expect([await failuresOf(a.username), await failuresOf(ghost)]).toEqual([5, 5]);
    await setFailures(a.username, 99);
    await setFailures(ghost, 99);
    expect((await same()).json()).toEqual(LOCKED);
    expect((await same()).json()).toEqual(LOCKED);
  });

  it('answers a disabled account with the right password like an unknown one', async () => {
    const a = await newAccount();
    await tdb.db
      .updateTable('official')
      .set({ disabled_at: sql`now()` })
      .where('id', '=', a.id)
      .execute();
    const disabled = await login(a.username, a.password);
    const unknown = await login(`nobody_${process.pid}`, a.password);
    expect(disabled.statusCode).toBe(401);
    expect(disabled.body).toBe(unknown.body);
    expect(await sessionsOf(a)).toBe(0);
  });
});

describe('one address, many accounts', () => {
  it('never locks out an address: 30 accounts log in from the address that hard-stopped another', async () => {
    // A fresh app: its own rate-limit counters, so only this test's requests count against the address.
    const hall = await buildTestApp(tdb.db);
    const address = '203.0.113.7';
    try {
      const victim = await newAccount();
      await setFailures(victim.username, 99);
      expect((await login(victim.username, WRONG, hall, address)).json()).toEqual(LOCKED);
      const accounts = await Promise.all(Array.from({ length: 30 }, () => newAccount()));
      // A wrong attempt on each first: 31 failures from one address, one of them a hard stop.
      const answers = await Promise.all(
        accounts.map(async (a) => {
          await login(a.username, WRONG, hall, address);
          return (await login(a.username, a.password, hall, address)).statusCode;
        }),
      );
      expect(answers).toEqual(accounts.map(() => 200));
    } finally {
      await hall.close();
    }
  });
});

describe('simultaneous attempts', () => {
  it('counts every one of five simultaneous wrong passwords (the throttle row is locked)', async () => {
    const a = await newAccount();
    const answers = await Promise.all(Array.from({ length: 5 }, () => login(a.username, WRONG)));
    expect(answers.map((r) => r.statusCode)).toEqual([401, 401, 401, 401, 401]);
    expect(await failuresOf(a.username)).toBe(5);
  });

  it('of 20 simultaneous wrong passwords, counts every one whose password was checked and throttles the rest', async () => {
    const a = await newAccount();
    const answers = await Promise.all(Array.from({ length: 20 }, () => login(a.username, WRONG)));
    const codes = answers.map((r) => (r.json() as { code: string }).code);
    const checked = codes.filter((c) => c === 'INVALID_CREDENTIALS').length;
    expect(codes.filter((c) => c !== 'INVALID_CREDENTIALS' && c !== 'LOGIN_THROTTLED')).toEqual([]);
    // Five are free; the sixth must wait, so the others are refused unchecked (the row lock
    // serializes them). Without the lock several would read the same count and a failure be lost.
    expect(checked).toBeGreaterThanOrEqual(5);
    expect(await failuresOf(a.username)).toBe(checked);
  });

  it('logs in every one of ten simultaneous right passwords after earlier failures', async () => {
    const a = await newAccount();
    await setFailures(a.username, 2);
    const answers = await Promise.all(Array.from({ length: 10 }, () => login(a.username, a.password)));
    expect(answers.map((r) => r.statusCode)).toEqual(Array.from({ length: 10 }, () => 200));
    expect(await failuresOf(a.username)).toBeUndefined();
    expect(await sessionsOf(a)).toBe(10);
  });
});

describe('rows written', () => {
  const versionOf = async (username: string) =>
    (
      await sql<{
        v: string;
      }>`select xmin::text as v from login_throttle where username_key = ${username.toLowerCase()}`.execute(tdb.db)
    ).rows[0]?.v;

  it('writes none for a successful login without earlier failures', async () => {
    const a = await newAccount();
    const before = await tdb.db
      .selectFrom('login_throttle')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    expect((await login(a.username, a.password)).statusCode).toBe(200);
    const after = await tdb.db
      .selectFrom('login_throttle')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    expect(after.n).toBe(before.n);
    expect(await failuresOf(a.username)).toBeUndefined();
  });

  it('writes nothing for an attempt refused while waiting or locked, known or unknown username', async () => {
    const a = await newAccount();
    const ghost = `ghost_w_${process.pid}`;
    for (const [name, failures, wait] of [
      [a.username, 7, 600],
      [ghost, 7, 600],
      [a.username, 100, -1],
      [ghost, 100, -1],
    ] as const) {
      await setFailures(name, failures, wait);
      const version = await versionOf(name);
      expect((await login(name, WRONG)).statusCode).toBe(429);
      expect(await versionOf(name)).toBe(version);
    }
  });
});

describe('the periodic prune', () => {
  /** A throttle row as if its back-off had ended `ageSeconds` ago (negative: still waiting). */
  const row = (username: string, failures: number, ageSeconds: number) => setFailures(username, failures, -ageSeconds);
  const HOUR = 3600;
  const DAY = 24 * HOUR;

  it('forgets stale rows of known and unknown usernames alike, and keeps active locks and back-offs', async () => {
    const known = await Promise.all(Array.from({ length: 7 }, () => newAccount()));
    const name = (i: number) => (known[i] as TestOfficial).username;
    const ghost = (i: number) => `ghost_p${i}_${process.pid}`;
    const cases: [string, number, number, 'kept' | 'pruned'][] = [
      // under the free failures: a day after the last failure
      [name(0), 3, 2 * DAY, 'pruned'],
      [ghost(0), 3, 2 * DAY, 'pruned'],
      [name(1), 3, HOUR, 'kept'],
      [ghost(1), 3, HOUR, 'kept'],
      // with a back-off: 30 days after it ended
      [name(2), 20, 10 * DAY, 'kept'],
      [ghost(2), 20, 10 * DAY, 'kept'],
      [name(3), 20, 31 * DAY, 'pruned'],
      [ghost(3), 20, 31 * DAY, 'pruned'],
      [name(4), 40, -600, 'kept'],
      // locks: an existing account's stays until an admin resets it
      [name(5), 100, 365 * DAY, 'kept'],
      [ghost(5), 100, 10 * DAY, 'kept'],
      [ghost(6), 100, 31 * DAY, 'pruned'],
    ];
    for (const [username, failures, age] of cases) await row(username, failures, age);
    await pruneAuthState(tdb.db);
    for (const [username, failures, age, fate] of cases) {
      expect({ username, failures, age, left: await failuresOf(username) }).toEqual({
        username,
        failures,
        age,
        left: fate === 'kept' ? failures : undefined,
      });
    }
    expect((await login(name(5), (known[5] as TestOfficial).password)).json()).toEqual(LOCKED);
  });

  it('forgets device cookies older than their lifetime', async () => {
    const a = await newAccount();
    for (let i = 0; i < 3; i++) expect((await login(a.username, a.password)).statusCode).toBe(200);
    const devices = await tdb.db
      .selectFrom('login_device')
      .select('nonce_hash')
      .where('official_id', '=', a.id)
      .execute();
    expect(devices).toHaveLength(3);
    const ages = [401, 399, 1];
    for (const [i, d] of devices.entries()) {
      await tdb.db
        .updateTable('login_device')
        .set({ created_at: sql`now() - make_interval(days => ${ages[i] ?? 0})` })
        .where('nonce_hash', '=', d.nonce_hash)
        .execute();
    }
    await pruneAuthState(tdb.db);
    const left = await tdb.db.selectFrom('login_device').select('nonce_hash').where('official_id', '=', a.id).execute();
    expect(left.map((d) => d.nonce_hash.toString('hex')).sort()).toEqual(
      devices
        .slice(1)
        .map((d) => d.nonce_hash.toString('hex'))
        .sort(),
    );
  });
});
