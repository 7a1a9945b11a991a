// A campaign's questionnaire template edited in a real browser against the real app on a real
// database: the county official opens 整顿工作, finds the template folded away, changes a question
// and adds one, and saves; a session created for a case of the campaign afterwards starts from the
// new questionnaire while one created before keeps its own; an empty question text is refused with
// the server's message said as 第 N 题, and the database keeps the saved template.
import fs from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { defaultQuestionnaire } from '../../server/modules/sessions/questionnaire.ts';
import { buildTestApp } from '../helpers/app.ts';
import { createCaseAt } from '../helpers/cases.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { call, createCast, type Cast } from '../helpers/officials-api.ts';
import { ensureWebBuilt } from '../helpers/web-build.ts';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = fs.existsSync(CHROMIUM);
if (!hasChromium) console.warn(`跳过整顿工作浏览器测试：未找到 ${CHROMIUM}（CI 会安装 chromium）`);

const CHANGED = '您对村党组织书记带头整改的情况是否满意？';
const ADDED = '您对村务监督委员会的工作是否满意？';

describe.skipIf(!hasChromium)('the questionnaire template of a campaign in the console', () => {
  let database: TestDatabase;
  let app: FastifyInstance;
  let browser: Browser;
  let cast: Cast;
  let county: Page;
  let campaignId = 0;
  let caseId = 0;
  let earlierSessionId = 0;
  /** Script errors and CSP refusals seen by the page (refused API replies are expected and left out). */
  const problems: string[] = [];

  /** The default questionnaire with the second question reworded and a 13th question added. */
  function edited() {
    const q = defaultQuestionnaire();
    q.questions[1]!.text = CHANGED;
    q.questions.push({
      id: 'q13',
      text: ADDED,
      type: 'choice',
      options: structuredClone(q.questions[0]!.options),
      required: true,
    });
    return q;
  }

  const storedTemplate = async () =>
    (
      await database.db
        .selectFrom('campaign')
        .select('questionnaire')
        .where('id', '=', campaignId)
        .executeTakeFirstOrThrow()
    ).questionnaire;

  const sessionQuestionnaire = async (id: number) =>
    (
      await database.db
        .selectFrom('evaluation_session')
        .select('questionnaire')
        .where('id', '=', id)
        .executeTakeFirstOrThrow()
    ).questionnaire;

  async function newSession(title: string): Promise<{ id: number; questionnaire: unknown }> {
    const res = await call(app, cast.village, 'POST', `/api/cases/${caseId}/sessions`, {
      kind: 'self_evaluation',
      title,
      residentsPresent: 30,
    });
    expect(res.status).toBe(201);
    return res.body as { id: number; questionnaire: unknown };
  }

  beforeAll(async () => {
    await ensureWebBuilt();
    database = await createTestDatabase();
    cast = await createCast(database.db);
    app = await buildTestApp(database.db);
    const baseUrl = await app.listen({ host: '127.0.0.1', port: 0 });
    const campaign = await call(app, cast.county, 'POST', '/api/campaigns', {
      regionId: cast.tree.county,
      year: 2026,
      title: '2026年度软弱涣散村党组织整顿',
    });
    expect(campaign.status).toBe(201);
    campaignId = (campaign.body as { id: number }).id;
    caseId = await createCaseAt(database.db, { campaignId, villageId: cast.tree.village, state: 'village_evaluation' });
    earlierSessionId = (await newSession('修改问卷模板之前的自评')).id;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    county = await (await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN' })).newPage();
    county.setDefaultTimeout(15_000);
    county.on('pageerror', (e) => problems.push(e.message));
    county.on('console', (m) => {
      if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) problems.push(m.text());
    });
    await county.goto(`${baseUrl}/`);
    await county.getByLabel('用户名').fill(cast.county.username);
    await county.getByLabel('密码').fill(cast.county.password);
    await county.getByRole('button', { name: '登录' }).click();
    await county.locator('header .who').waitFor();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await database?.close();
  });

  it('shows the template folded away, with its questions when unfolded', async () => {
    await county.getByRole('link', { name: '整顿工作' }).click();
    const card = county.getByTestId('campaign');
    const summary = card.getByText('问卷模板（12 题）');
    await summary.waitFor();
    const first = defaultQuestionnaire().questions[0]!.text;
    expect(await card.getByText(first).isVisible()).toBe(false);
    await summary.click();
    expect(await card.getByText(first).isVisible()).toBe(true);
    expect(await card.getByText('只影响此后新建的测评，已建的测评保留原问卷').isVisible()).toBe(true);
  });

  it('saves a reworded question and an added one as the template', async () => {
    await county.getByRole('button', { name: '修改问卷模板' }).click();
    await county.getByText('修改后的问卷只用于此后新建的测评').waitFor();
    expect(await county.getByRole('button', { name: '删除', exact: true }).count()).toBe(11); // the gate question stays
    await county.getByLabel('第 2 题', { exact: true }).fill(CHANGED);
    await county.getByRole('button', { name: '＋ 添加一题' }).click();
    await county.getByLabel('第 13 题', { exact: true }).fill(ADDED);
    await county.getByRole('button', { name: '保存问卷模板' }).click();
    await county.getByRole('status').filter({ hasText: '的问卷模板' }).waitFor();

    expect(await storedTemplate()).toEqual(edited());
    await county.getByTestId('campaign').getByText('问卷模板（13 题）').waitFor();
  });

  it('gives sessions created afterwards the new questionnaire; earlier ones keep theirs', async () => {
    const later = await newSession('修改问卷模板之后的自评');
    expect(later.questionnaire).toEqual(edited());
    expect(await sessionQuestionnaire(later.id)).toEqual(edited());
    expect(await sessionQuestionnaire(earlierSessionId)).toEqual(defaultQuestionnaire());
  });

  it('refuses an empty question text in Chinese and keeps the saved template', async () => {
    await county.getByRole('button', { name: '修改问卷模板' }).click();
    await county.getByLabel('第 3 题', { exact: true }).fill('');
    await county.getByRole('button', { name: '保存问卷模板' }).click();
    const alert = county.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toBe('第 3 题：题目文字须为 1–300 字');
    expect(await storedTemplate()).toEqual(edited());
    await county.getByRole('button', { name: '取消' }).click();
    await county.getByRole('button', { name: '修改问卷模板' }).waitFor();
    expect(problems).toEqual([]);
  });
});
