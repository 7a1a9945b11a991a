// A session serves its village's case whichever page starts it (issue 9, item 2): the preview says
// what creating one would do, POST /api/sessions attaches it to the active case (or refuses a kind
// the case cannot use now, or asks for the acknowledgement when there is no case), and a verdict
// reached from the sessions page opens the case's next step. Default titles name village and kind.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from '../helpers/app.ts';
import { createCampaign, createCaseAt } from '../helpers/cases.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { castBallot, validAnswers } from '../helpers/evaluation.ts';
import { createOfficial, createRegion } from '../helpers/factories.ts';
import { defaultQuestionnaire } from '../../server/modules/sessions/questionnaire.ts';
import { defaultRuleSet } from '../../server/modules/tallies/tallies.rules.ts';
import { call, createCast, type Caller, type Cast } from '../helpers/officials-api.ts';
import { sessionFor } from '../helpers/world.ts';

let tdb: TestDatabase;
let app: FastifyInstance;
let cast: Cast;
let campaignId: number;
const year = Number(
  new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric' }).format(new Date()),
);
const ACK = '我知道此测评不计入任何整顿案件的验收';
const CAMPAIGN = '软弱涣散村党组织整顿';
const DEFAULT_TEMPLATE = { campaign: null, questionnaire: defaultQuestionnaire(), rules: defaultRuleSet() };

beforeAll(async () => {
  tdb = await createTestDatabase();
  app = await buildTestApp(tdb.db);
  cast = await createCast(tdb.db);
  campaignId = await createCampaign(tdb.db, cast.tree.county, { createdBy: cast.county.id, title: CAMPAIGN });
});

afterAll(async () => {
  await app.close();
  await tdb.close();
});

interface Place {
  village: number;
  name: string;
  secretary: Caller;
}

async function newVillage(name: string): Promise<Place> {
  const village = await createRegion(tdb.db, 'village', cast.tree.township, name);
  const official = await createOfficial(tdb.db, 'village', village);
  return { village, name, secretary: { ...official, cookie: await sessionFor(tdb.db, official.id) } };
}

const context = (who: Caller, village: number, kind = 'self_evaluation') =>
  call(app, who, 'GET', `/api/villages/${village}/session-context?kind=${kind}`);

const sessionCount = async (village: number) =>
  (await tdb.db.selectFrom('evaluation_session').select('id').where('village_id', '=', village).execute()).length;

