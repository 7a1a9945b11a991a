// The campaign board API (issue 9, /tmp/board-contract.md): scope and drill-down, the whole reply
// of a township's board, verdicts of sessions closed through the real close (required, and the rule
// in words sent once in the reply's rule table), an open session's turnout and nothing else, the
// year filter, history and the XLSX (margin, rate and rule in words per result).
import ExcelJS from 'exceljs';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getBoard, getBoardJson } from '../../server/modules/board/board.service.ts';
import { chinaDay } from '../../server/modules/cases/cases.rules.ts';
import { buildTestApp } from '../helpers/app.ts';
import { createCampaign, createCaseAt, createCaseSession } from '../helpers/cases.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { castBallot, createSessionFixture, validAnswers } from '../helpers/evaluation.ts';
import { ensureRiskList, gradeVillage } from '../helpers/grading.ts';
import { createOfficial, createRegion, createTree } from '../helpers/factories.ts';
import { call, createCast, type Cast, type Caller } from '../helpers/officials-api.ts';
import { sessionFor } from '../helpers/world.ts';

let tdb: TestDatabase;
let app: FastifyInstance;
let cast: Cast;
const year = Number(chinaDay().slice(0, 4));
const ids = { v3: 0, otherTownship: 0, foreignTownship: 0, closed: 0, open: 0, old: 0, caseId: 0, caseSession: 0 };
const names: Record<number, string> = {};

async function nameOf(id: number): Promise<string> {
  const r = await tdb.db.selectFrom('region').select('name').where('id', '=', id).executeTakeFirstOrThrow();
  return r.name;
}

beforeAll(async () => {
  tdb = await createTestDatabase();
  app = await buildTestApp(tdb.db);
  cast = await createCast(tdb.db);
  const tree = cast.tree;
  // named to sort after the fixture's village-<hex> in any collation
  ids.v3 = await createRegion(tdb.db, 'village', tree.township, 'village-zzzzzz');
  ids.otherTownship = (
    await tdb.db.selectFrom('region').select('parent_id').where('id', '=', cast.otherVillage).executeTakeFirstOrThrow()
  ).parent_id as number;
  ids.foreignTownship = (await createTree(tdb.db)).township;
  for (const id of [
    tree.city,
    tree.county,
    tree.township,
    tree.village,
    ids.v3,
    ids.otherTownship,
    cast.otherVillage,
  ]) {
    names[id] = await nameOf(id);
  }

  // V1: a self-evaluation closed through the real close, residents 10, 8 ballots answering the gate
  // 4 满意, 1 基本满意, 2 不满意, 1 不了解: 5 satisfied, 6 required → fail by 1, rate 50.0%.
  const closed = await createSessionFixture(tdb.db, { tree, slips: 9, residentsPresent: 10, title: '一村自评' });
  ids.closed = closed.sessionId;
  const gate = ['satisfied', 'satisfied', 'satisfied', 'satisfied', 'basic', 'dissatisfied', 'dissatisfied', 'unknown'];
  for (const [i, g] of gate.entries())
    await castBallot(tdb.db, closed.tokens[i] as string, validAnswers('basic', { q1: g }));
  const res = await call(app, cast.village, 'POST', `/api/sessions/${ids.closed}/close`);
  expect(res.status).toBe(200);

  // V1: a township check still open with 3 ballots, all 满意: its results must never show.
  const open = await createSessionFixture(tdb.db, { tree, slips: 5, residentsPresent: 6, title: '一村初验' });
  await sql`update evaluation_session set kind = 'township_check' where id = ${open.sessionId}`.execute(tdb.db);
  ids.open = open.sessionId;
  for (const t of open.tokens.slice(0, 3)) await castBallot(tdb.db, t, validAnswers('satisfied'));

  // V3: a self-evaluation of an earlier year (began 2024-05-01 China time), 4 residents and no ballots.
  const old = await createSessionFixture(tdb.db, {
    tree: { ...tree, village: ids.v3 },
    slips: 4,
    status: 'closed',
    title: '三村往年自评',
  });
  ids.old = old.sessionId;
  await sql`update evaluation_session set opened_at = '2024-05-01T09:00:00+08', created_at = '2024-04-01T09:00:00+08'
    where id = ${ids.old}`.execute(tdb.db);

  // The other township's village: listed in this year's campaign, at village evaluation, with a
  // self-evaluation of the case that passed 8 of 10.
  const campaign = await createCampaign(tdb.db, tree.county, { year });
  ids.caseId = await createCaseAt(tdb.db, {
    campaignId: campaign,
    villageId: cast.otherVillage,
    state: 'village_evaluation',
  });
  ids.caseSession = await createCaseSession(tdb.db, ids.caseId, { kind: 'self_evaluation', outcome: 'pass' });
});

