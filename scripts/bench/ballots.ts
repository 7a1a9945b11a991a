// npm run bench -- [--db postgres://…] [--embedded] [--rounds 3] [--seconds 10] [--clients 1,16,64,256]
//                  [--baselines function,bare,service] [--pool 40] [--quick] [--no-build] [--no-write]
//                  [--cpu-prof DIR]
//   --quick      1 round of 3 s at 1, 16 and 64 connections, not written to docs/BENCHMARKS.md
//   --no-build   measure the web build as it is (else it is built first when missing or stale)
// The ballot path in one run against one PostgreSQL (fsync and synchronous_commit on): HTTP load on
// the real server interleaved with pgbench running the same database work in its fastest forms
// (pgbench.ts: one prepared submit_ballot call; the bare update + insert; the service's own two
// statements), then the meeting scenario, the ballot page's size and the slip sheet. The server's
// pool and every pgbench point are sized to the database server's max_connections (connections.ts).
// Results go to stdout and to this database kind's "Ballot path, measured" section of
// docs/BENCHMARKS.md.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ensureWebBuilt } from '../../test/helpers/web-build.ts';
import { BENCH_POOL, connectionState, describeState, serverPoolSize } from './connections.ts';
import { createFixture, createSession, openBenchDatabase } from './db.ts';
import { ballotBundle, slipSheet } from './extras.ts';
import {
  httpPoint,
  meetingPoint,
  pgbenchPoint,
  type Context,
  type HttpPoint,
  type PgbenchPoint,
  type Skipped,
} from './measure.ts';
import { BASELINES, type BaselineKind } from './pgbench.ts';
import { renderSection, writeSection, type Results } from './report.ts';
import { memoryOf, ROOT, startServer } from './server.ts';

const { values: args } = parseArgs({
  options: {
    db: { type: 'string' },
    embedded: { type: 'boolean', default: false },
    'db-name': { type: 'string', default: 'vre_bench' },
    rounds: { type: 'string' },
    seconds: { type: 'string' },
    clients: { type: 'string' },
    baselines: { type: 'string', default: 'function,bare,service' },
    pool: { type: 'string', default: '40' },
    quick: { type: 'boolean', default: false },
    'no-build': { type: 'boolean', default: false },
    'no-write': { type: 'boolean', default: false },
    'cpu-prof': { type: 'string' },
  },
});

const log = (msg: string) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
const sh = (cmd: string, a: string[]) => execFileSync(cmd, a, { encoding: 'utf8' }).trim();

/** With autogroup scheduling, CPU is shared per session first: say how this run's session stood. */
function schedulingNote(): string {
  const group = fs.existsSync('/proc/self/autogroup') ? fs.readFileSync('/proc/self/autogroup', 'utf8').trim() : '';
  const nice = /nice (-?\d+)/.exec(group)?.[1];
  return nice === undefined
    ? `process niceness ${os.getPriority()}`
    : `autogroup nice ${nice} (process niceness ${os.getPriority()})`;
}

function machineNotes(): string[] {
  const cpu = /model name\s*:\s*(.+)/.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? os.arch();
  const mem = sh('free', ['-h']).split('\n')[1]?.split(/\s+/) ?? [];
  const load = os.loadavg().map((l) => l.toFixed(2));
  const rev = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).stdout.trim();
  const dirty = spawnSync('git', ['status', '--porcelain'], { cwd: ROOT, encoding: 'utf8' }).stdout.trim() !== '';
  return [
    `Machine: nproc ${sh('nproc', [])} (${cpu}), memory ${mem[1]} total / ${mem[6]} available (free -h), ${os.type()} ${os.release()}`,
    `Load average before the run: ${load.join(', ')}; scheduling: ${schedulingNote()}`,
    `Node ${process.version}, pgbench ${sh('pgbench', ['--version']).replace(/^pgbench \(PostgreSQL\) /, '')}, commit ${rev}${dirty ? ' with uncommitted changes' : ''}`,
  ];
}

/**
 * The web build the server serves, built first when missing or older than its sources (the same
 * locked build the browser tests use, so two builders never empty it under each other). The
 * ballot page is then measured from what the server sends (extras.ts), wherever it serves it from.
 */
