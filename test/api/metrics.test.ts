import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../server/app.ts';
import type { Config } from '../../server/config.ts';
import { buildTestApp, sessionCookie, testConfig } from '../helpers/app.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { createSessionFixture, validAnswers, type SessionFixture } from '../helpers/evaluation.ts';
import { TEST_PASSWORD } from '../helpers/factories.ts';

let tdb: TestDatabase;
let fx: SessionFixture;
const apps: FastifyInstance[] = [];

/** An app with the pool handed over, as server/main.ts does. */
async function metricsApp(overrides: Partial<Config>): Promise<FastifyInstance> {
  const app = await buildApp(testConfig(overrides), { db: tdb.db, pool: tdb.pool });
  await app.ready();
  apps.push(app);
  return app;
}

beforeAll(async () => {
  tdb = await createTestDatabase();
  fx = await createSessionFixture(tdb.db, { slips: 10, title: '指标测试村测评会' });
});

afterAll(async () => {
  for (const app of apps) await app.close();
  await tdb.close();
});

const scrape = (app: FastifyInstance, remoteAddress = '127.0.0.1', headers: Record<string, string> = {}) =>
  app.inject({ method: 'GET', url: '/metrics', remoteAddress, headers });

/** The value of one sample line, e.g. value(text, 'x_total{channel="online"}'). */
function value(text: string, sample: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${sample} `));
  if (!line) throw new Error(`no sample ${sample}`);
  return Number(line.slice(sample.length + 1));
}

async function unknownRoute(app: FastifyInstance) {
  const res = await app.inject({ method: 'GET', url: '/no-such-route' });
  return { statusCode: res.statusCode, body: res.json() };
}

describe('GET /metrics', () => {
  it('does not exist unless METRICS_ALLOW is set: the 404 of any unknown route', async () => {
    const app = await buildTestApp(tdb.db);
    apps.push(app);
    const res = await scrape(app);
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual((await unknownRoute(app)).body);
  });

  it('serves Prometheus text to an allowed address, with every metric family', async () => {
    const app = await metricsApp({ metricsAllow: ['127.0.0.1'] });
    const res = await scrape(app);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    for (const name of [
      'village_eval_http_request_duration_seconds',
      'village_eval_ballots_accepted_total',
      'village_eval_db_pool_connections',
      'village_eval_db_pool_idle_connections',
      'village_eval_db_pool_waiting_requests',
      'village_eval_db_pool_acquire_seconds',
      'village_eval_db_errors_total',
      'process_cpu_user_seconds_total',
      'nodejs_eventloop_lag_seconds',
    ]) {
      expect(res.body).toContain(`# TYPE ${name} `);
    }
  });

  it('answers other addresses with the 404 of an unknown route; networks are matched as CIDR', async () => {
    const app = await metricsApp({ metricsAllow: ['10.0.0.0/8', '::1'] });
    const refused = await scrape(app, '192.168.1.20');
    expect({ statusCode: refused.statusCode, body: refused.json() }).toEqual(await unknownRoute(app));
    expect((await scrape(app, '127.0.0.1')).statusCode).toBe(404);
    expect((await scrape(app, '10.200.3.4')).statusCode).toBe(200);
    expect((await scrape(app, '::1')).statusCode).toBe(200);
    expect((await scrape(app, '::ffff:10.0.0.9')).statusCode).toBe(200);
  });

  it('judges the address as TRUST_PROXY resolves it: a forged X-Forwarded-For gains nothing', async () => {
    const direct = await metricsApp({ metricsAllow: ['192.0.2.7'] });
    expect((await scrape(direct, '127.0.0.1', { 'x-forwarded-for': '192.0.2.7' })).statusCode).toBe(404);
    const proxied = await metricsApp({ metricsAllow: ['192.0.2.7'], trustProxy: ['127.0.0.1'] });
    expect((await scrape(proxied, '127.0.0.1', { 'x-forwarded-for': '192.0.2.7' })).statusCode).toBe(200);
    expect((await scrape(proxied, '127.0.0.1', { 'x-forwarded-for': '203.0.113.9' })).statusCode).toBe(404);
    // Not from the trusted proxy: its header is ignored.
    expect((await scrape(proxied, '198.51.100.1', { 'x-forwarded-for': '192.0.2.7' })).statusCode).toBe(404);
  });

  it('is neither rate-limited nor behind a login', async () => {
    const app = await metricsApp({ metricsAllow: ['127.0.0.1'] });
    const statuses = new Set<number>();
    for (let i = 0; i < 150; i++) statuses.add((await scrape(app)).statusCode);
    expect([...statuses]).toEqual([200]);
  });
});

