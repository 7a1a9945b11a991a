// npm run bench:board [-- --rounds 15] [--year 2026] [--no-write]
// GET /api/board on the scale dataset (npm run seed:demo -- --scale city), on DATABASE_URL or the
// embedded database under DATA_DIR like the other scripts, side by side in one run with the
// baseline (board-baseline.ts: the same verdicts aggregated from the ballot rows per request).
// The board goes through the real app (buildApp + inject, logged in as the scope's own official);
// its time is the server's own (reply.elapsedTime: request received → reply sent). The baseline's
// is the query's round trip plus the verdicts in JS, in this process. Rounds alternate board and
// baseline, after two warm-up requests of each. Scopes: a township, the first county (about 100
// ballots per session), the second county (same villages; the city preset gives it about 10
// ballots per session: cost against ballots) and the city (5 counties: cost against villages); the
// last two only when the seed made them (a --scale county seed has one county).
// Results go to stdout and to the "Campaign board, measured" section of docs/BENCHMARKS.md.
import os from 'node:os';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../server/app.ts';
import { loadConfig } from '../../server/config.ts';
import { connect } from '../../server/db/connect.ts';
import type { Db } from '../../server/db/database.ts';
import { chinaDay } from '../../server/modules/cases/cases.rules.ts';
import { DEMO_PASSWORD } from '../../server/modules/demo/demo.service.ts';
import { baselineBoard } from './board-baseline.ts';
import { renderBoardSection, writeBoardSection, type Scope, type BoardResults } from './board-report.ts';
import { summarize } from './stats.ts';

