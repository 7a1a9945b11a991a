// 负向测评 over HTTP (issue 10 item 3): the county sets up its yearly negative list; the township
// screens each village graded 弱村, marking every item with evidence; the weights of the present
// items give the risk level and a proposal (软弱涣散村 / 重点防控村 with its level / none), each with
// the rule in words; bad input is refused in Chinese and changes nothing; scope is the subtree.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorBody, forbidden, notFound } from '../../server/errors.ts';
import { buildTestApp } from '../helpers/app.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { createOfficial, createRegion, createTree } from '../helpers/factories.ts';
import { gradeVillage } from '../helpers/grading.ts';
import { call, createCast, type Caller, type Cast } from '../helpers/officials-api.ts';
import { databaseDigest, sessionFor } from '../helpers/world.ts';

let tdb: TestDatabase;
let app: FastifyInstance;
let cast: Cast;
let otherCounty: Caller;
let list: ListBody;

const YEAR = 2040;
const NOT_FOUND = errorBody(notFound());
const FORBIDDEN = errorBody(forbidden());
const FOR_WHOM = '负向测评针对评定为弱村的村，以及县委组织部据部门报送启动排查的村';

interface ListBody {
  id: number;
  items: { id: number; type: string; title: string; weight: number }[];
  highMin: number;
  middleMin: number;
}

beforeAll(async () => {
  tdb = await createTestDatabase();
  app = await buildTestApp(tdb.db);
  cast = await createCast(tdb.db);
  const elsewhere = await createTree(tdb.db);
  const official = await createOfficial(tdb.db, 'county', elsewhere.county);
  otherCounty = { ...official, cookie: await sessionFor(tdb.db, official.id) };
  const res = await call(app, cast.county, 'POST', '/api/risk/lists', {
    regionId: cast.tree.county,
    year: YEAR,
    from: 'defaults',
  });
  expect(res.status).toBe(201);
  list = res.body as ListBody;
});

afterAll(async () => {
  await app.close();
  await tdb.close();
});

async function refused(who: Caller | null, method: 'POST' | 'PUT', url: string, payload: unknown) {
  const before = await databaseDigest(tdb.db);
  const res = await call(app, who, method, url, payload);
  expect(await databaseDigest(tdb.db)).toEqual(before);
  return res;
}

/** Marks with the titled items present (evidence given), every other item absent. */
function marks(present: string[]) {
  for (const t of present) expect(list.items.map((i) => i.title)).toContain(t);
  return list.items.map((i) => ({
    itemId: i.id,
    present: present.includes(i.title),
    evidence: present.includes(i.title) ? `${i.title}：乡镇走访记录` : '',
  }));
}

async function weakVillage(): Promise<number> {
  const village = await createRegion(tdb.db, 'village', cast.tree.township);
  await gradeVillage(tdb.db, village, YEAR, 'weak');
  return village;
}

const screen = (village: number, body: unknown, who: Caller = cast.township) =>
  call(app, who, 'POST', `/api/risk/villages/${village}/screenings`, body);

