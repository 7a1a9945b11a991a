// npm run bench:verify [-- --sessions 1000 --ballots 300 --runs 3]
// Times npm run verify's check (verifyDatabase) both ways in one run on one generated dataset:
// old, the first way (each session recounted with its own seven statements, perSession), and new,
// the set-based way (one statement per page of 50 sessions reading each ballot once, counted and
// digested in Node), alternating, and checks both give the same report. Each run is timed by the
// wall clock and by the CPU it used: Node's own, and PostgreSQL's (the scratch database's backends,
// read from /proc when the server runs on this machine), since a shared machine's load moves the
// wall clock far more than the work.
// The dataset is made directly with SQL in a scratch database on DATABASE_URL's server (dropped at
// the end): a county of 25 townships × 40 villages, one closed session a village with its slips,
// ballots (random answers), receipts, turnout and a result built by the close's own buildResult.
// It has no audit chain, so the report names one missing close entry a session, the same both ways.
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import pg from 'pg';
import { createDatabase, type Db } from '../server/db/database.ts';
import { migrate } from '../server/db/migrate.ts';
import { sha256 } from '../server/lib/crypto.ts';
import { canonicalJson } from '../server/modules/audit/audit.rules.ts';
import { verifyDatabase, type VerifyReport } from '../server/modules/audit/verify.service.ts';
import { countsFrom } from '../server/modules/ballots/ballots.service.ts';
import { defaultQuestionnaire } from '../server/modules/sessions/questionnaire.ts';
import { ballotDigest, buildResult } from '../server/modules/tallies/results.rules.ts';
import { defaultRuleSet } from '../server/modules/tallies/tallies.rules.ts';
import { withDatabase } from '../test/helpers/throwaway-db.ts';

const { values: args } = parseArgs({
  options: {
    sessions: { type: 'string', default: '1000' },
    ballots: { type: 'string', default: '300' },
    runs: { type: 'string', default: '3' },
  },
});
const SESSIONS = Number(args.sessions);
const BALLOTS = Number(args.ballots);
const RUNS = Number(args.runs);

const serverUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

async function admin(statement: string): Promise<void> {
  const c = new pg.Client({ connectionString: serverUrl });
  await c.connect();
  try {
    await c.query(statement);
  } finally {
    await c.end();
  }
}

const pick = <T>(xs: readonly T[]): T => xs[crypto.randomInt(xs.length)] as T;

async function generate(db: Db): Promise<void> {
  const questionnaire = defaultQuestionnaire();
  const rules = defaultRuleSet();
  const region = async (level: string, parent: number | null, name: string) =>
    (
      await sql<{ id: number }>`insert into region (level, parent_id, name) values (${level}, ${parent}, ${name})
        returning id`.execute(db)
    ).rows[0]!.id;
  const city = await region('city', null, '基准市');
  const county = await region('county', city, '基准县');
  const official = (
    await sql<{ id: number }>`insert into official (username, password_hash, role, region_id)
      values ('bench-county', 'x', 'county', ${county}) returning id`.execute(db)
  ).rows[0]!.id;
  const villages: number[] = [];
  for (let t = 1; t <= 25; t++) {
    const township = await region('township', county, `第${t}镇`);
    for (let v = 1; v <= 40; v++) villages.push(await region('village', township, `第${t}镇第${v}村`));
  }
  for (let i = 0; i < SESSIONS; i++) {
    const answers = Array.from({ length: BALLOTS }, () => {
      const a: Record<string, string> = {};
      for (const q of questionnaire.questions) {
        if (q.type === 'choice') a[q.id] = pick(q.options).id;
        else if (crypto.randomInt(10) === 0) a[q.id] = '希望村里把路修好';
      }
      return a;
    });
    const s = (
      await sql<{ id: number }>`insert into evaluation_session (village_id, title, questionnaire, rules,
          residents_present, residents_confirmed_by, residents_confirmed_at, status, issued_count, opened_at, created_by)
        values (${villages[i % villages.length]}, ${'基准测评 ' + String(i + 1)}, ${JSON.stringify(questionnaire)},
          ${JSON.stringify(rules)}, ${BALLOTS + 10}, ${official}, now(), 'open', ${BALLOTS}, now(), ${official})
        returning id`.execute(db)
    ).rows[0]!.id;
    await sql`with b as (insert into slip_batch (session_id, slip_count, created_by) values (${s}, ${BALLOTS}, ${official})
        returning id)
      insert into slip (token_hash, session_id, batch_id, used)
      select sha256(convert_to(${s}::text || ':' || g, 'UTF8')), ${s}, b.id, true from b, generate_series(1, ${BALLOTS}) g`.execute(
      db,
    );
    await sql`insert into ballot (session_id, answers)
      select ${s}, x from jsonb_array_elements(${JSON.stringify(answers)}::jsonb) x`.execute(db);
    await sql`insert into receipt (session_id, code) select ${s}, 'R' || lpad(g::text, 10, '0')
      from generate_series(1, ${BALLOTS}) g`.execute(db);
    await sql`insert into turnout_shard (session_id, shard, online, paper) values (${s}, 0, ${BALLOTS}, 0)`.execute(db);
    const values = new Map<string, number>();
    for (const a of answers)
      for (const [q, v] of Object.entries(a)) values.set(`${q}\n${v}`, (values.get(`${q}\n${v}`) ?? 0) + 1);
    const cross = new Map<string, number>();
    for (const a of answers) cross.set(`${a.q12}\n${a.q1}`, (cross.get(`${a.q12}\n${a.q1}`) ?? 0) + 1);
    const counts = countsFrom(
      questionnaire.questions,
      BALLOTS,
      [...values].map(([k, n]) => ({ question: k.split('\n')[0]!, value: k.split('\n')[1]!, n })),
      [...cross].map(([k, n]) => ({ by: k.split('\n')[0]!, of: k.split('\n')[1]!, n })),
      { gateQuestionId: rules.gateQuestionId },
    );
    const closedAt = new Date(Math.floor(Date.now() / 1000) * 1000);
    const result = buildResult({
      sessionId: s,
      closedAt,
      residentsPresent: BALLOTS + 10,
      issued: BALLOTS,
      questionnaire,
      rules,
      turnout: { used: BALLOTS, online: BALLOTS, paper: 0 },
      counts,
      ballotDigest: ballotDigest(answers),
    });
    await sql`update evaluation_session set status = 'closed', closed_at = ${closedAt},
        result = ${JSON.stringify(result)}::jsonb, result_hash = ${sha256(canonicalJson(result))}
      where id = ${s}`.execute(db);
    if ((i + 1) % 100 === 0) process.stderr.write(`已生成 ${i + 1} 个测评场次\n`);
  }
}

