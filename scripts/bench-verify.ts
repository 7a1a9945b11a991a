// npm run bench:verify [-- --sessions 1000 --ballots 300 --runs 3]
// Times npm run verify's check (verifyDatabase) both ways in one run on one generated dataset:
// the first way (each session recounted with its own seven statements) and the set-based way
// (four statements per page of 50 sessions), alternating, and checks both give the same report.
// The dataset is made directly with SQL in a scratch database on DATABASE_URL's server (dropped at
// the end): a county of 25 townships × 40 villages, one closed session a village with its slips,
// ballots (random answers), receipts, turnout and a result built by the close's own buildResult.
// It has no audit chain, so the report names one missing close entry a session, the same both ways.
import crypto from 'node:crypto';
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

const name = `vre_bench_verify_${process.pid}`;
await admin(`drop database if exists ${name}`);
await admin(`create database ${name}`);
const url = withDatabase(serverUrl, name);
try {
  await migrate(url);
  const database = createDatabase(url, { max: 4 });
  try {
    const t0 = performance.now();
    await generate(database.db);
    process.stderr.write(`数据生成用时 ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
    await sql`analyze`.execute(database.db);
    const times = { perSession: [] as number[], setBased: [] as number[] };
    let first: string | undefined;
    for (let run = 0; run < RUNS; run++) {
      for (const perSession of [true, false]) {
        const t = performance.now();
        const report = await verifyDatabase(database.db, { perSession });
        (perSession ? times.perSession : times.setBased).push(performance.now() - t);
        first ??= normal(report);
        if (normal(report) !== first) throw new Error('两种核验方式的报告不一致');
        if (report.sessions !== SESSIONS || report.ballots !== SESSIONS * BALLOTS) throw new Error('核验数量不符');
      }
    }
    const old = median(times.perSession);
    const now = median(times.setBased);
    console.log(
      JSON.stringify(
        {
          sessions: SESSIONS,
          ballots: SESSIONS * BALLOTS,
          runs: RUNS,
          perSessionMs: times.perSession.map(Math.round),
          setBasedMs: times.setBased.map(Math.round),
          medianMs: { perSession: Math.round(old), setBased: Math.round(now) },
          speedup: Number((old / now).toFixed(1)),
          sameReport: true,
          machine: `${os.cpus().length} × ${os.cpus()[0]?.model ?? '?'}, load ${os
            .loadavg()
            .map((l) => l.toFixed(1))
            .join(' ')}`,
        },
        null,
        2,
      ),
    );
  } finally {
    await database.close();
  }
} finally {
  await admin(`drop database if exists ${name} with (force)`);
}
