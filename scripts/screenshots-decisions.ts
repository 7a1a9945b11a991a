// npx tsx scripts/screenshots-decisions.ts [--out DIR]
// 三级认定 (issue 10 items 5-6) to look at on the demo data, whose two township lists seed:demo
// approved: the lists, the prevention list, the case page's 认定依据 and the printable list at 1280
// and 360 px; last, with the demo case moved to look-back, its page beside the next year.
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

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { out: { type: 'string', default: 'screenshots/decisions' } } });
  const out = path.resolve(ROOT, values.out as string);
  fs.mkdirSync(out, { recursive: true });
  await ensureWebBuilt();
  await withStage('shots_decisions', async ({ db, url, browser, problems }) => {
    // seed:demo takes both townships' lists of the year through all three levels: 东山镇's names
    // 柳溪村 重点防控村, 西河乡's 西河村 软弱涣散村 with its case (the walk itself is test/e2e/identification-year)
    const { identification, villages } = await seedDemo(db);
    const listOf = (village: string) => {
      const township = villages.find((v) => v.name === village)?.townshipId;
      return identification.lists.find((l) => l.townshipId === township)?.listId;
    };
    const [eastId, westId] = [listOf('东山村'), listOf('西河村')];
    const caseId = identification.caseId;
    if (eastId === undefined || westId === undefined || caseId === null) throw new Error('演示数据缺少认定名单或案件');
    const shotOf = (page: Page, width: number) => (name: string) =>
      page.screenshot({ path: path.join(out, `${name}-${width}.png`), fullPage: true });
    const county = await login(browser, url, 'demo_county', 1280, problems);
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
      await page.goto(`${url}/#/cases/${caseId}`);
      await page.getByTestId('case-identification').getByRole('link', { name: '查看名单' }).waitFor();
      await shot('case-basis');
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
    // the look-back: the case closed (as after exit), its page shows the village's next year next to it
    await db.updateTable('rectification_case').set({ state: 'monitoring' }).where('id', '=', caseId).execute();
    for (const width of [1280, 360]) {
      const page = await login(browser, url, 'demo_county', width, problems);
      const shot = shotOf(page, width);
      await page.goto(`${url}/#/cases/${caseId}`);
      await page
        .getByTestId('case-identification')
        .getByText(/回头看：/)
        .waitFor();
      await shot('case-lookback');
    }
  });
  process.stdout.write(`截图已保存到 ${out}\n`);
}

main().catch(fail);
