// npx tsx scripts/screenshots-menu.ts [--out DIR]
// The console's grouped menu to look at, on the demo data of `npm run seed:demo`: each role's home
// page at 360, 1024 and 1280 px (the sidebar from 1024 px, the top of the page only), and below
// 1024 px the menu opened by its button. Reports a page wider than the screen and a sidebar whose
// entries do not all fit in an 800 px high window. The app runs in this process over a throw-away
// database (DATABASE_URL's server, else an embedded PostgreSQL).
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { DEMO_PASSWORD, seedDemo } from '../server/modules/demo/demo.service.ts';
import { ensureWebBuilt } from '../test/helpers/web-build.ts';
import { fail, shotFile, watchConsole, withStage, type Ctx } from './lib/shots.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const ACCOUNTS = ['demo_county', 'demo_township1', 'demo_village', 'demo_dept', 'demo_city', 'demo_admin'];
const WIDTHS = [360, 1024, 1280];

/** A demo account logged in at the context's width (800 px high; 740 on a phone). */
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

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { out: { type: 'string' } } });
  const out = path.resolve(values.out ?? path.join(ROOT, 'dist/screenshots-menu'));
  fs.mkdirSync(out, { recursive: true });
  await ensureWebBuilt();
  await withStage('shots_menu', async ({ db, url, browser, problems }) => {
    await seedDemo(db);
    for (const width of WIDTHS) {
      const ctx: Ctx = { url, out, prefix: 'menu', width, problems };
      for (const who of ACCOUNTS) {
        const page = await login(browser, ctx, who);
        await page.waitForLoadState('networkidle');
        await page.locator('main h2').first().waitFor();
        const name = who.replace(/^demo_/, '').replace(/\d$/, '');
        const wide = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        if (wide > 0) problems.push(`${name} ${width}px：页面比屏幕宽 ${wide}px`);
        await page.screenshot({ path: shotFile(ctx, name, 'png') });
        const menu = page.getByRole('navigation', { name: '主菜单' });
        if (width < 1024) {
          await page.getByRole('button', { name: /菜单/ }).click();
          await page.screenshot({ path: shotFile(ctx, `${name}-open`, 'png') });
        } else {
          const last = await menu.getByRole('link').last().boundingBox();
          if (!last || last.y + last.height > 800) problems.push(`${name} ${width}px：菜单最后一项不在窗口内`);
        }
        await page.context().close();
      }
    }
  });
  process.stdout.write(`截图已保存到 ${out}\n`);
}

main().catch(fail);
