// npx tsx scripts/screenshots-ballot.ts [--out DIR] [--no-build] [--width 360]
// Screenshots of the villager's ballot page at a phone size (360×740, or --width), to look at by
// eye: the questionnaire, the unanswered-items summary, the retrying state, the receipt, every
// refusal, code entry, a mangled slip link and the receipt check. The app runs in this process over a throw-away database (a new
// database on DATABASE_URL's server, else an embedded PostgreSQL in a temporary directory). Only
// network failures are simulated (playwright routes); every reply shown comes from the real server.
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { FastifyInstance } from 'fastify';
import type { Browser, Page } from 'playwright-core';
import { build } from 'vite';
import type { Db } from '../server/db/database.ts';
import { FAILURE_LIMIT } from '../server/modules/ballots/ballots.limiter.ts';
import { createSessionFixture, newToken, type SessionFixture } from '../test/helpers/evaluation.ts';
import { createRegion, type Tree } from '../test/helpers/factories.ts';
import { sessionFor } from '../test/helpers/world.ts';
import { withStage } from './lib/shots.ts';

const ROOT = path.resolve(import.meta.dirname, '..');

async function villageTree(db: Db): Promise<Tree> {
  const city = await createRegion(db, 'city', null, '西宁市');
  const county = await createRegion(db, 'county', city, '湟中区');
  const township = await createRegion(db, 'township', county, '多巴镇');
  return { city, county, township, village: await createRegion(db, 'village', township, '玉拉村') };
}

async function answer(page: Page, upTo: number, skip: number[] = []): Promise<void> {
  const labels = ['满意', '基本满意', '满意', '不了解', '满意', '基本满意', '不满意', '满意', '满意', '基本满意'];
  for (let i = 1; i <= upTo; i++) {
    if (skip.includes(i)) continue;
    await page
      .locator(`#q-q${i}`)
      .getByLabel(labels[i - 1] as string, { exact: true })
      .check();
  }
}

interface Shots {
  browser: Browser;
  base: string;
  out: string;
  width: number;
  taken: string[];
}

async function phone(s: Shots): Promise<Page> {
  const context = await s.browser.newContext({
    viewport: { width: s.width, height: 740 },
    locale: 'zh-CN',
    hasTouch: true,
  });
  return context.newPage();
}

async function shot(s: Shots, page: Page, name: string, opts: { fullPage?: boolean } = {}): Promise<void> {
  const file = path.join(s.out, `ballot-${name}.png`);
  await page.waitForTimeout(400); // let smooth scrolling and the spinner settle
  await page.screenshot({ path: file, fullPage: opts.fullPage ?? false });
  s.taken.push(file);
}

async function voteShots(s: Shots, f: SessionFixture): Promise<void> {
  const page = await phone(s);
  await page.goto(`${s.base}/v#${f.tokens[0]}`);
  await page.locator('.intro').waitFor();
  await shot(s, page, '01-questionnaire-top');
  await answer(page, 10, [4, 8]);
  await page.locator('#q-q3').scrollIntoViewIfNeeded();
  await page.evaluate(() => window.scrollBy(0, 300));
  await shot(s, page, '02-questionnaire-scrolled');
  await page.getByLabel('11. 意见和建议', { exact: false }).fill('希望村务公开栏每月按时更新，账目写得再细一些。');
  await page.getByRole('button', { name: '提交' }).click();
  await page.locator('.summary').waitFor();
  await shot(s, page, '03-required-summary');
  // the summary's link brings the first unanswered item (4) to the top, smoothly
  await page.locator('.summary').getByRole('link', { name: '第 4 题' }).click();
  await page.waitForFunction(
    () => Math.abs((document.getElementById('q-q4')?.getBoundingClientRect().top ?? 0) - 12) < 2,
  );
  await shot(s, page, '04-required-item');
  await shot(s, page, '05-questionnaire-full', { fullPage: true });

  // The first reply is lost; the retry waits until the retrying screen has been photographed.
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let calls = 0;
  await page.route('**/api/ballots', async (route) => {
    if (calls++ === 0) {
      await route.fetch();
      return route.abort('connectionreset');
    }
    await released;
    return route.continue();
  });
  await answer(page, 10);
  await page.getByRole('button', { name: '提交' }).click();
  await page.getByRole('heading', { name: '网络不好，正在重试…' }).waitFor();
  await shot(s, page, '06-retrying');
  release();
  await page.getByRole('heading', { name: '提交成功' }).waitFor();
  await shot(s, page, '07-receipt');
  await page.context().close();
}

async function stalledShot(s: Shots, f: SessionFixture): Promise<void> {
  const page = await phone(s);
  await page.clock.install();
  await page.route('**/api/ballots', (route) => route.abort('connectionreset'));
  await page.goto(`${s.base}/v#${f.tokens[2]}`);
  await page.locator('.intro').waitFor();
  await answer(page, 10);
  await page.getByRole('button', { name: '提交' }).click();
  const stalled = page.getByRole('heading', { name: '网络不好', exact: true });
  while (!(await stalled.isVisible())) await page.clock.runFor(5000);
  await shot(s, page, '08-stalled');
  await page.context().close();
}