describe('a session created from the sessions page', () => {
  it('belongs to the active case, is titled by village and kind, and its verdict lets the village apply', async () => {
    const p = await newVillage('东山村');
    const caseId = await createCaseAt(tdb.db, { campaignId, villageId: p.village, state: 'village_evaluation' });
    expect(await context(p.secretary, p.village)).toEqual({
      status: 200,
      body: {
        case: { id: caseId, state: 'village_evaluation', stateLabel: '村级自评' },
        serves: true,
        allowed: true,
        needsAcknowledgement: false,
        message: `此村级自评属于东山村的整顿案件（案件 ${caseId}，当前“村级自评”），结束后结果计入该案件的验收。`,
        template: {
          campaign: { id: campaignId, title: CAMPAIGN },
          questionnaire: defaultQuestionnaire(),
          rules: defaultRuleSet(),
        },
      },
    });
    const created = await call(app, p.secretary, 'POST', '/api/sessions', {
      villageId: p.village,
      residentsPresent: 3,
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ caseId, title: `东山村 ${year}年度村级自评`, kind: 'self_evaluation' });
    const id = created.body.id as number;
    expect(
      (await call(app, cast.township, 'POST', `/api/sessions/${id}/confirm-residents`, { residentsPresent: 3 })).status,
    ).toBe(200);
    const issued = await call(app, p.secretary, 'POST', `/api/sessions/${id}/slips`, { count: 3 });
    expect((await call(app, p.secretary, 'POST', `/api/sessions/${id}/open`)).status).toBe(200);
    for (const s of issued.body.slips as { token: string }[]) {
      expect((await castBallot(tdb.db, s.token, validAnswers('satisfied', { q12: 'party_member' }))).outcome).toBe(
        'accepted',
      );
    }
    expect((await call(app, p.secretary, 'POST', `/api/sessions/${id}/close`)).status).toBe(200);
    const applied = await call(app, p.secretary, 'POST', `/api/cases/${caseId}/transitions`, {
      action: 'apply',
      evidence: '整改台账',
    });
    expect(applied.status).toBe(200);
    expect(applied.body.state).toBe('applied');
    const step = await tdb.db
      .selectFrom('case_transition')
      .select(['action', 'session_id'])
      .where('case_id', '=', caseId)
      .executeTakeFirstOrThrow();
    expect(step).toEqual({ action: 'apply', session_id: id });
  });

  it('refuses a kind the case cannot use now, with the reason, and creates nothing', async () => {
    const p = await newVillage('西山村');
    const caseId = await createCaseAt(tdb.db, { campaignId, villageId: p.village, state: 'rectifying' });
    const message = `西山村正在整顿（案件 ${caseId}），不能新建村级自评：案件当前为“整顿中”，村级自评须在“村级自评”阶段组织。`;
    expect((await context(p.secretary, p.village)).body).toEqual({
      case: { id: caseId, state: 'rectifying', stateLabel: '整顿中' },
      serves: false,
      allowed: false,
      needsAcknowledgement: false,
      message,
      template: DEFAULT_TEMPLATE,
    });
    // even with the acknowledgement: a listed village's sessions belong to its case
    const body = { villageId: p.village, residentsPresent: 3, acknowledgeNoCase: true };
    expect(await call(app, p.secretary, 'POST', '/api/sessions', body)).toEqual({
      status: 409,
      body: { statusCode: 409, code: 'INVALID_STATE', error: 'Conflict', message, details: { caseId } },
    });
    expect(await sessionCount(p.village)).toBe(0);
  });

  it('for a village with no case, says so and creates only with the acknowledgement', async () => {
    const p = await newVillage('南山村');
    const told = `南山村没有进行中的整顿案件，此村级自评不计入任何整顿案件的验收。如该村随后被列入整顿，须在案件中重新组织测评。`;
    expect((await context(p.secretary, p.village)).body).toEqual({
      case: null,
      serves: false,
      allowed: true,
      needsAcknowledgement: true,
      message: told,
      template: DEFAULT_TEMPLATE,
    });
    const body = { villageId: p.village, residentsPresent: 3, title: '  ' };
    const message = `${told}请确认“${ACK}”后再创建。`;
    expect(await call(app, p.secretary, 'POST', '/api/sessions', body)).toEqual({
      status: 400,
      body: {
        statusCode: 400,
        code: 'VALIDATION_FAILED',
        error: 'Bad Request',
        message,
        details: [{ field: 'acknowledgeNoCase', message }],
      },
    });
    expect(await sessionCount(p.village)).toBe(0);
    const created = await call(app, p.secretary, 'POST', '/api/sessions', { ...body, acknowledgeNoCase: true });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ caseId: null, title: `南山村 ${year}年度村级自评` });
  });

  it('serves a case under look-back with a look-back session, and after a relist the new case', async () => {
    const p = await newVillage('北山村');
    const old = await createCaseAt(tdb.db, { campaignId, villageId: p.village, state: 'monitoring' });
    const lookBack = await call(app, cast.county, 'POST', '/api/sessions', {
      villageId: p.village,
      residentsPresent: 3,
      kind: 'look_back',
    });
    expect(lookBack.body).toMatchObject({ caseId: old, title: `北山村 ${year}年度回头看` });
    // re-listed: the new case (listed) is the one new sessions serve, and it runs none yet
    const relisted = await createCaseAt(tdb.db, {
      campaignId,
      villageId: p.village,
      state: 'village_evaluation',
      previousCaseId: old,
    });
    expect((await context(cast.county, p.village, 'look_back')).body).toMatchObject({
      case: { id: relisted, state: 'village_evaluation' },
      allowed: false,
    });
    const self = await call(app, cast.township, 'POST', '/api/sessions', { villageId: p.village, residentsPresent: 3 });
    expect(self.body).toMatchObject({ caseId: relisted, kind: 'self_evaluation' });
  });

  it('names the campaign whose questionnaire and rules the session starts from, and creates it with them', async () => {
    const p = await newVillage('前山村');
    const questionnaire = { ...defaultQuestionnaire(), header: '前山村整顿满意度测评（整顿活动问卷）' };
    const rules = { ...defaultRuleSet(), majority: 'inclusive' as const };
    const own = await createCampaign(tdb.db, cast.tree.county, { createdBy: cast.county.id, title: '2026年专项整顿' });
    await tdb.db
      .updateTable('campaign')
      .set({ questionnaire: JSON.stringify(questionnaire), rules: JSON.stringify(rules) })
      .where('id', '=', own)
      .execute();
    await createCaseAt(tdb.db, { campaignId: own, villageId: p.village, state: 'village_evaluation' });
    expect((await context(p.secretary, p.village)).body.template).toEqual({
      campaign: { id: own, title: '2026年专项整顿' },
      questionnaire,
      rules,
    });
    // a kind the case cannot use now: no session is created from it, the default is told
    expect((await context(cast.township, p.village, 'township_check')).body.template).toEqual(DEFAULT_TEMPLATE);
    const created = await call(app, p.secretary, 'POST', '/api/sessions', {
      villageId: p.village,
      residentsPresent: 3,
    });
    expect(created.body).toMatchObject({ questionnaire, rules });
  });

  it('answers the preview only inside the caller’s subtree and only for a village', async () => {
    const p = await newVillage('中山村');
    expect((await context(cast.otherTownship, p.village)).status).toBe(404);
    expect((await context(p.secretary, cast.tree.village)).status).toBe(404);
    expect((await context(cast.county, cast.tree.township)).body).toMatchObject({
      code: 'VALIDATION_FAILED',
      message: '测评只能为村创建',
    });
    expect((await context(cast.admin, p.village)).status).toBe(403);
  });
});
