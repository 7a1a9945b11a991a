// The XLSX exports re-read with exceljs and compared, cell by cell, with rows read directly from
// the database (and the per-question counts with the raw ballots): scope, filters, and no results
// of a session that is still open.
import ExcelJS from 'exceljs';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultQuestionnaire } from '../../server/modules/sessions/questionnaire.ts';
import { percentText } from '../../server/modules/tallies/results.rules.ts';
import { buildTestApp } from '../helpers/app.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { castBallot, createSessionFixture, validAnswers } from '../helpers/evaluation.ts';
import { createOfficial, createRegion, type Tree } from '../helpers/factories.ts';
import { call, createCast, type Cast, type Caller } from '../helpers/officials-api.ts';
import { sessionFor } from '../helpers/world.ts';

let tdb: TestDatabase;
let app: FastifyInstance;
let cast: Cast;
let otherCounty: Caller;
const ids = {
  cases: { late: 0, onTime: 0, old: 0, relisted: 0, otherCounty: 0 },
  sessions: { passed: 0, failed: 0, otherCounty: 0, open: 0, void: 0 },
};

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const STATE_LABEL: Record<string, string> = {
  listed: '已列入',
  rectifying: '整顿中',
  village_evaluation: '村级自评',
  applied: '已申请验收',
  township_check: '乡镇初验',
  county_acceptance: '县级验收',
  city_review: '市级复盘',
  exited: '已退出（销号）',
  monitoring: '跟踪回头看',
};
const LIGHT = { red: '红灯', yellow: '黄灯', green: '绿灯' } as Record<string, string>;
const GRADE = { strong: '强村', middle: '中等村', weak: '弱村' } as Record<string, string>;
const KIND = {
  self_evaluation: '村级自评',
  township_check: '乡镇初验',
  county_callback: '县级回访',
  look_back: '回头看',
};
const STATUS = { closed: '已结束', certified: '已确认' } as Record<string, string>;
const OUTCOME = { pass: '通过', fail: '未通过', undecidable: '无法判定' } as Record<string, string>;

type Cell = string | number | Date | null;

async function download(who: Caller | null, url: string) {
  const res = await app.inject({ method: 'GET', url, headers: who ? { cookie: who.cookie } : {} });
  return res;
}

async function sheets(who: Caller, url: string): Promise<Record<string, Cell[][]>> {
  const res = await download(who, url);
  expect(res.statusCode).toBe(200);
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
  const out: Record<string, Cell[][]> = {};
  wb.eachSheet((ws) => {
    const width = ws.getRow(1).cellCount;
    out[ws.name] = Array.from({ length: ws.rowCount }, (_, i) =>
      Array.from({ length: width }, (_, j) => (ws.getRow(i + 1).getCell(j + 1).value ?? null) as Cell),
    );
  });
  return out;
}

/** An instant as the spreadsheet shows it: China wall-clock time carried in a Date's UTC fields. */
const china = (d: Date) => new Date(d.getTime() + 8 * 3600 * 1000);
const day = (s: string) => new Date(`${s}T00:00:00.000Z`);

