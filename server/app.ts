// buildApp assembles the service as a Fastify instance without listening (tests call inject on
// it; server/main.ts listens). Plugins are registered in a fixed order, commented below.
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import fs from 'node:fs';
import path from 'node:path';
import type pg from 'pg';
import type { Config } from './config.ts';
import type { Db } from './db/database.ts';
import { AppError } from './errors.ts';
import { validatorCompiler } from './lib/validation.ts';
import { WEB_DIST } from './paths.ts';
import authRoutes from './modules/auth/auth.routes.ts';
import boardRoutes from './modules/board/board.routes.ts';
import campaignsRoutes from './modules/cases/campaigns.routes.ts';
import casesRoutes from './modules/cases/cases.routes.ts';
import decisionsRoutes from './modules/decisions/decisions.routes.ts';
import deptReportsRoutes from './modules/deptreports/deptreports.routes.ts';
import inboxRoutes from './modules/inbox/inbox.routes.ts';
import ballotsRoutes from './modules/ballots/ballots.routes.ts';
import gradingRoutes from './modules/grading/grading.routes.ts';
import identificationRoutes from './modules/identification/identification.routes.ts';
import healthRoutes from './modules/health/health.routes.ts';
import officialsRoutes from './modules/officials/officials.routes.ts';
import regionsRoutes from './modules/regions/regions.routes.ts';
import reportsRoutes from './modules/reports/reports.routes.ts';
import riskRoutes from './modules/risk/risk.routes.ts';
import screeningRoutes from './modules/screening/screening.routes.ts';
import { createJobQueue, type JobQueue } from './modules/schedule/schedule.jobs.ts';
import scheduleRoutes from './modules/schedule/schedule.routes.ts';
import sessionsRoutes from './modules/sessions/sessions.routes.ts';
import slipsRoutes from './modules/slips/slips.routes.ts';
import talliesRoutes from './modules/tallies/tallies.routes.ts';
import villageFilesRoutes from './modules/villagefiles/villagefiles.routes.ts';
import auth from './plugins/auth.ts';
import crossSite from './plugins/cross-site.ts';
import errorHandler, { frameworkErrors } from './plugins/error-handler.ts';
import metrics from './plugins/metrics.ts';
import rateLimit from './plugins/rate-limit.ts';
import securityHeaders from './plugins/security-headers.ts';

export interface AppDeps {
  db: Db;
  /** The pool behind db, for the /metrics pool gauges (optional: tests may pass db alone). */
  pool?: pg.Pool;
  /** Where scheduled opens and closes are enqueued (default: pg-boss's queues in the same database). */
  jobs?: JobQueue;
}

export const JSON_BODY_LIMIT = 64 * 1024;

interface LoggedRequest {
  method: string;
  routeOptions?: { url?: string };
  params?: unknown;
}

/**
 * The URL as logged: the matched route's pattern, with numeric ids filled in, or "(no route)".
 * Never the raw URL: slip tokens travel only in POST bodies and the URL fragment, but a QR reader
 * or chat app that mangles `/v#TOKEN` into `/v/TOKEN` or `/v%23TOKEN` (or a query string) would
 * otherwise put a token into the log (test/integration/anonymity.test.ts).
 */
export function loggedUrl(req: LoggedRequest): string {
  const pattern = req.routeOptions?.url;
  if (!pattern) return '(no route)';
  const params = (req.params ?? {}) as Record<string, unknown>;
  return pattern.replace(/:([A-Za-z0-9_]+)/g, (whole, name: string) => {
    const value = params[name];
    return typeof value === 'string' && /^\d{1,10}$/.test(value) ? value : whole;
  });
}

