// npm run bench -- [--db postgres://…] [--embedded] [--rounds 3] [--seconds 10] [--clients 1,16,64,256]
//                  [--pool 40] [--no-build] [--no-write] [--cpu-prof DIR]   (--no-build: measure web/dist as it is)
// The ballot path of issue 3, in one run against one PostgreSQL (fsync and synchronous_commit on):
// pgbench running the server's own per-ballot SQL (the ceiling) interleaved with HTTP load on the
// real server, then the meeting scenario, the ballot page's size and the slip sheet. Results go to
// stdout and to the "Ballot path (issue 3)" section of docs/BENCHMARKS.md.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createFixture, createSession, openBenchDatabase } from './db.ts';
import { ballotBundle, slipSheet } from './extras.ts';
import { httpPoint, meetingPoint, pgbenchPoint, type Context, type HttpPoint, type PgbenchPoint } from './measure.ts';
import { renderSection, writeSection, type Results } from './report.ts';
import { memoryOf, ROOT, startServer } from './server.ts';

const { values: args } = parseArgs({
  options: {
    db: { type: 'string' },
    embedded: { type: 'boolean', default: false },
    'db-name': { type: 'string', default: 'vre_bench' },
    rounds: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '10' },
    clients: { type: 'string', default: '1,16,64,256' },
    pool: { type: 'string', default: '40' },
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
 * The production build of web/ (vite.config.ts) into a scratch directory: rebuilding web/dist in
 * place would pull files from under a server or browser test running beside us.
 */
function buildWeb(outDir: string, notes: string[]): string {
  log('vite build (the build:web configuration) into a scratch directory');
  const vite = path.join(ROOT, 'node_modules/.bin/vite');
  const r = spawnSync(vite, ['build', '--logLevel', 'warn', '--outDir', outDir, '--emptyOutDir'], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
  });
  if (r.status === 0) return outDir;
  const plain = r.stderr
    .split(String.fromCharCode(27))
    .map((part) => part.replace(/^\[[0-9;]*m/, ''))
    .join('');
  const reason = plain.split('\n').find((l) => /could not|error:/i.test(l));
  notes.push(
    `The web build failed (${reason?.trim() ?? 'see vite'}), so the bundle was measured from web/dist as it was.`,
  );
  return path.join(ROOT, 'web/dist');
}

interface Rounds {
  pgbench: Map<number, PgbenchPoint[]>;
  http: Map<number, HttpPoint[]>;
  meeting: HttpPoint[];
}

const ms = (n: number) => n.toFixed(1);

async function measureRounds(ctx: Context, concurrencies: number[], rounds: number): Promise<Rounds> {
  const out: Rounds = {
    pgbench: new Map(concurrencies.map((c) => [c, []])),
    http: new Map(concurrencies.map((c) => [c, []])),
    meeting: [],
  };
  log('warm-up: HTTP 16 connections 3 s, pgbench 16 clients 3 s');
  await httpPoint(ctx, 16, 0, 3);
  await pgbenchPoint({ ...ctx, seconds: 3 }, 16, 0);
  for (let round = 1; round <= rounds; round++) {
    for (const c of concurrencies) {
      // Alternate which side goes first so drift in the machine's load falls on both.
      for (const kind of round % 2 ? ['pgbench', 'http'] : ['http', 'pgbench']) {
        if (kind === 'pgbench') {
          const p = await pgbenchPoint(ctx, c, round);
          out.pgbench.get(c)?.push(p);
          log(
            `round ${round} pgbench c${p.clients}: ${p.tps.toFixed(0)} tx/s p50 ${ms(p.latency.p50)} p99 ${ms(p.latency.p99)} ms`,
          );
        } else {
          const h = await httpPoint(ctx, c, round);
          out.http.get(c)?.push(h);
          log(
            `round ${round} HTTP c${c}: ${h.perSecond.toFixed(0)} ballots/s p50 ${ms(h.latency.p50)} p99 ${ms(h.latency.p99)} ms, RSS ${h.rssMiB.toFixed(0)} MiB ${JSON.stringify(h.statuses)}`,
          );
        }
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

function describeSetup(ctx: Context, rounds: number): string[] {
  const where =
    ctx.db.kind === 'embedded'
      ? 'embedded PostgreSQL (default durability, max_connections=300)'
      : `scratch database ${args['db-name']} on the server given by --db/DATABASE_URL`;
  return [
    `Database: ${where}, migrated with server/db/migrate.ts`,
    `Server: node --import tsx server/main.ts, LOG_LEVEL=warn, PG_POOL_MAX=${args.pool}; load generator: scripts/bench/http-load.ts in its own process (keep-alive sockets, one distinct slip per request, 1 s warm-up not counted)`,
    `Each point: ${ctx.seconds} s, ${rounds} rounds interleaved (pgbench and HTTP alternate first), a fresh open session per point, CHECKPOINT before each`,
  ];
}

async function main(): Promise<void> {
  const t0 = Date.now();
  const rounds = Number(args.rounds);
  const concurrencies = (args.clients as string).split(',').map(Number);
  const machine = machineNotes();
  const notes: string[] = [];
  const serverUrl = args.embedded ? undefined : (args.db ?? process.env.DATABASE_URL);
  log(serverUrl ? `scratch database ${args['db-name']} on ${new URL(serverUrl).host}` : 'embedded PostgreSQL');
  const db = await openBenchDatabase({ serverUrl, dbName: args['db-name'] as string, maxConnections: 300 });
  const fx = await createFixture(db.pool);
  const server = await startServer({ databaseUrl: db.url, poolMax: Number(args.pool), cpuProfDir: args['cpu-prof'] });
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vre-bench-'));
  const dist = args['no-build'] ? path.join(ROOT, 'web/dist') : buildWeb(path.join(workDir, 'dist'), notes);
  const ctx: Context = { db, fx, server, workDir, seconds: Number(args.seconds), seen: new Map() };
  try {
    const measured = await measureRounds(ctx, concurrencies, rounds);
    const peakRssMiB = memoryOf(server.pid).peak;
    log('ballot page bundle, slip sheet');
    const bundle = await ballotBundle(dist, server.baseUrl);
    const sheet = await measureSheet(ctx);
    const res: Results = {
      command: `npm run bench${process.argv.length > 2 ? ' -- ' + process.argv.slice(2).join(' ') : ''}`,
      startedAt: new Date(t0).toISOString(),
      durationS: (Date.now() - t0) / 1000,
      machine,
      settings: db.settings,
      config: describeSetup(ctx, rounds),
      concurrencies,
      ...measured,
      bundle,
      sheet,
      peakRssMiB,
      notes,
    };
    const section = renderSection(res);
    process.stdout.write('\n' + section + '\n');
    if (!args['no-write']) log(`written to ${writeSection(section)}`);
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
