// HTTP hardening (issue 2, items 6, 10 and 11): security headers on every reply, refusal of
// cross-site state changes, one error shape, no 5xx for any malformed input, and the health check.
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase } from '../../server/db/database.ts';
import { buildTestApp } from '../helpers/app.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { fuzzRequests } from '../helpers/fuzz.ts';
import { listRoutes, operationOf, routeKey } from '../helpers/routes.ts';
import { buildWorld, databaseDigest, sessionFor, type World } from '../helpers/world.ts';

let tdb: TestDatabase;
let app: FastifyInstance;
let world: World;

beforeAll(async () => {
  tdb = await createTestDatabase();
  app = await buildTestApp(tdb.db);
  world = await buildWorld(tdb.db);
});

afterAll(async () => {
  await app.close();
  await tdb.close();
});

const REASON: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Entity',
  429: 'Too Many Requests',
  503: 'Service Unavailable',
};

/** The one error shape: exactly statusCode, code, error, message, and details where there are some. */
function expectErrorShape(res: LightMyRequestResponse, label = ''): void {
  expect(res.headers['content-type'], label).toMatch(/^application\/json/);
  const body = res.json() as Record<string, unknown>;
  const keys = Object.keys(body).sort();
  expect(
    keys.filter((k) => k !== 'details'),
    `${label}: ${res.body}`,
  ).toEqual(['code', 'error', 'message', 'statusCode']);
  expect(body.statusCode, label).toBe(res.statusCode);
  expect(body.code, label).toMatch(/^[A-Z][A-Z0-9_]+$/);
  expect(body.error, label).toBe(REASON[res.statusCode]);
  expect(typeof body.message === 'string' && body.message.length > 0, label).toBe(true);
}

function expectSecurityHeaders(res: LightMyRequestResponse, label = ''): void {
  const csp = String(res.headers['content-security-policy'] ?? '');
  const directives = new Map(
    csp.split(';').map((d) => {
      const [name, ...values] = d.trim().split(/\s+/);
      return [name ?? '', values];
    }),
  );
  const scripts = directives.get('script-src') ?? directives.get('default-src') ?? [];
  expect(scripts, `${label}: script-src`).toEqual(["'self'"]);
  expect(directives.get('frame-ancestors'), `${label}: frame-ancestors`).toEqual(["'none'"]);
  expect(directives.get('object-src'), `${label}: object-src`).toEqual(["'none'"]);
  expect(res.headers['x-content-type-options'], label).toBe('nosniff');
  expect(res.headers['referrer-policy'], label).toBe('no-referrer');
}

const json = (payload: unknown) => ({ payload: payload as InjectOptions['payload'] });
const adminCookie = () => sessionFor(tdb.db, world.actors['admin@city'].id);

describe('security headers', () => {
  it('are on every kind of reply: success, refusals, errors, unknown routes and malformed URLs', async () => {
    const cookie = await adminCookie();
    const cases: [string, InjectOptions][] = [
      ['200', { method: 'GET', url: '/api/health' }],
      ['HEAD', { method: 'HEAD', url: '/api/health' }],
      ['401', { method: 'GET', url: '/api/auth/me' }],
      ['403', { method: 'POST', url: '/api/auth/logout', headers: { 'sec-fetch-site': 'cross-site' } }],
      ['404', { method: 'GET', url: '/api/no-such-thing' }],
      ['404 outside the API', { method: 'GET', url: '/no-such-page' }],
      [
        '400',
        { method: 'POST', url: '/api/auth/login', payload: '{', headers: { 'content-type': 'application/json' } },
      ],
      ['413', { method: 'POST', url: '/api/auth/login', ...json({ username: 'x'.repeat(70_000), password: 'x' }) }],
      [
        '415',
        { method: 'POST', url: '/api/auth/login', payload: '<a/>', headers: { 'content-type': 'application/xml' } },
      ],
      ['bad URL', { method: 'GET', url: '/api/officials/%E0%A4%A' }],
      ['overlong parameter', { method: 'POST', url: `/api/officials/${'1'.repeat(300)}/disable`, headers: { cookie } }],
    ];
    if (app.hasRoute({ method: 'GET', url: '/' })) cases.push(['console page', { method: 'GET', url: '/' }]);
    for (const [label, options] of cases) {
      const res = await app.inject(options);
      expect(res.statusCode, label).toBeLessThan(500);
      expectSecurityHeaders(res, label);
      if (res.statusCode >= 400) expectErrorShape(res, label);
    }
  });
});

