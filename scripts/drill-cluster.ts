// npm run drill:cluster -- [--voters 1000] [--concurrency 32] [--rounds 3] [--pool 20] [--kill-at 0.4]
//                          [--timeout 45] [--meeting-timeout 600]   (minutes for the whole drill, seconds per meeting)
// Several instances, tested (issue 8): 3 app instances (real processes) behind HAProxy, sharing
// Redis and one scratch PostgreSQL (fsync on). Each round plays three 1,000-person meetings through
// the proxy, each on a fresh session: via a frontend with 1 instance, via one with all 3, and via
// the 3 again while one instance is SIGKILLed once 40 % of the receipts are out. Every meeting is
// reconciled (lost = 0, double = 0) and ballots/s of 1 and 3 instances are printed side by side.
// Traffic stays on 127.0.0.1; every process and directory started here is removed on exit.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { migrate } from '../server/db/migrate.ts';
import { createFixture, freePort, httpSession, type Fixture } from './bench/db.ts';
import { fmt, median, sleep } from './bench/stats.ts';
import {
  Cleanup,
  haproxyVersion,
  instance,
  scratchDir,
  startHaproxy,
  startPostgres,
  startRedis,
  type Instance,
} from './lib/cluster.ts';
import { reconcile, runMeeting, type MeetingResult, type Reconciled } from './lib/meeting.ts';

const { values: args } = parseArgs({
  options: {
    voters: { type: 'string', default: '1000' },
    concurrency: { type: 'string', default: '32' },
    rounds: { type: 'string', default: '3' },
    pool: { type: 'string', default: '20' },
    'kill-at': { type: 'string', default: '0.4' },
    timeout: { type: 'string', default: '45' },
    'meeting-timeout': { type: 'string', default: '600' },
  },
});
const VOTERS = Number(args.voters);
const CONCURRENCY = Number(args.concurrency);
const ROUNDS = Number(args.rounds);
const KILL_AT = Math.ceil(Number(args['kill-at']) * VOTERS);

