// npx tsx scripts/screenshots-identification.ts [--out DIR]
// The 认定台账 (issue 10 item 7) to look at: the register of the demo county at 360 and 1280 px
// (whole, and filtered to 弱村), the board's link to it, and the annual summary printed to PDF
// with PNGs of its pages. The app runs in this process over a throw-away database with the demo
// data of `npm run seed:demo`; what the demo does not hold yet (a list per township, a department
// report, an exited case) is written here directly.
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import type { Db } from '../server/db/database.ts';
import { DEMO_PASSWORD, seedDemo } from '../server/modules/demo/demo.service.ts';
import { ensureWebBuilt } from '../test/helpers/web-build.ts';
import { fail, pdfToPngs, printPdf, VIEWPORTS, watchConsole, withStage } from './lib/shots.ts';

const ROOT = path.resolve(import.meta.dirname, '..');

const idOf = async (db: Db, name: string) =>
  (await db.selectFrom('region').select('id').where('name', '=', name).executeTakeFirstOrThrow()).id;

/** Lists for both townships (东山镇 approved, 西河乡 determined), a report, an exited case. */
async function extend(db: Db): Promise<{ county: number; year: number }> {
  const sheet = await db.selectFrom('grading_sheet').select(['region_id', 'year']).executeTakeFirstOrThrow();
  const { region_id: county, year } = sheet;
  const official = await db
    .selectFrom('official')
    .select('id')
    .where('username', '=', 'demo_county')
    .executeTakeFirstOrThrow();
  const dept = await db
    .selectFrom('official')
    .select('id')
    .where('username', '=', 'demo_dept')
    .executeTakeFirstOrThrow();
  const existing = await db.selectFrom('identification_list').select('id').where('year', '=', year).execute();
  if (existing.length === 0) {
    const campaign = await db.selectFrom('campaign').select('id').where('year', '=', year).executeTakeFirstOrThrow();
    const list = async (township: string, stage: 'approved' | 'determined') =>
      (
        await db
          .insertInto('identification_list')
          .values({
            township_id: await idOf(db, township),
            county_id: county,
            year,
            stage,
            campaign_id: stage === 'approved' ? campaign.id : null,
            created_by: official.id,
          })
          .returning('id')
          .executeTakeFirstOrThrow()
      ).id;
    const east = await list('东山镇', 'approved');
    const west = await list('西河乡', 'determined');
    await db
      .insertInto('identification_entry')
      .values([
        { list_id: east, village_id: await idOf(db, '柳溪村'), outcome: 'prevent', prevention_level: 2 },
        { list_id: east, village_id: await idOf(db, '桃园村'), outcome: 'none' },
        { list_id: west, village_id: await idOf(db, '西河村'), outcome: 'rectify' },
      ])
      .execute();
  }
  await db
    .insertInto('department_report')
    .values({
      county_id: county,
      village_id: await idOf(db, '柳溪村'),
      department: '信访',
      reported_by: dept.id,
      category: 'petition',
      description: '群众反映土地流转纠纷长期未化解，多次到县信访',
      event_date: `${year}-04-12`,
    })
    .execute();
  return { county, year };
}

async function login(browser: Browser, url: string, width: number, problems: string[]): Promise<Page> {
  const height = width < 600 ? 740 : 800;
  const context = await browser.newContext({ viewport: { width, height }, locale: 'zh-CN' });
  const page = await context.newPage();
  watchConsole(page, problems, `[${width}px] `);
  await page.goto(`${url}/`);
  await page.getByLabel('用户名').fill('demo_county');
  await page.getByLabel('密码').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: '登录' }).click();
  await page.locator('header .who').waitFor();
  return page;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { out: { type: 'string', default: 'screenshots/identification' } } });
  const out = path.resolve(ROOT, values.out as string);
  fs.mkdirSync(out, { recursive: true });
  await ensureWebBuilt();
  await withStage('shots_identification', async ({ db, url, browser, problems }) => {
    await seedDemo(db);
    const { county, year } = await extend(db);
    for (const { width } of VIEWPORTS) {
      const page = await login(browser, url, width, problems);
      const shot = (name: string) => page.screenshot({ path: path.join(out, `${name}-${width}.png`), fullPage: true });
      await page.goto(`${url}/#/board?region=${county}&year=${year}`);
      await page.getByRole('link', { name: '认定台账' }).last().click();
      await page.getByTestId('register-row').first().waitFor();
      await shot('register');
      await page.goto(`${url}/#/identification?region=${county}&year=${year}&grade=weak`);
      await page.getByTestId('register-count').getByText('全部').waitFor();
      await shot('register-weak');
      if (width > 600) {
        await page.goto(`${url}/#/identification/print?region=${county}&year=${year}`);
        await page.getByTestId('identification-print').waitFor();
        await shot('summary');
        const pdf = path.join(out, 'summary.pdf');
        const { pages } = await printPdf(page, pdf);
        pdfToPngs(pdf, pages);
        process.stdout.write(`年度汇总：${pages} 页 A4（${pdf}）\n`);
      }
      await page.context().close();
    }
  });
  process.stdout.write(`截图已保存到 ${out}\n`);
}

main().catch(fail);
