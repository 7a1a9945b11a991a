// A screening or scoring is judged by the thresholds / cut-offs of its list or sheet as they stand
// once it holds the lock: the county's edit (which locks the row too) may commit new ones while the
// first screening / scoring waits, and the stored row must carry the new ones and the level / grade
// they give. Deterministic: a raw client holds the row lock with the edit uncommitted, the request is
// sent, the test waits until PostgreSQL shows it blocked by that client, then commits.
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from '../helpers/app.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { createRegion } from '../helpers/factories.ts';
import { gradeVillage } from '../helpers/grading.ts';
import { call, createCast, type Cast } from '../helpers/officials-api.ts';

let tdb: TestDatabase;
let app: FastifyInstance;
let cast: Cast;

const YEAR = 2044;

beforeAll(async () => {
  tdb = await createTestDatabase();
  app = await buildTestApp(tdb.db);
  cast = await createCast(tdb.db);
});

afterAll(async () => {
  await app.close();
  await tdb.close();
});

/** Until a backend of this database waits on a lock held by `holder` (at most 10 s, then an error). */
async function blockedBy(holder: pg.Client): Promise<void> {
  const pid = (await holder.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]?.pid;
  for (let i = 0; i < 500; i++) {
    const waiting = await tdb.pool.query(
      'select 1 from pg_stat_activity where datname = current_database() and $1 = any(pg_blocking_pids(pid))',
      [pid],
    );
    if ((waiting.rowCount ?? 0) > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`no request ever waited for backend ${pid}`);
}

/** Runs `request` while a raw client holds `table` row `id` FOR UPDATE with `change` applied, then commits. */
async function underCommittedEdit<T>(
  table: 'risk_list' | 'grading_sheet',
  id: number,
  change: string,
  request: () => Promise<T>,
): Promise<T> {
  const editor = new pg.Client({ connectionString: tdb.url });
  await editor.connect();
  try {
    await editor.query('begin');
    await editor.query(`select id from ${table} where id = $1 for update`, [id]);
    await editor.query(`update ${table} set ${change} where id = $1`, [id]);
    const pending = request();
    await blockedBy(editor);
    await editor.query('commit');
    return await pending;
  } finally {
    await editor.end();
  }
}

describe('judged under the lock', () => {
  it('a first screening waiting on the county’s edit of the list stores and applies the new thresholds', async () => {
    const created = await call(app, cast.county, 'POST', '/api/risk/lists', {
      regionId: cast.tree.county,
      year: YEAR,
      from: 'defaults',
    });
    expect(created.body).toMatchObject({ highMin: 8, middleMin: 4, usedBy: 0 });
    const list = created.body as { id: number; items: { id: number; type: string; weight: number }[] };
    const village = await createRegion(tdb.db, 'village', cast.tree.township);
    await gradeVillage(tdb.db, village, YEAR, 'weak');
    // two items of two types, 3 + 3 = 6: 中 (二级防控) by 8 / 4, 高 (整顿) by 6 / 3
    const partyBuilding = list.items.find((i) => i.type === 'party_building' && i.weight === 3);
    const integrity = list.items.find((i) => i.type === 'integrity' && i.weight === 3);
    const present = [partyBuilding?.id, integrity?.id];
    expect(present.every((id) => id !== undefined)).toBe(true);
    const marks = list.items.map((i) => ({
      itemId: i.id,
      present: present.includes(i.id),
      evidence: present.includes(i.id) ? '乡镇走访记录' : '',
    }));

    const res = await underCommittedEdit('risk_list', list.id, 'high_min = 6, middle_min = 3', () =>
      call(app, cast.township, 'POST', `/api/risk/villages/${village}/screenings`, { year: YEAR, marks }),
    );
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.current).toMatchObject({ score: 6, level: 'high', outcome: 'rectify', preventionLevel: null });
    expect(res.body.current.ruleText).toContain('6 分及以上为高风险');
    const stored = await tdb.db
      .selectFrom('risk_screening')
      .select(['list_id', 'score', 'high_min', 'middle_min', 'level', 'outcome', 'prevention_level'])
      .where('village_id', '=', village)
      .execute();
    expect(stored).toEqual([
      {
        list_id: list.id,
        score: 6,
        high_min: 6,
        middle_min: 3,
        level: 'high',
        outcome: 'rectify',
        prevention_level: null,
      },
    ]);
  });

  it('a first scoring waiting on the county’s edit of the sheet stores and applies the new cut-offs', async () => {
    const created = await call(app, cast.county, 'POST', '/api/grading/sheets', {
      regionId: cast.tree.county,
      year: YEAR + 1,
      from: 'defaults',
    });
    expect(created.body).toMatchObject({ strongMin: 85, middleMin: 60, maxTotal: 100, usedBy: 0 });
    const sheet = created.body as { id: number; items: { id: number; maxScore: number }[] };
    // 70 points: 中等村 by 85 / 60, 强村 by 70 / 50
    let left = 70;
    const items = sheet.items.map((it) => {
      const score = Math.min(it.maxScore, left);
      left -= score;
      return { itemId: it.id, score, note: '' };
    });

    const res = await underCommittedEdit('grading_sheet', sheet.id, 'strong_min = 70, middle_min = 50', () =>
      call(app, cast.township, 'POST', `/api/grading/villages/${cast.tree.village}/scorings`, {
        year: YEAR + 1,
        items,
      }),
    );
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.current).toMatchObject({ total: 70, grade: 'strong', gradeLabel: '强村' });
    expect(res.body.current.ruleText).toContain('总分 70 分及以上为强村，50–69 分为中等村');
    const stored = await tdb.db
      .selectFrom('village_grade')
      .select(['sheet_id', 'total', 'strong_min', 'middle_min', 'grade'])
      .where('village_id', '=', cast.tree.village)
      .where('year', '=', YEAR + 1)
      .execute();
    expect(stored).toEqual([{ sheet_id: sheet.id, total: 70, strong_min: 70, middle_min: 50, grade: 'strong' }]);
  });
});