afterAll(async () => {
  await app.close();
  await tdb.close();
});

const board = (who: Caller | null, query = '') => call(app, who, 'GET', `/api/board${query}`);
const ref = (id: number, level: string) => ({ id, name: names[id], level });

describe('GET /api/board: scope and drill-down', () => {
  it('a township sees only its own villages, with no child regions', async () => {
    const { status, body } = await board(cast.township);
    expect(status).toBe(200);
    expect(body.region).toEqual(ref(cast.tree.township, 'township'));
    expect(body.breadcrumb).toEqual([ref(cast.tree.township, 'township')]);
    expect(body.children).toEqual([]);
    expect(body.villages.map((v: { villageId: number }) => v.villageId).sort()).toEqual(
      [cast.tree.village, ids.v3].sort(),
    );
  });

  it('a county sees every township’s villages and drills down to one township', async () => {
    const all = await board(cast.county);
    expect(all.body.breadcrumb).toEqual([ref(cast.tree.county, 'county')]);
    expect(all.body.children.map((c: { id: number }) => c.id).sort()).toEqual(
      [cast.tree.township, ids.otherTownship].sort(),
    );
    expect(all.body.villages).toHaveLength(3);
    const one = await board(cast.county, `?regionId=${ids.otherTownship}`);
    expect(one.body.breadcrumb).toEqual([ref(cast.tree.county, 'county'), ref(ids.otherTownship, 'township')]);
    expect(one.body.villages.map((v: { villageId: number }) => v.villageId)).toEqual([cast.otherVillage]);
  });

  it('a city drills down through the county to the township, the breadcrumb from its own region', async () => {
    const { body } = await board(cast.city, `?regionId=${cast.tree.township}`);
    expect(body.breadcrumb).toEqual([
      ref(cast.tree.city, 'city'),
      ref(cast.tree.county, 'county'),
      ref(cast.tree.township, 'township'),
    ]);
    expect(body.villages).toHaveLength(2);
  });

  it('refuses the village role and admins (403), anyone else’s region (404), a village (400)', async () => {
    expect((await board(cast.village)).status).toBe(403);
    expect((await board(cast.admin)).status).toBe(403);
    expect((await board(null)).status).toBe(401);
    const sibling = await board(cast.township, `?regionId=${ids.otherTownship}`);
    expect(sibling).toEqual({ status: 404, body: expect.objectContaining({ code: 'NOT_FOUND' }) });
    expect((await board(cast.county, `?regionId=${ids.foreignTownship}`)).status).toBe(404);
    const village = await board(cast.county, `?regionId=${cast.tree.village}`);
    expect(village).toEqual({ status: 400, body: expect.objectContaining({ code: 'BAD_REQUEST' }) });
    expect((await board(cast.county, '?year=1999')).status).toBe(400);
  });
});