describe('what /metrics counts', () => {
  let app: FastifyInstance;
  const ONLINE = 'village_eval_ballots_accepted_total{channel="online"}';
  const PAPER = 'village_eval_ballots_accepted_total{channel="paper"}';
  const text = async () => (await scrape(app)).body;
  const vote = (token: string, clientId: string) =>
    app.inject({ method: 'POST', url: '/api/ballots', payload: { token, clientId, answers: validAnswers() } });

  beforeAll(async () => {
    app = await metricsApp({ metricsAllow: ['127.0.0.1'] });
  });

  it('counts a stored ballot exactly once: not its retry, not a refused submit', async () => {
    const token = fx.tokens[0] as string;
    const first = await text();
    const before = value(first, ONLINE);
    expect((await vote(token, 'metrics-client-1')).statusCode).toBe(201);
    const second = await text();
    expect(value(second, ONLINE)).toBe(before + 1);
    // the submit waited for a pool connection, and that wait was timed
    const acquired = 'village_eval_db_pool_acquire_seconds_count';
    expect(value(second, acquired)).toBeGreaterThan(value(first, acquired));
    expect((await vote(token, 'metrics-client-1')).statusCode).toBe(200);
    expect((await vote(token, 'metrics-client-2')).statusCode).toBe(409);
    expect(value(await text(), ONLINE)).toBe(before + 1);
  });

  it('counts paper entry under its own channel', async () => {
    const login = await app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { username: fx.secretary.username, password: TEST_PASSWORD },
    });
    const before = await text();
    const res = await app.inject({
      method: 'POST',
      url: `/api/sessions/${fx.sessionId}/paper-ballots`,
      payload: { token: fx.tokens[1], answers: validAnswers() },
      headers: { cookie: sessionCookie(login) },
    });
    expect(res.statusCode).toBe(201);
    const after = await text();
    expect(value(after, PAPER)).toBe(value(before, PAPER) + 1);
    expect(value(after, ONLINE)).toBe(value(before, ONLINE));
  });

  it('labels requests by route pattern and never shows a token, username, title or client id', async () => {
    const token = fx.tokens[2] as string;
    const login = await app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { username: fx.township.username, password: TEST_PASSWORD },
    });
    const cookie = sessionCookie(login);
    await app.inject({ method: 'GET', url: `/api/sessions/${fx.sessionId}`, headers: { cookie } });
    await app.inject({ method: 'POST', url: '/api/ballot/questionnaire', payload: { token } });
    expect((await vote(token, 'metrics-secret-client')).statusCode).toBe(201);
    // A QR reader that mangles /v#TOKEN into a path or a query string.
    await app.inject({ method: 'GET', url: `/v/${token}` });
    await app.inject({ method: 'GET', url: `/api/ballot/questionnaire?token=${token}` });
    const out = await text();
    expect(out).toContain('route="/api/ballots",method="POST",status_class="2xx"');
    expect(out).toContain('route="/api/sessions/:id",method="GET",status_class="2xx"');
    expect(out).toContain('route="(no route)",method="GET",status_class="4xx"');
    for (const secret of [
      token,
      token.toLowerCase(),
      fx.tokens[0] as string,
      fx.township.username,
      fx.secretary.username,
      fx.title,
      fx.villageName,
      'metrics-secret-client',
      cookie.split('=')[1] as string,
    ]) {
      expect(out).not.toContain(secret);
    }
  });

  it('counts a lost database connection', async () => {
    const before = value(await text(), 'village_eval_db_errors_total{class="connection_lost"}');
    // Warm the pool, then end its backends from outside, as a database restart would.
    await Promise.all(Array.from({ length: 3 }, () => sql`select pg_sleep(0.05)`.execute(tdb.db)));
    expect(tdb.pool.idleCount).toBeGreaterThan(0);
    const admin = new pg.Client({ connectionString: tdb.url, application_name: 'metrics-test' });
    await admin.connect();
    try {
      await admin.query(
        `select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and application_name = 'village-eval'`,
        [tdb.name],
      );
    } finally {
      await admin.end();
    }
    for (let i = 0; i < 100 && tdb.pool.totalCount > 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(value(await text(), 'village_eval_db_errors_total{class="connection_lost"}')).toBeGreaterThan(before);
  });
});
