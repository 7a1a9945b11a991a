// 认定台账 over HTTP (issue 10 item 7): every village of a region with its 堡垒指数, its latest risk
// screening, the department reports of the year and its decision (none while the township's list is
// a draft); coverage by the screening rule; the annual summary; the XLSX read back; scope is the
// caller's subtree (404 outside it), the village secretary and the departments are refused.
import ExcelJS from 'exceljs';
import type { FastifyInstance } from 'fastify';
import type { KyselyPlugin } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorBody, forbidden, notFound } from '../../server/errors.ts';
import { screeningState } from '../../server/modules/screening/screening.rules.ts';
import { buildTestApp } from '../helpers/app.ts';
import { createCampaign, createCaseAt, recordTransition } from '../helpers/cases.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { createOfficial, createRegion, createTree } from '../helpers/factories.ts';
import { ensureRiskList, gradeVillage } from '../helpers/grading.ts';
import { call, createCast, type Caller, type Cast } from '../helpers/officials-api.ts';
import { sessionFor } from '../helpers/world.ts';

const YEAR = 2041;
let tdb: TestDatabase;
let app: FastifyInstance;
let cast: Cast;
let otherCounty: Caller;
let department: Caller;
/** the villages of cast.tree.township by what they are */
const v = { strong: 0, middle: 0, rectify: 0, prevent: 0, unscreened: 0, ungraded: 0 };
let draftVillage = 0;
let caseId = 0;
let exitedCase = 0;
let approved = 0;

async function caller(role: 'county' | 'department', regionId: number): Promise<Caller> {
  const o = await createOfficial(tdb.db, role, regionId);
  return { ...o, cookie: await sessionFor(tdb.db, o.id) };
}

/** The township screens the weak village with these items present (through the risk API). */
async function screen(village: number, present: string[], who: Caller) {
  const list = (await call(app, cast.county, 'GET', `/api/risk/list?regionId=${cast.tree.county}&year=${YEAR}`)).body
    .list as { items: { id: number; title: string }[] };
  const marks = list.items.map((i) => ({
    itemId: i.id,
    present: present.includes(i.title),
    evidence: present.includes(i.title) ? '乡镇走访记录' : '',
  }));
  const res = await call(app, who, 'POST', `/api/risk/villages/${village}/screenings`, { year: YEAR, marks });
  expect(res.status).toBe(201);
  return res.body.current.id as number;
}

async function report(village: number, eventDate: string) {
  await tdb.db
    .insertInto('department_report')
    .values({
      county_id: cast.tree.county,
      village_id: village,
      department: '信访',
      reported_by: department.id,
      category: 'petition',
      description: '群众反映村务公开不及时，多次上访',
      event_date: eventDate,
    })
    .execute();
}

