// The villager's ballot page on a phone-sized Chromium against the real app on a real database:
// vote from a slip URL, survive a lost reply and a reload, read every refusal, check a receipt.
import fs from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page, type Route } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { sha256 } from '../../server/lib/crypto.ts';
import { ensureWebBuilt } from '../helpers/web-build.ts';
import { buildTestApp } from '../helpers/app.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { ballotState, createSessionFixture, newToken, type SessionFixture } from '../helpers/evaluation.ts';
import { createRegion, type Tree } from '../helpers/factories.ts';
import { sessionFor } from '../helpers/world.ts';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = fs.existsSync(CHROMIUM);
if (!hasChromium) console.warn(`跳过测评页浏览器测试：未找到 ${CHROMIUM}（CI 会安装 chromium）`);

/** The answers the tests give, as the page's buttons read and as the server stores them. */
const LABELS: Record<string, string> = { q1: '满意', q2: '基本满意', q3: '不满意', q4: '不了解' };
const IDS: Record<string, string> = { 满意: 'satisfied', 基本满意: 'basic', 不满意: 'dissatisfied', 不了解: 'unknown' };

async function answerRequired(page: Page, skip: number[] = []): Promise<Record<string, string>> {
  const stored: Record<string, string> = {};
  for (let i = 1; i <= 10; i++) {
    if (skip.includes(i)) continue;
    const label = LABELS[`q${i}`] ?? '满意';
    await page.locator(`#q-q${i}`).getByLabel(label, { exact: true }).check();
    stored[`q${i}`] = IDS[label] as string;
  }
  return stored;
}

const receiptOf = (page: Page) => page.locator('.receipt').getAttribute('data-receipt');

