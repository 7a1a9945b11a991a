// 村情档案 in a real browser (issue 10 item 1): the township finds a village without a file, is
// told in Chinese what is wrong with a value, saves after a confirmation that lists the change, and
// sees it in the change history; the county reads the same file without a form.
import fs from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildTestApp } from '../helpers/app.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import type { TestOfficial } from '../helpers/factories.ts';
import { createCast, type Cast } from '../helpers/officials-api.ts';
import { ensureWebBuilt } from '../helpers/web-build.ts';

const CHROMIUM = '/usr/bin/chromium';

describe.skipIf(!fs.existsSync(CHROMIUM))('村情档案 in the console', () => {
  let database: TestDatabase;
  let app: FastifyInstance;
  let browser: Browser;
  let baseUrl: string;
  let cast: Cast;
  const problems: string[] = [];

  async function loggedIn(official: TestOfficial): Promise<Page> {
    const page = await (
      await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN' })
    ).newPage();
    page.setDefaultTimeout(15_000);
    page.on('pageerror', (e) => problems.push(e.message));
    await page.goto(`${baseUrl}/`);
    await page.getByLabel('用户名').fill(official.username);
    await page.getByLabel('密码').fill(official.password);
    await page.getByRole('button', { name: '登录' }).click();
    await page.locator('header .who').waitFor();
    return page;
  }

  beforeAll(async () => {
    await ensureWebBuilt();
    database = await createTestDatabase();
    cast = await createCast(database.db);
    await database.db.updateTable('region').set({ name: '河口村' }).where('id', '=', cast.tree.village).execute();
    app = await buildTestApp(database.db);
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

  it('the township fills in a file: a Chinese refusal, then a confirmed save in the history', async () => {
    const page = await loggedIn(cast.township);
    await page.getByRole('link', { name: '村情档案' }).click();
    const row = page.getByRole('row').filter({ hasText: '河口村' });
    await expect.poll(() => row.innerText()).toContain('未建档');
    await row.getByRole('link', { name: '填写' }).click();
    await page.getByLabel(/^户数/).fill('三百');
    await page.getByRole('button', { name: '保存档案' }).click();
    await expect.poll(() => page.getByRole('alert').first().innerText()).toBe('有 1 处需要修改，请看标红的项目。');
    expect(await page.locator('.field-error').first().innerText()).toBe('户数：应为 0 至 100000 之间的整数');
    await page.getByLabel(/^户数/).fill('320');
    await page.getByLabel(/^村集体经济收入/).fill('35.2');
    await page.getByRole('button', { name: '保存档案' }).click();
    const dialog = page.getByRole('dialog');
    await expect.poll(() => dialog.innerText()).toContain('户数：（空） → 320 户');
    expect(await dialog.innerText()).toContain('村集体经济收入：（空） → 35.2 万元');
    await dialog.getByRole('button', { name: '确认保存' }).click();
    await expect.poll(() => page.getByRole('status').first().innerText()).toBe('已保存，修改已记入修改记录。');
    await page.getByText(/^修改记录/).click();
    await expect.poll(() => page.locator('.history').innerText()).toContain('第 1 版 · 建档');
    expect(await page.locator('.history').innerText()).toContain('户数：（空） → 320');
    const stored = await database.db.selectFrom('village_file').select(['data', 'version']).executeTakeFirstOrThrow();
    expect(stored).toEqual({ data: { households: 320, income: 352_000 }, version: 1 });
  });

  it('the county reads the file without a form', async () => {
    const page = await loggedIn(cast.county);
    await page.goto(`${baseUrl}/#/villagefiles/${cast.tree.village}`);
    await expect.poll(() => page.locator('main').innerText()).toMatch(/户数（户）\s+320\s户/);
    expect(await page.locator('main input').count()).toBe(0);
    expect(await page.locator('main').innerText()).toContain('村情档案由乡镇党委填写和修改，此处只能查看。');
    expect(problems).toEqual([]);
  });
});
