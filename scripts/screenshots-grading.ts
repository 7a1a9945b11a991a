// npx tsx scripts/screenshots-grading.ts [--out DIR]
// The 堡垒指数, 负向测评 and 部门报送 pages (issue 10 items 2–4) to look at, at 360 and 1280 px,
// as each role sees them on the demo data of `npm run seed:demo`: the county's lists, sheet and
// negative list, the township's scoring and screening forms (and a village that may not be
// screened), the department's reports and its new-report form, the village secretary's scoring,
// and the board with each village's 堡垒指数 and risk level. The app runs in this process over a
// throw-away database (DATABASE_URL's server, else an embedded PostgreSQL).
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import type { Db } from '../server/db/database.ts';
import { DEMO_PASSWORD, seedDemo } from '../server/modules/demo/demo.service.ts';
import { ensureWebBuilt } from '../test/helpers/web-build.ts';
import { fail, snap, VIEWPORTS, watchConsole, withStage, type Ctx } from './lib/shots.ts';

const ROOT = path.resolve(import.meta.dirname, '..');

const idOf = async (db: Db, name: string) =>
  (await db.selectFrom('region').select('id').where('name', '=', name).executeTakeFirstOrThrow()).id;

/** A demo account logged in at the context's width. */
async function login(browser: Browser, ctx: Ctx, username: string): Promise<Page> {
  const viewport = { width: ctx.width, height: ctx.width < 600 ? 740 : 800 };
  const page = await (await browser.newContext({ viewport, locale: 'zh-CN' })).newPage();
  watchConsole(page, ctx.problems, `[${ctx.width}px ${username}] `);
  await page.goto(`${ctx.url}/`);
  await page.getByLabel('用户名').fill(username);
  await page.getByLabel('密码').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: '登录' }).click();
  await page.locator('header .who').waitFor();
  return page;
}

/** [role's account, picture name, address] */
type Shot = [string, string, string];

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { out: { type: 'string' } } });
  const out = path.resolve(values.out ?? path.join(ROOT, 'dist/screenshots-grading'));
  fs.mkdirSync(out, { recursive: true });
  await ensureWebBuilt();
  await withStage('shots_grading', async ({ db, url, browser, problems }) => {
    await seedDemo(db);
    const [weak, middle, report] = [
      await idOf(db, '柳溪村'),
      await idOf(db, '桃园村'),
      (await db.selectFrom('department_report').select('id').executeTakeFirstOrThrow()).id,
    ];
    const shots: Shot[] = [
      ['demo_county', 'county-grading', '#/grading'],
      ['demo_county', 'county-sheet', '#/grading/sheet'],
      ['demo_county', 'county-risk', '#/risk'],
      ['demo_county', 'county-risk-list', '#/risk/list'],
      ['demo_county', 'county-reports', '#/deptreports'],
      ['demo_county', 'county-report', `#/deptreports/${report}`],
      ['demo_county', 'county-departments', '#/departments'],
      ['demo_county', 'county-board', '#/board'],
      ['demo_township1', 'township-grading', '#/grading'],
      ['demo_township1', 'township-score', `#/grading/${weak}`],
      ['demo_township1', 'township-screen', `#/risk/${weak}`],
      ['demo_township1', 'township-screen-refused', `#/risk/${middle}`],
      ['demo_dept', 'dept-reports', '#/deptreports'],
      ['demo_dept', 'dept-new', '#/deptreports/new'],
      ['demo_dept', 'dept-report', `#/deptreports/${report}`],
      ['demo_village', 'village-grading', '#/grading'],
    ];
    for (const { width } of VIEWPORTS) {
      const ctx: Ctx = { url, out, prefix: 'grading', width, problems };
      const pages = new Map<string, Page>();
      for (const [who, name, where] of shots) {
        let page = pages.get(who);
        if (!page) pages.set(who, (page = await login(browser, ctx, who)));
        await page.goto(`${url}/${where}`);
        await page.waitForLoadState('networkidle');
        await page.locator('main h2').first().waitFor();
        const wide = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        if (wide > 0) problems.push(`${name} ${width}px：页面比屏幕宽 ${wide}px`);
        await snap(page, ctx, name);
      }
    }
    process.stdout.write(`截图已保存到 ${out}\n`);
  });
}

main().catch(fail);