describe('cross-site requests', () => {
  const CROSS_SITE = {
    statusCode: 403,
    code: 'CROSS_SITE_REQUEST',
    error: 'Forbidden',
    message: '拒绝来自其他网站的请求',
  };
  const create = (headers: Record<string, string>, cookie: string) =>
    app.inject({
      method: 'POST',
      url: '/api/officials',
      headers: { ...headers, cookie },
      ...json({
        username: `xs_${Math.random().toString(36).slice(2, 10)}`,
        role: 'village',
        regionId: world.regions.V1,
      }),
    });

  it.each([
    ['Sec-Fetch-Site: cross-site', { 'sec-fetch-site': 'cross-site' }],
    ['Origin of another site', { origin: 'https://evil.example' }],
    ['Origin of a sibling subdomain', { origin: 'http://evil.vote.test' }],
    ['Origin: null', { origin: 'null' }],
    ['an unparsable Origin', { origin: 'not a url' }],
  ])('refuses a state change with %s and changes nothing', async (_label, headers) => {
    const cookie = await adminCookie();
    const before = await databaseDigest(tdb.db);
    const res = await create(headers, cookie);
    expect({ status: res.statusCode, body: res.json() }).toEqual({ status: 403, body: CROSS_SITE });
    expect(await databaseDigest(tdb.db)).toEqual(before);
  });

  it('refuses a cross-site login before checking any password', async () => {
    const target = world.places['own-village'].target;
    const res = await app.inject({
      method: 'POST',
      url: '/api/auth/login',
      headers: { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
      ...json({ username: target.username, password: 'Wrong-passw0rd' }),
    });
    expect(res.json()).toEqual(CROSS_SITE);
    const throttle = await tdb.db
      .selectFrom('login_throttle')
      .selectAll()
      .where('username_key', '=', target.username.toLowerCase())
      .execute();
    expect(throttle).toEqual([]);
  });

  it.each([
    ['no Origin and no Fetch Metadata (scripts, curl)', {}],
    ['Sec-Fetch-Site: same-origin', { 'sec-fetch-site': 'same-origin' }],
    ['Sec-Fetch-Site: none (typed by the user)', { 'sec-fetch-site': 'none' }],
    ['the Origin of PUBLIC_URL', { origin: 'http://vote.test', 'sec-fetch-site': 'same-origin' }],
    ['the Origin of the Host it was sent to', { origin: 'http://console.example:8080', host: 'console.example:8080' }],
  ])('allows a state change with %s', async (_label, headers) => {
    expect((await create(headers, await adminCookie())).statusCode).toBe(201);
  });

  it('lets reads through whatever their origin', async () => {
    const res = await app.inject({
      method: 'GET',
      url: '/api/auth/me',
      headers: { cookie: await adminCookie(), origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
    });
    expect(res.statusCode).toBe(200);
  });
});

describe('error replies', () => {
  const login = (payload: string, type = 'application/json') =>
    app.inject({ method: 'POST', url: '/api/auth/login', payload, headers: { 'content-type': type } });

  it('answers bad JSON with 400 INVALID_JSON', async () => {
    const res = await login('{"username":');
    expect({ status: res.statusCode, body: res.json() }).toEqual({
      status: 400,
      body: { statusCode: 400, code: 'INVALID_JSON', error: 'Bad Request', message: '请求内容不是合法的 JSON' },
    });
  });

  it('names the field of a wrong type, a missing field and an unknown field', async () => {
    const cases: [unknown, string, string][] = [
      // Scalars are coerced (ajv coerceTypes in server/app.ts), so the wrong type here is an object.
      [{ username: { $ne: '' }, password: 'x' }, 'username', '类型错误，应为 string'],
      [{ username: 'x' }, 'password', '缺少必填字段'],
      [{ username: 'x', password: 'y', isAdmin: true }, 'isAdmin', '不允许的字段'],
      [{ username: '', password: 'y' }, 'username', '长度不能少于 1'],
    ];
    for (const [payload, field, message] of cases) {
      const res = await login(JSON.stringify(payload));
      expect({ status: res.statusCode, body: res.json() }).toEqual({
        status: 400,
        body: {
          statusCode: 400,
          code: 'VALIDATION_FAILED',
          error: 'Bad Request',
          message: `字段 ${field}：${message}`,
          details: [{ field, message }],
        },
      });
    }
  });

  it('answers a body over 64 KiB with 413 and a foreign content type with 415', async () => {
    const huge = await login(JSON.stringify({ username: 'u', password: 'p'.repeat(65 * 1024) }));
    expect({ status: huge.statusCode, code: huge.json().code }).toEqual({ status: 413, code: 'PAYLOAD_TOO_LARGE' });
    expectErrorShape(huge);
    for (const type of ['application/xml', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
      const res = await login('a=1', type);
      expect({ status: res.statusCode, code: res.json().code }, type).toEqual({
        status: 415,
        code: 'UNSUPPORTED_MEDIA_TYPE',
      });
      expectErrorShape(res, type);
    }
  });

  it('answers an unknown route with 404 ROUTE_NOT_FOUND, and rate-limits it in the same shape', async () => {
    const fresh = await buildTestApp(tdb.db);
    try {
      const notFound = { statusCode: 404, code: 'ROUTE_NOT_FOUND', error: 'Not Found', message: '请求的地址不存在' };
      for (let i = 0; i < 120; i++) {
        const res = await fresh.inject({ method: 'GET', url: `/api/scan-${i}` });
        expect({ status: res.statusCode, body: res.json() }).toEqual({ status: 404, body: notFound });
      }
      const limited = await fresh.inject({ method: 'GET', url: '/api/scan-121' });
      expect(limited.statusCode).toBe(429);
      expectErrorShape(limited);
      expectSecurityHeaders(limited);
      const body = limited.json() as { code: string; details: { retryAfterSeconds: number } };
      expect(body.code).toBe('RATE_LIMITED');
      expect(limited.headers['retry-after']).toBe(String(body.details.retryAfterSeconds));
    } finally {
      await fresh.close();
    }
  });

  it('never answers 5xx to malformed requests on any route, logged in as an admin', { timeout: 180_000 }, async () => {
    const goodParam = (url: string) =>
      String(url.startsWith('/api/officials') ? world.places['own-village'].target.id : world.regions.V1);
    const failures: string[] = [];
    let sent = 0;
    for (const route of listRoutes(app).filter((r) => r.method !== 'HEAD')) {
      for (const { label, options } of fuzzRequests(route, operationOf(app, route), goodParam(route.url))) {
        const cookie = await sessionFor(tdb.db, world.actors['admin@city'].id);
        const res = await app.inject({ ...options, headers: { ...(options.headers ?? {}), cookie } });
        sent++;
        const where = `${routeKey(route)} [${label}] → ${res.statusCode} ${res.body.slice(0, 200)}`;
        if (res.statusCode >= 500) failures.push(where);
        else if (res.statusCode >= 400) {
          try {
            expectErrorShape(res, where);
            expectSecurityHeaders(res, where);
          } catch (err) {
            failures.push(`${where}: ${(err as Error).message.split('\n')[0]}`);
          }
        }
      }
      await world.refresh();
    }
    expect(failures).toEqual([]);
    expect(sent).toBeGreaterThan(500);
  });
});

describe('GET /api/health', () => {
  it('answers 200 {status: ok} while the database answers', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/health' });
    expect({ status: res.statusCode, body: res.json() }).toEqual({ status: 200, body: { status: 'ok' } });
  });

  it('answers 503 in the error shape when the database is unreachable', async () => {
    const port = await closedPort();
    const dead = createDatabase(`postgres://postgres@127.0.0.1:${port}/none`, { max: 1 });
    const deadApp = await buildTestApp(dead.db);
    try {
      const res = await deadApp.inject({ method: 'GET', url: '/api/health' });
      expect({ status: res.statusCode, body: res.json() }).toEqual({
        status: 503,
        body: {
          statusCode: 503,
          code: 'DATABASE_UNAVAILABLE',
          error: 'Service Unavailable',
          message: '数据库暂时不可用',
        },
      });
      expectSecurityHeaders(res);
    } finally {
      await deadApp.close();
      await dead.close();
    }
  });
});

/** A local port nothing listens on: taken from the OS, then released. */
function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}
