// The inbox (issue 9, item 4): every kind of item a role acts on, scoped to the caller's subtree
// and to what the role may do (who confirms residents, who closes which kind), each linking to
// where it is acted on, with exact counts. Issue 10: the county's 三级认定 lists waiting for 部务会
// or 常委会, the township's list sent back, and the reports the county sent to screening that no
// screening answers yet.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from '../helpers/app.ts';
import { addProblem, createCampaign, createCaseAt } from '../helpers/cases.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { createList, screenVillage } from '../helpers/decisions.ts';
import { createOfficial, createRegion } from '../helpers/factories.ts';
import { ensureRiskList } from '../helpers/grading.ts';
import { call, createCast, type Cast } from '../helpers/officials-api.ts';
import { defaultQuestionnaire } from '../../server/modules/sessions/questionnaire.ts';
import { defaultRuleSet } from '../../server/modules/tallies/tallies.rules.ts';

let tdb: TestDatabase;
let app: FastifyInstance;
let cast: Cast;

const DAY = 86_400_000;
const chinaDay = (at: Date) => new Date(at.getTime() + 8 * 3600_000).toISOString().slice(0, 10);
const today = chinaDay(new Date());
const yesterday = chinaDay(new Date(Date.now() - DAY));
/** the instant today starts in China */
const todayStart = new Date(Date.parse(`${today}T00:00:00Z`) - 8 * 3600_000);
const at = (ms: number) => new Date(todayStart.getTime() + ms);

interface SessionOpts {
  village: number;
  title: string;
  kind?: 'self_evaluation' | 'township_check';
  status: 'draft' | 'open';
  confirmed?: boolean;
  openedAt?: Date;
  scheduledCloseAt?: Date;
}

