// Paper entry in a real browser: the ✓ beside a typed code only for a slip the server knows as
// unused and of this session (a typo is usually still 16 valid characters: there is no check
// digit), a refusal that goes away as the next code is typed, and receipts grouped as on the phone.
import fs from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildTestApp } from '../helpers/app.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { ballotState, createSessionFixture, newToken, type SessionFixture } from '../helpers/evaluation.ts';
import { sessionFor } from '../helpers/world.ts';
import { ensureWebBuilt } from '../helpers/web-build.ts';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = fs.existsSync(CHROMIUM);
if (!hasChromium) console.warn(`跳过纸质票录入浏览器测试：未找到 ${CHROMIUM}（CI 会安装 chromium）`);

const dashed = (token: string) => token.replace(/(.{4})(?=.)/g, '$1-');

describe.skipIf(!hasChromium)('paper entry', () => {
  let database: TestDatabase;
  let app: FastifyInstance;
  let browser: Browser;
  let baseUrl: string;
  let f: SessionFixture;
  let other: SessionFixture;
  let page: Page;
  /** Script errors and CSP refusals (refused API replies are expected and left out). */
  const problems: string[] = [];

  beforeAll(async () => {
    await ensureWebBuilt();
    database = await createTestDatabase();
    f = await createSessionFixture(database.db, { slips: 3 });
    other = await createSessionFixture(database.db, { tree: f.tree, slips: 1, title: '另一场测评' });
    app = await buildTestApp(database.db);
    baseUrl = await app.listen({ host: '127.0.0.1', port: 0 });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    const context = await browser.newContext({ viewport: { width: 360, height: 740 }, locale: 'zh-CN' });
    const [name, value] = (await sessionFor(database.db, f.secretary.id)).split('=') as [string, string];
    await context.addCookies([{ name, value, url: baseUrl }]);
    page = await context.newPage();
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) problems.push(m.text());
    });
    await page.goto(`${baseUrl}/#/sessions/${f.sessionId}/paper`);
    await page.getByLabel('测评码').waitFor();
  }, 180_000);

  afterEach(() => {
    expect(problems).toEqual([]);
  });

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await database?.close();
  });

  const box = () => page.getByLabel('测评码');
  const lookup = () => page.getByTestId('code-lookup');
  const outcome = () => page.locator('section > .alert');

  async function markAll(): Promise<void> {
    for (const q of [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]) {
      await page.locator(`#pm-q${q}`).getByText('满意', { exact: true }).click();
    }
  }

  it('ticks a code only when the server knows it as an unused slip of this session', async () => {
    const typo = newToken();
    await box().fill(typo.toLowerCase());
    await lookup().filter({ hasText: '✗' }).waitFor();
    expect(await lookup().innerText()).toBe(`✗ 没有 ${dashed(typo)} 这个测评码，请对照票面逐位核对。`);

    await box().fill(other.tokens[0] as string);
    await lookup().filter({ hasText: '✗' }).waitFor();
    expect(await lookup().innerText()).toBe(`✗ ${dashed(other.tokens[0] as string)} 不是本场测评的票。`);

    const token = f.tokens[0] as string;
    await box().fill(dashed(token));
    await lookup().filter({ hasText: '✓' }).waitFor();
    expect(await lookup().innerText()).toBe(`✓ ${dashed(token)}`);
    // looking a code up consumes nothing
    expect(await ballotState(database.db, f.sessionId)).toMatchObject({ ballots: 0, used: 0 });
  });

  it('clears the refusal of a code as soon as another is typed', async () => {
    const typo = newToken();
    await box().fill(typo);
    await markAll();
    await page.getByRole('button', { name: '录入这张票' }).click();
    await outcome().filter({ hasText: '未找到这张测评票' }).waitFor();
    expect(await page.getByRole('alert').count()).toBe(1);

    // the counter starts correcting the code: the first key already clears the refusal
    await box().press('End');
    await box().press('Backspace');
    expect(await box().inputValue()).toBe(typo.slice(0, 15));
    expect(await outcome().count()).toBe(0);
    expect(await page.getByRole('alert').count()).toBe(0);
    expect(await ballotState(database.db, f.sessionId)).toMatchObject({ ballots: 0, used: 0 });
  });

  it('shows the receipt of a paper slip grouped as the phone shows an online one, and a used code as used', async () => {
    const token = f.tokens[1] as string;
    await box().fill(token);
    await lookup().filter({ hasText: '✓' }).waitFor();
    await markAll();
    await page.getByRole('button', { name: '录入这张票' }).click();
    await page.getByText(/^已录入第 1 张/).waitFor();
    const text = await page.getByRole('status').innerText();
    expect(text).toMatch(/^已录入第 1 张（回执 [0-9A-Z]{5} [0-9A-Z]{5}）。请录入下一张。$/);
    const [receipt] = await database.db
      .selectFrom('receipt')
      .select('code')
      .where('session_id', '=', f.sessionId)
      .execute();
    expect(text).toContain(`${receipt?.code.slice(0, 5)} ${receipt?.code.slice(5)}`);

    await box().fill(token);
    await lookup().filter({ hasText: '✗' }).waitFor();
    expect(await lookup().innerText()).toBe(`✗ ${dashed(token)} 已经投过票或已录入过，请放入已录入的一叠。`);
    expect(await ballotState(database.db, f.sessionId)).toMatchObject({ ballots: 1, used: 1, paper: 1 });
  });
});
