// Failed slip lookups are counted per address and slowed past a limit, but a valid code is never
// refused for anyone's failures: a whole village hall behind one NAT address votes while someone
// there types wrong codes. Run with the in-memory store, with Redis when REDIS_URL is set in the
// test environment (skipped, visibly, otherwise), and with a Redis that dies mid-meeting.
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import net from 'node:net';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAILURE_LIMIT } from '../../server/modules/ballots/ballots.limiter.ts';
import { buildTestApp, sessionCookie } from '../helpers/app.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import {
  ballotState,
  createSessionFixture,
  newToken,
  validAnswers,
  type SessionFixture,
} from '../helpers/evaluation.ts';
import { TEST_PASSWORD } from '../helpers/factories.ts';

const REDIS_URL = process.env.REDIS_URL;
// A hall of 300 (a large village meeting), after 150 misses from its address: past the limit of 100,
// so the later misses are slowed, and every valid code still goes through.
const VILLAGERS = 300;
const INVALID = FAILURE_LIMIT + 50;
const VALID = 150;

const NOT_FOUND = {
  statusCode: 404,
  code: 'SLIP_NOT_FOUND',
  error: 'Not Found',
  message: '未找到这张测评票，请核对二维码或票上的测评码',
};

let tdb: TestDatabase;
let fx: SessionFixture;

beforeAll(async () => {
  tdb = await createTestDatabase({ max: 20 });
  fx = await createSessionFixture(tdb.db, { slips: 2 * (VILLAGERS + VALID) + 100 });
});

afterAll(async () => {
  await tdb.close();
});

// Random addresses: with Redis, counters outlive the test run.
const randomAddress = () => `10.${[...crypto.randomBytes(3)].join('.')}`;

let next = 0;
/** A fresh, unused slip of the fixture session. */
const slip = () => {
  const token = fx.tokens[next++];
  if (!token) throw new Error('fixture out of slips');
  return token;
};

function client(app: FastifyInstance, remoteAddress: string) {
  return {
    questionnaire: (token: string) =>
      app.inject({ method: 'POST', url: '/api/ballot/questionnaire', payload: { token }, remoteAddress }),
    vote: (token: string, clientId = crypto.randomUUID()) =>
      app.inject({
        method: 'POST',
        url: '/api/ballots',
        payload: { token, clientId, answers: validAnswers() },
        remoteAddress,
      }),
  };
}
type Client = ReturnType<typeof client>;

/** `count` lookups of unknown codes, `width` at a time (misses past the limit are slowed). */
async function invalidLookups(from: Client, count: number, width = 100): Promise<void> {
  for (let i = 0; i < count; i += width) {
    const replies = await Promise.all(
      Array.from({ length: Math.min(width, count - i) }, (_, k) =>
        (i + k) % 2 ? from.vote(newToken()) : from.questionnaire(newToken()),
      ),
    );
    for (const res of replies)
      expect({ status: res.statusCode, body: res.json() }).toEqual({ status: 404, body: NOT_FOUND });
  }
}

/** `count` villagers each open and submit their own slip, 50 at a time; the status codes. */
async function validVotes(from: Client, count: number): Promise<number[]> {
  const tokens = Array.from({ length: count }, slip);
  const statuses: number[] = [];
  for (let i = 0; i < tokens.length; i += 50) {
    const results = await Promise.all(
      tokens
        .slice(i, i + 50)
        .map(async (t) => [(await from.questionnaire(t)).statusCode, (await from.vote(t)).statusCode]),
    );
    statuses.push(...results.flat());
  }
  return statuses;
}

/**
 * The limiter connects to Redis lazily and, by design, leaves misses uncounted until it is connected
 * (ballots.limiter.ts); on a loaded machine that can take a moment. Wait until a miss from an address
 * of its own is counted, so the counts a test reads are the limiter's, not the connection's timing.
 */
