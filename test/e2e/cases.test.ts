// One rectification case walked in a real browser against the real app on a real database, from
// listing to exit and on to a look-back that re-lists the village: the county lists the village and
// starts the rectification; the secretary asks for the self-evaluation, creates it from the case
// page, is refused the application while no self-evaluation has passed, then applies; the township
// receives the application, closes the last problem and passes it; the county passes it on a
// callback survey and the 堡垒指数 the township scored in its pages; the city lets the village exit; the county moves it to the
// look-back, which fails, and re-lists it as a new case linked to the old one. Votes are cast
// through the ballot SQL path and the sessions are run through the API (the session pages have
// their own browser test); every step of the case itself is taken in the page.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consoleStage, DESKTOP, hasChromium, PHONE } from '../helpers/console-stage.ts';
import { castBallot, validAnswers } from '../helpers/evaluation.ts';
import { call, createCast, type Caller, type Cast } from '../helpers/officials-api.ts';

describe.skipIf(!hasChromium('整顿案件'))('a rectification case in the console, from listing to re-listing', () => {
  const stage = consoleStage();
  let cast: Cast;
  let villageName = '';
  let townshipName = '';
  let countyName = '';
  let county: Page;
  let sec: Page;
  let town: Page;
  let city: Page;
  let caseId = 0;

  const caseRow = (id = caseId) =>
    stage.db
      .selectFrom('rectification_case')
      .select(['state', 'village_id', 'campaign_id', 'types', 'fortress_grade', 'previous_case_id'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();

  const transitions = (id = caseId) =>
    stage.db
      .selectFrom('case_transition')
      .select(['action', 'from_state', 'to_state', 'official_id', 'session_id', 'fortress_grade', 'new_case_id'])
      .where('case_id', '=', id)
      .orderBy('id')
      .execute();

  /** The state badge after it shows `label` (the page reads the case again after every step). */
  async function stateIs(page: Page, label: string): Promise<void> {
    await page.getByTestId('case-state').filter({ hasText: label }).waitFor();
    expect(await page.getByTestId('case-state').textContent()).toBe(label);
  }

  /** Takes an action in the page: its button opens the confirmation form, which is submitted. */
  async function act(page: Page, label: string, fill?: () => Promise<unknown>): Promise<void> {
    await page.getByRole('button', { name: label, exact: true }).click();
    await fill?.();
    await page.getByRole('button', { name: `确认${label}`, exact: true }).click();
    await page
      .getByRole('status')
      .filter({ hasText: `已${label}` })
      .waitFor();
  }

  /** A session of the case confirmed, slips issued, `satisfied` of `residents` voting 满意, closed. */
  async function runSession(runner: Caller, sessionId: number, residents: number, satisfied: number): Promise<void> {
    const ok = (r: { status: number }) => expect(r.status).toBe(200);
    ok(
      await call(stage.app, cast.township, 'POST', `/api/sessions/${sessionId}/confirm-residents`, {
        residentsPresent: residents,
      }),
    );
    const issued = await call(stage.app, runner, 'POST', `/api/sessions/${sessionId}/slips`, { count: residents });
    expect(issued.status).toBe(201);
    ok(await call(stage.app, runner, 'POST', `/api/sessions/${sessionId}/open`));
    const tokens = (issued.body as { slips: { token: string }[] }).slips.map((s) => s.token);
    for (const [i, token] of tokens.entries()) {
      const answer = i < satisfied ? 'satisfied' : 'dissatisfied';
      expect((await castBallot(stage.db, token, validAnswers(answer))).outcome).toBe('accepted');
    }
    ok(await call(stage.app, runner, 'POST', `/api/sessions/${sessionId}/close`));
  }

  beforeAll(async () => {
    await stage.start(async (db, app) => {
      cast = await createCast(db);
      const names = await db.selectFrom('region').select(['id', 'name']).execute();
      villageName = names.find((r) => r.id === cast.tree.village)?.name ?? '';
      townshipName = names.find((r) => r.id === cast.tree.township)?.name ?? '';
      countyName = names.find((r) => r.id === cast.tree.county)?.name ?? '';
      const campaign = await call(app, cast.county, 'POST', '/api/campaigns', {
        regionId: cast.tree.county,
        year: 2026,
        title: '2026年度软弱涣散村党组织整顿',
      });
      expect(campaign.status).toBe(201);
    });
    county = await stage.loggedIn(cast.county, DESKTOP);
    sec = await stage.loggedIn(cast.village, PHONE);
    town = await stage.loggedIn(cast.township, DESKTOP);
    city = await stage.loggedIn(cast.city, DESKTOP);
  }, 180_000);

  afterAll(() => stage.stop());

  it('tells the secretary of a village with no case what to do next, with no filter or empty count', async () => {
    await sec.getByTestId('cases-empty').waitFor();
    expect(await sec.getByTestId('cases-empty').innerText()).toBe(
      '本村目前没有整顿案件，这里无需处理。县里将本村列入整顿后，案件会出现在这里。\n组织村级测评请到「测评」',
    );
    expect(await sec.getByRole('form', { name: '筛选案件' }).count()).toBe(0);
    expect(await sec.locator('.chip').count()).toBe(0);
    expect(await sec.title()).toBe('整顿案件 · 村级整顿满意度测评');
  });

  it('opens on the case overview, where the county lists a village with its types, plan and a problem', async () => {
    // the county lands on its 工作台 (test/e2e/board.test.ts); the cases are one menu item away
    expect(await county.locator('nav[aria-label="主菜单"] a[aria-current="page"]').textContent()).toBe('工作台');
    await county.getByRole('link', { name: '整顿案件' }).click();
    await county.getByText('还没有整顿案件').waitFor();
    await county.getByRole('button', { name: '列入整顿' }).click();
    await county.getByRole('button', { name: '选择村' }).click();
    await county.getByRole('button', { name: `展开${townshipName}` }).click();
    await county.getByRole('button', { name: `选择${villageName}` }).click();
    await county.getByLabel('班子战斗力不强').check();
    await county.getByLabel('矛盾问题突出').check();
    await county.getByLabel('整顿方案（一村一策）').fill('调整充实村“两委”班子，建立矛盾纠纷台账');
    await county.getByLabel('第一书记驻村').fill('李明');
    await county.getByRole('button', { name: '＋ 添加问题' }).click();
    await county.getByLabel('第 1 项问题', { exact: true }).fill('村务公开不及时');
    await county.getByLabel('第 1 项问题的责任人').fill('村监委会');
    await county.getByRole('button', { name: '列入整顿' }).click();
    await stateIs(county, '已列入');

    caseId = Number(/#\/cases\/(\d+)$/.exec(county.url())?.[1]);
    expect(await caseRow()).toEqual({
      state: 'listed',
      village_id: cast.tree.village,
      campaign_id: expect.any(Number),
      types: ['班子战斗力不强', '矛盾问题突出'],
      fortress_grade: null,
      previous_case_id: null,
    });
    expect(await county.getByTestId('problem').count()).toBe(1);
    expect(await county.getByText('李明').count()).toBe(1);
  });

  it('lets the county start the rectification, recorded in the timeline with who did it', async () => {
    await act(county, '开始整顿');
    await stateIs(county, '整顿中');
    const timeline = await county.getByTestId('case-timeline').innerText();
    expect(timeline).toContain('开始整顿');
    expect(timeline).toContain('已列入 → 整顿中');
    expect(timeline).toContain('县委组织部');
    expect(await transitions()).toEqual([
      {
        action: 'start',
        from_state: 'listed',
        to_state: 'rectifying',
        official_id: cast.county.id,
        session_id: null,
        fortress_grade: null,
        new_case_id: null,
      },
    ]);
  });

  it("shows the case in the secretary's inbox; the secretary asks for the self-evaluation", async () => {
    await sec.reload();
    await sec.getByRole('list', { name: '待办案件' }).getByText(villageName).waitFor();
    await sec.getByRole('list', { name: '待办案件' }).getByRole('link').first().click();
    await stateIs(sec, '整顿中');
    await act(sec, '整改完成，组织村级自评');
    await stateIs(sec, '村级自评');
  });

  it("shows the secretary's one case with no township filter (one village has one township) and no empty chip", async () => {
    await sec.goto(`${stage.baseUrl}/#/cases`);
    await sec.getByRole('list', { name: '案件列表' }).getByText(villageName).waitFor();
    expect(await sec.locator('#f-township').count()).toBe(0);
    const chips = await sec.locator('.chip').allInnerTexts();
    expect(chips.map((c) => c.replace(/\s+/g, ' ').trim())).toEqual([expect.stringMatching(/灯 1$/), '村级自评 1']);
    await sec.goto(`${stage.baseUrl}/#/cases/${caseId}`);
    await stateIs(sec, '村级自评');
    expect(await sec.title()).toBe(`案件 ${caseId} · 村级整顿满意度测评`);
  });

  it('refuses the application in the page while no self-evaluation has passed, saying why', async () => {
    const apply = sec.getByRole('button', { name: '申请验收', exact: true });
    expect(await apply.isDisabled()).toBe(true);
    expect(await sec.getByTestId('blocked').textContent()).toBe('尚无已结束的村级自评，不能申请验收');
    // the server says the same when asked anyway, and nothing changes
    const refused = await call(stage.app, cast.village, 'POST', `/api/cases/${caseId}/transitions`, {
      action: 'apply',
    });
    expect(refused.status).toBe(409);
    expect((refused.body as { message: string }).message).toBe('尚无已结束的村级自评，不能申请验收');
    expect((await caseRow()).state).toBe('village_evaluation');
  });

  it('creates the self-evaluation from the case page; the session page links back to the case', async () => {
    await sec.getByRole('button', { name: '新建测评（村级自评）' }).click();
    await sec.getByLabel('在村人数').fill('10');
    await sec.getByRole('button', { name: '创建测评' }).click();
    await sec.getByTestId('session-status').waitFor();
    const sessionId = Number(/#\/sessions\/(\d+)$/.exec(sec.url())?.[1]);
    const session = await stage.db
      .selectFrom('evaluation_session')
      .select(['case_id', 'kind', 'residents_present'])
      .where('id', '=', sessionId)
      .executeTakeFirstOrThrow();
    expect(session).toEqual({ case_id: caseId, kind: 'self_evaluation', residents_present: 10 });
    expect(await sec.getByTestId('session-case').textContent()).toBe(`整顿案件 ${caseId}`);

    await runSession(cast.village, sessionId, 10, 8);
    await sec.getByTestId('session-case').click();
    await stateIs(sec, '村级自评');
    const verdict = await sec.getByTestId('case-session').innerText();
    expect(verdict).toContain('通过：满意 8 人 / 10 人');
  });

  it('lets the secretary apply once the self-evaluation passed', async () => {
    await act(sec, '申请验收');
    await stateIs(sec, '已申请验收');
    const applied = (await transitions()).at(-1);
    expect(applied?.action).toBe('apply');
    expect(applied?.session_id).not.toBeNull();
    expect(await sec.getByTestId('case-timeline').innerText()).toContain(`依据测评：测评 ${applied?.session_id}`);
  });

  it('puts the application in the township inbox; the township receives it, closes the problem and passes it', async () => {
    await town.goto(`${stage.baseUrl}/#/cases/inbox`);
    await town.getByRole('list', { name: '待办案件' }).getByText(villageName).waitFor();
    await town.getByRole('list', { name: '待办案件' }).getByRole('link').first().click();
    await act(town, '受理，开始乡镇初验');
    await stateIs(town, '乡镇初验');

    expect(await town.getByRole('button', { name: '乡镇初验通过，报县级验收' }).isDisabled()).toBe(true);
    expect(await town.getByTestId('blocked').textContent()).toBe('问题清单还有 1 项未销号');
    await town.getByRole('button', { name: '标记销号' }).click();
    await town.getByRole('status').filter({ hasText: '问题已销号' }).waitFor();
    await act(town, '乡镇初验通过，报县级验收');
    await stateIs(town, '县级验收');
  });

  it('has the county pass the case on a passing callback survey and the grade the township scored', async () => {
    await county.reload();
    await stateIs(county, '县级验收');
    expect(await county.getByTestId('blocked').textContent()).toBe('尚无已结束的县级回访测评，不能通过县级验收');
    await county.getByRole('button', { name: '新建测评（县级回访）' }).click();
    await county.getByLabel('在村人数').fill('12');
    await county.getByRole('button', { name: '创建测评' }).click();
    await county.getByTestId('session-status').waitFor();
    const callback = Number(/#\/sessions\/(\d+)$/.exec(county.url())?.[1]);
    await runSession(cast.county, callback, 12, 9);

    // no 堡垒指数 yet: the county sets up its sheet, the township scores the village in its pages
    await county.goto(`${stage.baseUrl}/#/cases/${caseId}`);
    await county
      .getByTestId('blocked')
      .filter({ hasText: '该村尚无本整顿年度及以后的堡垒指数评分（由乡镇在“堡垒指数”中逐项评分），不能通过县级验收' })
      .waitFor();
    await county.goto(`${stage.baseUrl}/#/grading/sheet?year=2026`);
    await county.getByRole('button', { name: '用默认评分表建立（可修改）' }).click();
    await county.getByRole('button', { name: '保存评分表' }).waitFor();
    await town.goto(`${stage.baseUrl}/#/grading/${cast.tree.village}?year=2026`);
    const scores = [15, 15, 10, 10, 10, 10, 0, 0, 0, 0]; // the default sheet's items: 70 of 100
    for (const [i, score] of scores.entries()) await town.locator('input.score').nth(i).fill(String(score));
    await town.getByRole('button', { name: '保存评分' }).click();
    await town.getByRole('status').filter({ hasText: '已保存：70 分，中等村' }).waitFor();

    await county.goto(`${stage.baseUrl}/#/cases/${caseId}`);
    await act(county, '县级验收通过，报市级复盘');
    await stateIs(county, '市级复盘');
    expect((await caseRow()).fortress_grade).toBe('middle');
    expect(await county.getByText('堡垒指数 中等村（2026年 70分）', { exact: true }).count()).toBe(1);
  });

  it('lets the city pass the review: the village exits', async () => {
    await city.goto(`${stage.baseUrl}/#/cases/inbox`);
    await city.getByRole('list', { name: '待办案件' }).getByRole('link').first().click();
    await act(city, '复盘通过，退出（销号）');
    await stateIs(city, '已退出（销号）');
    // the light's colour is named in words beside the dot, never shown by colour alone
    expect((await city.getByTestId('case-light').textContent())?.replace(/\s+/g, '')).toBe('绿灯：已退出');
  });

  it('runs a failing look-back and re-lists the village as a new case linked both ways', async () => {
    await county.reload();
    await act(county, '转入跟踪回头看');
    await stateIs(county, '跟踪回头看');
    await county.getByRole('button', { name: '新建测评（回头看）' }).click();
    await county.getByLabel('在村人数').fill('10');
    await county.getByRole('button', { name: '创建测评' }).click();
    await county.getByTestId('session-status').waitFor();
    const lookBack = Number(/#\/sessions\/(\d+)$/.exec(county.url())?.[1]);
    await runSession(cast.county, lookBack, 10, 3);

    await county.goto(`${stage.baseUrl}/#/cases/${caseId}`);
    await stateIs(county, '跟踪回头看');
    expect(await county.getByRole('button', { name: '回头看通过' }).isDisabled()).toBe(true);
    // a newer campaign exists by now: the server's default would take it; the county picks 2026's
    const newer = await call(stage.app, cast.county, 'POST', '/api/campaigns', {
      regionId: cast.tree.county,
      year: 2027,
      title: '2027年度软弱涣散村党组织整顿',
    });
    expect(newer.status).toBe(201);
    await act(county, '回头看不达标，重新列入', async () => {
      await county.getByLabel('重新列入原因').fill('回头看群众满意度未过半，班子问题反弹');
      await county
        .getByLabel('列入哪项整顿工作')
        .selectOption({ label: `2026年 · 2026年度软弱涣散村党组织整顿（${countyName}）` });
    });
    const relisted = await county.getByTestId('relisted').innerText();
    const newCaseId = Number(/案件 (\d+)/.exec(relisted)?.[1]);
    expect(newCaseId).toBeGreaterThan(caseId);
    expect((await transitions()).at(-1)).toMatchObject({ action: 'relist', new_case_id: newCaseId });
    // the old case is finished: no more steps or evaluations on it, only the way to the new one
    await county.getByText(`本案件已重新列入，后续整顿在案件 ${newCaseId}中办理。`).waitFor();
    expect(await county.getByRole('button', { name: /新建测评|回头看通过|重新列入/ }).count()).toBe(0);

    await county.getByTestId('relisted').getByRole('link').click();
    await stateIs(county, '已列入');
    expect(await caseRow(newCaseId)).toMatchObject({
      state: 'listed',
      previous_case_id: caseId,
      campaign_id: (await caseRow(caseId)).campaign_id,
    });
    expect(await county.getByText(`本案件由案件 ${caseId}回头看不达标后重新列入。`).count()).toBe(1);
    const history = await county.getByTestId('case-history').innerText();
    expect(history).toContain(`案件 ${caseId}`);
    expect(history).toContain(`案件 ${newCaseId}（本案件）`);

    await county.goto(`${stage.baseUrl}/#/cases`);
    await county.getByTestId('case-row').first().waitFor();
    expect(await county.getByTestId('case-row').count()).toBe(2);
  });

  it('raised no script errors on any page', () => {
    expect(stage.problems).toEqual([]);
  });
});