export async function buildApp(config: Config, deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    logger: {
      level: config.logLevel,
      redact: ['req.headers.cookie', 'req.headers.authorization', 'res.headers["set-cookie"]'],
      // No client address in the logs: a log line's time and address must not sit beside ballots.
      // No raw URL either: see loggedUrl.
      serializers: {
        req: (req: LoggedRequest) => ({ method: req.method, url: loggedUrl(req) }),
      },
    },
    trustProxy: config.trustProxy === false ? false : config.trustProxy,
    bodyLimit: JSON_BODY_LIMIT,
    routerOptions: { maxParamLength: 200 },
    // Undecodable URLs and over-long parameters get the one error shape and the security headers.
    frameworkErrors,
  }).withTypeProvider<TypeBoxTypeProvider>();

  // 0. Strict JSON bodies, coerced path parameters and query strings (server/lib/validation.ts).
  app.setValidatorCompiler(validatorCompiler);
  // 1. One error shape for everything that follows.
  await app.register(errorHandler);
  // 1a. GET /metrics and its hooks (request latency of everything below), when METRICS_ALLOW is set.
  await app.register(metrics, { allow: config.metricsAllow, pool: deps.pool });
  // 2. Security headers on every response, errors included.
  await app.register(securityHeaders);
  // 3. Refuse cross-site state changes before any work is done.
  await app.register(crossSite, { publicUrl: config.publicUrl });
  // 4. Rate limits (per route; Redis-backed when REDIS_URL is set).
  await app.register(rateLimit, { redisUrl: config.redisUrl });
  // 5. Session cookies and app.requireUser.
  await app.register(auth, { db: deps.db });
  // 6. OpenAPI document of every route, served at /api/docs.
  await app.register(swagger, {
    openapi: {
      info: {
        title: '村级整顿满意度测评 API',
        version: '0.1.0',
        description: '软弱涣散村党组织整顿群众满意度测评服务',
      },
    },
  });
  app.get('/api/docs', { schema: { hide: true } }, async () => app.swagger());

  // 7. Routes, one plugin per module.
  await app.register(healthRoutes, { db: deps.db });
  await app.register(authRoutes, { db: deps.db });
  await app.register(officialsRoutes, { db: deps.db });
  await app.register(regionsRoutes, { db: deps.db });
  await app.register(sessionsRoutes, { db: deps.db });
  await app.register(slipsRoutes, { db: deps.db, publicUrl: config.publicUrl });
  await app.register(talliesRoutes, { db: deps.db });
  await app.register(campaignsRoutes, { db: deps.db });
  await app.register(casesRoutes, { db: deps.db });
  await app.register(inboxRoutes, { db: deps.db });
  await app.register(reportsRoutes, { db: deps.db });
  await app.register(scheduleRoutes, { db: deps.db, jobs: deps.jobs ?? createJobQueue() });
  await app.register(gradingRoutes, { db: deps.db });
  await app.register(riskRoutes, { db: deps.db });
  await app.register(screeningRoutes, { db: deps.db });
  await app.register(boardRoutes, { db: deps.db });
  await app.register(villageFilesRoutes, { db: deps.db });
  await app.register(deptReportsRoutes, { db: deps.db });
  await app.register(decisionsRoutes, { db: deps.db });
  await app.register(identificationRoutes, { db: deps.db });
  await app.register(ballotsRoutes, { db: deps.db, redisUrl: config.redisUrl });

  // 8. The built web pages (absent when only the API is under test).
  registerWeb(app);

  // 9. Unknown routes: rate-limited, so scanning costs the scanner.
  app.setNotFoundHandler({ preHandler: app.rateLimit({ max: 120, timeWindow: '1 minute' }) }, async () => {
    throw new AppError('ROUTE_NOT_FOUND', '请求的地址不存在');
  });
  return app;
}

function registerWeb(app: FastifyInstance): void {
  if (!fs.existsSync(path.join(WEB_DIST, 'index.html'))) return;
  app.register(fastifyStatic, {
    root: path.join(WEB_DIST, 'assets'),
    prefix: '/assets/',
    immutable: true,
    maxAge: '365d',
    // .br/.gz copies written at build time (vite.config.ts), chosen by Accept-Encoding
    preCompressed: true,
  });
  // cacheControl: false, or sendFile applies the assets' year-long immutable caching to the pages
  const page = (file: string) => async (_req: unknown, reply: FastifyReply) =>
    reply.header('Cache-Control', 'no-cache').sendFile(file, WEB_DIST, { cacheControl: false });
  // The console (hash-routed single page) and the villager's ballot page (token in the fragment).
  app.get('/', { schema: { hide: true } }, page('index.html'));
  if (!fs.existsSync(path.join(WEB_DIST, 'ballot.html'))) return;
  app.get('/v', { schema: { hide: true } }, page('ballot.html'));
  // A slip link mangled by a chat app or QR reader: `/v#TOKEN` as `/v/TOKEN`, `/v%23TOKEN` or
  // `/v%2FTOKEN`. The same static page (nothing looked up, nothing consumed), which moves the code
  // into the fragment and out of the address bar (web/src/ballot/token.ts fragmentOfPath). Stored
  // nowhere (no-store), sent on as no referrer (security headers), logged by pattern (loggedUrl).
  const mangled = async (_req: unknown, reply: FastifyReply) =>
    reply.header('Cache-Control', 'no-store').sendFile('ballot.html', WEB_DIST, { cacheControl: false });
  app.get('/v/*', { schema: { hide: true } }, mangled);
  // find-my-way decodes %23 and %2F only into parameters, so the rest of the path is one.
  app.get<{ Params: { mangled: string } }>('/v:mangled', { schema: { hide: true } }, async (req, reply) =>
    /^[#/]/.test(req.params.mangled) ? mangled(req, reply) : reply.callNotFound(),
  );
}