/** The report with its problems in a fixed order (comments are shuffled by the count, nothing else differs). */
function normal(r: VerifyReport): string {
  return JSON.stringify({ ...r, problems: r.problems.map((p) => JSON.stringify(p)).sort() });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

let clockTick = 100;
try {
  clockTick = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
} catch {
  // not Linux: the default
}

/** CPU ms of each backend of the scratch database (utime + stime from /proc), or null when unreadable. */
async function backendCpu(db: Db): Promise<Map<number, number> | null> {
  const { rows } = await sql<{ pid: number }>`select pid from pg_stat_activity
    where datname = current_database() and pid <> pg_backend_pid()`.execute(db);
  const out = new Map<number, number>();
  try {
    for (const { pid } of rows) {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(pid, ((Number(fields[11]) + Number(fields[12])) * 1000) / clockTick);
    }
  } catch {
    return null;
  }
  return out;
}

const load = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');

interface Run {
  wallMs: number;
  nodeCpuMs: number;
  postgresCpuMs: number | null;
  load: string;
}

/** One verifyDatabase, timed; its report checked against the first one. */
async function timed(monitor: Db, verifying: Db, perSession: boolean): Promise<{ run: Run; report: VerifyReport }> {
  const before = await backendCpu(monitor);
  const cpu = process.cpuUsage();
  const t = performance.now();
  const report = await verifyDatabase(verifying, { perSession });
  const wallMs = performance.now() - t;
  const used = process.cpuUsage(cpu);
  const after = await backendCpu(monitor);
  let postgresCpuMs: number | null = null;
  if (before && after) {
    postgresCpuMs = 0;
    for (const [pid, ms] of after) postgresCpuMs += ms - (before.get(pid) ?? 0);
  }
  return { run: { wallMs, nodeCpuMs: (used.user + used.system) / 1000, postgresCpuMs, load: load() }, report };
}

function summary(runs: Run[]) {
  const pg = runs.map((r) => r.postgresCpuMs);
  return {
    wallMs: runs.map((r) => Math.round(r.wallMs)),
    medianWallMs: Math.round(median(runs.map((r) => r.wallMs))),
    nodeCpuMs: runs.map((r) => Math.round(r.nodeCpuMs)),
    postgresCpuMs: pg.map((ms) => (ms === null ? null : Math.round(ms))),
    medianCpuMs: pg.includes(null)
      ? null
      : Math.round(median(runs.map((r) => r.nodeCpuMs + (r.postgresCpuMs as number)))),
    loadAfterEach: runs.map((r) => r.load),
  };
}

const name = `vre_bench_verify_${process.pid}`;
await admin(`drop database if exists ${name}`);
await admin(`create database ${name}`);
const url = withDatabase(serverUrl, name);
try {
  await migrate(url);
  const database = createDatabase(url, { max: 4 });
  // as npm run verify connects: two connections, read-only transactions
  const verifying = createDatabase(url, { max: 2, readOnly: true, applicationName: 'bench-verify' });
  try {
    const t0 = performance.now();
    await generate(database.db);
    process.stderr.write(`数据生成用时 ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
    await sql`analyze`.execute(database.db);
    const runs = { old: [] as Run[], new: [] as Run[] };
    const loadBefore = load();
    let first: string | undefined;
    for (let i = 0; i < RUNS; i++) {
      for (const perSession of [true, false]) {
        const { run, report } = await timed(database.db, verifying.db, perSession);
        (perSession ? runs.old : runs.new).push(run);
        first ??= normal(report);
        if (normal(report) !== first) throw new Error('两种核验方式的报告不一致');
        if (report.sessions !== SESSIONS || report.ballots !== SESSIONS * BALLOTS) throw new Error('核验数量不符');
        process.stderr.write(`${perSession ? '旧' : '新'}：${Math.round(run.wallMs)} ms\n`);
      }
    }
    const [old, now] = [summary(runs.old), summary(runs.new)];
    console.log(
      JSON.stringify(
        {
          sessions: SESSIONS,
          ballots: SESSIONS * BALLOTS,
          runs: RUNS,
          old: { way: 'per session: seven statements a session', ...old },
          new: { way: 'one statement per page of 50 sessions, each ballot read once', ...now },
          speedup: {
            wall: Number((old.medianWallMs / now.medianWallMs).toFixed(1)),
            cpu: old.medianCpuMs && now.medianCpuMs ? Number((old.medianCpuMs / now.medianCpuMs).toFixed(1)) : null,
          },
          sameReport: true,
          machine: `${os.cpus().length} × ${os.cpus()[0]?.model ?? '?'}, Node ${process.version}`,
          loadBefore,
        },
        null,
        2,
      ),
    );
  } finally {
    await verifying.close();
    await database.close();
  }
} finally {
  await admin(`drop database if exists ${name} with (force)`);
}
