// Failed slip lookups are limited per address; successful ones never spend that budget, so a whole
// village hall behind one NAT address can vote. Run with the in-memory store, and with Redis when
// REDIS_URL is set in the test environment (skipped, visibly, otherwise).
import crypto from 'node:crypto';
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
const VILLAGERS = 1000;

let tdb: TestDatabase;
let fx: SessionFixture;

beforeAll(async () => {
  tdb = await createTestDatabase();
  fx = await createSessionFixture(tdb.db, { slips: 2 * VILLAGERS + 50 });
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

function limiterSuite(redisUrl: string | undefined) {
  let app: FastifyInstance;

  beforeAll(async () => {
    app = await buildTestApp(tdb.db, { redisUrl });
  });
  afterAll(async () => {
    await app.close();
  });

  const from = (remoteAddress: string) => ({
    questionnaire: (token: string) =>
      app.inject({ method: 'POST', url: '/api/ballot/questionnaire', payload: { token }, remoteAddress }),
    vote: (token: string, clientId = crypto.randomUUID()) =>
      app.inject({
        method: 'POST',
        url: '/api/ballots',
        payload: { token, clientId, answers: validAnswers() },
        remoteAddress,
      }),
  });

  it('refuses every lookup from an address after too many failures, valid codes included', async () => {
    const addr = randomAddress();
    const client = from(addr);
    for (let i = 0; i < FAILURE_LIMIT; i++) {
      const res = await (i % 2 ? client.vote(newToken()) : client.questionnaire(newToken()));
      expect(res.statusCode).toBe(404);
    }
    const before = await ballotState(tdb.db, fx.sessionId);
    const valid = slip();
    for (const res of [
      await client.questionnaire(newToken()),
      await client.questionnaire(valid),
      await client.vote(valid),
    ]) {
      expect(res.statusCode).toBe(429);
      expect(res.json()).toMatchObject({
        code: 'RATE_LIMITED',
        message: expect.stringMatching(/^无效测评码的尝试次数过多，请 \d+ 分钟后再试$/),
      });
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    }
    expect(await ballotState(tdb.db, fx.sessionId)).toEqual(before);
    // another address is not affected
    expect((await from(randomAddress()).vote(valid)).statusCode).toBe(201);
    if (redisUrl) {
      const redis = new Redis(redisUrl);
      expect(await redis.get(`vre-slipfail:ip:${addr}`)).toBe(String(FAILURE_LIMIT));
      redis.disconnect();
    }
  });

  it(`lets ${VILLAGERS} villagers behind one address open and submit their own slips`, async () => {
    const client = from(randomAddress());
    const before = await ballotState(tdb.db, fx.sessionId);
    const tokens = Array.from({ length: VILLAGERS }, slip);
    const statuses: number[] = [];
    for (let i = 0; i < tokens.length; i += 50) {
      const batch = tokens.slice(i, i + 50);
      const results = await Promise.all(
        batch.map(async (t) => [(await client.questionnaire(t)).statusCode, (await client.vote(t)).statusCode]),
      );
      statuses.push(...results.flat());
    }
    expect(statuses.filter((s) => s === 200)).toHaveLength(VILLAGERS);
    expect(statuses.filter((s) => s === 201)).toHaveLength(VILLAGERS);
    const after = await ballotState(tdb.db, fx.sessionId);
    expect(after.ballots - before.ballots).toBe(VILLAGERS);
    // the successes spent nothing: the whole failure budget is still there
    for (let i = 0; i < FAILURE_LIMIT - 1; i++) expect((await client.questionnaire(newToken())).statusCode).toBe(404);
    expect((await client.questionnaire(slip())).statusCode).toBe(200);
  }, 120_000);
}

describe('failed slip lookups, in-memory store', () => {
  limiterSuite(undefined);
});

describe.skipIf(!REDIS_URL)('failed slip lookups, Redis store (REDIS_URL)', () => {
  limiterSuite(REDIS_URL);
});

describe('paper entry under the limit', () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = await buildTestApp(tdb.db);
  });
  afterAll(async () => {
    await app.close();
  });

  it("counts an official's failures against the official, not against the hall's address", async () => {
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
    const villager = (token: string) =>
      app.inject({ method: 'POST', url: '/api/ballot/questionnaire', payload: { token }, remoteAddress: hall });
    // a villager in the hall exhausts the address's budget: paper entry still works
    for (let i = 0; i < FAILURE_LIMIT; i++) expect((await villager(newToken())).statusCode).toBe(404);
    const valid = slip();
    expect((await villager(valid)).statusCode).toBe(429);
    expect((await paper(valid)).statusCode).toBe(201);
    // the official's own failures block the official
    for (let i = 0; i < FAILURE_LIMIT; i++) expect((await paper(newToken())).statusCode).toBe(404);
    expect((await paper(slip())).statusCode).toBe(429);
  });
});