async function refusalShots(s: Shots, open: SessionFixture, draft: SessionFixture, closed: SessionFixture) {
  const cases: [string, string][] = [
    ['10-used', open.tokens[0] as string],
    ['11-unknown', newToken()],
    ['12-malformed', 'HELLO-WORLD'],
    ['13-not-started', draft.tokens[0] as string],
    ['14-closed', closed.tokens[0] as string],
  ];
  for (const [name, hash] of cases) {
    const page = await phone(s);
    await page.goto(`${s.base}/v#${hash}`);
    await page.locator('[role="alert"] h2').waitFor();
    await shot(s, page, name);
    await page.context().close();
  }
  const page = await phone(s);
  await page.route('**/api/ballot/questionnaire', async (route) => {
    await page.context().setOffline(true);
    return route.abort('internetdisconnected');
  });
  await page.goto(`${s.base}/v#${open.tokens[1]}`);
  await page.getByRole('heading', { name: '手机没有联网' }).waitFor({ timeout: 15_000 });
  await shot(s, page, '15-offline');
  await page.context().close();
}

async function entryAndCheckShots(s: Shots, open: SessionFixture, db: Db, app: FastifyInstance) {
  const page = await phone(s);
  await page.goto(`${s.base}/v`);
  await page.getByLabel('测评票编码').waitFor();
  await shot(s, page, '20-code-entry');
  await page.getByLabel('测评票编码').fill('AB0O-1');
  await page.getByRole('button', { name: '打开测评' }).click();
  await shot(s, page, '21-code-entry-error');
  // a slip link whose # a chat app turned into a path: the page opens it and puts /v back
  await page.goto(`${s.base}/v%23${open.tokens[3]}`);
  await page.locator('.intro').waitFor();
  await shot(s, page, '25-mangled-link');
  await page.goto(`${s.base}/v#r:${open.publicId}`);
  await page.locator('[role="alert"] h2').waitFor();
  await shot(s, page, '22-check-not-closed');
  const cookie = await sessionFor(db, open.secretary.id);
  await app.inject({ method: 'POST', url: `/api/sessions/${open.sessionId}/close`, headers: { cookie } });
  await page.context().close();
  // The phone that voted in voteShots remembers its receipt: a new phone types it.
  const checker = await phone(s);
  const receipts = await db.selectFrom('receipt').select('code').where('session_id', '=', open.sessionId).execute();
  await checker.goto(`${s.base}/v#r:${open.publicId}`);
  await checker.getByLabel('您的回执码').fill(receipts[0]?.code.toLowerCase() ?? '');
  await checker.getByRole('button', { name: '查验' }).click();
  await shot(s, checker, '23-check-found');
  await checker.getByLabel('您的回执码').fill('ABCDE12345');
  await checker.getByRole('button', { name: '查验' }).click();
  await shot(s, checker, '24-check-missing');
  await checker.context().close();
}

/** Last, because it slows this address's misses: a valid slip still opens at once after
 * FAILURE_LIMIT unknown codes from the same address (one village hall behind one NAT). */
async function afterMissesShot(s: Shots, f: SessionFixture): Promise<void> {
  for (let i = 0; i < FAILURE_LIMIT; i++) {
    await fetch(`${s.base}/api/ballot/questionnaire`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: newToken() }),
    });
  }
  const page = await phone(s);
  await page.goto(`${s.base}/v#${f.tokens[0]}`);
  await page.locator('.intro').waitFor();
  await shot(s, page, '16-valid-after-misses');
  await page.context().close();
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { out: { type: 'string' }, 'no-build': { type: 'boolean' }, width: { type: 'string' } },
  });
  const out = path.resolve(values.out ?? path.join(ROOT, 'screenshots'));
  fs.mkdirSync(out, { recursive: true });
  if (!values['no-build']) await build({ configFile: path.join(ROOT, 'vite.config.ts'), logLevel: 'warn' });
  await withStage('vre_ballot_shots', async ({ app, db, url: base, browser }) => {
    const s: Shots = { browser, base, out, width: Number(values.width ?? 360), taken: [] };
    const tree = await villageTree(db);
    const title = '2025年度玉拉村党组织整顿村级自评';
    const open = await createSessionFixture(db, { tree, title, slips: 5 });
    const draft = await createSessionFixture(db, { tree, title, slips: 1, status: 'draft' });
    const closed = await createSessionFixture(db, { tree, title, slips: 1, status: 'closed' });
    await voteShots(s, open);
    await stalledShot(s, open);
    await refusalShots(s, open, draft, closed);
    await entryAndCheckShots(s, open, db, app);
    // the receipt-check shots closed `open`: a session of its own
    await afterMissesShot(s, await createSessionFixture(db, { tree, title, slips: 1 }));
    console.log(s.taken.map((f) => path.relative(ROOT, f)).join('\n'));
  });
}

await main();