async function webBuild(): Promise<void> {
  if (args['no-build']) return;
  log('web build: building it if missing or stale (test/helpers/web-build.ts)');
  await ensureWebBuilt();
}

type Kind = 'http' | BaselineKind;

interface Rounds {
  pgbench: Map<BaselineKind, Map<number, PgbenchPoint[]>>;
  http: Map<number, HttpPoint[]>;
  meeting: HttpPoint[];
  /** points that ran with fewer pgbench clients than asked, or not at all */
  limited: string[];
}

const ms = (n: number) => n.toFixed(1);

async function measureRounds(
  ctx: Context,
  concurrencies: number[],
  baselines: BaselineKind[],
  rounds: number,
): Promise<Rounds> {
  const out: Rounds = {
    pgbench: new Map(baselines.map((k) => [k, new Map(concurrencies.map((c) => [c, []]))])),
    http: new Map(concurrencies.map((c) => [c, []])),
    meeting: [],
    limited: [],
  };
  const skipped = (p: PgbenchPoint | Skipped): p is Skipped => 'skipped' in p;
  log(`warm-up: HTTP 16 connections 3 s, pgbench 16 clients 2 s for each of ${baselines.join(', ')}`);
  await httpPoint(ctx, 16, 0, 3);
  for (const kind of baselines) await pgbenchPoint(ctx, kind, 16, 0, 2);
  const kinds: Kind[] = ['http', ...baselines];
  for (let round = 1; round <= rounds; round++) {
    for (const c of concurrencies) {
      // Rotate which kind goes first so drift in the machine's load falls on all of them.
      const shift = (round - 1) % kinds.length;
      for (const kind of [...kinds.slice(shift), ...kinds.slice(0, shift)]) {
        if (kind === 'http') {
          const h = await httpPoint(ctx, c, round);
          out.http.get(c)?.push(h);
          log(
            `round ${round} HTTP c${c}: ${h.perSecond.toFixed(0)} ballots/s p50 ${ms(h.latency.p50)} p99 ${ms(h.latency.p99)} ms, RSS ${h.rssMiB.toFixed(0)} MiB ${JSON.stringify(h.statuses)}`,
          );
          continue;
        }
        const p = await pgbenchPoint(ctx, kind, c, round);
        if (skipped(p)) {
          out.limited.push(`pgbench ${kind} at ${c} round ${round}: skipped, ${p.skipped}`);
          log(`round ${round} pgbench ${kind} c${c}: SKIPPED, ${p.skipped}`);
          continue;
        }
        out.pgbench.get(kind)?.get(c)?.push(p);
        if (p.clients < c)
          out.limited.push(
            `pgbench ${kind} at ${c} round ${round}: ran ${p.clients} clients, all the database server had slots for`,
          );
        log(
          `round ${round} pgbench ${kind} c${p.clients}${p.clients < c ? ` (asked ${c}: capped to the free connection slots)` : ''}: ${p.tps.toFixed(0)} tx/s p50 ${ms(p.latency.p50)} p99 ${ms(p.latency.p99)} ms`,
        );
      }
    }
    const m = await meetingPoint(ctx, round);
    out.meeting.push(m);
    log(`round ${round} meeting: p50 ${ms(m.latency.p50)} p99 ${ms(m.latency.p99)} ms ${JSON.stringify(m.statuses)}`);
  }
  return out;
}

async function measureSheet(ctx: Context) {
  const sessionIds: number[] = [];
  for (let i = 0; i < 3; i++) sessionIds.push(await createSession(ctx.db.pool, ctx.fx, `sheet ${i}`, 1000, true));
  return slipSheet({ baseUrl: ctx.server.baseUrl, username: ctx.fx.username, password: ctx.fx.password, sessionIds });
}