/** WCAG contrast ratio of two sRGB colours. */
function contrast(a: [number, number, number], b: [number, number, number]): number {
  const lum = (c: [number, number, number]) => {
    const [r, g, bl] = c.map((v) => {
      const s = v / 255;
      return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    }) as [number, number, number];
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
  };
  const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

describe.skipIf(!hasChromium)('the ballot page on a phone', () => {
  let database: TestDatabase;
  let app: FastifyInstance;
  let browser: Browser;
  let baseUrl: string;
  let tree: Tree;
  let context: BrowserContext;
  /** Script errors and CSP refusals (refused API replies are expected and left out). */
  const problems: string[] = [];

  /** A fresh phone: its own localStorage, watched for script errors and for the token in logs. */
  async function phone(token = ''): Promise<Page> {
    context = await browser.newContext({ viewport: { width: 360, height: 740 }, locale: 'zh-CN', hasTouch: true });
    const page = await context.newPage();
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('console', (m) => {
      if (token && m.text().includes(token)) problems.push(`token logged: ${m.text()}`);
      if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) problems.push(m.text());
    });
    return page;
  }

  const fixture = (opts: Parameters<typeof createSessionFixture>[1] = {}): Promise<SessionFixture> =>
    createSessionFixture(database.db, { tree, title: '2025年度整顿村级自评', slips: 3, ...opts });

  beforeAll(async () => {
    await ensureWebBuilt();
    database = await createTestDatabase();
    const city = await createRegion(database.db, 'city', null, '测试市');
    const county = await createRegion(database.db, 'county', city, '青山县');
    const township = await createRegion(database.db, 'township', county, '东风镇');
    tree = { city, county, township, village: await createRegion(database.db, 'village', township, '河口村') };
    app = await buildTestApp(database.db);
    baseUrl = await app.listen({ host: '127.0.0.1', port: 0 });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
  }, 120_000);

  afterEach(async () => {
    await context?.close();
    expect(problems).toEqual([]);
  });

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await database?.close();
  });

  it('opens a slip URL, takes the answers and shows the receipt; one ballot is stored and the slip is used', async () => {
    const f = await fixture();
    const token = f.tokens[0] as string;
    const page = await phone(token);
    const sent: string[] = [];
    // What reaches the network: the fragment (#TOKEN) is never part of an HTTP request.
    page.on('request', (r) => {
      const url = new URL(r.url());
      sent.push(`${r.method()} ${url.pathname}${url.search}`);
    });
    await page.goto(`${baseUrl}/v#${token}`);

    expect(await page.locator('header .village').innerText()).toBe('河口村');
    expect(await page.locator('header h1').innerText()).toBe('2025年度整顿村级自评');
    expect(await page.locator('.intro').innerText()).toBe(f.questionnaire.header);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    const answers = await answerRequired(page);
    const comment = '希望村里继续把账目按月公开。';
    await page.getByLabel('11. 意见和建议', { exact: false }).fill(comment);
    expect(await page.locator('#q-q11 .counter').innerText()).toBe(`已输入 ${comment.length} / 300 字`);
    await page.locator('#q-q12').getByLabel('党员', { exact: true }).check();
    await page.getByRole('button', { name: '提交' }).click();

    await page.getByRole('heading', { name: '提交成功' }).waitFor();
    const receipt = await receiptOf(page);
    expect(receipt).toMatch(/^[0-9A-HJ-NP-Z]{10}$/);
    expect((await page.locator('.receipt').innerText()).replace(/\s/g, '')).toBe(receipt);
    expect(await page.locator('.done').innerText()).toContain(
      '您的意见已记录，感谢参与。回执码可在测评结束后查验是否计入',
    );

    expect(await ballotState(database.db, f.sessionId)).toEqual({
      ballots: 1,
      receipts: 1,
      used: 1,
      online: 1,
      paper: 0,
    });
    const ballot = await database.db
      .selectFrom('ballot')
      .select('answers')
      .where('session_id', '=', f.sessionId)
      .execute();
    expect(ballot).toEqual([{ answers: { ...answers, q11: comment, q12: 'party_member' } }]);
    const slip = await database.db
      .selectFrom('slip')
      .select(['used', 'receipt'])
      .where('token_hash', '=', sha256(token))
      .executeTakeFirstOrThrow();
    expect(slip).toEqual({ used: true, receipt });
    // The token travelled only in POST bodies, never in a URL the page requested.
    expect(sent.filter((s) => s.includes(token))).toEqual([]);
    expect(sent.filter((s) => s.includes('/api/'))).toEqual(['POST /api/ballot/questionnaire', 'POST /api/ballots']);
  });

  it('points out unanswered required items in a summary at the top and submits nothing until they are answered', async () => {
    const f = await fixture();
    const page = await phone(f.tokens[0]);
    await page.goto(`${baseUrl}/v#${f.tokens[0]}`);
    await answerRequired(page, [3, 7]);
    await page.getByRole('button', { name: '提交' }).click();

    const summary = page.locator('.summary');
    expect(await summary.getAttribute('role')).toBe('alert');
    expect(await summary.locator('h2').innerText()).toBe('还有 2 道题没有作答');
    expect(await summary.getByRole('link').allInnerTexts()).toEqual(['第 3 题', '第 7 题']);
    // the summary has the focus and sits at the top of the screen, above the questions
    expect(await page.evaluate(() => document.activeElement?.className)).toContain('summary');
    expect(await summary.evaluate((el) => el.getBoundingClientRect().top)).toBeLessThan(120);
    expect(await page.locator('#q-q3 .need').innerText()).toBe('这道题还没有选择，请选一项');
    expect(await ballotState(database.db, f.sessionId)).toMatchObject({ ballots: 0, used: 0 });

    // a link takes the villager to the item (its first option focused) and leaves the code in the address
    await summary.getByRole('link', { name: '第 7 题' }).click();
    expect(await page.evaluate(() => document.activeElement?.closest('fieldset')?.id)).toBe('q-q7');
    expect(new URL(page.url()).hash).toBe(`#${f.tokens[0]}`);
    const top = () => page.locator('#q-q7').evaluate((el) => el.getBoundingClientRect().top);
    await expect.poll(async () => (await top()) >= 0 && (await top()) <= 40).toBe(true);

    await page.locator('#q-q3').getByLabel('不满意', { exact: true }).check();
    expect(await summary.locator('h2').innerText()).toBe('还有 1 道题没有作答');
    await page.locator('#q-q7').getByLabel('满意', { exact: true }).check();
    expect(await page.locator('.need').count()).toBe(0);
    expect(await summary.count()).toBe(0);
    await page.getByRole('button', { name: '提交' }).click();
    await page.getByRole('heading', { name: '提交成功' }).waitFor();
    expect(await ballotState(database.db, f.sessionId)).toMatchObject({ ballots: 1, used: 1 });
  });

  it('shows a chosen answer in a colour of its own with a check mark, not the red of an unanswered item', async () => {
    const f = await fixture();
    const page = await phone(f.tokens[0]);
    await page.goto(`${baseUrl}/v#${f.tokens[0]}`);
    await page.locator('#q-q1').getByLabel('满意', { exact: true }).check();
    await page.getByRole('button', { name: '提交' }).click();
    await page.locator('.summary').waitFor();
    expect(await page.locator('.summary h2').innerText()).toBe('还有 9 道题没有作答');

    const chosen = page.locator('#q-q1 .option.on');
    const on = await chosen.evaluate((el) => {
      const s = getComputedStyle(el);
      return { background: s.backgroundColor, color: s.color, mark: getComputedStyle(el, '::after').content };
    });
    const missing = await page.locator('#q-q2').evaluate((el) => getComputedStyle(el).borderTopColor);
    const need = await page.locator('#q-q2 .need').evaluate((el) => getComputedStyle(el).color);
    // the check mark drawn in the chosen option's circle
    expect(on.mark).toBe('"✓"');
    expect(on.background).not.toBe(missing);
    expect(on.background).not.toBe(need);
    // far apart in hue: the chosen colour is blue (more blue than red), the error colour red
    const rgb = (c: string) => (c.match(/\d+/g) ?? []).slice(0, 3).map(Number) as [number, number, number];
    const [cr, , cb] = rgb(on.background);
    const [mr, , mb] = rgb(missing);
    expect(cb).toBeGreaterThan(cr);
    expect(mr).toBeGreaterThan(mb);
    // white text on the chosen colour reads at WCAG AA (4.5:1) at least
    expect(contrast(rgb(on.background), rgb(on.color))).toBeGreaterThanOrEqual(4.5);
  });

  it('opens a slip link mangled by a chat app (/v/TOKEN, /v%23TOKEN) with the code, which leaves the path', async () => {
    const f = await fixture();
    for (const [i, mangled] of [
      [0, (t: string) => `/v/${t}`],
      [1, (t: string) => `/v%23${t}`],
      [2, (t: string) => `/v%2F${t.toLowerCase()}`],
    ] as const) {
      const token = f.tokens[i] as string;
      const page = await phone(token);
      const sent: string[] = [];
      page.on('request', (r) => sent.push(r.url()));
      await page.goto(baseUrl + mangled(token));
      await page.locator('.intro').waitFor();
      expect(await page.locator('header h1').innerText()).toBe(f.title);
      const url = new URL(page.url());
      expect([url.pathname, url.search, url.hash.toUpperCase()]).toEqual(['/v', '', `#${token}`]);
      // only the navigation itself carried the token; nothing the page loaded or asked did
      expect(sent.slice(1).filter((u) => u.toUpperCase().includes(token))).toEqual([]);
      // the mangled address was replaced, not added: Back leads to where the phone came from
      await page.goBack();
      expect(page.url()).toBe('about:blank');
      await context.close();
    }
    expect(await ballotState(database.db, f.sessionId)).toMatchObject({ ballots: 0, used: 0 });
  }, 90_000);

  it('retries a submission whose reply was lost, with the same client id, and shows the stored receipt', async () => {
    const f = await fixture();
    const token = f.tokens[0] as string;
    const page = await phone(token);
    const attempts: { clientId: string; status: number | 'dropped' }[] = [];
    let dropped = '';
    let seenRetrying!: () => void;
    const retryingShown = new Promise<void>((resolve) => (seenRetrying = resolve));
    await page.route('**/api/ballots', async (route: Route) => {
      const clientId = (route.request().postDataJSON() as { clientId: string }).clientId;
      if (attempts.length === 0) {
        // The ballot reaches the server and commits; only the reply is lost on the way back.
        const reply = await route.fetch();
        dropped = ((await reply.json()) as { receipt: string }).receipt;
        attempts.push({ clientId, status: 'dropped' });
        return route.abort('connectionreset');
      }
      await retryingShown;
      const reply = await route.fetch();
      attempts.push({ clientId, status: reply.status() });
      return route.fulfill({ response: reply });
    });
    await page.goto(`${baseUrl}/v#${token}`);
    await answerRequired(page);
    await page.getByRole('button', { name: '提交' }).click();

    await page.getByRole('heading', { name: '网络不好，正在重试…' }).waitFor();
    seenRetrying();
    await page.getByRole('heading', { name: '提交成功' }).waitFor();
    expect(await receiptOf(page)).toBe(dropped);
    const clientId = attempts[0]?.clientId as string;
    expect(clientId).toMatch(/^[0-9a-f]{32}$/);
    expect(attempts).toEqual([
      { clientId, status: 'dropped' },
      { clientId, status: 200 },
    ]);
    expect(await ballotState(database.db, f.sessionId)).toEqual({
      ballots: 1,
      receipts: 1,
      used: 1,
      online: 1,
      paper: 0,
    });
  });

  it('resumes an unfinished submission when the page is reopened and keeps only the receipt on the phone', async () => {
    const f = await fixture();
    const token = f.tokens[0] as string;
    const page = await phone(token);
    const attempts: { clientId: string; status: number | 'dropped' | 'offline' }[] = [];
    let online = false;
    let dropped = '';
    await page.route('**/api/ballots', async (route: Route) => {
      const clientId = (route.request().postDataJSON() as { clientId: string }).clientId;
      if (online) {
        const reply = await route.fetch();
        attempts.push({ clientId, status: reply.status() });
        return route.fulfill({ response: reply });
      }
      if (attempts.length > 0) {
        attempts.push({ clientId, status: 'offline' });
        return route.abort('internetdisconnected');
      }
      dropped = ((await (await route.fetch()).json()) as { receipt: string }).receipt;
      attempts.push({ clientId, status: 'dropped' });
      return route.abort('connectionreset');
    });
    await page.goto(`${baseUrl}/v#${token}`);
    await answerRequired(page);
    await page.getByRole('button', { name: '提交' }).click();
    await page.getByRole('heading', { name: '网络不好，正在重试…' }).waitFor();

    // The browser is closed mid-retry; later, on a good network, the villager opens the slip again.
    await page.goto('about:blank');
    online = true;
    await page.goto(`${baseUrl}/v#${token}`);
    await page.getByRole('heading', { name: '提交成功' }).waitFor();

    expect(await receiptOf(page)).toBe(dropped);
    const clientId = attempts[0]?.clientId as string;
    expect(attempts.map((a) => a.clientId)).toEqual(attempts.map(() => clientId));
    expect(attempts[0]?.status).toBe('dropped');
    expect(attempts.at(-1)?.status).toBe(200);
    expect(await ballotState(database.db, f.sessionId)).toMatchObject({ ballots: 1, used: 1 });
    const stored = await page.evaluate(() => Object.keys(localStorage).map((k) => JSON.parse(localStorage[k])));
    expect(stored).toEqual([{ publicId: f.publicId, title: f.title, villageName: '河口村', receipt: dropped }]);
  });

  it('tells the villager in Chinese when a slip is used, unknown or malformed, or the session is not open', async () => {
    const open = await fixture();
    const used = open.tokens[1] as string;
    const draft = await fixture({ status: 'draft', title: '草稿测评' });
    const closed = await fixture({ status: 'closed', title: '已结束的测评' });
    const page = await phone();
    await page.request.post(`${baseUrl}/api/ballots`, {
      data: {
        token: used,
        clientId: 'someone-else-1',
        answers: {
          q1: 'satisfied',
          q2: 'satisfied',
          q3: 'basic',
          q4: 'basic',
          q5: 'basic',
          q6: 'basic',
          q7: 'basic',
          q8: 'basic',
          q9: 'basic',
          q10: 'basic',
        },
      },
    });
    const titleAt = async (hash: string) => {
      await page.goto(`${baseUrl}/v#${hash}`);
      await page.reload();
      return page.locator('[role="alert"] h2').innerText();
    };
    expect(await titleAt(used)).toBe('此二维码已使用');
    expect(await titleAt(newToken())).toBe('无效的二维码');
    expect(await titleAt('NOT-A-CODE')).toBe('无效的二维码');
    expect(await titleAt(draft.tokens[0] as string)).toBe('测评尚未开始');
    expect(await page.getByRole('button', { name: '刷新' }).count()).toBe(1);
    expect(await titleAt(closed.tokens[0] as string)).toBe('测评已结束');
  });

  it('asks for the code when the URL has none and opens the questionnaire from what was typed', async () => {
    const f = await fixture();
    const token = f.tokens[0] as string;
    const page = await phone(token);
    await page.goto(`${baseUrl}/v`);
    const box = page.getByLabel('测评票编码');
    await box.fill('0000 1111');
    await page.getByRole('button', { name: '打开测评' }).click();
    expect(await page.getByRole('alert').innerText()).toBe(
      '编码里不会有“0、1”。注意：编码中没有数字 0、1 和字母 I、O。',
    );

    await box.fill(token.toLowerCase().replace(/(.{4})(?=.)/g, '$1 '));
    expect(await box.inputValue()).toBe(token.replace(/(.{4})(?=.)/g, '$1-'));
    await page.getByRole('button', { name: '打开测评' }).click();
    await page.locator('.intro').waitFor();
    expect(new URL(page.url()).hash).toBe(`#${token}`);
  });

  it('checks a receipt against the list published after close, on the phone', async () => {
    const f = await fixture();
    const token = f.tokens[0] as string;
    const page = await phone(token);
    await page.goto(`${baseUrl}/v#${token}`);
    await answerRequired(page);
    await page.getByRole('button', { name: '提交' }).click();
    await page.getByRole('heading', { name: '提交成功' }).waitFor();
    const receipt = (await receiptOf(page)) as string;

    await page.getByRole('link', { name: '测评结束后，查验回执' }).click();
    // the check's address names the session by its random public id, never by its sequential key
    expect(new URL(page.url()).hash).toBe(`#r:${f.publicId}`);
    expect(await page.locator('[role="alert"] h2').innerText()).toBe('还没有这次测评的回执名单');

    const cookie = await sessionFor(database.db, f.secretary.id);
    const close = await app.inject({ method: 'POST', url: `/api/sessions/${f.sessionId}/close`, headers: { cookie } });
    expect(close.statusCode).toBe(200);
    await page.getByRole('button', { name: '刷新' }).click();
    const box = page.getByLabel('您的回执码');
    expect(await box.inputValue()).toBe(receipt);
    await page.getByRole('button', { name: '查验' }).click();
    expect(await page.getByRole('status').innerText()).toBe('✓ 已计入：您的回执码在公布的名单中。');

    await box.fill('ZZZZZZZZZZ');
    await page.getByRole('button', { name: '查验' }).click();
    expect(await page.getByRole('alert').innerText()).toBe(
      '没有找到这个回执码。请核对后再试；确认无误仍找不到，请向乡镇党委反映。',
    );
  });

  it('shows the other session when only the receipt-check address changes', async () => {
    const first = await fixture({ status: 'closed', title: '2024年度整顿村级自评' });
    const second = await fixture({ status: 'closed', title: '2025年度整顿群众满意度测评' });
    const page = await phone();
    await page.goto(`${baseUrl}/v#r:${first.publicId}`);
    const heading = page.locator('.card .muted').first();
    await page.getByText(`河口村 · ${first.title}`).waitFor();
    await page.getByLabel('您的回执码').fill('ZZZZZZZZZZ');
    await page.getByRole('button', { name: '查验' }).click();
    await page.getByRole('alert').waitFor();

    await page.evaluate((id) => (location.hash = `r:${id}`), second.publicId);
    await page.getByText(`河口村 · ${second.title}`).waitFor();
    expect(await heading.innerText()).toBe(`河口村 · ${second.title}`);
    // nothing of the first check is left: no result, an empty box
    expect(await page.getByRole('alert').count()).toBe(0);
    expect(await page.getByLabel('您的回执码').inputValue()).toBe('');
  });
});
