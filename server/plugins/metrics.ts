// GET /metrics in Prometheus text format, for the addresses in METRICS_ALLOW only; without that
// setting there is no such route (the standard 404) and no hook is added. Every app has its own
// Registry: tests build several apps in one process, and the global registry would collide.
// Labels are deliberately few and bounded: a route's pattern (never the raw URL, which a mangled
// QR link could fill with a slip token), the method, the status class, the ballot channel. No
// session, official, address or token ever becomes a label.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import net from 'node:net';
import pg from 'pg';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { isDatabaseUnavailable } from '../db/faults.ts';
import { AppError } from '../errors.ts';

export interface MetricsOptions {
  /** IPs and CIDR networks allowed to scrape (Config.metricsAllow); undefined: metrics off. */
  allow: string[] | undefined;
  /** The app's PostgreSQL pool, for the pool gauges and the acquire-time histogram. */
  pool?: pg.Pool | undefined;
}

const PREFIX = 'village_eval_';
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/** Routes whose 201 means a ballot was stored for the first time (200 is a retry's same receipt). */
const BALLOT_ROUTES: Record<string, 'online' | 'paper'> = {
  '/api/ballots': 'online',
  '/api/sessions/:id/paper-ballots': 'paper',
};

export function allowList(allow: string[]): net.BlockList {
  const list = new net.BlockList();
  for (const item of allow) {
    const [address = '', prefix] = item.split('/');
    const type = net.isIPv6(address) ? 'ipv6' : 'ipv4';
    if (prefix === undefined) list.addAddress(address, type);
    else list.addSubnet(address, Number(prefix), type);
  }
  return list;
}

function isAllowed(list: net.BlockList, ip: string): boolean {
  const family = net.isIP(ip);
  return family !== 0 && list.check(ip, family === 6 ? 'ipv6' : 'ipv4');
}

/** 'connection_lost' (faults.ts: the database cannot be reached now, including a pool checkout that
 * timed out), 'other' (any other PostgreSQL error), or undefined (not a database error).
 * Class 22 (data exception) is excluded: that is bad input, answered 400, not a database fault. */
export function databaseErrorClass(err: unknown): 'connection_lost' | 'other' | undefined {
  if (err instanceof AppError) return err.code === 'DATABASE_UNAVAILABLE' ? 'connection_lost' : undefined;
  if (isDatabaseUnavailable(err)) return 'connection_lost';
  if (err instanceof pg.DatabaseError) return err.code?.startsWith('22') ? undefined : 'other';
  return undefined;
}

function poolMetrics(registry: Registry, pool: pg.Pool): () => void {
  const registers = [registry];
  new Gauge({
    name: `${PREFIX}db_pool_connections`,
    help: 'Connections open in the PostgreSQL pool (idle and in use)',
    registers,
    collect() {
      this.set(pool.totalCount);
    },
  });
  new Gauge({
    name: `${PREFIX}db_pool_idle_connections`,
    help: 'Idle connections in the PostgreSQL pool',
    registers,
    collect() {
      this.set(pool.idleCount);
    },
  });
  new Gauge({
    name: `${PREFIX}db_pool_waiting_requests`,
    help: 'Queries waiting for a free connection of the PostgreSQL pool',
    registers,
    collect() {
      this.set(pool.waitingCount);
    },
  });
  const acquire = new Histogram({
    name: `${PREFIX}db_pool_acquire_seconds`,
    help: 'Time to obtain a connection from the PostgreSQL pool (failed attempts included)',
    buckets: [0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 2.5, 5],
    registers,
  });
  // pg's Pool reports no wait time; the one place to measure it is connect() itself, which Kysely
  // calls in its promise form. The callback form (pool.query) passes straight through.
  const original = pool.connect;
  const connect = original as (this: pg.Pool, ...args: unknown[]) => unknown;
  const timed = function (this: pg.Pool, ...args: unknown[]) {
    if (args.length > 0) return connect.apply(this, args);
    const end = acquire.startTimer();
    const pending = connect.call(this) as Promise<pg.PoolClient>;
    pending.then(
      () => end(),
      () => end(),
    );
    return pending;
  } as typeof pool.connect;
  pool.connect = timed;
  return () => {
    if (pool.connect === timed) pool.connect = original;
  };
}

async function metricsPlugin(app: FastifyInstance, opts: MetricsOptions): Promise<void> {
  if (!opts.allow) return;
  const allowed = allowList(opts.allow);
  const registry = new Registry();
  const registers = [registry];
  collectDefaultMetrics({ register: registry });

  const duration = new Histogram({
    name: `${PREFIX}http_request_duration_seconds`,
    help: 'HTTP request latency by route pattern, method and status class',
    labelNames: ['route', 'method', 'status_class'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers,
  });
  const ballots = new Counter({
    name: `${PREFIX}ballots_accepted_total`,
    help: 'Ballots stored (first submissions; a retry answered with the same receipt is not counted)',
    labelNames: ['channel'],
    registers,
  });
  const dbErrors = new Counter({
    name: `${PREFIX}db_errors_total`,
    help: 'Database errors by class: connection_lost (server gone, restarted, network) or other',
    labelNames: ['class'],
    registers,
  });
  for (const channel of ['online', 'paper']) ballots.inc({ channel }, 0);
  for (const cls of ['connection_lost', 'other']) dbErrors.inc({ class: cls }, 0);

  if (opts.pool) {
    const pool = opts.pool;
    const restore = poolMetrics(registry, pool);
    // An idle client losing its connection surfaces only as the pool's 'error' event.
    const onIdleError = () => dbErrors.inc({ class: 'connection_lost' });
    pool.on('error', onIdleError);
    app.addHook('onClose', async () => {
      restore();
      pool.off('error', onIdleError);
    });
  }

  app.addHook('onError', async (_request, _reply, err) => {
    const cls = databaseErrorClass(err);
    if (cls) dbErrors.inc({ class: cls });
  });

  app.addHook('onResponse', async (request: FastifyRequest, reply: FastifyReply) => {
    const route = request.routeOptions.url ?? '(no route)';
    const status = reply.statusCode;
    duration.observe(
      {
        route,
        method: METHODS.has(request.method) ? request.method : 'OTHER',
        status_class: `${Math.floor(status / 100)}xx`,
      },
      reply.elapsedTime / 1000,
    );
    const channel = BALLOT_ROUTES[route];
    if (channel && status === 201 && request.method === 'POST') ballots.inc({ channel });
  });

  // Not rate-limited and no login: the address list is the guard. Anyone else gets the very 404
  // of an unknown route, so the route's existence is not revealed.
  app.get('/metrics', { schema: { hide: true } }, async (request, reply) => {
    if (!isAllowed(allowed, request.ip)) return reply.callNotFound();
    return reply.header('Content-Type', registry.contentType).send(await registry.metrics());
  });
}

export default fp(metricsPlugin, { name: 'metrics', fastify: '5.x' });