function describeSetup(ctx: Context, rounds: number, kinds: number, connections: string): string[] {
  const where =
    ctx.db.kind === 'embedded'
      ? `embedded PostgreSQL (default durability, max_connections=${ctx.db.settings.max_connections}, sized by the bench to fit every point)`
      : `scratch database ${args['db-name']} on the server given by --db/DATABASE_URL`;
  return [
    `Database: ${where}, migrated with server/db/migrate.ts`,
    `Connections: ${connections}`,
    `Server: node --import tsx server/main.ts, LOG_LEVEL=warn, PG_POOL_MAX=${ctx.serverPool}; load generator: scripts/bench/http-load.ts in its own process (keep-alive sockets, one distinct slip per request, 1 s warm-up not counted)`,
    `Each point: ${ctx.seconds} s, ${rounds} round${rounds === 1 ? '' : 's'}; in each round the ${kinds} kinds (HTTP and each baseline) run one after the other per concurrency, the first kind rotating from round to round; a fresh open session per point, CHECKPOINT before each`,
  ];
}

function parseBaselines(list: string): BaselineKind[] {
  const kinds = list.split(',').filter(Boolean);
  for (const k of kinds) if (!(k in BASELINES)) throw new Error(`unknown baseline ${k} (${Object.keys(BASELINES)})`);
  return kinds as BaselineKind[];
}

async function main(): Promise<void> {
  const t0 = Date.now();
  const quick = args.quick;
  const rounds = Number(args.rounds ?? (quick ? 1 : 3));
  const seconds = Number(args.seconds ?? (quick ? 3 : 10));
  const concurrencies = (args.clients ?? (quick ? '1,16,64' : '1,16,64,256')).split(',').map(Number);
  const baselines = parseBaselines(args.baselines as string);
  const asked = Number(args.pool);
  const machine = machineNotes();
  const notes: string[] = [];
  const serverUrl = args.embedded ? undefined : (args.db ?? process.env.DATABASE_URL);
  log(serverUrl ? `scratch database ${args['db-name']} on ${new URL(serverUrl).host}` : 'embedded PostgreSQL');
  // Ours: room for the largest point, the server's pool and the bench's, with connections.ts's headroom.
  const maxConnections = Math.ceil((Math.max(...concurrencies) + asked + BENCH_POOL + 10) / 0.85);
  const db = await openBenchDatabase({ serverUrl, dbName: args['db-name'] as string, maxConnections });
  const state = await connectionState(db.pool);
  const serverPool = serverPoolSize(state, asked);
  const connections = `${describeState(state)}; server pool ${serverPool}${serverPool < asked ? ` (asked ${asked}: lowered to fit)` : ''}`;
  log(connections);
  if (serverPool < asked)
    notes.push(`The server's pool was ${serverPool} instead of ${asked}: the database server had no more free slots.`);
  if (serverPool < 2) {
    await db.stop();
    throw new Error(`only ${serverPool} connection slots free on the database server (${describeState(state)})`);
  }
  const fx = await createFixture(db.pool);
  await webBuild();
  const server = await startServer({ databaseUrl: db.url, poolMax: serverPool, cpuProfDir: args['cpu-prof'] });
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vre-bench-'));
  const ctx: Context = { db, fx, server, workDir, seconds, serverPool, seen: new Map() };
  try {
    // First, while the build the server loaded is surely the one on disk.
    log('ballot page bundle');
    const bundle = await ballotBundle(server.baseUrl);
    const measured = await measureRounds(ctx, concurrencies, baselines, rounds);
    const peakRssMiB = memoryOf(server.pid).peak;
    log('slip sheet');
    const sheet = await measureSheet(ctx);
    const res: Results = {
      command: `npm run bench${process.argv.length > 2 ? ' -- ' + process.argv.slice(2).join(' ') : ''}`,
      kind: db.kind,
      startedAt: new Date(t0).toISOString(),
      durationS: (Date.now() - t0) / 1000,
      machine,
      loadAfter: os.loadavg(),
      settings: db.settings,
      config: describeSetup(ctx, rounds, baselines.length + 1, connections),
      concurrencies,
      baselines,
      ...measured,
      bundle,
      sheet,
      peakRssMiB,
      notes,
    };
    const section = renderSection(res);
    process.stdout.write('\n' + section + '\n');
    if (!args['no-write'] && !quick) log(`written to ${writeSection(section, db.kind)}`);
  } finally {
    await server.stop();
    await db.stop();
    fs.rmSync(workDir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  process.stderr.write(`bench failed: ${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
