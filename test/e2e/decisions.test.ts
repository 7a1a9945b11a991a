// 三级认定 in a real browser (issue 10 item 5): the township, on a phone, builds its list from the
// year's screenings, is stopped from saving a deviation without a note, saves and proposes it after
// a confirmation; the county, on a desktop, sends it back once with a reason, then determines and
// approves it into a campaign; the approved 软弱涣散村 opens as a case whose page shows 认定依据
// with the document numbers, and the 重点防控村 appears on the prevention list. No page overflows.
import fs from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildTestApp } from '../helpers/app.ts';
import { createCampaign } from '../helpers/cases.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { screenVillage } from '../helpers/decisions.ts';
import { createRegion, type TestOfficial } from '../helpers/factories.ts';
import { createCast, type Cast } from '../helpers/officials-api.ts';
import { ensureWebBuilt } from '../helpers/web-build.ts';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = fs.existsSync(CHROMIUM);
if (!hasChromium) console.warn(`跳过三级认定浏览器测试：未找到 ${CHROMIUM}（CI 会安装 chromium）`);

const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 360, height: 740 };
const thisYear = Number(new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric' }).format());

describe.skipIf(!hasChromium)('三级认定 in the console', () => {
  let database: TestDatabase;
  let app: FastifyInstance;
  let browser: Browser;
  let baseUrl: string;
  let cast: Cast;
  let listId = 0;
  const problems: string[] = [];

  async function loggedIn(official: TestOfficial, viewport = DESKTOP): Promise<Page> {
    const page = await (await browser.newContext({ viewport, locale: 'zh-CN' })).newPage();
    page.setDefaultTimeout(15_000);
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) problems.push(m.text());
    });
    await page.goto(`${baseUrl}/`);
    await page.getByLabel('用户名').fill(official.username);
    await page.getByLabel('密码').fill(official.password);
    await page.getByRole('button', { name: '登录' }).click();
    await page.locator('header .who').waitFor();
    return page;
  }

  const overflow = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);

  async function step(page: Page, label: string): Promise<void> {
    await page.getByRole('button', { name: `${label}…` }).click();
    await page.getByRole('button', { name: `确认${label}` }).click();
    await expect.poll(() => page.getByRole('status').first().innerText()).toBe(`已记录：${label}。`);
  }

  beforeAll(async () => {
    await ensureWebBuilt();
    database = await createTestDatabase();
    const db = database.db;
    cast = await createCast(db);
    await db.updateTable('region').set({ name: '河口村' }).where('id', '=', cast.tree.village).execute();
    const nanpo = await createRegion(db, 'village', cast.tree.township, '南坡村');
    await screenVillage(db, cast.tree.village, thisYear, { outcome: 'rectify', present: 3 });
    await screenVillage(db, nanpo, thisYear, { outcome: 'prevent', preventionLevel: 2 });
    await createCampaign(db, cast.tree.county, { year: thisYear, title: `${thisYear}年度整顿` });
    app = await buildTestApp(db);
    baseUrl = await app.listen({ host: '127.0.0.1', port: 0 });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await database?.close();
  });

  it('the township builds its list on a phone, needs a note to deviate, and proposes it', async () => {
    const page = await loggedIn(cast.township, PHONE);
    await page.goto(`${baseUrl}/#/decisions`);
    await page.getByRole('button', { name: `建立 ${thisYear} 年度认定名单` }).click();
    await page.getByRole('heading', { name: '拟定名单（2 个已排查的村）' }).waitFor();
    listId = Number(/#\/decisions\/(\d+)/.exec(page.url())?.[1]);
    const nanpo = page.locator('.entry', { hasText: '南坡村' });
    await nanpo.getByLabel('防控措施等级').selectOption('1');
    await expect.poll(() => nanpo.locator('.field-error').innerText()).toBe('与排查建议不一致时须写明理由');
    await page.getByRole('button', { name: '保存名单' }).click();
    await expect.poll(() => page.getByRole('alert').innerText()).toBe('请先处理标红的村');
    await nanpo.getByLabel(/说明/).fill('村干部涉嫌违纪，提高防控等级');
    await page.getByRole('button', { name: '保存名单' }).click();
    await expect.poll(() => page.getByRole('status').first().innerText()).toBe('名单已保存。');
    expect(await overflow(page)).toBeLessThanOrEqual(0);
    await page.getByLabel('研究意见').fill('经乡镇党委会研究，同意上报');
    await step(page, '乡镇党委会研究提交');
    expect(await page.getByTestId('list-stage').innerText()).toBe('乡镇党委会已提交');
  });

  it('the county sends it back once, then determines and approves it into the campaign', async () => {
    const township = await loggedIn(cast.township, PHONE);
    const county = await loggedIn(cast.county);
    await county.goto(`${baseUrl}/#/decisions/${listId}`);
    await county.getByLabel(/退回/).check();
    await county.getByLabel('退回理由').fill('南坡村材料请补充');
    await step(county, '退回');
    await township.goto(`${baseUrl}/#/decisions/${listId}`);
    await township.getByLabel('研究意见').fill('已补充材料，再次上报');
    await step(township, '乡镇党委会研究提交');
    await county.reload();
    await county.getByLabel(/文件（纪要）编号/).fill('组部纪〔2026〕3号');
    await step(county, '部务会初步认定');
    await county.getByLabel(/文件（纪要）编号/).fill('县委常纪〔2026〕5号');
    await county.getByRole('button', { name: '常委会审定…' }).click();
    await county.getByText('1 个软弱涣散村（河口村）将列入整顿并建立案件').waitFor();
    await county.getByRole('button', { name: '确认常委会审定' }).click();
    await county.getByRole('link', { name: /整顿案件 \d+ →/ }).click();
    const basis = county.getByTestId('case-identification');
    await basis.getByText('县委常纪〔2026〕5号').waitFor();
    expect(await basis.innerText()).toContain('常委会审定');
    await county.goto(`${baseUrl}/#/prevention`);
    const record = county.locator('li.card', { hasText: '南坡村' });
    await expect.poll(() => record.locator('.badge').innerText()).toBe('一级防控');
    expect(problems).toEqual([]);
  });
});