describe('the negative list', () => {
  it('starts from the labelled defaults: the four types and the source’s examples, 8 / 4', () => {
    expect(list).toMatchObject({
      regionId: cast.tree.county,
      year: YEAR,
      highMin: 8,
      middleMin: 4,
      usedBy: 0,
      editable: true,
    });
    expect(new Set(list.items.map((i) => i.type))).toEqual(
      new Set(['party_building', 'integrity', 'governance', 'revitalization']),
    );
    expect(list.items.map((i) => i.title)).toEqual(
      expect.arrayContaining(['村党组织政治功能不强', '矛盾纠纷多发频发', '移风易俗推进滞后']),
    );
  });

  it('is read by township and city, edited by the county until used, then only reworded', async () => {
    const copy = await call(app, cast.county, 'POST', '/api/risk/lists', {
      regionId: cast.tree.county,
      year: YEAR + 1,
      from: 'previous',
    });
    expect(copy.status).toBe(201);
    expect(copy.body.items).toHaveLength(list.items.length);
    const seen = await call(app, cast.township, 'GET', `/api/risk/list?year=${YEAR + 1}`);
    expect(seen.body).toMatchObject({ list: { id: copy.body.id, editable: false }, previousYear: YEAR });
    const items = copy.body.items.map(({ id: _id, ...rest }: { id: number }) => rest);
    const edited = await call(app, cast.county, 'PUT', `/api/risk/lists/${copy.body.id}`, {
      highMin: 6,
      middleMin: 3,
      items: [...items, { type: 'governance', title: '新增：安全生产隐患突出', weight: 2 }],
    });
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({ highMin: 6, middleMin: 3 });
    expect(edited.body.ruleText).toContain('6 分及以上为高风险');
    expect(await refused(cast.city, 'PUT', `/api/risk/lists/${copy.body.id}`, edited.body)).toEqual({
      status: 403,
      body: FORBIDDEN,
    });
    // used once, its weights and thresholds stay
    const village = await createRegion(tdb.db, 'village', cast.tree.township);
    await gradeVillage(tdb.db, village, YEAR + 1, 'weak');
    const all = edited.body.items.map((i: { id: number }) => ({ itemId: i.id, present: false, evidence: '' }));
    expect((await screen(village, { year: YEAR + 1, marks: all })).status).toBe(201);
    const body = { highMin: 6, middleMin: 3, items: edited.body.items };
    expect(await refused(cast.county, 'PUT', `/api/risk/lists/${copy.body.id}`, { ...body, highMin: 7 })).toMatchObject(
      {
        status: 409,
        body: { code: 'INVALID_STATE', message: expect.stringMatching(/^已有 1 个村按本清单排查/u) },
      },
    );
    const reworded = body.items.map((i: { title: string }, n: number) =>
      n === 0 ? { ...i, title: '政治功能弱化' } : i,
    );
    const ok = await call(app, cast.county, 'PUT', `/api/risk/lists/${copy.body.id}`, { ...body, items: reworded });
    expect(ok.body.items[0].title).toBe('政治功能弱化');
  });

  it('refuses bad lists in Chinese and changes nothing; out of the subtree is 404', async () => {
    const base = { highMin: 8, middleMin: 4, items: list.items };
    const put = (who: Caller, body: unknown) => refused(who, 'PUT', `/api/risk/lists/${list.id}`, body);
    expect(await put(cast.county, { ...base, highMin: 4 })).toMatchObject({
      status: 400,
      body: { code: 'VALIDATION_FAILED', message: '高风险分数线须高于中风险分数线' },
    });
    expect(await put(cast.county, { ...base, items: [{ type: 'integrity', title: '甲', weight: 11 }] })).toMatchObject({
      status: 400,
      body: { message: '字段 items.0.weight：不能大于 10' },
    });
    expect(await put(cast.county, { ...base, items: [{ type: 'other', title: '甲', weight: 1 }] })).toMatchObject({
      status: 400,
    });
    expect(await put(otherCounty, base)).toEqual({ status: 404, body: NOT_FOUND });
    expect(
      await refused(cast.township, 'POST', '/api/risk/lists', {
        regionId: cast.tree.county,
        year: 2050,
        from: 'defaults',
      }),
    ).toEqual({
      status: 403,
      body: FORBIDDEN,
    });
  });
});