async function list(township: number, stage: 'draft' | 'proposed' | 'determined' | 'approved', campaignId?: number) {
  const row = await tdb.db
    .insertInto('identification_list')
    .values({
      township_id: township,
      county_id: cast.tree.county,
      year: YEAR,
      stage,
      campaign_id: campaignId ?? null,
      created_by: cast.township.id,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

beforeAll(async () => {
  tdb = await createTestDatabase();
  app = await buildTestApp(tdb.db);
  cast = await createCast(tdb.db);
  otherCounty = await caller('county', (await createTree(tdb.db)).county);
  department = await caller('department', cast.tree.county);
  await ensureRiskList(tdb.db, cast.tree.county, YEAR);
  const t = cast.tree.township;
  const named = (n: string) => createRegion(tdb.db, 'village', t, n);
  v.strong = await named('甲村');
  v.middle = await named('乙村');
  v.rectify = await named('丙村');
  v.prevent = await named('丁村');
  v.unscreened = await named('戊村');
  v.ungraded = cast.tree.village;
  await gradeVillage(tdb.db, v.strong, YEAR, 'strong', 92);
  await gradeVillage(tdb.db, v.middle, YEAR, 'weak');
  await gradeVillage(tdb.db, v.middle, YEAR, 'middle', 70); // the latest scoring counts
  for (const x of [v.rectify, v.prevent, v.unscreened]) await gradeVillage(tdb.db, x, YEAR, 'weak', 41);
  const rectifyScreening = await screen(
    v.rectify,
    ['村党组织政治功能不强', '矛盾纠纷多发频发', '党员队伍老化、后备力量不足', '移风易俗推进滞后'],
    cast.township,
  );
  const preventScreening = await screen(v.prevent, ['信访问题突出', '“四议两公开”落实不到位'], cast.township);
  // another township of the county: a weak village on a list still in draft
  draftVillage = cast.otherVillage;
  await gradeVillage(tdb.db, draftVillage, YEAR, 'weak', 30);
  await screen(draftVillage, [], cast.otherTownship);
  // reports: two of the year about 丙村 (its first and last day), one of the years before and after (not counted)
  await report(v.rectify, `${YEAR}-01-01`);
  await report(v.rectify, `${YEAR}-12-31`);
  await report(v.rectify, `${YEAR - 1}-12-31`);
  await report(v.rectify, `${YEAR + 1}-01-01`);
  // the township's list, approved: 丙村 rectify (its case), 丁村 prevent at level 2, 甲村 none
  const campaign = await createCampaign(tdb.db, cast.tree.county, { year: YEAR });
  caseId = await createCaseAt(tdb.db, { campaignId: campaign, villageId: v.rectify, state: 'listed' });
  approved = await list(t, 'approved', campaign);
  await tdb.db
    .insertInto('identification_entry')
    .values([
      { list_id: approved, village_id: v.rectify, outcome: 'rectify', screening_id: rectifyScreening, case_id: caseId },
      {
        list_id: approved,
        village_id: v.prevent,
        outcome: 'prevent',
        prevention_level: 2,
        screening_id: preventScreening,
      },
      { list_id: approved, village_id: v.strong, outcome: 'none' },
    ])
    .execute();
  const draft = await list(cast.otherTownship.regionId, 'draft');
  await tdb.db
    .insertInto('identification_entry')
    .values({ list_id: draft, village_id: draftVillage, outcome: 'rectify' })
    .execute();
  // a case of an earlier campaign that exited in the year (乙村)
  const earlier = await createCampaign(tdb.db, cast.tree.county, { year: YEAR - 1 });
  exitedCase = await createCaseAt(tdb.db, { campaignId: earlier, villageId: v.middle, state: 'exited' });
  await recordTransition(tdb.db, exitedCase, {
    action: 'county_pass',
    from: 'county_acceptance',
    to: 'exited',
    officialId: cast.county.id,
    role: 'county',
    at: new Date(Date.UTC(YEAR - 1, 11, 31, 17)), // 1 January, 01:00 in China
  });
});

afterAll(async () => {
  await app.close();
  await tdb.close();
});

const get = (who: Caller, regionId: number, path = '') =>
  call(app, who, 'GET', `/api/identification${path}?regionId=${regionId}&year=${YEAR}`);

describe('the register', () => {
  it('lists every village of the township with grade, risk, reports and decision', async () => {
    const res = await get(cast.township, cast.tree.township);
    expect(res.status).toBe(200);
    const row = (id: number) => (res.body.villages as { villageId: number }[]).find((x) => x.villageId === id);
    const base = { townshipId: cast.tree.township, townshipName: expect.any(String), reports: 0 };
    expect(row(v.rectify)).toEqual({
      ...base,
      villageId: v.rectify,
      villageName: '丙村',
      fortress: { score: 41, grade: 'weak' },
      risk: { types: ['party_building', 'governance', 'revitalization'], level: 'high' },
      reports: 2,
      decision: { stage: 'approved', outcome: 'rectify' },
      state: 'screened',
      preventionLevel: null,
      caseId,
      listId: approved,
    });
    expect(row(v.prevent)).toMatchObject({
      risk: { types: ['integrity', 'governance'], level: 'middle' },
      decision: { stage: 'approved', outcome: 'prevent' },
      preventionLevel: 2,
      caseId: null,
    });
    expect(row(v.middle)).toMatchObject({ fortress: { score: 70, grade: 'middle' }, risk: null, decision: null });
    expect(row(v.strong)).toMatchObject({ decision: { stage: 'approved', outcome: 'none' }, state: 'screened' });
    expect(row(v.unscreened)).toMatchObject({ state: 'unscreened_weak', risk: null, decision: null });
    expect(row(v.ungraded)).toMatchObject({ fortress: null, risk: null, state: 'ungraded', decision: null });
    expect(res.body.villages).toHaveLength(6);
    expect(res.body).toMatchObject({
      region: { id: cast.tree.township, level: 'township' },
      year: YEAR,
      coverage: { screened: 4, total: 6 },
    });
  });

  it('gives the county every village, coverage by screeningState per township, a draft list no decision', async () => {
    const res = await get(cast.county, cast.tree.county);
    expect(res.status).toBe(200);
    const rows = res.body.villages as { villageId: number; fortress: { grade: 'weak' } | null; state: string }[];
    expect(rows).toHaveLength(7);
    const drafted = rows.find((x) => x.villageId === draftVillage);
    expect(drafted).toMatchObject({ decision: null, risk: { level: 'low', types: [] }, caseId: null, listId: null });
    // coverage is the screening rule's: a grade, and a screening where weak
    const screenings = await tdb.db
      .selectFrom('risk_screening')
      .select('village_id')
      .where('year', '=', YEAR)
      .execute();
    const screened = new Set(screenings.map((s) => s.village_id));
    const states = rows.map((x) => screeningState(x.fortress?.grade ?? null, screened.has(x.villageId)));
    expect(rows.map((x) => x.state)).toEqual(states);
    expect(res.body.coverage).toEqual({ screened: states.filter((s) => s === 'screened').length, total: 7 });
    expect(res.body.coverage).toEqual({ screened: 5, total: 7 });
    expect(res.body.townships).toHaveLength(2);
    expect(res.body.townships).toEqual(
      expect.arrayContaining([
        { id: cast.tree.township, name: expect.any(String), screened: 4, total: 6 },
        { id: cast.otherTownship.regionId, name: expect.any(String), screened: 1, total: 1 },
      ]),
    );
  });

  it('answers 404 outside the subtree, 403 to a village secretary and a department, 400 for a village', async () => {
    const NOT_FOUND = { status: 404, body: errorBody(notFound()) };
    const FORBIDDEN = { status: 403, body: errorBody(forbidden()) };
    expect(await get(otherCounty, cast.tree.county)).toEqual(NOT_FOUND);
    expect(await get(cast.otherTownship, cast.tree.township)).toEqual(NOT_FOUND);
    expect(await get(cast.township, cast.tree.county)).toEqual(NOT_FOUND);
    expect(await get(cast.village, cast.tree.township)).toEqual(FORBIDDEN);
    expect(await get(department, cast.tree.county)).toEqual(FORBIDDEN);
    for (const path of ['/summary', '.xlsx']) {
      expect(await get(otherCounty, cast.tree.county, path)).toEqual(NOT_FOUND);
      expect(await get(department, cast.tree.county, path)).toEqual(FORBIDDEN);
    }
    expect(await get(cast.county, v.strong)).toMatchObject({ status: 400, body: { code: 'BAD_REQUEST' } });
    const city = await get(cast.city, cast.tree.city);
    expect(city.body.villages).toHaveLength(7);
  });
});

describe('the annual summary', () => {
  it('counts by grade, risk type and level, township; names listed and exited villages; states the rules', async () => {
    const res = await get(cast.county, cast.tree.county, '/summary');
    expect(res.status).toBe(200);
    expect(res.body.total).toEqual({
      villages: 7,
      grade: { strong: 1, middle: 1, weak: 4, none: 1 },
      level: { high: 1, middle: 1, low: 1, none: 4 },
      type: { party_building: 1, integrity: 1, governance: 2, revitalization: 1 },
      outcome: { rectify: 1, prevent: 1, none: 1, undecided: 4 },
      approved: { rectify: 1, prevent: 1, none: 1 },
      reports: 2,
    });
    expect(res.body.townships.map((t: { villages: number }) => t.villages).sort()).toEqual([1, 6]);
    expect(res.body.rectify).toEqual([
      {
        villageId: v.rectify,
        villageName: '丙村',
        townshipName: expect.any(String),
        stage: 'approved',
        level: 'high',
        types: ['party_building', 'governance', 'revitalization'],
        preventionLevel: null,
        caseId,
      },
    ]);
    expect(res.body.prevent).toMatchObject([{ villageId: v.prevent, preventionLevel: 2, level: 'middle' }]);
    expect(res.body.exited).toEqual([
      {
        caseId: exitedCase,
        villageId: v.middle,
        villageName: '乙村',
        townshipName: expect.any(String),
        campaignYear: YEAR - 1,
        exitedOn: `${YEAR}-01-01`,
        riskLevel: null,
      },
    ]);
    expect(res.body.rules).toEqual([
      {
        countyId: cast.tree.county,
        countyName: expect.any(String),
        grading:
          '满分 100 分；总分 85 分及以上为强村，60–84 分为中等村，60 分以下为弱村（等次线由县委组织部设定，可调整）',
        risk: expect.stringMatching(/^存在的负面清单项分值合计 8 分及以上为高风险/u),
      },
    ]);
  });
});

describe('the XLSX', () => {
  it('holds one row per village with the page’s columns, the townships and the rules', async () => {
    const res = await app.inject({
      method: 'GET',
      url: `/api/identification.xlsx?regionId=${cast.tree.county}&year=${YEAR}`,
      headers: { cookie: cast.county.cookie },
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="identification_\d+_2041_/u);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
    expect(wb.worksheets.map((w) => w.name)).toEqual([`${YEAR}年度认定台账`, '按乡镇汇总', '测评规则']);
    const sheet = wb.worksheets[0] as ExcelJS.Worksheet;
    expect(sheet.rowCount).toBe(8);
    const values = (r: ExcelJS.Row) => (r.values as unknown[]).slice(1);
    expect(values(sheet.getRow(1))).toEqual([
      '县',
      '乡镇',
      '村',
      '排查情况',
      '堡垒指数得分',
      '堡垒指数等次',
      '风险等级',
      '风险类型',
      '部门报送（件）',
      '认定阶段',
      '认定结果',
      '防控措施等级',
      '整顿案件编号',
    ]);
    const byName = new Map<string, unknown[]>();
    sheet.eachRow((r, n) => {
      if (n > 1) byName.set(String(r.getCell(3).value), values(r));
    });
    expect((byName.get('丙村') ?? []).slice(3)).toEqual([
      '已排查',
      41,
      '弱村',
      '高风险',
      '基层党建薄弱村、村级治理困难村、乡村振兴滞后村',
      2,
      '常委会已审定',
      '软弱涣散村',
      undefined,
      caseId,
    ]);
    expect((byName.get('丁村') ?? []).slice(9, 12)).toEqual(['常委会已审定', '重点防控村', '二级']);
    expect((byName.get('戊村') ?? []).slice(3, 4)).toEqual(['弱村未排查']);
    const townships = wb.worksheets[1] as ExcelJS.Worksheet;
    expect(townships.rowCount).toBe(3);
    const rules = wb.worksheets[2] as ExcelJS.Worksheet;
    expect(String(rules.getRow(2).getCell(2).value)).toMatch(/^满分 100 分/u);
  });
});

describe('size', () => {
  it('reads a county of 40 villages in as many statements as a county of one', async () => {
    let statements = 0;
    const counter: KyselyPlugin = {
      transformQuery: (args) => {
        statements += 1;
        return args.node;
      },
      transformResult: async (args) => args.result,
    };
    const counted = await buildTestApp(tdb.db.withPlugin(counter));
    const small = await createTree(tdb.db);
    const big = await createTree(tdb.db);
    const towns = [big.township, await createRegion(tdb.db, 'township', big.county)];
    for (let i = 0; i < 40; i++) {
      const village = await createRegion(tdb.db, 'village', towns[i % 2] as number);
      if (i % 4 !== 0) await gradeVillage(tdb.db, village, YEAR, i % 4 === 1 ? 'weak' : 'strong');
    }
    const who = { small: await caller('county', small.county), big: await caller('county', big.county) };
    const count = async (c: Caller, county: number, path: string) => {
      statements = 0;
      const res = await counted.inject({
        method: 'GET',
        url: `/api/identification${path}?regionId=${county}&year=${YEAR}`,
        headers: { cookie: c.cookie },
      });
      expect(res.statusCode).toBe(200);
      return statements;
    };
    try {
      for (const path of ['', '/summary', '.xlsx']) {
        const one = await count(who.small, small.county, path);
        expect(await count(who.big, big.county, path), path).toBe(one);
        expect(one, path).toBeLessThanOrEqual(8);
      }
    } finally {
      await counted.close();
    }
  });
});
