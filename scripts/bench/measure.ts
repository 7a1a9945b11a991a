// One measurement of each kind, each on its own freshly provisioned session (a session is one
// meeting: all its ballots share one advisory lock and 16 turnout shards, as in real use). Every
// measurement is checked afterwards against the database: ballots stored = successes counted.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ballotCount, httpSession, pgbenchSession, settle, type BenchDatabase, type Fixture } from './db.ts';
import type { LoadJob, LoadResult } from './http-load.ts';
import { connectionState, pgbenchClients } from './connections.ts';
import { NoConnectionSlots, runPgbench, type BaselineKind, type PgbenchResult } from './pgbench.ts';
import { cpuMsOf, ROOT, sampleRss, type RunningServer } from './server.ts';

export interface Context {
  db: BenchDatabase;
  fx: Fixture;
  server: RunningServer;
  workDir: string;
  seconds: number;
  /** the server's PG_POOL_MAX, as sized to fit the database server's max_connections */
  serverPool: number;
  /** best rate seen so far per kind and concurrency, to size the next session's slips */
  seen: Map<string, number>;
}

export interface PgbenchPoint extends PgbenchResult {
  kind: BaselineKind;
  round: number;
  requested: number;
  ballots: number;
}

/** A point that did not run, and why. */
export interface Skipped {
  skipped: string;
}

export interface HttpPoint extends LoadResult {
  round: number;
  connections: number;
  ballots: number;
  rssMiB: number;
  /** the server process's CPU time per accepted ballot over the whole run (warm-up second included), ms */
  serverCpuMs: number;
}

/**
 * Slips for a run: the best rate seen at any concurrency of this kind (or the guess, whichever is
 * larger) × duration, doubled, plus a margin per connection. Sizing from this concurrency's own
 * warm-up alone ran the 16-connection point out of slips: a short warm-up under-estimates the rate.
 * A run that still runs out is reported (LoadResult.exhausted) rather than quietly shortened.
 */
function slipsFor(ctx: Context, kind: string, concurrency: number, guess: number): number {
  const seen = [...ctx.seen].filter(([k]) => k.startsWith(`${kind}-`)).map(([, v]) => v);
  const rate = Math.max(guess, ...seen);
  return Math.ceil(rate * (ctx.seconds + 1) * 2 + concurrency * 60);
}

/** Slips per second to provision for before any rate of this kind was seen. */
const GUESS: Record<BaselineKind, number> = { service: 1500, function: 2500, bare: 3000 };

/**
 * One pgbench run of a baseline with `clients` clients, or as many as the database server has
 * slots for (PgbenchPoint.clients < requested); skipped when none fit or pgbench was refused slots.
 */
export async function pgbenchPoint(
  ctx: Context,
  kind: BaselineKind,
  clients: number,
  round: number,
  seconds = ctx.seconds,
): Promise<PgbenchPoint | Skipped> {
  const used = pgbenchClients(await connectionState(ctx.db.pool), clients, ctx.serverPool);
  if (used < 1) return { skipped: `no connection slots left for pgbench (asked ${clients})` };
  const key = `pgbench-${kind}-${used}`;
  const sessionId = await pgbenchSession(
    ctx.db.pool,
    ctx.fx,
    `pgbench ${kind} r${round} c${clients}`,
    slipsFor(ctx, `pgbench-${kind}`, used, GUESS[kind]),
  );
  await settle(ctx.db.pool);
  try {
    const r = await runPgbench({ url: ctx.db.url, clients: used, seconds, sessionId, workDir: ctx.workDir, kind });
    ctx.seen.set(key, Math.max(ctx.seen.get(key) ?? 0, r.tps));
    const ballots = await ballotCount(ctx.db.pool, sessionId);
    return { ...r, kind, round, requested: clients, ballots };
  } catch (err) {
    if (err instanceof NoConnectionSlots) return { skipped: err.message };
    throw err;
  }
}

function runLoad(job: LoadJob, workDir: string): Promise<LoadResult> {
  const jobFile = path.join(workDir, 'job.json');
  fs.writeFileSync(jobFile, JSON.stringify(job));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/bench/http-load.ts', jobFile], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(JSON.parse(out) as LoadResult) : reject(new Error(`load generator exited ${code}`)),
    );
  });
}

async function tokensFile(ctx: Context, title: string, count: number): Promise<{ sessionId: number; file: string }> {
  const { sessionId, tokens } = await httpSession(ctx.db.pool, ctx.fx, title, count);
  const file = path.join(ctx.workDir, 'tokens.txt');
  fs.writeFileSync(file, tokens.join('\n'));
  return { sessionId, file };
}

export async function httpPoint(
  ctx: Context,
  connections: number,
  round: number,
  seconds = ctx.seconds,
): Promise<HttpPoint> {
  const key = `http-${connections}`;
  const { sessionId, file } = await tokensFile(
    ctx,
    `http r${round} c${connections}`,
    slipsFor(ctx, 'http', connections, 1000),
  );
  await settle(ctx.db.pool);
  const stopRss = sampleRss(ctx.server.pid);
  const cpu0 = cpuMsOf(ctx.server.pid);
  const job: LoadJob = {
    port: ctx.server.port,
    tokensFile: file,
    mode: 'closed',
    connections,
    seconds,
    warmupSeconds: 1,
    count: 0,
    ratePerSecond: 0,
  };
  const r = await runLoad(job, ctx.workDir);
  const serverCpuMs = (cpuMsOf(ctx.server.pid) - cpu0) / Math.max(1, r.completed);
  const rssMiB = stopRss();
  ctx.seen.set(key, Math.max(ctx.seen.get(key) ?? 0, r.perSecond));
  return { ...r, round, connections, ballots: await ballotCount(ctx.db.pool, sessionId), rssMiB, serverCpuMs };
}

/** A meeting of 1,000 people voting within 10 s: open-loop arrivals at 100/s, one connection each. */
export async function meetingPoint(ctx: Context, round: number, people = 1000, seconds = 10): Promise<HttpPoint> {
  const { sessionId, file } = await tokensFile(ctx, `meeting r${round}`, people);
  await settle(ctx.db.pool);
  const stopRss = sampleRss(ctx.server.pid);
  const cpu0 = cpuMsOf(ctx.server.pid);
  const job: LoadJob = {
    port: ctx.server.port,
    tokensFile: file,
    mode: 'open',
    connections: 0,
    seconds,
    warmupSeconds: 0,
    count: people,
    ratePerSecond: people / seconds,
  };
  const r = await runLoad(job, ctx.workDir);
  const serverCpuMs = (cpuMsOf(ctx.server.pid) - cpu0) / Math.max(1, r.completed);
  return {
    ...r,
    round,
    connections: 0,
    ballots: await ballotCount(ctx.db.pool, sessionId),
    rssMiB: stopRss(),
    serverCpuMs,
  };
}
