// The scale dataset generator (npm run seed:demo -- --scale …) at a tiny size (110 villages, so
// that one case reaches look-back monitoring and runs a look-back the next year): what it plans is
// what the database holds, every ballot consumed a slip, past years are backdated, and npm run
// verify's check finds nothing wrong.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyDatabase } from '../../server/modules/audit/verify.service.ts';
import { seedScale, type ScaleResult } from '../../server/modules/demo/demo.scale.ts';
import {
  caseFateOf,
  lookBackOf,
  sessionFateOf,
  shapeOf,
  type CaseFate,
  type ScaleOptions,
} from '../../server/modules/demo/demo.scale.rules.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const YEAR = 2026;
const OPTS: ScaleOptions = {
  counties: 1,
  townshipsPerCounty: 5,
  villagesPerCounty: 110,
  years: 2,
  ballots: 2,
  otherBallots: 2,
  concurrency: 4,
};
let tdb: TestDatabase;
let result: ScaleResult;

beforeAll(async () => {
  tdb = await createTestDatabase();
  result = await seedScale(tdb.db, OPTS, { publicUrl: 'http://vote.test', year: YEAR });
}, 600_000);

afterAll(async () => {
  await tdb.close();
});

/** Sessions each case fate leaves behind, by status (self-evaluation, then the county's callback). */
const CASE_SESSIONS: Record<CaseFate, string[]> = {
  listed: [],
  rectifying: [],
  evaluating_open: ['open'],
  evaluating_draft: ['draft'],
  applied: ['closed'],
  township_check: ['closed'],
  county_acceptance: ['closed'],
  exited: ['closed', 'closed'],
  monitoring: ['closed', 'closed'],
};
const CASE_STATE: Record<CaseFate, string> = {
  listed: 'listed',
  rectifying: 'rectifying',
  evaluating_open: 'village_evaluation',
  evaluating_draft: 'village_evaluation',
  applied: 'applied',
  township_check: 'township_check',
  county_acceptance: 'county_acceptance',
  exited: 'exited',
  monitoring: 'monitoring',
};

function planned() {
  const sessions: Record<string, number> = {};
  const cases: Record<string, number> = {};
  const add = (o: Record<string, number>, k: string) => (o[k] = (o[k] ?? 0) + 1);
  let ballots = 0;
  for (let y = 0; y < OPTS.years; y++) {
    for (let i = 0; i < OPTS.villagesPerCounty; i++) {
      const fate = caseFateOf(OPTS, i, y);
      if (fate) {
        add(cases, CASE_STATE[fate]);
        for (const s of CASE_SESSIONS[fate]) add(sessions, s);
        continue;
      }
      if (lookBackOf(OPTS, i, y)) {
        add(sessions, 'closed');
        continue;
      }
      const end = sessionFateOf(OPTS, 0, i, y);
      if (end === 'none') continue;
      add(sessions, end.startsWith('draft') ? 'draft' : end);
      if (end === 'closed') ballots += shapeOf(i * 7919 + y * 104_729, OPTS.ballots).ballots;
    }
  }
  return { sessions, cases, closedPlainBallots: ballots };
}

describe('seed:demo --scale', () => {
  it('creates the planned regions, sessions and cases through the services', async () => {
    const plan = planned();
    expect(result.counts.regions).toEqual({ city: 1, county: 1, township: 5, village: 110 });
    expect(result.counts.sessions).toEqual(plan.sessions);
    expect(result.counts.cases).toEqual(plan.cases);
    const townships = [1, 2, 3, 4, 5].map((t) => `scale_c1_t${t}`);
    expect(result.accounts.map((a) => a.username)).toEqual(['scale_city', 'scale_c1', ...townships]);
  });

  it('stores one ballot per used slip, and every planned ballot of the closed plain sessions', async () => {
    const { rows } = await sql<{ ballots: number; used: number; receipts: number; plain: number }>`
      select (select count(*)::int from ballot) as ballots,
        (select count(*)::int from slip where used) as used,
        (select count(*)::int from receipt) as receipts,
        (select count(*)::int from ballot b join evaluation_session s on s.id = b.session_id
          where s.status = 'closed' and s.case_id is null) as plain`.execute(tdb.db);
    expect(rows[0]?.ballots).toBe(result.counts.ballots);
    expect(rows[0]?.used).toBe(rows[0]?.ballots);
    expect(rows[0]?.receipts).toBe(rows[0]?.ballots);
    expect(rows[0]?.plain).toBe(planned().closedPlainBallots);
  });

  it('backdates each year’s sessions into that year (China time) and keeps closed_at as the close wrote it', async () => {
    const { rows } = await sql<{ year: number; n: number; closedToday: number }>`
      select extract(year from coalesce(opened_at, created_at) at time zone 'Asia/Shanghai')::int as year,
        count(*)::int as n,
        count(*) filter (where closed_at > now() - interval '1 day')::int as "closedToday"
      from evaluation_session group by 1 order by 1`.execute(tdb.db);
    const closed = planned().sessions.closed ?? 0;
    expect(rows.map((r) => r.year)).toEqual([YEAR - 1, YEAR]);
    expect(rows.reduce((n, r) => n + r.n, 0)).toBe(Object.values(planned().sessions).reduce((a, b) => a + b, 0));
    expect(rows.reduce((n, r) => n + r.closedToday, 0)).toBe(closed);
  });

  it('passes npm run verify’s check: the audit chain, every session’s history and every recount', async () => {
    const report = await verifyDatabase(tdb.db);
    expect(report.problems).toEqual([]);
    expect(report.sessions).toBe(planned().sessions.closed);
  });

  it('refuses a second run on the same database and changes nothing', async () => {
    const before = await tdb.db
      .selectFrom('evaluation_session')
      .select(sql<number>`count(*)::int`.as('n'))
      .executeTakeFirstOrThrow();
    await expect(seedScale(tdb.db, OPTS, { publicUrl: 'http://vote.test', year: YEAR })).rejects.toThrow(
      /规模数据已存在/,
    );
    const after = await tdb.db
      .selectFrom('evaluation_session')
      .select(sql<number>`count(*)::int`.as('n'))
      .executeTakeFirstOrThrow();
    expect(after.n).toBe(before.n);
  });

  it('rejects an unknown preset on the command line before touching any database', () => {
    const run = spawnSync(
      path.join(ROOT, 'node_modules/.bin/tsx'),
      [path.join(ROOT, 'scripts/seed-demo.ts'), '--scale', 'town'],
      {
        cwd: ROOT,
        env: { ...process.env, DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none', LOG_LEVEL: 'silent' },
        encoding: 'utf8',
        timeout: 120_000,
      },
    );
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('--scale 只能是 county 或 city');
  });
});