describe('screening a weak village', () => {
  it('gives the level and the proposal at every threshold, with the rule in words', async () => {
    const cases: [string[], number, string, string, number | null, string][] = [
      [[], 0, 'low', 'none', null, '建议：不作认定'],
      [
        ['移风易俗推进滞后', '人居环境整治滞后', '“四议两公开”落实不到位'],
        4 - 0,
        'middle',
        'prevent',
        2,
        '建议：重点防控村（二级防控）',
      ],
      [
        ['移风易俗推进滞后', '人居环境整治滞后', '产业发展缓慢'],
        4,
        'middle',
        'prevent',
        3,
        '建议：重点防控村（三级防控）',
      ],
      [['移风易俗推进滞后', '产业发展缓慢'], 3, 'low', 'none', null, '建议：不作认定'],
      [
        ['矛盾纠纷多发频发', '党务、村务、财务公开不规范', '党员队伍老化、后备力量不足', '移风易俗推进滞后'],
        7,
        'middle',
        'prevent',
        1,
        '建议：重点防控村（一级防控）',
      ],
      [
        ['村党组织政治功能不强', '矛盾纠纷多发频发', '党员队伍老化、后备力量不足', '移风易俗推进滞后'],
        8,
        'high',
        'rectify',
        null,
        '建议：软弱涣散村（列入整顿）',
      ],
    ];
    for (const [present, score, level, outcome, preventionLevel, proposalText] of cases) {
      const village = await weakVillage();
      const res = await screen(village, { year: YEAR, marks: marks(present) });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      expect(res.body.current).toMatchObject({
        trigger: 'weak_grade',
        score,
        level,
        outcome,
        preventionLevel,
        proposalText,
      });
      expect(res.body.current.ruleText).toContain('8 分及以上为高风险');
      expect(res.body.grade).toMatchObject({ grade: 'weak', gradeLabel: '弱村' });
      expect(res.body.current.gradeId).toBe(res.body.grade.id);
    }
  });

  it('keeps every screening, marks and evidence, lists the weak villages, and lets the secretary read their own', async () => {
    await gradeVillage(tdb.db, cast.tree.village, YEAR, 'weak');
    await screen(cast.tree.village, { year: YEAR, marks: marks(['矛盾纠纷多发频发']) });
    const second = await screen(cast.tree.village, { year: YEAR, marks: marks(['矛盾纠纷多发频发', '信访问题突出']) });
    expect(second.body.current).toMatchObject({
      score: 5,
      level: 'middle',
      types: ['governance'],
      levelLabel: '中风险',
    });
    expect(second.body.history).toHaveLength(1);
    const mark = second.body.current.marks.find((m: { present: boolean }) => m.present);
    expect(mark.evidence).toMatch(/走访记录$/u);
    const listed = await call(app, cast.township, 'GET', `/api/risk/villages?year=${YEAR}`);
    expect(listed.body).toMatchObject({ year: YEAR, list: { id: list.id }, mayScreen: true });
    const row = listed.body.villages.find((v: { villageId: number }) => v.villageId === cast.tree.village);
    expect(row).toMatchObject({ grade: { grade: 'weak' }, screening: { score: 5, outcome: 'prevent' } });
    // a village graded 中等村 is not on the list
    const middle = await createRegion(tdb.db, 'village', cast.tree.township);
    await gradeVillage(tdb.db, middle, YEAR, 'middle');
    const again = await call(app, cast.county, 'GET', `/api/risk/villages?year=${YEAR}`);
    expect(again.body.villages.some((v: { villageId: number }) => v.villageId === middle)).toBe(false);
    const own = await call(app, cast.village, 'GET', `/api/risk/villages/${cast.tree.village}?year=${YEAR}`);
    expect(own.body).toMatchObject({ current: { score: 5 }, mayScreen: false });
  });

  it('refuses a village not graded 弱村, bad marks and missing evidence in Chinese, changing nothing', async () => {
    const middle = await createRegion(tdb.db, 'village', cast.tree.township);
    await gradeVillage(tdb.db, middle, YEAR, 'middle');
    expect(
      await refused(cast.township, 'POST', `/api/risk/villages/${middle}/screenings`, { year: YEAR, marks: marks([]) }),
    ).toMatchObject({
      status: 409,
      body: { message: `该村 ${YEAR} 年度堡垒指数为中等村：${FOR_WHOM}` },
    });
    const ungraded = await createRegion(tdb.db, 'village', cast.tree.township);
    expect(
      await refused(cast.township, 'POST', `/api/risk/villages/${ungraded}/screenings`, {
        year: YEAR,
        marks: marks([]),
      }),
    ).toMatchObject({
      status: 409,
      body: { message: `该村尚无 ${YEAR} 年度的堡垒指数评分：${FOR_WHOM}` },
    });
    const weak = await weakVillage();
    const url = `/api/risk/villages/${weak}/screenings`;
    const noEvidence = marks(['矛盾纠纷多发频发']).map((m) => (m.present ? { ...m, evidence: ' ' } : m));
    expect(await refused(cast.township, 'POST', url, { year: YEAR, marks: noEvidence })).toMatchObject({
      status: 400,
      body: { code: 'VALIDATION_FAILED', message: '“矛盾纠纷多发频发”标为存在，须填写依据' },
    });
    expect(await refused(cast.township, 'POST', url, { year: YEAR, marks: marks([]).slice(1) })).toMatchObject({
      status: 400,
      body: { message: expect.stringMatching(/尚未标记：每一项都须标为存在或不存在$/u) },
    });
    expect(await refused(cast.township, 'POST', url, { year: YEAR + 20, marks: marks([]) })).toMatchObject({
      status: 409,
      body: { message: `本县 ${YEAR + 20} 年度尚未制定负面清单，请县委组织部先制定` },
    });
  });

  it('lets only the township screen, and only its own villages', async () => {
    const weak = await weakVillage();
    const url = `/api/risk/villages/${weak}/screenings`;
    const body = { year: YEAR, marks: marks([]) };
    expect(await refused(cast.otherTownship, 'POST', url, body)).toEqual({ status: 404, body: NOT_FOUND });
    expect(await refused(otherCounty, 'POST', url, body)).toEqual({ status: 404, body: NOT_FOUND });
    expect(await refused(cast.county, 'POST', url, body)).toEqual({ status: 403, body: FORBIDDEN });
    expect(await refused(cast.city, 'POST', url, body)).toEqual({ status: 403, body: FORBIDDEN });
    expect((await refused(null, 'POST', url, body)).status).toBe(401);
    expect(await call(app, otherCounty, 'GET', `/api/risk/villages/${weak}?year=${YEAR}`)).toEqual({
      status: 404,
      body: NOT_FOUND,
    });
    expect(await call(app, cast.village, 'GET', `/api/risk/villages/${weak}?year=${YEAR}`)).toEqual({
      status: 404,
      body: NOT_FOUND,
    });
  });
});