const { values: args } = parseArgs({
  options: {
    rounds: { type: 'string', default: '15' },
    year: { type: 'string' },
    'no-write': { type: 'boolean', default: false },
  },
});
const rounds = Number(args.rounds);
const year = args.year ? Number(args.year) : Number(chinaDay().slice(0, 4));
const log = (msg: string) => process.stderr.write(`[bench:board ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);

interface Target {
  name: string;
  username: string;
  regionId: number;
}

async function targets(db: Db): Promise<Target[]> {
  const ids = await db
    .selectFrom('official')
    .select(['username', 'region_id as regionId'])
    .where('username', 'in', ['scale_city', 'scale_c1', 'scale_c2', 'scale_c1_t1'])
    .execute();
  const id = (u: string) => ids.find((r) => r.username === u)?.regionId;
  const [city, c1, c2, t1] = [id('scale_city'), id('scale_c1'), id('scale_c2'), id('scale_c1_t1')];
  if (c1 === undefined || t1 === undefined) {
    throw new Error('没有规模数据：请先运行 npm run seed:demo -- --scale city（或 --scale county）');
  }
  const list: Target[] = [
    { name: 'township', username: 'scale_c1_t1', regionId: t1 },
    { name: 'county 1', username: 'scale_c1', regionId: c1 },
  ];
  // a county-only seed (--scale county) has no second county; the city scope then adds nothing
  // the county does not measure, so both are left out (the report says which scopes it had)
  if (c2 !== undefined) list.push({ name: 'county 2', username: 'scale_c2', regionId: c2 });
  if (c2 !== undefined && city !== undefined) {
    list.push({ name: 'city (5 counties)', username: 'scale_city', regionId: city });
  } else log('只有一个县的规模数据（--scale county）：不测第二个县和全市');
  return list;
}

/** Villages, sessions of the year and ballots stored under the region (all years). */
async function sizeOf(db: Db, regionId: number) {
  const { rows } = await sql<{ villages: number; sessions: number; ballots: number }>`
    select
      (select count(*)::int from region v where v.path @> array[${regionId}]::int[] and v.level = 'village') as villages,
      (select count(*)::int from evaluation_session s join region v on v.id = s.village_id
        where v.path @> array[${regionId}]::int[]) as sessions,
      (select count(*)::int from ballot b join evaluation_session s on s.id = b.session_id
        join region v on v.id = s.village_id where v.path @> array[${regionId}]::int[]) as ballots`.execute(db);
  return rows[0] as { villages: number; sessions: number; ballots: number };
}

async function login(app: FastifyInstance, username: string): Promise<string> {
  const res = await app.inject({
    method: 'POST',
    url: '/api/auth/login',
    payload: { username, password: DEMO_PASSWORD },
  });
  if (res.statusCode !== 200) throw new Error(`登录 ${username} 失败：${res.statusCode} ${res.body}`);
  const raw = res.headers['set-cookie'];
  const cookie = (Array.isArray(raw) ? raw : [raw]).find((c) => typeof c === 'string' && c.startsWith('vre_sid='));
  return (cookie as string).split(';')[0] as string;
}

interface BoardReply {
  villages: { latest: { sessionId: number; verdict: { outcome: string; satisfied: number } | null }[] }[];
}

async function measure(app: FastifyInstance, db: Db, t: Target, served: { ms: number }): Promise<Scope> {
  const cookie = await login(app, t.username);
  const url = `/api/board?regionId=${t.regionId}&year=${year}`;
  const board = async () => {
    const res = await app.inject({ method: 'GET', url, headers: { cookie } });
    if (res.statusCode !== 200) throw new Error(`GET ${url}：${res.statusCode} ${res.body.slice(0, 300)}`);
    return { ms: served.ms, body: res.body };
  };
  const baseline = async () => {
    const t0 = performance.now();
    const verdicts = await baselineBoard(db, t.regionId, year);
    return { ms: performance.now() - t0, verdicts };
  };
  for (let i = 0; i < 2; i++) {
    await board();
    await baseline();
  }
  // Cold: the first request after a change anywhere (the change counter of sql/0013 moved, as any
  // official's step would move it), so the board is built from the database again. Warm: the next
  // request, served from the instance's board while nothing changed.
  const bump = () => sql`update board_epoch set n = n + 1 where shard = 0`.execute(db);
  const boardMs: number[] = [];
  const coldMs: number[] = [];
  const baseMs: number[] = [];
  let last = await board();
  let base = await baseline();
  for (let r = 0; r < rounds; r++) {
    await bump();
    coldMs.push((await board()).ms);
    last = await board();
    boardMs.push(last.ms);
    base = await baseline();
    baseMs.push(base.ms);
  }
  // the two agree on every counted session's verdict
  const reply = JSON.parse(last.body) as BoardReply;
  const fromBoard = new Map<number, string>();
  for (const v of reply.villages)
    for (const l of v.latest) if (l.verdict) fromBoard.set(l.sessionId, `${l.verdict.outcome}/${l.verdict.satisfied}`);
  const disagree = base.verdicts.filter((b) => fromBoard.get(b.sessionId) !== `${b.outcome}/${b.satisfied}`).length;
  const size = await sizeOf(db, t.regionId);
  return {
    name: t.name,
    ...size,
    rows: reply.villages.length,
    bytes: Buffer.byteLength(last.body),
    counted: base.verdicts.length,
    ballotsAggregated: base.verdicts.reduce((n, v) => n + v.ballots, 0),
    disagree: disagree + Math.max(0, fromBoard.size - base.verdicts.length),
    board: summarize(boardMs),
    cold: summarize(coldMs),
    baseline: summarize(baseMs),
  };
}

const started = Date.now();
const loadBefore = os.loadavg();
const config = { ...loadConfig(), logLevel: 'silent' as const };
const database = await connect(config, { poolMax: 4 });
try {
  const app = await buildApp(config, { db: database.db });
  const served = { ms: Number.NaN };
  // Server time: from the request's arrival until its serialized reply is handed to the socket
  // (onSend, after serialization). Not onResponse: under inject that adds light-my-request's own
  // copying of a 0.5 MB body (about 11 ms here), which is the fake client's work, not the server's.
  app.addHook('onSend', async (_request, reply) => {
    served.ms = reply.elapsedTime;
  });
  await app.ready();
  const scopes: Scope[] = [];
  for (const t of await targets(database.db)) {
    log(`${t.name}：${rounds} 轮`);
    const s = await measure(app, database.db, t, served);
    log(
      `  看板中位数 ${s.board.p50.toFixed(1)} ms（重建 ${s.cold.p50.toFixed(1)} ms），基线 ${s.baseline.p50.toFixed(1)} ms，${s.rows} 个村`,
    );
    scopes.push(s);
  }
  await app.close();
  const res: BoardResults = {
    command: `npm run bench:board -- --rounds ${rounds}`,
    startedAt: new Date(started).toISOString(),
    durationS: (Date.now() - started) / 1000,
    database: database.embedded ? 'embedded PostgreSQL' : 'external PostgreSQL (DATABASE_URL)',
    year,
    rounds,
    loadBefore,
    dataset: scopes.some((s) => s.name === 'county 2')
      ? 'the city preset (npm run seed:demo -- --scale city): a second county and the city measured too'
      : 'one county only (npm run seed:demo -- --scale county, no second county): the township and the county measured, no city scope',
    scopes,
  };
  const section = renderBoardSection(res);
  process.stdout.write(section + '\n');
  if (!args['no-write']) log(`已写入 ${writeBoardSection(section)}`);
} finally {
  await database.shutdown();
}
