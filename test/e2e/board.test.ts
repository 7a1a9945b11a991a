// The campaign board (工作台) in a real browser against the real app on a real database: a
// township official lands on it after login and sees every village of the township with its case,
// the live turnout of a running session and the verdict of a closed one; filters and search live
// in the address (back returns to the unfiltered view); a ballot cast meanwhile shows up within the
// poll without a reload; the county drills down to one township and back through the breadcrumb;
// the selection goes to the scheduling page; the charts draw; the print view is A4 landscape.
// With SHOTS_DIR set, the board and its print are saved at 360 and 1280 px.
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCampaign, createCaseAt } from '../helpers/cases.ts';
import { consoleStage, DESKTOP, hasChromium, thisYear } from '../helpers/console-stage.ts';
import { castBallot, createSessionFixture, validAnswers, type SessionFixture } from '../helpers/evaluation.ts';
import { createOfficial, createRegion } from '../helpers/factories.ts';
import { ensureRiskList, gradeVillage } from '../helpers/grading.ts';
import { call, createCast, type Cast } from '../helpers/officials-api.ts';
import { sessionFor } from '../helpers/world.ts';

const SHOTS = process.env.SHOTS_DIR;
const RULE = '满意人数（满意＋基本满意）须大于在村人数的一半（恰好一半不通过）；“不了解”不计为满意';