describe('GET /api/board: the rows', () => {
  it('answers the contract’s shape: the whole township board', async () => {
    const { body } = await board(cast.township);
    const rule = '满意人数（满意＋基本满意）须大于在村人数的一半（恰好一半不通过）；“不了解”不计为满意';
    const row = (villageId: number) => ({
      villageId,
      villageName: names[villageId],
      townshipId: cast.tree.township,
      townshipName: names[cast.tree.township],
      case: null,
      file: null,
      fortress: null,
      risk: null,
    });
    expect(body).toEqual({
      region: ref(cast.tree.township, 'township'),
      breadcrumb: [ref(cast.tree.township, 'township')],
      children: [],
      year,
      years: [year, 2024].filter((y, i, a) => a.indexOf(y) === i).sort((a, b) => b - a),
      rules: [{ id: 1, text: rule }],
      villages: [
        {
          ...row(cast.tree.village),
          latest: [
            {
              sessionId: ids.closed,
              kind: 'self_evaluation',
              status: 'closed',
              residentsPresent: 10,
              issued: 9,
              used: 8,
              verdict: { outcome: 'fail', satisfied: 5, required: 6, denominator: 10, ruleId: 1 },
              closedAt: expect.any(String),
            },
            {
              sessionId: ids.open,
              kind: 'township_check',
              status: 'open',
              residentsPresent: 6,
              issued: 5,
              used: 3,
              verdict: null,
              closedAt: null,
            },
          ],
          nextStep: {
            action: 'close',
            label: '结束测评',
            role: 'township',
            kind: 'township_check',
            sessionId: ids.open,
          },
        },
        { ...row(ids.v3), latest: [], nextStep: null },
      ],
      totals: {
        villages: 2,
        listed: 0,
        byLight: { red: 0, yellow: 0, green: 0 },
        byVerdict: { pass: 0, fail: 1, undecidable: 0, none: 1 },
        openSessions: 1,
      },
    });
  });

  it('an open session with ballots shows its turnout and nothing of its results', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/board', headers: { cookie: cast.township.cookie } });
    const village = res.json().villages.find((v: { villageId: number }) => v.villageId === cast.tree.village);
    const open = village.latest.find((s: { sessionId: number }) => s.sessionId === ids.open);
    expect(Object.keys(open).sort()).toEqual(
      ['closedAt', 'issued', 'kind', 'residentsPresent', 'sessionId', 'status', 'used', 'verdict'].sort(),
    );
    expect(open).toMatchObject({ used: 3, verdict: null });
    // three 满意 ballots are in the table; no count of them appears anywhere in the raw reply
    expect(JSON.stringify(open)).not.toMatch(/satisf|pass|满意/);
  });

  it('a listed village: its case, light, the case session’s verdict and the step it waits for', async () => {
    const { body } = await board(cast.county, `?regionId=${ids.otherTownship}`);
    expect(body.villages[0]).toMatchObject({
      case: { id: ids.caseId, state: 'village_evaluation', light: { color: 'green' } },
      latest: [
        {
          sessionId: ids.caseSession,
          verdict: { outcome: 'pass', satisfied: 8, required: 6, denominator: 10, ruleId: 1 },
        },
      ],
      nextStep: { action: 'apply', role: 'village' },
    });
    expect(body.rules).toHaveLength(1);
    expect(body.totals).toMatchObject({ listed: 1, byLight: { red: 0, yellow: 0, green: 1 } });
  });

  it('sends each rule text once: every verdict names an entry of the rule table by id', async () => {
    // a township of its own with two villages, each with a self-evaluation closed under the same rule set
    const tree = await createTree(tdb.db);
    const second = await createRegion(tdb.db, 'village', tree.township);
    for (const village of [tree.village, second])
      await createSessionFixture(tdb.db, { tree: { ...tree, village }, slips: 4, status: 'closed' });
    const official = await createOfficial(tdb.db, 'township', tree.township);
    const { body } = await board({ ...official, cookie: await sessionFor(tdb.db, official.id) });
    const verdicts = (body as { villages: { latest: { verdict: { ruleId: number } | null }[] }[] }).villages.flatMap(
      (v) => v.latest.flatMap((s) => (s.verdict ? [s.verdict] : [])),
    );
    expect(verdicts.map((v) => v.ruleId)).toEqual([1, 1]);
    const rules = body.rules as { id: number; text: string }[];
    expect(rules).toEqual([{ id: 1, text: expect.stringMatching(/^满意人数/) }]);
    expect(JSON.stringify(body).split(rules[0]?.text as string)).toHaveLength(2);
  });

  it('filters by year: another year shows that year’s sessions only', async () => {
    const then = await board(cast.township, '?year=2024');
    expect(then.body.year).toBe(2024);
    const latest = then.body.villages.flatMap((v: { latest: { sessionId: number }[] }) => v.latest);
    expect(latest.map((s: { sessionId: number }) => s.sessionId)).toEqual([ids.old]);
    const now = await board(cast.township);
    expect(now.body.years).toContain(2024);
    const current = now.body.villages.flatMap((v: { latest: { sessionId: number }[] }) => v.latest);
    expect(current.map((s: { sessionId: number }) => s.sessionId)).not.toContain(ids.old);
  });
});

