// npx tsx scripts/screenshots-decisions.ts [--out DIR]
// 三级认定 (issue 10 items 5-6) to look at, walked through the console on the demo data: 东山镇
// builds and proposes its list (柳溪村 重点防控村), the county determines and approves it; the
// demo case of 西河村 is closed so that 西河乡's list (西河村 软弱涣散村) can be approved into a
// new case; then the prevention list, the case page's 认定依据 and the printable list. At 1280 px
// the walk, at 360 px the resulting pages.
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { DEMO_PASSWORD, seedDemo } from '../server/modules/demo/demo.service.ts';
import { ensureWebBuilt } from '../test/helpers/web-build.ts';
import { fail, watchConsole, withStage } from './lib/shots.ts';

const ROOT = path.resolve(import.meta.dirname, '..');

async function login(browser: Browser, url: string, username: string, width: number, problems: string[]) {
  const context = await browser.newContext({ viewport: { width, height: width < 600 ? 740 : 800 }, locale: 'zh-CN' });
  const page = await context.newPage();
  watchConsole(page, problems, `[${username} ${width}px] `);
  await page.goto(`${url}/`);
  await page.getByLabel('用户名').fill(username);
  await page.getByLabel('密码').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: '登录' }).click();
  await page.locator('header .who').waitFor();
  return page;
}

async function confirmStep(page: Page, label: string): Promise<void> {
  await page.getByRole('button', { name: `${label}…` }).click();
  await page.getByRole('button', { name: `确认${label}` }).click();
  await page.getByRole('status').getByText(`已记录：${label}`).waitFor();
}

/** The township builds its list of the year, saves it and proposes it; returns the list's id. */
async function propose(page: Page, url: string, shot?: (name: string) => Promise<unknown>): Promise<number> {
  await page.goto(`${url}/#/decisions`);
  await page.getByRole('button', { name: /建立 \d+ 年度认定名单/ }).click();
  await page.getByRole('heading', { name: /拟定名单/ }).waitFor();
  await shot?.('draft');
  await page.getByRole('button', { name: '保存名单' }).click();
  await page.getByRole('status').getByText('名单已保存').waitFor();
  await page.getByLabel('研究意见').fill('经乡镇党委会研究，同意按排查结果上报认定');
  await page.getByLabel(/文件（纪要）编号/).fill('东党会纪〔2026〕4号');
  await page.getByRole('button', { name: '乡镇党委会研究提交…' }).click();
  await shot?.('confirm-propose');
  await page.getByRole('button', { name: '确认乡镇党委会研究提交' }).click();
  await page.getByRole('status').getByText('已记录').waitFor();
  return Number(/#\/decisions\/(\d+)/.exec(page.url())?.[1]);
}

async function determineAndApprove(page: Page, url: string, id: number, shot?: (n: string) => Promise<unknown>) {
  await page.goto(`${url}/#/decisions/${id}`);
  await page.getByLabel(/文件（纪要）编号/).fill('组部纪〔2026〕7号');
  await shot?.('proposed');
  await confirmStep(page, '部务会初步认定');
  await page.getByLabel(/文件（纪要）编号/).fill('县委常纪〔2026〕9号');
  await confirmStep(page, '常委会审定');
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { out: { type: 'string', default: 'screenshots/decisions' } } });
  const out = path.resolve(ROOT, values.out as string);
  fs.mkdirSync(out, { recursive: true });
  await ensureWebBuilt();
  await withStage('shots_decisions', async ({ db, url, browser, problems }) => {
    await seedDemo(db);
    const shotOf = (page: Page, width: number) => (name: string) =>
      page.screenshot({ path: path.join(out, `${name}-${width}.png`), fullPage: true });
    const east = await login(browser, url, 'demo_township1', 1280, problems);
    const eastId = await propose(east, url, shotOf(east, 1280));
    const county = await login(browser, url, 'demo_county', 1280, problems);
    await determineAndApprove(county, url, eastId, shotOf(county, 1280));
    // the demo case of 西河村 is closed, so 西河乡's list can list the village again
    const demoCase = await db.selectFrom('rectification_case').select('id').executeTakeFirstOrThrow();
    await db.updateTable('rectification_case').set({ state: 'monitoring' }).where('id', '=', demoCase.id).execute();
    const west = await login(browser, url, 'demo_township2', 1280, problems);
    const westId = await propose(west, url);
    await determineAndApprove(county, url, westId);
    const made = await db
      .selectFrom('identification_entry')
      .select('case_id')
      .where('list_id', '=', westId)
      .where('case_id', 'is not', null)
      .executeTakeFirstOrThrow();
    for (const width of [1280, 360]) {
      const page = width === 1280 ? county : await login(browser, url, 'demo_county', width, problems);
      const shot = shotOf(page, width);
      await page.goto(`${url}/#/decisions`);
      await page.getByRole('table').waitFor();
      await shot('overview');
      await page.goto(`${url}/#/decisions/${westId}`);
      await page.getByTestId('list-stage').getByText('常委会已审定').waitFor();
      await shot('approved');
      await page.goto(`${url}/#/prevention`);
      await page.getByText('柳溪村').first().waitFor();
      await shot('prevention');
      await page.goto(`${url}/#/cases/${made.case_id}`);
      await page.getByTestId('case-identification').getByRole('link', { name: '查看名单' }).waitFor();
      await shot('case-basis');
      await page.goto(`${url}/#/cases/${demoCase.id}`);
      await page
        .getByTestId('case-identification')
        .getByText(/回头看：/)
        .waitFor();
      await shot('case-lookback');
      await page.goto(`${url}/#/decisions/${eastId}/print`);
      await page.getByTestId('print-sheet').waitFor();
      await shot('print');
      if (width === 360) {
        const phone = await login(browser, url, 'demo_township1', 360, problems);
        await phone.goto(`${url}/#/decisions/${eastId}`);
        await phone.getByTestId('list-stage').waitFor();
        await shotOf(phone, 360)('township-approved');
      }
    }
  });
  process.stdout.write(`截图已保存到 ${out}\n`);
}

main().catch(fail);
