// npm run screenshots [-- --out DIR]
// The README's pictures, small PNGs under docs/screenshots/: the county's 工作台 (board), a ballot
// on a phone, a printed result sheet and a printed slip sheet, the 认定台账 and its printed annual
// summary. The app runs in this process over a throw-away database (a new database on DATABASE_URL's
// server, else an embedded PostgreSQL in a temporary directory) with the demo data of `npm run
// seed:demo`; the townships then run self-evaluations through the real API (batch creation,
// confirmation, slips, ballots, close), so the board shows what the service made. The console's
// other pages: npm run screenshots:console.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { DEMO_PASSWORD, seedDemo } from '../server/modules/demo/demo.service.ts';
import { ensureWebBuilt } from '../test/helpers/web-build.ts';
import { Client, vote } from './lib/demo.ts';
import { fail, launchChromium, printPdf, startApp, watchConsole } from './lib/shots.ts';

const ROOT = path.resolve(import.meta.dirname, '..');

interface Plan {
  village: string;
  residents: number;
  /** ballots cast; each answers the gate question satisfied while i < satisfied */
  ballots: number;
  satisfied: number;
  end: 'closed' | 'open' | 'draft';
}

// 东山镇 (demo_township1) and 西河乡 (demo_township2): two passes, a fail, a meeting in progress and
// a draft waiting for the township to confirm its residents.
const PLANS: Record<string, Plan[]> = {
  demo_township1: [
    { village: '东山村', residents: 10, ballots: 9, satisfied: 8, end: 'closed' },
    { village: '桃园村', residents: 12, ballots: 11, satisfied: 5, end: 'closed' },
    { village: '柳溪村', residents: 9, ballots: 4, satisfied: 4, end: 'open' },
  ],
  demo_township2: [
    { village: '杏林村', residents: 11, ballots: 10, satisfied: 9, end: 'closed' },
    { village: '石桥村', residents: 8, ballots: 0, satisfied: 0, end: 'draft' },
  ],
};

function answers(i: number, satisfied: boolean): Record<string, string> {
  const a: Record<string, string> = { q1: satisfied ? (i % 3 === 0 ? 'basic' : 'satisfied') : 'dissatisfied' };
  for (let q = 2; q <= 10; q++) a[`q${q}`] = ['satisfied', 'basic', 'satisfied', 'unknown'][(i + q) % 4] as string;
  a.q12 = ['party_member', 'representative', 'other'][i % 3] as string;
  return a;
}

interface Made {
  /** a session left open, and unused codes of it for the phone */
  openCodes: string[];
  closedId: number;
}

/** Each township's plan through the API; the open session's slips are issued in the browser (the slip sheet). */
async function runPlans(url: string, browser: Browser, out: string): Promise<Made> {
  const made: Made = { openCodes: [], closedId: 0 };
  for (const [username, plans] of Object.entries(PLANS)) {
    const town = await new Client(url, username, DEMO_PASSWORD).login();
    // the township's own board lists its villages (regionId defaults to the caller's region)
    const ctx = await town.call<{ villages: { villageId: number; villageName: string }[] }>('GET', '/api/board');
    const idOf = (name: string) => ctx.villages.find((v) => v.villageName === name)?.villageId as number;
    const batch = await town.call<{ created: { villageName: string; session: { id: number } }[] }>(
      'POST',
      '/api/session-batches',
      {
        kind: 'self_evaluation',
        villages: plans.map((p) => ({ villageId: idOf(p.village), residentsPresent: p.residents })),
        acknowledgeNoCase: true,
      },
    );
    for (const p of plans) {
      const id = batch.created.find((c) => c.villageName === p.village)?.session.id as number;
      if (p.end === 'draft') continue;
      await town.call('POST', `/api/sessions/${id}/confirm-residents`, { residentsPresent: p.residents });
      let codes: string[];
      if (p.end === 'open') {
        codes = await slipSheet(browser, url, username, id, p.residents, out);
      } else {
        const issued = await town.call<{ slips: { token: string }[] }>('POST', `/api/sessions/${id}/slips`, {
          count: p.residents,
        });
        codes = issued.slips.map((s) => s.token);
      }
      await town.call('POST', `/api/sessions/${id}/open`, {});
      for (let i = 0; i < p.ballots; i++) await vote(url, codes[i] as string, answers(i, i < p.satisfied));
      if (p.end === 'open') made.openCodes = codes.slice(p.ballots);
      else {
        await town.call('POST', `/api/sessions/${id}/close`, {});
        if (made.closedId === 0) made.closedId = id;
      }
    }
  }
  return made;
}