describe('screening for a department report (因部门报送排查)', () => {
  let department: Caller;

  /** A report about the village filed by the county's department, then decided by the county. */
  async function reportAbout(village: number, decision: 'request-screening' | 'dismiss' | null): Promise<number> {
    department ??= await (async () => {
      const official = await createOfficial(tdb.db, 'department', cast.tree.county);
      return { ...official, cookie: await sessionFor(tdb.db, official.id) };
    })();
    const res = await call(app, department, 'POST', '/api/dept-reports', {
      villageId: village,
      category: 'petition',
      description: '该村近期群众集体信访，反映土地补偿款分配不公开',
      eventDate: new Date().toISOString().slice(0, 10),
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const id = (res.body as { id: number }).id;
    if (decision) {
      const body = decision === 'dismiss' ? { text: '经核实不属村党组织问题' } : undefined;
      expect((await call(app, cast.county, 'POST', `/api/dept-reports/${id}/${decision}`, body)).status).toBe(200);
    }
    return id;
  }

  it('screens a village graded 中等村 for a requested report, with the report and no grade', async () => {
    const village = await createRegion(tdb.db, 'village', cast.tree.township);
    await gradeVillage(tdb.db, village, YEAR, 'middle');
    const reportId = await reportAbout(village, 'request-screening');
    const view = await call(app, cast.township, 'GET', `/api/risk/villages/${village}?year=${YEAR}`);
    expect(view.body).toMatchObject({
      mayScreen: true,
      blocked: null,
      reports: [{ id: reportId, department: '信访', categoryLabel: '信访矛盾', answered: false }],
    });
    // the village secretary reads the screening page of their village, not the department's reports
    const own = await reportAbout(cast.tree.village, 'request-screening');
    const mine = `/api/risk/villages/${cast.tree.village}?year=${YEAR}`;
    expect((await call(app, cast.township, 'GET', mine)).body.reports).toMatchObject([{ id: own }]);
    expect((await call(app, cast.village, 'GET', mine)).body.reports).toEqual([]);
    // without the report the village is no 弱村: refused
    expect(
      await refused(cast.township, 'POST', `/api/risk/villages/${village}/screenings`, {
        year: YEAR,
        marks: marks([]),
      }),
    ).toMatchObject({ status: 409, body: { message: `该村 ${YEAR} 年度堡垒指数为中等村：${FOR_WHOM}` } });
    const row = async () =>
      (await call(app, cast.township, 'GET', `/api/risk/villages?year=${YEAR}`)).body.villages.find(
        (v: { villageId: number }) => v.villageId === village,
      );
    expect(await row()).toMatchObject({ grade: { grade: 'middle' }, screening: null, requestedReports: 1 });
    const res = await screen(village, { year: YEAR, reportId, marks: marks(['信访问题突出']) });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(await row()).toMatchObject({ screening: { trigger: 'report' }, requestedReports: 0 });
    expect(res.body.current).toMatchObject({ trigger: 'report', reportId, gradeId: null, score: 2, level: 'low' });
    expect(res.body.reports).toMatchObject([{ id: reportId, answered: true }]);
    const stored = await tdb.db
      .selectFrom('risk_screening')
      .select(['trigger', 'report_id', 'grade_id'])
      .where('id', '=', res.body.current.id)
      .executeTakeFirstOrThrow();
    expect(stored).toEqual({ trigger: 'report', report_id: reportId, grade_id: null });
    // the report shows the screening that answered it
    const report = await call(app, department, 'GET', `/api/dept-reports/${reportId}`);
    expect(report.body.screenings).toMatchObject([
      { id: res.body.current.id, villageId: village, year: YEAR, levelLabel: '低风险' },
    ]);
  });

  it('screens an ungraded village for a requested report too', async () => {
    const village = await createRegion(tdb.db, 'village', cast.tree.township);
    const reportId = await reportAbout(village, 'request-screening');
    const res = await screen(village, { year: YEAR, reportId, marks: marks([]) });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({ grade: null, current: { trigger: 'report', reportId, gradeId: null } });
  });

  it('refuses a report still waiting or dismissed, and one about another village, changing nothing', async () => {
    const village = await createRegion(tdb.db, 'village', cast.tree.township);
    await gradeVillage(tdb.db, village, YEAR, 'middle');
    const url = `/api/risk/villages/${village}/screenings`;
    const waiting = await reportAbout(village, null);
    expect(
      await refused(cast.township, 'POST', url, { year: YEAR, reportId: waiting, marks: marks([]) }),
    ).toMatchObject({
      status: 409,
      body: { code: 'INVALID_STATE', message: '该报送尚未由县委组织部启动排查（待处理），不能据此排查' },
    });
    const dismissed = await reportAbout(village, 'dismiss');
    expect(
      await refused(cast.township, 'POST', url, { year: YEAR, reportId: dismissed, marks: marks([]) }),
    ).toMatchObject({ status: 409, body: { message: '该报送已被县委组织部驳回，不能据此排查' } });
    const elsewhere = await createRegion(tdb.db, 'village', cast.tree.township);
    const other = await reportAbout(elsewhere, 'request-screening');
    expect(await refused(cast.township, 'POST', url, { year: YEAR, reportId: other, marks: marks([]) })).toMatchObject({
      status: 400,
      body: { code: 'VALIDATION_FAILED', message: '所选报送不是关于该村的部门报送' },
    });
    const view = await call(app, cast.township, 'GET', `/api/risk/villages/${village}?year=${YEAR}`);
    expect(view.body).toMatchObject({ reports: [], mayScreen: false });
  });

  it('is not done by the department, the county or the city', async () => {
    const village = await createRegion(tdb.db, 'village', cast.tree.township);
    const reportId = await reportAbout(village, 'request-screening');
    const body = { year: YEAR, reportId, marks: marks([]) };
    const url = `/api/risk/villages/${village}/screenings`;
    for (const who of [department, cast.county, cast.city]) {
      expect(await refused(who, 'POST', url, body)).toEqual({ status: 403, body: FORBIDDEN });
    }
  });
});