const log = (msg: string) => process.stderr.write(`[drill ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
const cleanup = new Cleanup();

type Kind = '1' | '3' | '3-kill';
interface Row {
  round: number;
  kind: Kind;
  m: MeetingResult;
  r: Reconciled;
  killedAfter?: number;
}

interface Cluster {
  pool: pg.Pool;
  fx: Fixture;
  frontends: Record<'one' | 'three', string>;
  instances: Instance[];
  victim: Instance;
}

async function meeting(c: Cluster, round: number, kind: Kind): Promise<Row> {
  const { sessionId, tokens } = await httpSession(c.pool, c.fx, `集群演练 第${round}轮 ${kind}`, VOTERS);
  await c.pool.query('checkpoint');
  let killedAfter: number | undefined;
  const m = await runMeeting({
    baseUrl: kind === '1' ? c.frontends.one : c.frontends.three,
    tokens,
    concurrency: CONCURRENCY,
    deadlineMs: Number(args['meeting-timeout']) * 1000,
    onReceipt: (n) => {
      if (kind !== '3-kill' || killedAfter !== undefined || n < KILL_AT) return;
      killedAfter = n;
      log(`SIGKILL ${c.victim.name} (pid ${c.victim.pid()}) after ${n} receipts`);
      void c.victim.kill();
    },
  });
  const r = await reconcile(c.pool, sessionId, tokens, m);
  const row: Row = { round, kind, m, r, ...(killedAfter !== undefined ? { killedAfter } : {}) };
  log(`round ${round} ${label(kind)}: ${line(row)}`);
  for (const p of m.problems.slice(0, 5)) log(`  problem: ${p}`);
  return row;
}

const label = (kind: Kind) => ({ '1': '1 instance', '3': '3 instances', '3-kill': '3 instances, 1 SIGKILLed' })[kind];

function line({ m, r }: Row): string {
  return [
    `${fmt(m.ballotsPerSecond, 0)} ballots/s`,
    `p50 ${fmt(m.latency.p50, 0)} p99 ${fmt(m.latency.p99, 0)} ms`,
    `retries ${m.retries}${m.retries ? ' ' + JSON.stringify(m.retryReasons) : ''}`,
    `acknowledged ${r.acknowledged}, ballots ${r.ballots}, used slips ${r.usedSlips}, receipts ${r.receiptRows}`,
    `lost ${r.lost}, double ${r.double}${r.ok ? '' : ' — NOT RECONCILED'}`,
  ].join('; ');
}

function machine(): string[] {
  const cpu = /model name\s*:\s*(.+)/.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? os.arch();
  return [
    `Machine: nproc ${os.availableParallelism()} (${cpu}), ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, ${os.type()} ${os.release()}, Node ${process.version}, HAProxy ${haproxyVersion()}`,
    `Load average at the start: ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(', ')}`,
  ];
}

async function setUp(dir: string): Promise<{ cluster: Cluster; notes: string[] }> {
  const notes: string[] = [];
  log('scratch PostgreSQL');
  const pgUrl = await startPostgres(cleanup, path.join(dir, 'pg'));
  await migrate(pgUrl);
  const pool = new pg.Pool({ connectionString: pgUrl, max: 4 });
  pool.on('error', () => undefined);
  cleanup.add(() => pool.end());
  const show = async (name: string) => (await pool.query(`show ${name}`)).rows[0][name] as string;
  notes.push(
    `PostgreSQL ${await show('server_version')} (scratch cluster under /tmp): fsync ${await show('fsync')}, synchronous_commit ${await show('synchronous_commit')}, max_connections ${await show('max_connections')}`,
  );
  const fx = await createFixture(pool);
  fs.mkdirSync(path.join(dir, 'redis'), { mode: 0o755 });
  const redis = await startRedis(cleanup, path.join(dir, 'redis'));
  notes.push(redis ? `Redis: ${redis.note}` : 'Redis: none available (no server on 6379, no redis-server binary)');
  const [one, three] = [await freePort(), await freePort()];
  const env: Record<string, string> = {
    DATABASE_URL: pgUrl,
    PUBLIC_URL: `http://127.0.0.1:${three}`,
    LOG_LEVEL: 'warn',
    PG_POOL_MAX: String(args.pool),
    TRUST_PROXY: '127.0.0.1',
    METRICS_ALLOW: '127.0.0.1',
    ...(redis ? { REDIS_URL: redis.url } : {}),
  };
  const instances = [] as Instance[];
  for (const name of ['app1', 'app2', 'app3']) {
    const inst = instance(cleanup, name, await freePort(), env);
    log(`starting ${name} on port ${inst.port}`);
    await inst.start();
    instances.push(inst);
  }
  const [a1, a2] = instances as [Instance, Instance, Instance];
  await startHaproxy(cleanup, dir, [
    { name: 'one', port: one, servers: [a1] },
    { name: 'three', port: three, servers: instances },
  ]);
  notes.push(
    `Instances: node --import tsx server/main.ts × 3, PG_POOL_MAX=${args.pool} each, TRUST_PROXY=127.0.0.1, LOG_LEVEL=warn; HAProxy roundrobin, health check GET /api/health every 1 s (10 s to answer, down after 3 failures), retries 2 with redispatch on connect failure`,
    `Meeting: ${VOTERS} villagers, ${CONCURRENCY} at a time, each fetching the questionnaire then submitting, retrying with the same client id on network errors, 5xx and 429 until a receipt; the load generator runs in the drill's own process`,
  );
  return {
    cluster: {
      pool,
      fx,
      frontends: { one: `http://127.0.0.1:${one}`, three: `http://127.0.0.1:${three}` },
      instances,
      victim: a2,
    },
    notes,
  };
}