async function untilCounting(app: FastifyInstance, redisUrl: string): Promise<void> {
  const redis = new Redis(redisUrl);
  const addr = randomAddress();
  const probe = client(app, addr);
  try {
    for (let i = 0; i < 200; i++) {
      await probe.questionnaire(newToken());
      if (Number(await redis.get(`vre-slipfail:ip:${addr}`)) > 0) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('the limiter never counted a miss in Redis');
  } finally {
    redis.disconnect();
  }
}

const allAccepted = (count: number) => Array.from({ length: count }, () => [200, 201]).flat();

function limiterSuite(redisUrl: string | undefined) {
  let app: FastifyInstance;

  beforeAll(async () => {
    app = await buildTestApp(tdb.db, { redisUrl });
    if (redisUrl) await untilCounting(app, redisUrl);
  });
  afterAll(async () => {
    await app.close();
  });

  it(`accepts ${VALID} valid votes from the address that just sent ${INVALID} invalid codes`, async () => {
    const addr = randomAddress();
    const hall = client(app, addr);
    await invalidLookups(hall, INVALID);
    if (redisUrl) {
      const redis = new Redis(redisUrl);
      expect(await redis.get(`vre-slipfail:ip:${addr}`)).toBe(String(INVALID));
      redis.disconnect();
    }
    const before = await ballotState(tdb.db, fx.sessionId);
    expect(await validVotes(hall, VALID)).toEqual(allAccepted(VALID));
    const after = await ballotState(tdb.db, fx.sessionId);
    expect(after.ballots - before.ballots).toBe(VALID);
    expect(after.used - before.used).toBe(VALID);
    // and a miss is still the same 404, not a refusal that would tell a miss from a hit
    await invalidLookups(hall, 1);
  }, 120_000);

  it(`lets ${VILLAGERS} villagers behind one address open and submit their own slips`, async () => {
    const before = await ballotState(tdb.db, fx.sessionId);
    expect(await validVotes(client(app, randomAddress()), VILLAGERS)).toEqual(allAccepted(VILLAGERS));
    const after = await ballotState(tdb.db, fx.sessionId);
    expect(after.ballots - before.ballots).toBe(VILLAGERS);
  }, 120_000);
}

describe('failed slip lookups, in-memory store', () => {
  limiterSuite(undefined);
});

describe.skipIf(!REDIS_URL)('failed slip lookups, Redis store (REDIS_URL)', () => {
  limiterSuite(REDIS_URL);
});

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.end();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('failed slip lookups while Redis goes away', () => {
  let redisServer: ChildProcess | undefined;
  let app: FastifyInstance;
  let url: string;

  beforeAll(async () => {
    const port = await freePort();
    url = `redis://127.0.0.1:${port}`;
    redisServer = spawn('redis-server', ['--port', String(port), '--save', '', '--appendonly', 'no'], {
      stdio: 'ignore',
    });
    for (let i = 0; !(await accepts(port)); i++) {
      if (i > 100) throw new Error('scratch redis-server did not start');
      await new Promise((r) => setTimeout(r, 50));
    }
    app = await buildTestApp(tdb.db, { redisUrl: url });
    await untilCounting(app, url);
  });
  afterAll(async () => {
    await app.close();
    redisServer?.kill('SIGKILL');
  });

  it('keeps answering misses and accepting valid votes, with the process alive', async () => {
    const addr = randomAddress();
    const hall = client(app, addr);
    await invalidLookups(hall, FAILURE_LIMIT + 20);
    const redis = new Redis(url);
    expect(await redis.get(`vre-slipfail:ip:${addr}`)).toBe(String(FAILURE_LIMIT + 20));
    redis.disconnect();

    const exited = new Promise<number | null>((resolve) => redisServer?.once('exit', resolve));
    redisServer?.kill('SIGKILL');
    await exited;
    await invalidLookups(hall, 50);
    expect(await validVotes(hall, 50)).toEqual(allAccepted(50));
    // the app still serves (a dead Redis must not have ended or wedged it)
    expect((await app.inject({ method: 'GET', url: '/api/health' })).statusCode).toBe(200);
  }, 60_000);
});

describe('paper entry under the limit', () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = await buildTestApp(tdb.db);
  });
  afterAll(async () => {
    await app.close();
  });

  it("is never refused for the hall's failures or the official's own", async () => {
    const hall = randomAddress();
    const login = await app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { username: fx.secretary.username, password: TEST_PASSWORD },
      remoteAddress: hall,
    });
    const cookie = sessionCookie(login);
    const paper = (token: string) =>
      app.inject({
        method: 'POST',
        url: `/api/sessions/${fx.sessionId}/paper-ballots`,
        payload: { token, answers: validAnswers() },
        headers: { cookie },
        remoteAddress: hall,
      });
    const villagers = client(app, hall);
    await invalidLookups(villagers, FAILURE_LIMIT + 50);
    expect((await paper(slip())).statusCode).toBe(201);
    expect((await villagers.questionnaire(slip())).statusCode).toBe(200);
    const typos = await Promise.all(Array.from({ length: FAILURE_LIMIT + 50 }, () => paper(newToken())));
    expect(typos.map((r) => r.json())).toEqual(typos.map(() => NOT_FOUND));
    expect((await paper(slip())).statusCode).toBe(201);
    expect((await villagers.vote(slip())).statusCode).toBe(201);
  }, 60_000);
});