describe('GET /api/board/turnout and /api/board/history', () => {
  it('turnout lists the open sessions in scope with their live counts', async () => {
    const mine = await call(app, cast.township, 'GET', '/api/board/turnout');
    expect(mine.body).toEqual({
      sessions: [
        { sessionId: ids.open, villageId: cast.tree.village, status: 'open', issued: 5, used: 3, residentsPresent: 6 },
      ],
    });
    const other = await call(app, cast.county, 'GET', `/api/board/turnout?regionId=${ids.otherTownship}`);
    expect(other.body).toEqual({ sessions: [] });
    expect((await call(app, cast.township, 'GET', `/api/board/turnout?regionId=${ids.otherTownship}`)).status).toBe(
      404,
    );
  });

  it('history gives each village’s result per year, self-evaluations first', async () => {
    const { status, body } = await call(app, cast.township, 'GET', '/api/board/history');
    expect(status).toBe(200);
    expect(body.years).toEqual([2024, year]);
    const byId = new Map(body.villages.map((v: { villageId: number }) => [v.villageId, v]));
    expect(byId.get(cast.tree.village)).toEqual({
      villageId: cast.tree.village,
      villageName: names[cast.tree.village],
      townshipName: names[cast.tree.township],
      byYear: { 2024: null, [year]: { kind: 'self_evaluation', outcome: 'fail', ratePermille: 500 } },
    });
    // the old session: no ballots of 4 residents, 0 satisfied, a fail at rate 0
    expect(byId.get(ids.v3)).toMatchObject({
      byYear: { 2024: { kind: 'self_evaluation', outcome: 'fail', ratePermille: 0 }, [year]: null },
    });
  });
});

describe('GET /api/board.xlsx', () => {
  it('streams the board as a workbook with Chinese headers and a Chinese file name', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/board.xlsx', headers: { cookie: cast.county.cookie } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    const disposition = String(res.headers['content-disposition']);
    expect(disposition).toContain(`filename*=UTF-8''${encodeURIComponent('工作台_')}`);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
    const ws = wb.worksheets[0];
    expect(ws?.name).toBe(`${year}年度工作台`);
    const header = (ws?.getRow(1).values as unknown[]).slice(1);
    expect(header.slice(0, 9)).toEqual([
      '县',
      '乡镇',
      '村',
      '案件状态',
      '亮灯',
      '亮灯原因',
      '村情档案完整度',
      '堡垒指数',
      '风险等级',
    ]);
    expect(header).toContain('村级自评·结果');
    expect(header.slice(9, 16)).toEqual([
      '村级自评·状态',
      '村级自评·已投/发放/在村',
      '村级自评·结果',
      '村级自评·满意/至少需要',
      '村级自评·差额',
      '村级自评·满意率',
      '村级自评·判定规则',
    ]);
    expect(header.slice(-2)).toEqual(['下一步', '由谁办理']);
    expect(ws?.rowCount).toBe(4);
    const rows = [2, 3, 4].map((r) => (ws?.getRow(r).values as unknown[]).slice(1));
    const v1 = rows.find((r) => r[2] === names[cast.tree.village]) as unknown[];
    expect(v1.slice(0, 16)).toEqual([
      names[cast.tree.county],
      names[cast.tree.township],
      names[cast.tree.village],
      '未列入',
      undefined,
      undefined,
      '未建档',
      '未评分',
      undefined,
      '已结束',
      '8/9/10',
      '未通过',
      '5/6',
      '还差 1 票',
      '50.0%',
      '满意人数（满意＋基本满意）须大于在村人数的一半（恰好一半不通过）；“不了解”不计为满意',
    ]);
    const listed = rows.find((r) => r[2] === names[cast.otherVillage]) as unknown[];
    expect(listed.slice(3, 5)).toEqual(['村级自评', '绿灯']);
    expect(listed.slice(-2)).toEqual(['自评通过，申请验收', '村党组织书记']);
  });

  it('is refused like the board', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/board.xlsx', headers: { cookie: cast.village.cookie } });
    expect(res.statusCode).toBe(403);
  });
});