describe.skipIf(!hasChromium('工作台'))('the campaign board (工作台)', () => {
  const stage = consoleStage();
  let cast: Cast;
  let running: SessionFixture;
  let nanpo = 0;
  let town: Page;
  let county: Page;

  /** Saves the page at 1280 px and at 360 px (SHOTS_DIR only). */
  async function shoot(page: Page, name: string): Promise<void> {
    if (!SHOTS) return;
    for (const width of [1280, 360]) {
      await page.setViewportSize({ width, height: 800 });
      await page.screenshot({ path: path.join(SHOTS, `${name}-${width}.png`), fullPage: true });
    }
    await page.setViewportSize(DESKTOP);
  }

  const rows = (page: Page) => page.getByTestId('board-row');
  const row = (page: Page, village: string) => rows(page).filter({ has: page.getByRole('link', { name: village }) });
  const names = async (page: Page) => (await rows(page).locator('td.village').allInnerTexts()).map((s) => s.trim());

  beforeAll(async () => {
    await stage.start(async (db, app) => {
      cast = await createCast(db, {
        city: '示范市',
        county: '青山县',
        township: '东风镇',
        otherTownship: '西岭乡',
        village: '河口村',
        otherVillage: '松林村',
      });
      nanpo = await createRegion(db, 'village', cast.tree.township, '南坡村');

      // 河口村: listed, its self-evaluation running (8 present, 6 slips issued, none used yet)
      const campaign = await createCampaign(db, cast.tree.county, { year: thisYear });
      await createCaseAt(db, { campaignId: campaign, villageId: cast.tree.village, state: 'village_evaluation' });
      running = await createSessionFixture(db, { tree: cast.tree, slips: 6, residentsPresent: 8 });
      // 南坡村: not listed, a self-evaluation closed through the API with 4 of 5 satisfied
      const closed = await createSessionFixture(db, { tree: { ...cast.tree, village: nanpo }, slips: 5 });
      for (const [i, token] of closed.tokens.entries()) {
        const answer = i < 4 ? 'satisfied' : 'dissatisfied';
        expect((await castBallot(db, token, validAnswers(answer))).outcome).toBe('accepted');
      }
      const secretary = await createOfficial(db, 'village', nanpo);
      const closeReply = await call(
        app,
        { cookie: await sessionFor(db, secretary.id) },
        'POST',
        `/api/sessions/${closed.sessionId}/close`,
      );
      expect(closeReply.status).toBe(200);
      // 南坡村: graded 弱村 (40 of 100) and screened at 高风险 (the first three default items, 3 + 3 + 2)
      await gradeVillage(db, nanpo, thisYear, 'weak');
      const listId = await ensureRiskList(db, cast.tree.county, thisYear);
      const items = await db
        .selectFrom('risk_item')
        .select('id')
        .where('list_id', '=', listId)
        .orderBy('position')
        .execute();
      const marks = items.map((it, i) => ({ itemId: it.id, present: i < 3, evidence: i < 3 ? '走访记录' : '' }));
      const screened = await call(app, cast.township, 'POST', `/api/risk/villages/${nanpo}/screenings`, {
        year: thisYear,
        marks,
      });
      expect(screened.status).toBe(201);
    });
    town = await stage.loggedIn(cast.township);
    county = await stage.loggedIn(cast.county);
  }, 180_000);

  afterAll(() => stage.stop());

  it('lands the township on 工作台 with every village of the township, its case, turnout and verdict', async () => {
    await rows(town).first().waitFor();
    expect(await town.locator('nav[aria-label="主菜单"] a').first().textContent()).toBe('工作台');
    expect(await town.locator('nav[aria-label="主菜单"] a[aria-current="page"]').textContent()).toBe('工作台');
    expect(await names(town)).toEqual(['河口村', '南坡村']);

    const hekou = row(town, '河口村');
    expect(await hekou.getByTestId('board-state').textContent()).toBe('村级自评');
    expect(await hekou.getByTestId('turnout').innerText()).toBe('已投 0 / 6 / 8');
    expect(await hekou.getByRole('link', { name: '河口村' }).getAttribute('href')).toMatch(/^#\/cases\/\d+$/);

    const nanpoRow = row(town, '南坡村');
    expect(await nanpoRow.getByTestId('board-state').textContent()).toBe('未列入');
    const verdict = (await nanpoRow.getByTestId('board-eval').innerText()).replace(/\s+/g, ' ');
    // the rule comes once in the reply's rule table and is shown in words with the result
    expect(verdict).toBe(`村级自评 通过 满意 4/5 超出 1 票 80.0% 判定规则：${RULE}`);
    expect(await nanpoRow.getByRole('link', { name: '南坡村' }).getAttribute('href')).toBe(
      `#/sessions?village=${nanpo}`,
    );
    // beside its case: the 村情档案, the 堡垒指数 and the risk level of the year, each a link
    expect(await nanpoRow.getByTestId('board-file').innerText()).toBe('未建档');
    expect(await nanpoRow.getByTestId('board-grade').innerText()).toBe('堡垒指数 弱村 40分');
    expect(await nanpoRow.getByTestId('board-risk').innerText()).toBe('负向测评 高风险');
    expect(await nanpoRow.getByTestId('board-risk').getAttribute('href')).toBe(`#/risk/${nanpo}?year=${thisYear}`);
    expect(await hekou.getByTestId('board-risk').count()).toBe(0);
    expect(await town.getByTestId('board-count').textContent()).toBe('共 2 个村');
    await shoot(town, 'board');
  });

  it('filters by verdict and searches by name, with counts, in the address so back undoes it', async () => {
    const verdict = town.getByLabel('测评结果', { exact: true });
    expect(await verdict.locator('option').allTextContents()).toEqual([
      '全部',
      '通过（1）',
      '未通过（0）',
      '无法判定（0）',
      '暂无结果（1）',
    ]);
    await verdict.selectOption('pass');
    await town.waitForURL(/verdict=pass/);
    expect(await names(town)).toEqual(['南坡村']);
    expect(await town.getByTestId('board-count').textContent()).toBe('共 1 个村（全部 2 个）');

    await town.goBack();
    await town.getByTestId('board-count').filter({ hasText: '共 2 个村' }).waitFor();
    expect(await names(town)).toEqual(['河口村', '南坡村']);

    await town.getByLabel('搜索村名').fill('河口');
    expect(await names(town)).toEqual(['河口村']);
    await town.getByLabel('搜索村名').press('Enter');
    await town.waitForURL(/q=%E6%B2%B3%E5%8F%A3/);
    await town.goBack();
    await town.getByTestId('board-count').filter({ hasText: '共 2 个村' }).waitFor();
  });

  it('shows a ballot cast meanwhile in the turnout without a reload', async () => {
    await town.evaluate(() => ((window as unknown as { stay: number }).stay = 1));
    expect((await castBallot(stage.db, running.tokens[0]!, validAnswers('satisfied'))).outcome).toBe('accepted');
    await row(town, '河口村').getByTestId('turnout').filter({ hasText: '1 / 6 / 8' }).waitFor();
    expect(await town.evaluate(() => (window as unknown as { stay?: number }).stay)).toBe(1);
  });

  it('sends the selected villages to the scheduling page', async () => {
    await town.getByLabel('选择河口村').check();
    await town.getByLabel('选择南坡村').check();
    await town.getByRole('button', { name: '为选中的村安排测评（2）' }).click();
    await town.waitForURL(new RegExp(`#/schedule\\?villages=${cast.tree.village},${nanpo}$`));
  });

  it('lets the county drill down to a township and back through the breadcrumb', async () => {
    await rows(county).first().waitFor();
    expect(await names(county)).toEqual(['河口村', '南坡村', '松林村']);
    await county.getByRole('navigation', { name: '区域层级' }).getByRole('link', { name: '西岭乡' }).click();
    await county.getByRole('navigation', { name: '区域层级' }).getByText('西岭乡', { exact: true }).waitFor();
    await county.waitForURL(/region=\d+/);
    expect(await names(county)).toEqual(['松林村']);
    expect(await county.getByRole('navigation', { name: '区域层级' }).locator('li').allInnerTexts()).toEqual([
      '青山县',
      '西岭乡',
    ]);
    await county.getByRole('navigation', { name: '区域层级' }).getByRole('link', { name: '青山县' }).click();
    await county.getByTestId('board-count').filter({ hasText: '共 3 个村' }).waitFor();
  });

  it('draws the charts and prints the board on A4 landscape', async () => {
    for (const id of ['chart-verdicts', 'chart-lights', 'chart-rates']) {
      await county.getByTestId(id).locator('svg').first().waitFor();
    }
    // a viewBox lets print CSS scale the drawing to the page's width
    const svg = county.getByTestId('chart-verdicts').locator('svg').first();
    await expect.poll(() => svg.getAttribute('viewBox')).toMatch(/^0 0 \d+ \d+$/);
    await county.getByRole('link', { name: '打印（A4 横向）' }).click();
    const printed = county.getByTestId('board-print').locator('tbody tr');
    await printed.nth(2).waitFor();
    expect(
      (await printed.allInnerTexts()).map((r) =>
        r
          .split('\t')
          .slice(0, 3)
          .map((c) => c.trim())
          .join(' '),
      ),
    ).toEqual([
      '东风镇 河口村 村级自评 · 绿灯：按期推进\n档案 未建档 · 堡垒指数 未评分',
      '东风镇 南坡村 未列入\n档案 未建档 · 堡垒指数 弱村 40/100 分 · 负向测评 高风险',
      '西岭乡 松林村 未列入\n档案 未建档 · 堡垒指数 未评分',
    ]);
    expect(await county.getByTestId('board-print').innerText()).toContain('判定规则');
    expect(await printed.nth(1).getByTestId('print-rule').innerText()).toBe(`判定规则：${RULE}`);
    await shoot(county, 'board-print');
    await county.emulateMedia({ media: 'print' });
    const pdf = (await county.pdf({ preferCSSPageSize: true })).toString('latin1');
    await county.emulateMedia({ media: 'screen' });
    const box = /\/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]/.exec(pdf);
    expect(Number(box?.[1])).toBeGreaterThan(Number(box?.[2])); // wider than high: landscape
  });

  it('logged no script errors or CSP refusals', () => {
    expect(stage.problems).toEqual([]);
  });
});