async function consolePage(browser: Browser, url: string, username: string, width: number, height: number) {
  const context = await browser.newContext({ viewport: { width, height }, locale: 'zh-CN' });
  const page = await context.newPage();
  watchConsole(page, problems, `[${width}px ${username}] `);
  await page.goto(`${url}/`);
  await page.getByLabel('用户名').fill(username);
  await page.getByLabel('密码').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: '登录' }).click();
  await page.locator('header .who').waitFor();
  return page;
}

const problems: string[] = [];

/** The first page of the page's print as a PNG at a small resolution. */
async function printedPng(page: Page, file: string): Promise<void> {
  const pdf = file.replace(/\.png$/, '.pdf');
  await printPdf(page, pdf);
  execFileSync('pdftoppm', ['-png', '-r', '56', '-f', '1', '-l', '1', '-singlefile', pdf, file.replace(/\.png$/, '')]);
  fs.rmSync(pdf);
}

/** Issues the slips on the session page as an official would and prints the sheet; returns the codes. */
async function slipSheet(
  browser: Browser,
  url: string,
  username: string,
  id: number,
  count: number,
  out: string,
): Promise<string[]> {
  const page = await consolePage(browser, url, username, 1280, 800);
  await page.goto(`${url}/#/sessions/${id}`);
  await page.getByLabel('本批发放张数').fill(String(count));
  await page.getByRole('button', { name: '发放测评票' }).click();
  await page.getByTestId('sheet-ready').waitFor({ timeout: 60_000 });
  const codes = (await page.getByTestId('slip-code').allTextContents()).map((c) => c.replace(/\s+/g, ''));
  await printedPng(page, path.join(out, 'slip-sheet.png'));
  await page.context().close();
  return codes;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { out: { type: 'string', default: path.join(ROOT, 'docs', 'screenshots') } },
  });
  const out = path.resolve(values.out);
  fs.mkdirSync(out, { recursive: true });
  await ensureWebBuilt();
  const running = await startApp('vre_readme');
  const browser = await launchChromium();
  try {
    await seedDemo(running.db);
    const made = await runPlans(running.url, browser, out);

    const county = await consolePage(browser, running.url, 'demo_county', 1280, 900);
    await county.goto(`${running.url}/#/board`);
    await county.getByText('柳溪村').first().waitFor();
    await county.waitForTimeout(800); // the charts draw after the table
    await county.screenshot({ path: path.join(out, 'board.png') });
    await county.context().close();

    // the year's identification (seed:demo concluded its round and approved both lists)
    const register = await consolePage(browser, running.url, 'demo_county', 1280, 900);
    await register.goto(`${running.url}/#/identification`);
    await register.getByTestId('register-row').first().waitFor();
    await register.screenshot({ path: path.join(out, 'identification.png') });
    await register.goto(`${running.url}/#/identification/print`);
    await register.getByTestId('identification-print').waitFor();
    await printedPng(register, path.join(out, 'identification-summary.png'));
    await register.context().close();

    const town = await consolePage(browser, running.url, 'demo_township1', 1280, 800);
    await town.goto(`${running.url}/#/sessions/${made.closedId}/result`);
    await town.getByTestId('result-sheet').waitFor();
    await printedPng(town, path.join(out, 'result-sheet.png'));
    await town.context().close();

    const phone = await browser.newContext({ viewport: { width: 360, height: 740 }, locale: 'zh-CN' });
    const ballot = await phone.newPage();
    watchConsole(ballot, problems, '[360px ballot] ');
    await ballot.goto(`${running.url}/v#${made.openCodes[0] as string}`);
    await ballot.getByText('满意', { exact: true }).first().click();
    await ballot.getByText('基本满意', { exact: true }).nth(1).click();
    await ballot.screenshot({ path: path.join(out, 'ballot-phone.png') });
    await phone.close();

    for (const p of problems) process.stderr.write(`浏览器报告：${p}\n`);
    process.stdout.write(`README 截图已保存到 ${out}\n`);
  } finally {
    await browser.close();
    await running.stop();
  }
}

main().catch(fail);