async function insertCampaign(regionId: number, year: number, title: string, by: number): Promise<number> {
  const row = await tdb.db
    .insertInto('campaign')
    .values({
      region_id: regionId,
      year,
      title,
      case_types: JSON.stringify(['班子战斗力不强', '推进乡村振兴缓慢', '矛盾问题突出', '村容村貌较差']),
      questionnaire: JSON.stringify(defaultQuestionnaire()),
      rules: JSON.stringify({}),
      created_by: by,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

async function insertCase(c: {
  campaign: number;
  village: number;
  state: string;
  deadline: string;
  types: string[];
  grade?: string;
  previous?: number;
  by: number;
}): Promise<number> {
  const row = await tdb.db
    .insertInto('rectification_case')
    .values({
      campaign_id: c.campaign,
      village_id: c.village,
      types: JSON.stringify(c.types),
      state: c.state,
      deadline: c.deadline,
      fortress_grade: c.grade ?? null,
      previous_case_id: c.previous ?? null,
      created_by: c.by,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** A session closed through the API after `gate` ballots (one per answer to the gate question). */
async function closedSession(tree: Tree, gate: string[], residents: number, caseId: number | null): Promise<number> {
  const f = await createSessionFixture(tdb.db, { tree, slips: gate.length + 1, residentsPresent: residents });
  for (const [i, g] of gate.entries()) {
    const paper = i % 3 === 0;
    await castBallot(tdb.db, f.tokens[i] as string, validAnswers('basic', { q1: g, q3: 'unknown' }), { paper });
  }
  if (caseId !== null)
    await sql`update evaluation_session set case_id = ${caseId} where id = ${f.sessionId}`.execute(tdb.db);
  const closed = await call(
    app,
    { cookie: await sessionFor(tdb.db, f.secretary.id) },
    'POST',
    `/api/sessions/${f.sessionId}/close`,
  );
  expect(closed.status).toBe(200);
  return f.sessionId;
}

beforeAll(async () => {
  tdb = await createTestDatabase();
  app = await buildTestApp(tdb.db);
  cast = await createCast(tdb.db);
  const { tree } = cast;
  const by = cast.county.id;
  const v2 = await createRegion(tdb.db, 'village', tree.township);
  const bCounty = await createRegion(tdb.db, 'county', tree.city);
  const bTownship = await createRegion(tdb.db, 'township', bCounty);
  const bVillage = await createRegion(tdb.db, 'village', bTownship);
  const bOfficial = await createOfficial(tdb.db, 'county', bCounty);
  otherCounty = { ...bOfficial, cookie: await sessionFor(tdb.db, bOfficial.id) };

  const k25 = await insertCampaign(tree.county, 2025, '2025年度软弱涣散村党组织整顿', by);
  const k24 = await insertCampaign(tree.county, 2024, '2024年度软弱涣散村党组织整顿', by);
  const kb = await insertCampaign(bCounty, 2025, '乙县2025年度整顿', bOfficial.id);
  const c = ids.cases;
  c.late = await insertCase({
    campaign: k25,
    village: tree.village,
    state: 'rectifying',
    deadline: '2020-01-01',
    types: ['班子战斗力不强', '矛盾问题突出'],
    by,
  });
  c.onTime = await insertCase({
    campaign: k25,
    village: cast.otherVillage,
    state: 'listed',
    deadline: '2099-12-31',
    types: ['村容村貌较差'],
    grade: 'middle',
    by,
  });
  c.old = await insertCase({
    campaign: k24,
    village: v2,
    state: 'monitoring',
    deadline: '2024-12-31',
    types: ['推进乡村振兴缓慢'],
    grade: 'strong',
    by,
  });
  c.relisted = await insertCase({
    campaign: k25,
    village: v2,
    state: 'listed',
    deadline: '2099-06-30',
    types: ['推进乡村振兴缓慢'],
    previous: c.old,
    by,
  });
  c.otherCounty = await insertCase({
    campaign: kb,
    village: bVillage,
    state: 'listed',
    deadline: '2099-12-31',
    types: ['村容村貌较差'],
    by: bOfficial.id,
  });
  await tdb.db
    .insertInto('case_problem')
    .values([
      { case_id: c.late, description: '班子成员分工不明确', owner: '张三', deadline: '2020-01-01' },
      {
        case_id: c.late,
        description: '三会一课记录缺失',
        owner: '李四',
        deadline: '2025-03-01',
        status: 'done',
        done_at: new Date('2025-02-20T03:04:05Z'),
      },
      { case_id: c.onTime, description: '垃圾集中清运点未建', owner: '王五', deadline: '2099-01-01' },
      { case_id: c.otherCounty, description: '乙县的问题', owner: '赵六', deadline: '2099-01-01' },
    ])
    .execute();

  const s = ids.sessions;
  const otherTree = { ...tree, township: cast.otherTownship.regionId, village: cast.otherVillage };
  s.passed = await closedSession(tree, ['satisfied', 'satisfied', 'basic', 'basic', 'dissatisfied'], 7, c.late);
  s.failed = await closedSession(otherTree, ['satisfied', 'dissatisfied', 'dissatisfied'], 8, null);
  await sql`update evaluation_session set closed_at = '2025-06-30 17:00:00+00' where id = ${s.failed}`.execute(tdb.db);
  s.otherCounty = await closedSession(
    { city: tree.city, county: bCounty, township: bTownship, village: bVillage },
    ['satisfied'],
    2,
    c.otherCounty,
  );
  // open (with ballots) and void sessions have no results to export
  const open = await createSessionFixture(tdb.db, { tree, slips: 3 });
  await castBallot(tdb.db, open.tokens[0] as string, validAnswers('satisfied'));
  s.open = open.sessionId;
  s.void = (await createSessionFixture(tdb.db, { tree, status: 'void' })).sessionId;
});

afterAll(async () => {
  await app?.close();
  await tdb?.close();
});

interface CaseDbRow {
  id: number;
  year: number;
  title: string;
  township: string;
  village: string;
  types: string[];
  state: string;
  deadline: string;
  grade: string | null;
  problems: number;
  open: number;
  previous: number | null;
  updatedAt: Date;
}

async function casesFromDb(regionId: number, where = sql`true`): Promise<CaseDbRow[]> {
  const { rows } = await sql<CaseDbRow>`
    select c.id, k.year, k.title, t.name as township, v.name as village, c.types, c.state,
      to_char(c.deadline, 'YYYY-MM-DD') as deadline, c.fortress_grade as grade,
      (select count(*)::int from case_problem p where p.case_id = c.id) as problems,
      (select count(*)::int from case_problem p where p.case_id = c.id and p.status = 'open') as open,
      c.previous_case_id as previous, c.updated_at as "updatedAt"
    from rectification_case c
    join campaign k on k.id = c.campaign_id
    join region v on v.id = c.village_id
    join region t on t.id = v.parent_id
    where v.path @> array[${regionId}]::int[] and ${where}
    order by c.id`.execute(tdb.db);
  return rows;
}

/** The light is computed (not stored): the export must show what the case list shows. */
async function lights(who: Caller): Promise<Map<number, { color: string; reason: string }>> {
  const list = await call(app, who, 'GET', '/api/cases');
  expect(list.status).toBe(200);
  return new Map(list.body.cases.map((c: { id: number; light: { color: string; reason: string } }) => [c.id, c.light]));
}

function expectedCaseRow(r: CaseDbRow, light: { color: string; reason: string }): Cell[] {
  return [
    r.id,
    r.year,
    r.title,
    r.township,
    r.village,
    r.types.join('、'),
    STATE_LABEL[r.state] as string,
    LIGHT[light.color] as string,
    light.reason,
    day(r.deadline),
    r.grade ? (GRADE[r.grade] as string) : null,
    r.problems,
    r.open,
    r.previous,
    china(r.updatedAt),
  ];
}

const byId = (rows: Cell[][]) => [...rows].sort((a, b) => (a[0] as number) - (b[0] as number));

describe('GET /api/exports/cases.xlsx', () => {
  it('is a spreadsheet download with a Chinese file name and an ASCII fallback', async () => {
    const res = await download(cast.county, '/api/exports/cases.xlsx');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe(XLSX);
    expect(res.headers['content-disposition']).toMatch(
      /^attachment; filename="cases_\d{4}-\d{2}-\d{2}\.xlsx"; filename\*=UTF-8''%E6%95%B4%E9%A1%BF%E6%A1%88%E4%BB%B6%E6%B8%85%E5%8D%95_\d{4}-\d{2}-\d{2}\.xlsx$/,
    );
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
    const ws = wb.getWorksheet('整顿案件')!;
    expect(ws.getRow(1).font?.bold).toBe(true);
    expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    expect(ws.getColumn(3).width).toBeGreaterThan(10);
    expect(ws.getRow(2).getCell(10).numFmt).toBe('yyyy-mm-dd');
  });

  it("holds every case of the caller's county, cell for cell as in the database", async () => {
    const { 整顿案件: rows, 问题清单: problems } = await sheets(cast.county, '/api/exports/cases.xlsx');
    const db = await casesFromDb(cast.tree.county);
    const light = await lights(cast.county);
    expect(rows![0]).toEqual([
      '案件编号',
      '年度',
      '整顿工作',
      '乡镇',
      '村',
      '整顿类型',
      '当前状态',
      '亮灯',
      '亮灯原因',
      '整改期限',
      '堡垒指数',
      '问题数',
      '未销号问题',
      '上一轮案件',
      '最近更新',
    ]);
    expect(db.map((r) => r.id)).toEqual([ids.cases.late, ids.cases.onTime, ids.cases.old, ids.cases.relisted]);
    expect(byId(rows!.slice(1))).toEqual(db.map((r) => expectedCaseRow(r, light.get(r.id)!)));
    // red first, and the computed lights are what the deadlines say
    expect(rows![1]![0]).toBe(ids.cases.late);
    expect(light.get(ids.cases.late)!.color).toBe('red');
    expect(light.get(ids.cases.onTime)).toEqual({ color: 'green', reason: '按期推进' });

    const { rows: dbProblems } = await sql<{
      caseId: number;
      township: string;
      village: string;
      description: string;
      owner: string;
      deadline: string;
      status: string;
      doneAt: Date | null;
    }>`
      select p.case_id as "caseId", t.name as township, v.name as village, p.description, p.owner,
        to_char(p.deadline, 'YYYY-MM-DD') as deadline, p.status, p.done_at as "doneAt"
      from case_problem p join rectification_case c on c.id = p.case_id
      join region v on v.id = c.village_id join region t on t.id = v.parent_id
      where v.path @> array[${cast.tree.county}]::int[] order by p.case_id, p.id`.execute(tdb.db);
    expect(problems![0]).toEqual(['案件编号', '乡镇', '村', '问题', '责任人', '整改时限', '状态', '销号时间']);
    expect(problems!.slice(1)).toEqual(
      dbProblems.map((p) => [
        p.caseId,
        p.township,
        p.village,
        p.description,
        p.owner,
        day(p.deadline),
        p.status === 'done' ? '已销号' : '未销号',
        p.doneAt ? china(p.doneAt) : null,
      ]),
    );
    expect(problems!.length).toBe(4);
  });

  it('applies the case list filters', async () => {
    const { 整顿案件: rows } = await sheets(
      cast.county,
      `/api/exports/cases.xlsx?year=2025&townshipId=${cast.tree.township}`,
    );
    const db = await casesFromDb(cast.tree.county, sql`k.year = 2025 and t.id = ${cast.tree.township}`);
    expect(db.map((r) => r.id)).toEqual([ids.cases.late, ids.cases.relisted]);
    const light = await lights(cast.county);
    expect(byId(rows!.slice(1))).toEqual(db.map((r) => expectedCaseRow(r, light.get(r.id)!)));
    const listed = await sheets(cast.county, '/api/exports/cases.xlsx?state=listed');
    expect(byId(listed['整顿案件']!.slice(1)).map((r) => r[0])).toEqual([ids.cases.onTime, ids.cases.relisted]);
  });

  it("shows another county none of this county's cases, and a township only its own", async () => {
    const other = await sheets(otherCounty, '/api/exports/cases.xlsx');
    expect(other['整顿案件']!.slice(1).map((r) => r[0])).toEqual([ids.cases.otherCounty]);
    expect(other['问题清单']!.slice(1).map((r) => r[3])).toEqual(['乙县的问题']);
    const township = await sheets(cast.township, '/api/exports/cases.xlsx');
    expect(byId(township['整顿案件']!.slice(1)).map((r) => r[0])).toEqual([
      ids.cases.late,
      ids.cases.old,
      ids.cases.relisted,
    ]);
  });
});

interface SessionDbRow {
  id: number;
  township: string;
  village: string;
  title: string;
  kind: keyof typeof KIND;
  status: string;
  residents: number;
  issued: number;
  closedAt: Date;
  hash: string;
  caseId: number | null;
  ballots: number;
  online: number;
  paper: number;
  used: number;
}

async function sessionsFromDb(ids: number[]): Promise<SessionDbRow[]> {
  const { rows } = await sql<SessionDbRow>`
    select s.id, t.name as township, v.name as village, s.title, s.kind, s.status,
      s.residents_present as residents, s.issued_count as issued, s.closed_at as "closedAt",
      encode(s.result_hash, 'hex') as hash, s.case_id as "caseId",
      (select count(*)::int from ballot b where b.session_id = s.id) as ballots,
      (select coalesce(sum(online), 0)::int from turnout_shard o where o.session_id = s.id) as online,
      (select coalesce(sum(paper), 0)::int from turnout_shard o where o.session_id = s.id) as paper,
      (select count(*)::int from slip l where l.session_id = s.id and l.used) as used
    from evaluation_session s join region v on v.id = s.village_id join region t on t.id = v.parent_id
    where s.id = any(${ids}::int[]) order by s.id`.execute(tdb.db);
  return rows;
}

/** Gate answers straight from the ballots: option → count. */
async function answerCounts(sessionId: number, question: string): Promise<Record<string, number>> {
  const { rows } = await sql<{ option: string; n: number }>`
    select answers ->> ${question} as option, count(*)::int as n from ballot
    where session_id = ${sessionId} and answers ? ${question} group by 1`.execute(tdb.db);
  return Object.fromEntries(rows.map((r) => [r.option, r.n]));
}

const RULE = '满意人数（满意＋基本满意）须大于在村人数的一半（恰好一半不通过）；“不了解”不计为满意';

async function expectedSessionRow(r: SessionDbRow): Promise<Cell[]> {
  const gate = await answerCounts(r.id, 'q1');
  const satisfied = (gate.satisfied ?? 0) + (gate.basic ?? 0);
  const need = Math.floor(r.residents / 2) + 1;
  const outcome = satisfied >= need ? 'pass' : 'fail';
  return [
    r.id,
    r.township,
    r.village,
    r.title,
    KIND[r.kind],
    STATUS[r.status] as string,
    r.residents,
    r.issued,
    r.used,
    r.ballots,
    r.online,
    r.paper,
    satisfied,
    OUTCOME[outcome] as string,
    RULE,
    Math.max(0, need - satisfied),
    china(r.closedAt),
    r.hash,
    r.caseId,
  ];
}

async function expectedOptionRows(r: SessionDbRow): Promise<Cell[][]> {
  const rows: Cell[][] = [];
  for (const [i, q] of defaultQuestionnaire().questions.entries()) {
    if (q.type !== 'choice') continue;
    const counts = await answerCounts(r.id, q.id);
    const total = Object.values(counts).reduce((a, b) => a + b, 0);
    for (const o of q.options) {
      const n = counts[o.id] ?? 0;
      rows.push([r.id, r.village, r.title, i + 1, q.text, o.label, n, Number(percentText(n, total))]);
    }
  }
  return rows;
}

describe('GET /api/exports/sessions.xlsx', () => {
  it('holds every closed session of the county, each count re-read from the ballots, and no open or void one', async () => {
    const res = await download(cast.county, '/api/exports/sessions.xlsx');
    expect(res.headers['content-type']).toBe(XLSX);
    expect(res.headers['content-disposition']).toMatch(
      /^attachment; filename="sessions_[\d-]+\.xlsx"; filename\*=UTF-8''/,
    );
    const { 测评结果: rows, 分题统计: options } = await sheets(cast.county, '/api/exports/sessions.xlsx');
    expect(rows![0]).toEqual([
      '编号',
      '乡镇',
      '村',
      '测评名称',
      '类型',
      '状态',
      '在村人数',
      '发放',
      '已用',
      '有效票',
      '线上',
      '纸质',
      '满意人数',
      '判定',
      '判定规则',
      '还差人数',
      '结束时间',
      '结果指纹',
      '案件编号',
    ]);
    const db = await sessionsFromDb([ids.sessions.passed, ids.sessions.failed]);
    const expected = await Promise.all(db.map(expectedSessionRow));
    expect(byId(rows!.slice(1))).toEqual(expected);
    expect(expected.map((r) => r[13])).toEqual(['通过', '未通过']);
    expect(expected.map((r) => r[15])).toEqual([0, 4]);

    expect(options![0]).toEqual(['测评编号', '村', '测评名称', '题号', '题目', '选项', '票数', '占比(%)']);
    const expectedOptions = (await Promise.all(db.map(expectedOptionRows))).flat();
    expect([...options!.slice(1)].sort((a, b) => (a[0] as number) - (b[0] as number))).toEqual(expectedOptions);
    // ten questions of four options and the identity question of three, per session
    expect(expectedOptions.length).toBe(2 * 43);
    const ids_ = new Set(options!.slice(1).map((r) => r[0]));
    expect(ids_.has(ids.sessions.open) || ids_.has(ids.sessions.void)).toBe(false);
  });

  it('filters by campaign and by the year of closing', async () => {
    const campaign = await sql<{
      id: number;
    }>`select campaign_id as id from rectification_case where id = ${ids.cases.late}`.execute(tdb.db);
    const byCampaign = await sheets(cast.county, `/api/exports/sessions.xlsx?campaignId=${campaign.rows[0]!.id}`);
    expect(byCampaign['测评结果']!.slice(1).map((r) => r[0])).toEqual([ids.sessions.passed]);
    const in2025 = await sheets(cast.county, '/api/exports/sessions.xlsx?year=2025');
    expect(in2025['测评结果']!.slice(1).map((r) => r[0])).toEqual([ids.sessions.failed]);
    expect(new Set(in2025['分题统计']!.slice(1).map((r) => r[0]))).toEqual(new Set([ids.sessions.failed]));
  });

  it("shows another county only its own sessions and a village secretary only the village's", async () => {
    const other = await sheets(otherCounty, '/api/exports/sessions.xlsx');
    expect(other['测评结果']!.slice(1).map((r) => r[0])).toEqual([ids.sessions.otherCounty]);
    const village = await sheets(cast.village, '/api/exports/sessions.xlsx');
    expect(village['测评结果']!.slice(1).map((r) => r[0])).toEqual([ids.sessions.passed]);
  });
});

describe('who may export', () => {
  it.each(['/api/exports/cases.xlsx', '/api/exports/sessions.xlsx'])(
    '%s: 401 without login, 403 for an admin',
    async (url) => {
      expect(await call(app, null, 'GET', url)).toEqual({
        status: 401,
        body: { statusCode: 401, code: 'UNAUTHENTICATED', error: 'Unauthorized', message: '请先登录' },
      });
      expect(await call(app, cast.admin, 'GET', url)).toEqual({
        status: 403,
        body: { statusCode: 403, code: 'FORBIDDEN', error: 'Forbidden', message: '您的角色无权执行此操作' },
      });
    },
  );

  it('refuses an unknown filter with 400', async () => {
    const res = await call(app, cast.county, 'GET', '/api/exports/sessions.xlsx?year=abc');
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
  });
});

describe('the OpenAPI document', () => {
  it('describes both exports as XLSX binaries', async () => {
    const docs = await call(app, null, 'GET', '/api/docs');
    for (const path of ['/api/exports/cases.xlsx', '/api/exports/sessions.xlsx']) {
      const get = docs.body.paths[path].get;
      expect(get.responses['200'].content).toEqual({
        [XLSX]: { schema: { type: 'string', format: 'binary', description: 'XLSX 工作簿（附件下载）' } },
      });
    }
    const params = docs.body.paths['/api/exports/sessions.xlsx'].get.parameters.map((p: { name: string }) => p.name);
    expect(params).toEqual(['campaignId', 'year']);
  });
});