async function session(o: SessionOpts): Promise<number> {
  const row = await tdb.db
    .insertInto('evaluation_session')
    .values({
      village_id: o.village,
      title: o.title,
      kind: o.kind ?? 'self_evaluation',
      questionnaire: JSON.stringify(defaultQuestionnaire()),
      rules: JSON.stringify(defaultRuleSet()),
      residents_present: 12,
      residents_confirmed_by: o.confirmed || o.status === 'open' ? cast.township.id : null,
      residents_confirmed_at: o.confirmed || o.status === 'open' ? new Date() : null,
      status: o.status,
      opened_at: o.status === 'open' ? (o.openedAt ?? at(60_000)) : null,
      scheduled_close_at: o.scheduledCloseAt ?? null,
      created_by: cast.village.id,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

const ids: Record<string, number> = {};
let v2Name = '';
let v1Name = '';
let otherName = '';

beforeAll(async () => {
  tdb = await createTestDatabase();
  app = await buildTestApp(tdb.db);
  cast = await createCast(tdb.db);
  const v1 = cast.tree.village;
  const v2 = await createRegion(tdb.db, 'village', cast.tree.township, '柳树村');
  const names = await tdb.db.selectFrom('region').select(['id', 'name']).execute();
  const nameOf = (id: number) => names.find((r) => r.id === id)?.name ?? '';
  v1Name = nameOf(v1);
  v2Name = '柳树村';
  otherName = nameOf(cast.otherVillage);
  ids.toConfirm = await session({ village: v1, title: '待确认自评', status: 'draft' });
  await session({ village: v1, title: '已确认草稿', status: 'draft', confirmed: true });
  ids.checkToConfirm = await session({ village: v1, title: '待确认初验', kind: 'township_check', status: 'draft' });
  ids.otherToConfirm = await session({ village: cast.otherVillage, title: '外乡镇待确认', status: 'draft' });
  ids.dueToday = await session({ village: v2, title: '今天结束', status: 'open', scheduledCloseAt: at(60_000) });
  await session({ village: v2, title: '明天结束', status: 'open', scheduledCloseAt: at(DAY + 3600_000) });
  ids.openSinceYesterday = await session({ village: v1, title: '昨天开始', status: 'open', openedAt: at(-3600_000) });
  await session({ village: v1, title: '今天开始', status: 'open', openedAt: at(60_000) });
  ids.overdueClose = await session({
    village: v1,
    title: '昨天应结束',
    status: 'open',
    openedAt: at(-2 * DAY),
    scheduledCloseAt: at(-2 * 3600_000),
  });
  ids.checkOpen = await session({
    village: v1,
    title: '初验进行中',
    kind: 'township_check',
    status: 'open',
    openedAt: at(-3600_000),
  });
  const campaignId = await createCampaign(tdb.db, cast.tree.county, { title: '2026年整顿', createdBy: cast.county.id });
  ids.applied = await createCaseAt(tdb.db, { campaignId, villageId: v2, state: 'applied', deadline: '2099-06-30' });
  ids.overdueProblem = await addProblem(tdb.db, ids.applied, { deadline: yesterday, description: '账目未公开' });
  await addProblem(tdb.db, ids.applied, { deadline: today, description: '今天到期' });
  await addProblem(tdb.db, ids.applied, { deadline: yesterday, status: 'done', description: '已整改' });
  ids.listed = await createCaseAt(tdb.db, { campaignId, villageId: cast.otherVillage, state: 'listed' });
  await addProblem(tdb.db, ids.listed, { deadline: yesterday, description: '外乡镇超期' });
});

afterAll(async () => {
  await app.close();
  await tdb.close();
});

const confirmItem = (id: number, village: string, title: string) => ({
  kind: 'confirm_residents',
  title: `${village}：${title}`,
  detail: '申报在村人数 12 人，核对后再次输入确认，才能开始测评',
  link: `#/sessions/${id}`,
  dueDate: today,
});
const closing = (id: number, village: string, title: string, detail: string, dueDate = today) => ({
  kind: 'closing_today',
  title: `${village}：${title}`,
  detail,
  link: `#/sessions/${id}`,
  dueDate,
});
const overdueItem = (caseId: number, village: string, description: string) => ({
  kind: 'problem_overdue',
  title: `${village}：${description}`,
  detail: `责任人：村党支部；期限 ${yesterday}，已超期 1 天`,
  link: `#/cases/${caseId}`,
  dueDate: yesterday,
});

describe('GET /api/inbox', () => {
  it('gives a township every kind of item in its township, each linking to where it is acted on', async () => {
    const res = await call(app, cast.township, 'GET', '/api/inbox');
    expect(res.status).toBe(200);
    const yesterdayOpen = `${yesterday} 开始，至今未结束，请在测评结束后及时结束并计票`;
    expect(res.body).toEqual({
      items: [
        confirmItem(ids.toConfirm as number, v1Name, '待确认自评'),
        confirmItem(ids.checkToConfirm as number, v1Name, '待确认初验'),
        {
          kind: 'case_waiting',
          title: `${v2Name}：已申请验收`,
          detail: expect.stringMatching(/^2026年整顿；./u),
          link: `#/cases/${ids.applied}`,
          dueDate: '2099-06-30',
        },
        overdueItem(ids.applied as number, v2Name, '账目未公开'),
        closing(
          ids.overdueClose as number,
          v1Name,
          '昨天应结束',
          `原定 ${yesterday} 22:00 结束，仍在进行，请尽快结束`,
          yesterday,
        ),
        closing(ids.openSinceYesterday as number, v1Name, '昨天开始', yesterdayOpen),
        closing(ids.checkOpen as number, v1Name, '初验进行中', yesterdayOpen),
        closing(ids.dueToday as number, v2Name, '今天结束', '定于今天 00:01 结束'),
      ],
      counts: {
        confirm_residents: 2,
        case_waiting: 1,
        problem_overdue: 1,
        closing_today: 4,
        dept_report: 0,
        list_waiting: 0,
        list_returned: 0,
        report_to_screen: 0,
      },
      total: 8,
    });
  });

  it('gives a village secretary only what the village does: no confirmations, no township checks to close', async () => {
    const res = await call(app, cast.village, 'GET', '/api/inbox');
    expect(res.body.counts).toEqual({
      confirm_residents: 0,
      case_waiting: 0,
      problem_overdue: 0,
      closing_today: 2,
      dept_report: 0,
      list_waiting: 0,
      list_returned: 0,
      report_to_screen: 0,
    });
    expect(res.body.items.map((i: { link: string }) => i.link)).toEqual([
      `#/sessions/${ids.overdueClose}`,
      `#/sessions/${ids.openSinceYesterday}`,
    ]);
  });

  it('keeps another township to its own villages, and gives the county all of them with its own case steps', async () => {
    const other = await call(app, cast.otherTownship, 'GET', '/api/inbox');
    expect(other.body).toEqual({
      items: [
        confirmItem(ids.otherToConfirm as number, otherName, '外乡镇待确认'),
        overdueItem(ids.listed as number, otherName, '外乡镇超期'),
      ],
      counts: {
        confirm_residents: 1,
        case_waiting: 0,
        problem_overdue: 1,
        closing_today: 0,
        dept_report: 0,
        list_waiting: 0,
        list_returned: 0,
        report_to_screen: 0,
      },
      total: 2,
    });
    const county = await call(app, cast.county, 'GET', '/api/inbox');
    expect(county.body.counts).toEqual({
      confirm_residents: 3,
      case_waiting: 1,
      problem_overdue: 2,
      closing_today: 4,
      dept_report: 0,
      list_waiting: 0,
      list_returned: 0,
      report_to_screen: 0,
    });
    expect(county.body.total).toBe(10);
    expect(county.body.items.filter((i: { kind: string }) => i.kind === 'case_waiting')).toEqual([
      expect.objectContaining({ title: `${otherName}：已列入`, link: `#/cases/${ids.listed}` }),
    ]);
  });

  it('is not for an admin or anonymous', async () => {
    expect((await call(app, cast.admin, 'GET', '/api/inbox')).status).toBe(403);
    expect((await call(app, null, 'GET', '/api/inbox')).status).toBe(401);
  });
});

describe('GET /api/inbox: what the identification procedure leaves waiting', () => {
  let c: Cast;
  const l: Record<string, number> = {};
  const r: Record<string, number> = {};
  let year = 0;
  let village = 0;

  /** A step of the list as the decisions service records it. */
  async function stepOf(listId: number, action: string, from: string, to: string, more: Record<string, string> = {}) {
    await tdb.db
      .insertInto('identification_step')
      .values({
        list_id: listId,
        action,
        from_stage: from,
        to_stage: to,
        official_id: c.county.id,
        actor_name: '测试',
        actor_role: action === 'propose' ? 'township' : 'county',
        ...more,
      })
      .execute();
  }
  const PROPOSE = { meeting: '乡镇党委会', meeting_date: '2026-03-01', decision: '同意上报' };
  const DETERMINE = { meeting: '部务会', meeting_date: '2026-03-10', document_no: '组部纪〔2026〕3号' };

  async function report(villageId: number, status: 'submitted' | 'dismissed' | 'screening_requested') {
    const department = await createOfficial(tdb.db, 'department', c.tree.county);
    const row = await tdb.db
      .insertInto('department_report')
      .values({
        county_id: c.tree.county,
        village_id: villageId,
        department: '信访',
        reported_by: department.id,
        category: 'petition',
        description: '群众反映村务公开不及时，多次上访',
        event_date: '2026-02-01',
        status,
        status_changed_at: new Date('2026-02-10T02:00:00Z'),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  }

  beforeAll(async () => {
    c = await createCast(tdb.db);
    year = Number(today.slice(0, 4));
    const rename = (id: number, name: string) =>
      tdb.db.updateTable('region').set({ name }).where('id', '=', id).execute();
    await rename(c.tree.township, '东山镇');
    village = c.tree.village;
    await rename(village, '柳溪村');
    const t3 = await createRegion(tdb.db, 'township', c.tree.county, '南岭乡');
    const t4 = await createRegion(tdb.db, 'township', c.tree.county, '北坡乡');
    const a = await createRegion(tdb.db, 'village', c.tree.township, '甲村');
    const b = await createRegion(tdb.db, 'village', c.tree.township, '乙村');
    await screenVillage(tdb.db, a, 2026, { outcome: 'rectify' });
    await screenVillage(tdb.db, b, 2026, { outcome: 'prevent', preventionLevel: 2 });
    // 东山镇: 2026 proposed (waits for 部务会), 2025 sent back by 部务会 (waits for the township)
    l.proposed = await createList(tdb.db, c.tree.township, 2026, 'proposed', [a, b]);
    await stepOf(l.proposed, 'propose', 'draft', 'proposed', PROPOSE);
    l.returned = await createList(tdb.db, c.tree.township, 2025, 'draft');
    await stepOf(l.returned, 'propose', 'draft', 'proposed', PROPOSE);
    await stepOf(l.returned, 'return', 'proposed', 'draft', { meeting: '部务会', reason: '甲村排查证据不足' });
    await createList(tdb.db, c.tree.township, 2024, 'draft'); // a draft never proposed waits for no one
    // 南岭乡: 2026 determined (waits for 常委会), 2025 sent back by 常委会 to 部务会 (waits for 部务会)
    l.determined = await createList(tdb.db, t3, 2026, 'determined');
    await stepOf(l.determined, 'propose', 'draft', 'proposed', PROPOSE);
    await stepOf(l.determined, 'determine', 'proposed', 'determined', DETERMINE);
    l.backToCounty = await createList(tdb.db, t3, 2025, 'proposed');
    await stepOf(l.backToCounty, 'propose', 'draft', 'proposed', PROPOSE);
    await stepOf(l.backToCounty, 'determine', 'proposed', 'determined', DETERMINE);
    await stepOf(l.backToCounty, 'return', 'determined', 'proposed', { meeting: '常委会', reason: '请补充乙村材料' });
    // 北坡乡: a draft never proposed (waits for no one), an approved list of 2024
    l.draft = await createList(tdb.db, t4, 2026, 'draft');
    const official = await createOfficial(tdb.db, 'township', t4);
    await tdb.db
      .insertInto('identification_list')
      .values({ township_id: t4, county_id: c.tree.county, year: 2024, stage: 'approved', created_by: official.id })
      .execute();
    r.requested = await report(village, 'screening_requested');
    r.answered = await report(village, 'screening_requested');
    r.submitted = await report(village, 'submitted');
    await report(village, 'dismissed');
    await report(c.otherVillage, 'screening_requested');
    const riskList = await ensureRiskList(tdb.db, c.tree.county, 2026);
    await tdb.db
      .insertInto('risk_screening')
      .values({
        list_id: riskList,
        year: 2026,
        village_id: village,
        trigger: 'report',
        report_id: r.answered,
        score: 0,
        high_min: 8,
        middle_min: 4,
        level: 'low',
        outcome: 'none',
        screened_by: c.township.id,
        actor_name: '测试',
      })
      .execute();
  });

  const ofKinds = (body: { items: { kind: string }[] }, kinds: string[]) =>
    body.items.filter((i) => kinds.includes(i.kind));
  const NEW_KINDS = ['list_waiting', 'list_returned', 'report_to_screen'];

  it('gives the county the lists waiting for 部务会 or 常委会, oldest year first, each with what came before', async () => {
    const res = await call(app, c.county, 'GET', '/api/inbox');
    expect(res.status).toBe(200);
    expect(ofKinds(res.body, NEW_KINDS)).toEqual([
      {
        kind: 'list_waiting',
        title: '南岭乡 2025 年度认定名单：待部务会初步认定',
        detail: '名单为空；常委会退回，理由：请补充乙村材料；请部务会初步认定或退回乡镇',
        link: `#/decisions/${l.backToCounty}`,
      },
      {
        kind: 'list_waiting',
        title: '东山镇 2026 年度认定名单：待部务会初步认定',
        detail: '软弱涣散村 1 个、重点防控村 1 个；乡镇党委会 2026-03-01 研究提交；请部务会初步认定或退回乡镇',
        link: `#/decisions/${l.proposed}`,
      },
      {
        kind: 'list_waiting',
        title: '南岭乡 2026 年度认定名单：待常委会审定',
        detail: '名单为空；部务会 2026-03-10 初步认定（组部纪〔2026〕3号）；请常委会审定或退回部务会',
        link: `#/decisions/${l.determined}`,
      },
    ]);
    expect(res.body.counts).toMatchObject({ list_waiting: 3, list_returned: 0, report_to_screen: 0, dept_report: 1 });
  });

  it('gives the township its list sent back with the reason, and the reports it must screen for', async () => {
    const res = await call(app, c.township, 'GET', '/api/inbox');
    expect(ofKinds(res.body, NEW_KINDS)).toEqual([
      {
        kind: 'list_returned',
        title: '东山镇 2025 年度认定名单：已退回乡镇',
        detail: `部务会 ${today} 退回，理由：甲村排查证据不足；请修改后重新经乡镇党委会研究提交`,
        link: `#/decisions/${l.returned}`,
      },
      {
        kind: 'report_to_screen',
        title: '东山镇柳溪村：信访报送（信访矛盾）待排查',
        detail: '县委组织部 2026-02-10 要求对该村开展负向测评，排查依据选“因部门报送排查”',
        link: `#/risk/${village}?year=${year}`,
      },
    ]);
    expect(res.body.counts).toMatchObject({ list_waiting: 0, list_returned: 1, report_to_screen: 1, dept_report: 1 });
    const other = await call(app, c.otherTownship, 'GET', '/api/inbox');
    expect(ofKinds(other.body, NEW_KINDS)).toEqual([
      expect.objectContaining({ kind: 'report_to_screen', link: `#/risk/${c.otherVillage}?year=${year}` }),
    ]);
  });

  it('leaves a city and a village secretary out of both steps', async () => {
    for (const who of [c.city, c.village]) {
      const res = await call(app, who, 'GET', '/api/inbox');
      expect(res.body.counts).toMatchObject({ list_waiting: 0, list_returned: 0, report_to_screen: 0 });
    }
  });
});