/** The survivors' own count of accepted ballots, from GET /metrics (the killed one lost its count). */
async function scrapeAccepted(instances: Instance[]): Promise<string> {
  const parts: string[] = [];
  for (const inst of instances) {
    const text = await fetch(`http://127.0.0.1:${inst.port}/metrics`)
      .then((r) => r.text())
      .catch(() => '');
    const n = /village_eval_ballots_accepted_total\{channel="online"\} (\d+)/.exec(text)?.[1];
    parts.push(`${inst.name} ${n ?? 'unreachable'}`);
  }
  return parts.join(', ');
}

function summary(rows: Row[]): string[] {
  const rate = (kind: Kind) => median(rows.filter((r) => r.kind === kind).map((r) => r.m.ballotsPerSecond));
  const [one, three, kill] = [rate('1'), rate('3'), rate('3-kill')];
  const all = rows.every((r) => r.r.ok);
  return [
    `ballots/s, median of ${ROUNDS} round(s), ${VOTERS} villagers each:`,
    `  1 instance   ${fmt(one, 0).padStart(6)}`,
    `  3 instances  ${fmt(three, 0).padStart(6)}   (${fmt(three / one, 2)}× of 1 instance)`,
    `  3, 1 killed  ${fmt(kill, 0).padStart(6)}   (SIGKILL after ${KILL_AT} receipts; the meeting ends on 2)`,
    `reconciliation: lost = ${rows.reduce((s, r) => s + r.r.lost, 0)}, double = ${rows.reduce((s, r) => s + r.r.double, 0)} over ${rows.length} meetings; ` +
      (all ? 'every meeting: ballots = used slips = receipts = acknowledged' : 'SOME MEETING DID NOT RECONCILE'),
  ];
}

async function main(): Promise<number> {
  const started = Date.now();
  const notes = machine();
  notes.forEach((n) => log(n));
  const dir = scratchDir(cleanup, 'vre-drill-');
  const { cluster, notes: setup } = await setUp(dir);
  notes.push(...setup);
  const rows: Row[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    // Alternate which goes first so drift in the machine's load falls on both.
    for (const kind of round % 2 ? (['1', '3'] as const) : (['3', '1'] as const)) {
      rows.push(await meeting(cluster, round, kind));
    }
    rows.push(await meeting(cluster, round, '3-kill'));
    log(`restarting ${cluster.victim.name}`);
    await cluster.victim.start();
    await sleep(2500); // HAProxy marks it up after 2 good checks 1 s apart
  }
  const out = [
    '',
    `Cluster drill (${((Date.now() - started) / 1000).toFixed(0)} s): npm run drill:cluster${process.argv.length > 2 ? ' -- ' + process.argv.slice(2).join(' ') : ''}`,
    ...notes,
    '',
    ...rows.map((r) => `round ${r.round}  ${label(r.kind).padEnd(25)} ${line(r)}`),
    '',
    ...summary(rows),
    `GET /metrics of each instance, ballots accepted since its (re)start: ${await scrapeAccepted(cluster.instances)}`,
    '',
  ];
  process.stdout.write(out.join('\n'));
  return rows.every((r) => r.r.ok) ? 0 : 1;
}

const bail = (why: string, code: number) => {
  log(why);
  void cleanup.run().then(() => process.exit(code));
};
process.on('SIGINT', () => bail('interrupted: cleaning up', 130));
process.on('SIGTERM', () => bail('terminated: cleaning up', 143));
process.on('exit', () => cleanup.killAll());
const limit = setTimeout(
  () => bail(`time limit of ${args.timeout} min reached: cleaning up`, 1),
  Number(args.timeout) * 60_000,
);

main()
  .then(async (code) => {
    clearTimeout(limit);
    await cleanup.run();
    process.exit(code);
  })
  .catch(async (err) => {
    process.stderr.write(`drill failed: ${(err as Error).stack ?? err}\n`);
    await cleanup.run();
    process.exit(1);
  });