describe('GET /api/board: the board kept between requests', () => {
  type Row = {
    villageId: number;
    latest: { sessionId: number; residentsPresent: number; used: number; status: string }[];
  };
  const sessionOf = async (sessionId: number) => {
    const { body } = await board(cast.township);
    for (const v of (body as { villages: Row[] }).villages) {
      const s = v.latest.find((l) => l.sessionId === sessionId);
      if (s) return s;
    }
    throw new Error(`测评 ${sessionId} 不在工作台上`);
  };

  it('a ballot cast meanwhile shows in the next reply (live turnout is never kept)', async () => {
    const f = await createSessionFixture(tdb.db, {
      tree: { ...cast.tree, village: ids.v3 },
      slips: 4,
      title: '缓存人数',
    });
    expect(await sessionOf(f.sessionId)).toMatchObject({ status: 'open', used: 0 });
    await castBallot(tdb.db, f.tokens[0] as string, validAnswers('satisfied'));
    expect((await sessionOf(f.sessionId)).used).toBe(1);
    await castBallot(tdb.db, f.tokens[1] as string, validAnswers('satisfied'));
    expect((await sessionOf(f.sessionId)).used).toBe(2);
  });

  it('the reply spliced from the kept text is the board itself, serialized afresh', async () => {
    const region = await tdb.db
      .selectFrom('region')
      .select('path')
      .where('id', '=', cast.tree.township)
      .executeTakeFirstOrThrow();
    const user = { ...cast.township, displayName: '', regionPath: region.path };
    await board(cast.township); // kept, then a ballot in each open session
    const open = await createSessionFixture(tdb.db, { tree: { ...cast.tree, village: ids.v3 }, slips: 2 });
    await board(cast.township);
    await castBallot(tdb.db, open.tokens[0] as string, validAnswers('satisfied'));
    const spliced = await getBoardJson(tdb.db, user, {});
    expect(JSON.parse(spliced)).toEqual(await getBoard(tdb.db, user, {}));
    expect(spliced).toContain(`"sessionId":${open.sessionId},`);
  });

  it('any committed change to what the board reads shows in the next reply, even one made outside the service', async () => {
    const f = await createSessionFixture(tdb.db, {
      tree: { ...cast.tree, village: ids.v3 },
      slips: 2,
      residentsPresent: 30,
    });
    expect((await sessionOf(f.sessionId)).residentsPresent).toBe(30);
    expect((await sessionOf(f.sessionId)).residentsPresent).toBe(30);
    await sql`update evaluation_session set residents_present = 31 where id = ${f.sessionId}`.execute(tdb.db);
    expect((await sessionOf(f.sessionId)).residentsPresent).toBe(31);
    // a change rolled back leaves the counter and the board as they were
    await tdb.db
      .transaction()
      .execute(async (trx) => {
        await sql`update evaluation_session set residents_present = 32 where id = ${f.sessionId}`.execute(trx);
        throw new Error('rollback');
      })
      .catch(() => undefined);
    expect((await sessionOf(f.sessionId)).residentsPresent).toBe(31);
  });

  it('a village file saved or changed shows its completeness in the next reply (村情档案 moves the counter)', async () => {
    const fileOf = async () => {
      const { body } = await board(cast.township);
      return (body as { villages: (Row & { file: unknown })[] }).villages.find((v) => v.villageId === ids.v3)?.file;
    };
    expect(await fileOf()).toBeNull();
    const put = (data: object, version: number | null) =>
      call(app, cast.township, 'PUT', `/api/village-files/${ids.v3}/${year}`, { data, version });
    expect((await put({ households: 10, registered: 30 }, null)).status).toBe(200);
    expect(await fileOf()).toEqual({ year, filled: 2, required: 18, percent: 11 });
    await put({ households: 10 }, 1);
    expect(await fileOf()).toEqual({ year, filled: 1, required: 18, percent: 5 });
  });

  it('a village scored shows its 堡垒指数 in the next reply (a scoring moves the counter)', async () => {
    const gradeOf = async () => {
      const { body } = await board(cast.township);
      return (body as { villages: (Row & { fortress: unknown })[] }).villages.find((v) => v.villageId === ids.v3)
        ?.fortress;
    };
    expect(await gradeOf()).toBeNull();
    await gradeVillage(tdb.db, ids.v3, year, 'middle', 72);
    expect(await gradeOf()).toEqual({ year, grade: 'middle', total: 72, maxTotal: 100 });
    await gradeVillage(tdb.db, ids.v3, year, 'weak', 41);
    expect(await gradeOf()).toEqual({ year, grade: 'weak', total: 41, maxTotal: 100 });
  });

  it('a 弱村 screened shows its risk level in the next reply, and the workbook carries file, grade and risk', async () => {
    // v3: the file and the 弱村 41 of the two tests above
    const riskOf = async () => {
      const { body } = await board(cast.township);
      return (body as { villages: (Row & { risk: unknown })[] }).villages.find((v) => v.villageId === ids.v3)?.risk;
    };
    const v3Row = async () => {
      const res = await app.inject({
        method: 'GET',
        url: '/api/board.xlsx',
        headers: { cookie: cast.township.cookie },
      });
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
      const ws = wb.worksheets[0] as ExcelJS.Worksheet;
      const rows = Array.from({ length: ws.rowCount - 1 }, (_, i) => (ws.getRow(i + 2).values as unknown[]).slice(1));
      return (rows.find((r) => r[2] === names[ids.v3]) as unknown[]).slice(6, 9);
    };
    expect(await riskOf()).toBeNull();
    expect(await v3Row()).toEqual(['5%（必填项已填 1/18）', '弱村 41/100 分', '未排查']);
    const listId = await ensureRiskList(tdb.db, cast.tree.county, year);
    const items = await tdb.db
      .selectFrom('risk_item')
      .select(['id', 'weight'])
      .where('list_id', '=', listId)
      .orderBy('position')
      .execute();
    // the first three default items weigh 3 + 3 + 2 = 8: 高风险 at the default 8 / 4
    const marks = items.map((it, i) => ({ itemId: it.id, present: i < 3, evidence: i < 3 ? '走访记录' : '' }));
    const res = await call(app, cast.township, 'POST', `/api/risk/villages/${ids.v3}/screenings`, { year, marks });
    expect(res.status).toBe(201);
    expect(await riskOf()).toEqual({ year, level: 'high' });
    expect(await v3Row()).toEqual(['5%（必填项已填 1/18）', '弱村 41/100 分', '高风险']);
  });

  it('the counter moves once per committed transaction that changes a row, and not for one that changes none', async () => {
    const epoch = async () =>
      Number((await sql<{ n: string }>`select sum(n)::text as n from board_epoch`.execute(tdb.db)).rows[0]?.n);
    const before = await epoch();
    await sql`update evaluation_session set title = title where id = -1`.execute(tdb.db);
    expect(await epoch()).toBe(before);
    await tdb.db.transaction().execute(async (trx) => {
      await sql`update region set name = name where id = ${ids.v3}`.execute(trx);
      await sql`update evaluation_session set title = title where village_id = ${ids.v3}`.execute(trx);
    });
    expect(await epoch()).toBe(before + 1);
  });
});
