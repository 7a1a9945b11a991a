// The inbox (issue 9, item 4): every kind of item a role acts on, scoped to the caller's subtree
// and to what the role may do (who confirms residents, who closes which kind), each linking to
// where it is acted on, with exact counts.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from '../helpers/app.ts';
import { addProblem, createCampaign, createCaseAt } from '../helpers/cases.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { createRegion } from '../helpers/factories.ts';
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
      counts: { confirm_residents: 2, case_waiting: 1, problem_overdue: 1, closing_today: 4, dept_report: 0 },
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
      counts: { confirm_residents: 1, case_waiting: 0, problem_overdue: 1, closing_today: 0, dept_report: 0 },
      total: 2,
    });
    const county = await call(app, cast.county, 'GET', '/api/inbox');
    expect(county.body.counts).toEqual({
      confirm_residents: 3,
      case_waiting: 1,
      problem_overdue: 2,
      closing_today: 4,
      dept_report: 0,
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
