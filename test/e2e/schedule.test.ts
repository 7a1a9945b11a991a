// 批量安排 in a real browser against the real app on a real database: a township official ticks
// villages on the board and takes them to the scheduling page, types one village's residents and
// takes the others from an uploaded Excel file (a bad row is named with its row number, an unreadable
// file changes nothing), downloads the template of the chosen villages, previews, creates after the
// confirmation, and sees the sessions. One browser page and one app for the whole file: each step
// starts where the previous one left off. Last, the new-session form names the campaign its
// questionnaire comes from (or the default template).
import fs from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildTestApp } from '../helpers/app.ts';
import { createCampaign, createCaseAt } from '../helpers/cases.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { createOfficial, createRegion, createTree, type Tree } from '../helpers/factories.ts';
import { ensureWebBuilt } from '../helpers/web-build.ts';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = fs.existsSync(CHROMIUM);
if (!hasChromium) console.warn(`跳过批量安排浏览器测试：未找到 ${CHROMIUM}（CI 会安装 chromium）`);

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const CAMPAIGN = '软弱涣散村党组织整顿';
const thisYear = Number(new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric' }).format());

async function workbook(rows: unknown[][]): Promise<Buffer> {
  const { default: ExcelJS } = await import('exceljs');
  const book = new ExcelJS.Workbook();
  book.addWorksheet('Sheet1').addRows(rows);
  return Buffer.from(await book.xlsx.writeBuffer());
}

describe.skipIf(!hasChromium)('批量安排 (the schedule page)', () => {
  let database: TestDatabase;
  let app: FastifyInstance;
  let browser: Browser;
  let page: Page;
  let baseUrl = '';
  let tree: Tree;
  let caseId = 0;
  let nanpo = 0;
  let beiling = 0;
  /** Script errors and CSP refusals (refused API replies are expected and left out). */
  const problems: string[] = [];

  const count = (village: string) => page.getByLabel(`${village}在村人数`);
  const importNote = () => page.getByTestId('import-note');
  const importProblems = () => page.getByTestId('import-problems').locator('li');

  beforeAll(async () => {
    const [, db] = await Promise.all([ensureWebBuilt(), createTestDatabase()]);
    database = db;
    tree = await createTree(db.db);
    await db.db.updateTable('region').set({ name: '东风镇' }).where('id', '=', tree.township).execute();
    await db.db.updateTable('region').set({ name: '河口村' }).where('id', '=', tree.village).execute();
    nanpo = await createRegion(db.db, 'village', tree.township, '南坡村');
    beiling = await createRegion(db.db, 'village', tree.township, '北岭村');
    const campaign = await createCampaign(db.db, tree.county, { year: thisYear, title: CAMPAIGN });
    caseId = await createCaseAt(db.db, { campaignId: campaign, villageId: tree.village, state: 'village_evaluation' });
    const official = await createOfficial(db.db, 'township', tree.township);
    app = await buildTestApp(db.db);
    baseUrl = await app.listen({ host: '127.0.0.1', port: 0 });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    page = await (await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN' })).newPage();
    page.setDefaultTimeout(15_000);
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) problems.push(m.text());
    });
    await page.goto(`${baseUrl}/`);
    await page.getByLabel('用户名').fill(official.username);
    await page.getByLabel('密码').fill(official.password);
    await page.getByRole('button', { name: '登录' }).click();
    await page.getByTestId('board-row').first().waitFor();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await database?.close();
  });

  it('takes the villages ticked on the board to 批量安排', async () => {
    await page.getByLabel('选择河口村').check();
    await page.getByLabel('选择南坡村').check();
    await page.getByRole('button', { name: '为选中的村安排测评（2）' }).click();
    await page.waitForURL(new RegExp(`#/schedule\\?villages=${tree.village},${nanpo}$`));
    await count('南坡村').waitFor();
    expect(await page.locator('table.rows tbody tr td:nth-child(2)').allInnerTexts()).toEqual(['河口村', '南坡村']);
  });

  it('keeps what was typed when a file cannot be read', async () => {
    await count('河口村').fill('12');
    await page.getByLabel('上传在村人数表（.xlsx 或 .csv）').setInputFiles({
      name: '坏文件.xlsx',
      mimeType: XLSX,
      buffer: Buffer.from('这不是 Excel 文件'),
    });
    await importProblems().first().waitFor();
    expect(await importProblems().allInnerTexts()).toEqual(['文件“坏文件.xlsx”未能读取：该文件不是有效的 .xlsx 文件']);
    expect(await count('河口村').inputValue()).toBe('12');
    expect(await count('南坡村').inputValue()).toBe('');
  });

  it('fills residents from an uploaded XLSX and names each row it could not use', async () => {
    const file = await workbook([
      ['东风镇到会人数'],
      ['村名', '到会人数'],
      ['南坡村', 30],
      ['北岭村', 20],
      ['河口村', '十二'],
      ['西坡村', 5],
    ]);
    await page
      .getByLabel('上传在村人数表（.xlsx 或 .csv）')
      .setInputFiles({ name: '到会人数.xlsx', mimeType: XLSX, buffer: file });
    await importNote().filter({ hasText: '到会人数.xlsx' }).waitFor();
    expect(await importNote().innerText()).toBe('已从文件“到会人数.xlsx”读入 2 个村的人数，2 行未读入：');
    expect(await importProblems().allInnerTexts()).toEqual([
      '第 5 行：河口村的人数“十二”不是 0 到 100000 的整数',
      '第 6 行：您的辖区内没有名为“西坡村”的村',
    ]);
    // the typed count stays; the file's villages are added to the chosen ones
    expect(await count('河口村').inputValue()).toBe('12');
    expect(await count('南坡村').inputValue()).toBe('30');
    expect(await count('北岭村').inputValue()).toBe('20');
  });

  it('offers the template of the chosen villages with what is filled in', async () => {
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: '下载模板（含已选的 3 个村）' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('在村人数模板.csv');
    const text = fs.readFileSync((await download.path()) as string, 'utf8');
    expect(text).toBe('\uFEFF村名,到会人数\r\n河口村,12\r\n南坡村,30\r\n北岭村,20\r\n');
  });

  it('previews, creates after the confirmation and shows the sessions', async () => {
    await page.getByRole('button', { name: '预览将要创建的测评' }).click();
    const preview = page.getByTestId('batch-preview').locator('li');
    await preview.nth(2).waitFor();
    expect((await preview.allInnerTexts()).map((t) => t.split('\n')[0])).toEqual(['河口村', '南坡村', '北岭村']);
    expect(await preview.first().innerText()).toContain(`✓ 计入整顿案件 ${caseId}（村级自评）`);
    await page.getByLabel('我知道其中 2 个村的测评不计入任何整顿案件的验收').check();
    await page.getByRole('button', { name: '创建 3 场测评' }).click();
    await page.getByRole('button', { name: '确认创建 3 场' }).click();

    const result = page.getByTestId('batch-result');
    await result.getByRole('heading', { name: '已创建 3 场测评' }).waitFor();
    expect(await result.getByRole('link').allInnerTexts()).toEqual([
      `河口村 ${thisYear}年度村级自评`,
      `南坡村 ${thisYear}年度村级自评`,
      `北岭村 ${thisYear}年度村级自评`,
    ]);
    const stored = await database.db
      .selectFrom('evaluation_session')
      .select(['village_id', 'residents_present', 'case_id'])
      .orderBy('id')
      .execute();
    expect(stored).toEqual([
      { village_id: tree.village, residents_present: 12, case_id: caseId },
      { village_id: nanpo, residents_present: 30, case_id: null },
      { village_id: beiling, residents_present: 20, case_id: null },
    ]);
    await result.getByRole('link', { name: `北岭村 ${thisYear}年度村级自评` }).click();
    await page.getByRole('heading', { name: `北岭村 ${thisYear}年度村级自评` }).waitFor();
  });

  it('the new-session form names where its questionnaire comes from: the case’s campaign, or the default', async () => {
    const source = page.getByTestId('questionnaire-source');
    await page.goto(`${baseUrl}/#/sessions/new?village=${tree.village}`);
    await source.filter({ hasText: '整顿活动' }).waitFor();
    expect(await source.innerText()).toBe(`问卷和判定规则：整顿活动「${CAMPAIGN}」`);
    await page.goto(`${baseUrl}/#/sessions/new?village=${nanpo}`);
    await source.filter({ hasText: '默认模板' }).waitFor();
    expect(await source.innerText()).toBe('问卷和判定规则：默认模板');
  });

  it('logged no script errors or CSP refusals', () => {
    expect(problems).toEqual([]);
  });
});
