// The evaluation pages of the officials' console in a real browser against the real app on a real
// database: a secretary creates a session, a township official confirms the residents present, the
// secretary issues and prints slips, opens the session, enters a paper ballot by its typed code and
// watches the live turnout change without a reload, closes the session and reads the verdict.
import fs from 'node:fs';
import jsQR from 'jsqr';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { sha256 } from '../../server/lib/crypto.ts';
import { parseHead } from '../../server/modules/audit/verify.rules.ts';
import { defaultRuleSet, describeRules } from '../../server/modules/tallies/tallies.rules.ts';
import { buildTestApp } from '../helpers/app.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { createOfficial, createRegion, type TestOfficial } from '../helpers/factories.ts';
import { ensureWebBuilt } from '../helpers/web-build.ts';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = fs.existsSync(CHROMIUM);
if (!hasChromium) console.warn(`跳过测评页面浏览器测试：未找到 ${CHROMIUM}（CI 会安装 chromium）`);

/** The rule set after the secretary's edit: the default with the veto on. */
const RULES = { ...defaultRuleSet(), veto: true };
/** The choice questions after the edit (11 is the comment, 12 the optional identity). */
const MARKED = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 13];
const CODE = /^[2-9A-HJ-NP-Z]{4}(-[2-9A-HJ-NP-Z]{4}){3}$/;

/** Reads a slip's QR code as a scanner would: the drawn SVG path rasterized, then jsQR. */
function decodeQr(viewBox: string, d: string): string | null {
  const size = Number(viewBox.split(' ')[2]);
  const scale = 4;
  const quiet = 4;
  const px = (size + 2 * quiet) * scale;
  const pixels = new Uint8ClampedArray(px * px * 4).fill(255);
  // every run of dark modules is `M x y h n v1 h-n z`, inside a one-module margin (translate(1 1))
  for (const [, x, y, n] of d.matchAll(/M(\d+) (\d+)h(\d+)v1h-\d+z/g)) {
    for (let dx = 0; dx < Number(n); dx++) {
      const left = (Number(x) + dx + 1 + quiet) * scale;
      const top = (Number(y) + 1 + quiet) * scale;
      for (let i = 0; i < scale; i++) {
        for (let j = 0; j < scale; j++)
          pixels.fill(0, ((top + i) * px + left + j) * 4, ((top + i) * px + left + j) * 4 + 3);
      }
    }
  }
  return jsQR(pixels, px, px)?.data ?? null;
}

describe.skipIf(!hasChromium)('evaluation sessions in the console', () => {
  let database: TestDatabase;
  let app: FastifyInstance;
  let browser: Browser;
  let baseUrl: string;
  let village: number;
  let secretary: TestOfficial;
  let township: TestOfficial;
  let sec: Page;
  let town: Page;
  let sessionId = 0;
  let codes: string[] = [];
  /** each question's number as the printed slip shows it, by its text */
  let slipNumbers: Record<string, string> = {};
  /** Script errors and CSP refusals seen by any page (refused API replies are expected and left out). */
  const problems: string[] = [];

  async function loggedIn(official: TestOfficial, viewport: { width: number; height: number }): Promise<Page> {
    const page = await (await browser.newContext({ viewport, locale: 'zh-CN' })).newPage();
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) problems.push(m.text());
    });
    await page.goto(`${baseUrl}/`);
    await page.getByLabel('用户名').fill(official.username);
    await page.getByLabel('密码').fill(official.password);
    await page.getByRole('button', { name: '登录' }).click();
    await page.locator('header .who').waitFor();
    return page;
  }

  const session = () =>
    database.db
      .selectFrom('evaluation_session')
      .select(['status', 'residents_present', 'residents_confirmed_by', 'issued_count', 'title', 'kind'])
      .where('id', '=', sessionId)
      .executeTakeFirstOrThrow();

  const count = async (table: 'ballot' | 'slip', extra?: 'used') => {
    let q = database.db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('session_id', '=', sessionId);
    if (extra === 'used') q = q.where('used' as never, '=', true as never);
    return Number((await q.executeTakeFirstOrThrow()).n);
  };

  beforeAll(async () => {
    await ensureWebBuilt();
    database = await createTestDatabase();
    const city = await createRegion(database.db, 'city', null, '测试市');
    const county = await createRegion(database.db, 'county', city, '青山县');
    const town_ = await createRegion(database.db, 'township', county, '东风镇');
    village = await createRegion(database.db, 'village', town_, '河口村');
    secretary = await createOfficial(database.db, 'village', village);
    township = await createOfficial(database.db, 'township', town_);
    app = await buildTestApp(database.db);
    baseUrl = await app.listen({ host: '127.0.0.1', port: 0 });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    sec = await loggedIn(secretary, { width: 360, height: 740 });
    town = await loggedIn(township, { width: 1280, height: 800 });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await database?.close();
  });

  it('lets the secretary create a session, showing the default rule in words before creating', async () => {
    await sec.goto(`${baseUrl}/#/sessions`); // the cases page is the secretary's first page
    await sec.getByRole('button', { name: '新建测评' }).click();
    expect(await sec.locator('.rule').textContent()).toBe(describeRules(defaultRuleSet()));
    expect(await sec.locator('.qv li').count()).toBe(12);
    const year = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric' }).format(new Date());
    expect(await sec.getByLabel('测评名称').inputValue()).toBe(`河口村 ${year}年度村级自评`);
    // the village has no case: told before creating, and it takes the acknowledgement
    const ack = sec.getByLabel('我知道此测评不计入任何整顿案件的验收');
    await ack.waitFor();
    expect(await sec.getByTestId('case-serving').textContent()).toContain('河口村没有进行中的整顿案件');
    await sec.getByLabel('测评名称').fill('2025年度整顿村级自评');
    await sec.getByLabel('在村人数').fill('40');
    await sec.getByRole('button', { name: '创建测评' }).click();
    await sec.getByText('请先勾选，确认您知道此测评不计入验收').waitFor();
    await ack.check();
    await sec.getByRole('button', { name: '创建测评' }).click();
    await sec.getByTestId('session-status').waitFor();

    sessionId = Number(/#\/sessions\/(\d+)$/.exec(sec.url())?.[1]);
    expect(await session()).toEqual({
      status: 'draft',
      residents_present: 40,
      residents_confirmed_by: null,
      issued_count: 0,
      title: '2025年度整顿村级自评',
      kind: 'self_evaluation',
    });
    expect(await sec.getByTestId('session-status').textContent()).toBe('草稿');
    expect(await sec.getByTestId('rule-text').textContent()).toBe(describeRules(defaultRuleSet()));
    // confirming is the township's, not the secretary's; opening waits for it
    expect(await sec.getByRole('button', { name: '乡镇确认在村人数' }).count()).toBe(0);
    expect(await sec.getByRole('button', { name: '开始测评' }).isDisabled()).toBe(true);
  });

  it('edits the draft: a question added to the questionnaire, the veto turned on', async () => {
    await sec.getByRole('button', { name: '修改问卷' }).click();
    await sec.getByRole('button', { name: '＋ 添加一题' }).click();
    await sec.getByLabel('第 13 题', { exact: true }).fill('您对村务监督委员会的工作是否满意？');
    await sec.getByRole('button', { name: '保存问卷' }).click();
    await sec.getByText('问卷已保存').waitFor();
    await sec.getByRole('button', { name: '修改规则' }).click();
    await sec.getByLabel('一票否决：不满意票超过有效票一半的，不通过').check();
    await sec.getByRole('button', { name: '保存规则' }).click();
    await sec.getByText('判定规则已保存').waitFor();

    const row = await database.db
      .selectFrom('evaluation_session')
      .select(['questionnaire', 'rules'])
      .where('id', '=', sessionId)
      .executeTakeFirstOrThrow();
    const questions = (row.questionnaire as { questions: unknown[] }).questions;
    expect(questions).toHaveLength(13);
    expect(questions[12]).toEqual({
      id: 'q13',
      text: '您对村务监督委员会的工作是否满意？',
      type: 'choice',
      options: [
        { id: 'satisfied', label: '满意' },
        { id: 'basic', label: '基本满意' },
        { id: 'dissatisfied', label: '不满意' },
        { id: 'unknown', label: '不了解' },
      ],
      required: true,
    });
    expect(row.rules).toEqual(RULES);
    expect(await sec.getByTestId('rule-text').textContent()).toBe(describeRules(RULES));
  });

  it('has the township confirm the residents by entering the number again, refusing another number', async () => {
    await town.goto(`${baseUrl}/#/sessions/${sessionId}`);
    await town.getByRole('button', { name: '乡镇确认在村人数' }).click();
    await town.getByLabel('请核对后再次输入在村人数').fill('39');
    await town.getByRole('button', { name: '确认', exact: true }).click();
    expect(await town.getByRole('alert').textContent()).toBe(
      '核对的在村人数（39）与申报的人数（40）不一致，请核实后再确认，或由申报人修改',
    );
    expect((await session()).residents_confirmed_by).toBeNull();

    await town.getByLabel('请核对后再次输入在村人数').fill('40');
    await town.getByRole('button', { name: '确认', exact: true }).click();
    await town.getByTestId('residents-confirmed').waitFor();
    expect((await session()).residents_confirmed_by).toBe(township.id);
  });

  it('issues slips to a print page with every slip, its QR code and its code, and prints it as a PDF', async () => {
    await sec.reload();
    await sec.getByLabel('本批发放张数').fill('30');
    await sec.getByRole('button', { name: '发放测评票' }).click();
    await sec.getByTestId('sheet-ready').waitFor();
    console.log(`30 张测评票的打印页渲染用时 ${await sec.getByTestId('sheet-ready').getAttribute('data-ms')} ms`);

    expect(await sec.getByRole('alert').first().textContent()).toBe(
      '此页关闭后无法再次打印，请立即打印；遗失请作废本批后重新发放。',
    );
    const sheet = sec.getByTestId('slip-sheet');
    codes = await sheet.getByTestId('slip-code').allTextContents();
    expect(codes).toHaveLength(30);
    for (const code of codes) expect(code).toMatch(CODE);
    expect(new Set(codes).size).toBe(30);
    expect(await sheet.locator('svg.qr').count()).toBe(30);
    expect(await sheet.locator('.where').allTextContents()).toEqual(Array(30).fill('河口村 · 2025年度整顿村级自评'));
    const firstSlip = await sheet.locator('.slip').first().innerText();
    expect(firstSlip).toContain('用手机扫码（微信可扫）在线填写，或在本票上勾选后投入票箱');
    expect(firstSlip).toContain('您对本村党组织整顿工作的总体成效是否满意？');
    expect(firstSlip).toContain('□满意\u2002□基本满意\u2002□不满意\u2002□不了解');
    const lines = await sheet
      .locator('.slip')
      .first()
      .locator('li')
      .evaluateAll((lis) =>
        lis.map((li) => [li.querySelector('.t')?.textContent, li.querySelector('.n')?.textContent]),
      );
    slipNumbers = Object.fromEntries(lines);
    expect(Object.values(slipNumbers)).toEqual([...Array(13).keys()].map((i) => `${i + 1}.`));

    // the first chunk of slips is drawn on the page's thread, later ones in a worker: read one of each
    const tokens = codes.map((c) => c.replaceAll('-', ''));
    for (const i of [0, 29]) {
      const qr = sheet.locator('svg.qr').nth(i);
      const [viewBox, d] = await Promise.all([qr.getAttribute('viewBox'), qr.locator('path').getAttribute('d')]);
      expect(decodeQr(viewBox ?? '', d ?? '')).toBe(`http://vote.test/v#${tokens[i]}`);
    }
    const stored = await database.db
      .selectFrom('slip')
      .select('token_hash')
      .where('session_id', '=', sessionId)
      .execute();
    expect(stored.map((s) => s.token_hash.toString('hex')).sort()).toEqual(
      tokens.map((t) => sha256(t).toString('hex')).sort(),
    );

    await sec.emulateMedia({ media: 'print' });
    expect(await sec.getByRole('button', { name: '打印' }).isVisible()).toBe(false);
    const pdf = await sec.pdf({ format: 'A4', preferCSSPageSize: true });
    await sec.emulateMedia({ media: 'screen' });
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    // three slips to an A4 page, none split across pages
    expect(pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g)).toHaveLength(10);
  });

  it('asks before clearing the codes, naming what is lost; cancelling keeps them, confirming clears them', async () => {
    await sec.getByRole('button', { name: '已打印完毕，清除票码' }).click();
    const dialog = sec.getByRole('dialog', { name: '清除这批票的票码？' });
    await dialog.waitFor();
    expect(await dialog.innerText()).toContain(
      '清除后这 30 张票的票码再也无法显示或补打；请确认已全部打印并核对张数。',
    );
    // the safe answer has the focus: Enter does no harm
    expect(await sec.evaluate(() => document.activeElement?.textContent)).toBe('取消');
    await dialog.getByRole('button', { name: '取消' }).click();
    await dialog.waitFor({ state: 'hidden' });
    expect(await sec.getByTestId('slip-code').count()).toBe(30);
    expect(await sec.evaluate(() => document.activeElement?.textContent)).toBe('已打印完毕，清除票码');

    const printUrl = sec.url();
    await sec.getByRole('button', { name: '已打印完毕，清除票码' }).click();
    await dialog.getByRole('button', { name: '确认清除' }).click();
    await sec.waitForURL(`${baseUrl}/#/sessions/${sessionId}`);
    await sec.goto(printUrl);
    await sec.getByText('这批测评票的票码已无法再显示', { exact: false }).waitFor();
    expect(await sec.getByTestId('slip-code').count()).toBe(0);
  });

  it('opens the session; a paper ballot typed in updates the live turnout of the open page without a reload', async () => {
    await sec.getByRole('link', { name: '‹ 返回测评' }).click();
    await sec.getByRole('button', { name: '开始测评' }).click();
    const confirm = sec.getByRole('dialog', { name: '开始测评？' });
    expect(await confirm.innerText()).toContain('开始后问卷（13 道题）和判定规则永久冻结，不能再修改');
    await confirm.getByRole('button', { name: '取消' }).click();
    expect((await session()).status).toBe('draft');
    await sec.getByRole('button', { name: '开始测评' }).click();
    await confirm.getByRole('button', { name: '确认开始' }).click();
    await sec.getByTestId('turnout').waitFor();
    expect((await session()).status).toBe('open');
    expect(await sec.getByTestId('turnout-used').textContent()).toBe('0');
    await sec.evaluate(() => ((window as unknown as { marker: number }).marker = 42));

    const paper = await sec.context().newPage();
    await paper.goto(`${baseUrl}/#/sessions/${sessionId}/paper`);
    await paper.getByLabel('测评码').fill(codes[1]!.toLowerCase().replaceAll('-', ' '));
    for (const q of MARKED) {
      await paper
        .locator(`#pm-q${q}`)
        .getByText(q === 1 ? '满意' : '不了解', { exact: true })
        .click();
    }
    await paper.getByRole('button', { name: '录入这张票' }).click();
    await paper.getByText(/^已录入第 1 张（回执 [0-9A-Z]{5} ?[0-9A-Z]{5}）。请录入下一张。$/).waitFor();
    expect(await paper.getByTestId('paper-count').textContent()).toBe('本次已录入 1 张');
    expect(await paper.getByLabel('测评码').inputValue()).toBe('');

    await paper.getByLabel('测评码').fill(codes[1]!);
    for (const q of MARKED) await paper.locator(`#pm-q${q}`).getByText('满意', { exact: true }).click();
    await paper.getByRole('button', { name: '录入这张票' }).click();
    await paper.getByText('这张测评票已经投过票了，每张票只能投一次', { exact: false }).waitFor();
    await paper.close();

    await sec.getByTestId('turnout-used').filter({ hasText: /^1$/ }).waitFor();
    expect(await sec.getByTestId('turnout-paper').textContent()).toBe('1');
    expect(await sec.getByTestId('turnout-online').textContent()).toBe('0');
    expect(await sec.evaluate(() => (window as unknown as { marker: number }).marker)).toBe(42);
    expect([await count('ballot'), await count('slip', 'used')]).toEqual([1, 1]);
    const ballot = await database.db
      .selectFrom('ballot')
      .select('answers')
      .where('session_id', '=', sessionId)
      .executeTakeFirstOrThrow();
    expect(ballot.answers).toEqual({
      q1: 'satisfied',
      ...Object.fromEntries(MARKED.slice(1).map((q) => [`q${q}`, 'unknown'])),
    });
  });

  it('closes only after a confirmation, then shows the verdict with the rule in words', async () => {
    await sec.getByRole('button', { name: '结束测评' }).click();
    expect(await sec.getByRole('dialog', { name: '结束测评？' }).innerText()).toContain('此操作无法撤销');
    expect((await session()).status).toBe('open');
    await sec.getByRole('button', { name: '确认结束' }).click();
    await sec.getByTestId('verdict').waitFor();

    expect((await session()).status).toBe('closed');
    expect(await sec.getByTestId('verdict-outcome').textContent()).toBe('未通过');
    expect(await sec.getByTestId('verdict-rule').textContent()).toBe(`规则：${describeRules(RULES)}`);
    const banner = (await sec.getByTestId('verdict').innerText()).replace(/\s+/g, '');
    expect(banner).toContain('满意（满意＋基本满意）1人/在村人数40人，还差20票');
    expect((await sec.getByTestId('reconciliation').innerText()).split('\n').slice(0, 4)).toEqual([
      '票数核对：相符',
      '✓ 有效票 1 张 = 已用测评票 1 张',
      '✓ 已用测评票 1 张 ≤ 发放 30 张',
      '✓ 发放 30 张 ≤ 在村人数 40 人',
    ]);
  });

  it('numbers the questions of the result charts as the slip (and the ballot) does', async () => {
    const charts = await sec
      .getByTestId('results')
      .locator('.questions > li')
      .evaluateAll((lis) =>
        lis.map((li) => [li.querySelector('.t')?.textContent, li.querySelector('.n')?.textContent]),
      );
    // the choice questions: the comment box (11) is not charted but keeps its number
    expect(charts.map(([, n]) => n)).toEqual([
      '1.',
      '2.',
      '3.',
      '4.',
      '5.',
      '6.',
      '7.',
      '8.',
      '9.',
      '10.',
      '12.',
      '13.',
    ]);
    for (const [text, n] of charts) expect(slipNumbers[text ?? '']).toBe(n);
  });

  it('prints a result sheet with signature lines for the host, scrutineers and counters', async () => {
    await sec.getByLabel('主持人').fill('李秀英');
    await sec.getByLabel('监票人').fill('张三、李四');
    await sec.getByLabel('计票人').fill('王五');
    await sec.getByRole('button', { name: '认证', exact: true }).click();
    const confirm = sec.getByRole('dialog', { name: '认证测评结果？' });
    expect(await confirm.innerText()).toContain('认证后本次测评的结果成为最终结果，永久固定，不能再作废或修改');
    await confirm.getByRole('button', { name: '取消' }).click();
    expect((await session()).status).toBe('closed');
    await sec.getByRole('button', { name: '认证', exact: true }).click();
    await confirm.getByRole('button', { name: '确认认证' }).click();
    await sec.getByText('结果已认证').waitFor();
    expect((await session()).status).toBe('certified');

    await sec.goto(`${baseUrl}/#/sessions/${sessionId}/result`);
    const signatures = sec.getByTestId('signatures');
    await signatures.waitFor();
    expect((await signatures.locator('.line').allInnerTexts()).map((t) => t.replace(/\s+/g, ''))).toEqual([
      '主持人：李秀英签字：',
      '监票人：张三、李四签字：',
      '计票人：王五签字：',
      '日期：',
    ]);
    // the close's audit entry is printed as a plain code (which `npm run verify -- --head` takes as
    // printed), with no command for the village to run
    const close = await database.db
      .selectFrom('audit_event')
      .select(['id', 'hash'])
      .where('action', '=', 'session.close')
      .where('object_id', '=', String(sessionId))
      .executeTakeFirstOrThrow();
    const anchor = await sec.getByTestId('audit-anchor').textContent();
    expect(anchor).toBe(`审计锚点：${close.id}-${close.hash.toString('hex').match(/.{4}/g)?.join(' ')}`);
    expect(parseHead(anchor?.replace('审计锚点：', '') ?? '')).toEqual({
      id: Number(close.id),
      hash: close.hash.toString('hex'),
    });
    expect(await sec.getByTestId('result-sheet').innerText()).not.toMatch(/npm|verify|--/);
    // the receipt list is printed with the session's random public id
    const { public_id: publicId } = await database.db
      .selectFrom('evaluation_session')
      .select('public_id')
      .where('id', '=', sessionId)
      .executeTakeFirstOrThrow();
    expect(publicId).toMatch(/^[2-9A-HJ-NP-Z]{20}$/);
    await sec.getByText(`回执名单（村民可凭回执码核对本人的票已计入）：${baseUrl}/v#r:${publicId}`).waitFor();
    const pdf = await sec.pdf({ format: 'A4', preferCSSPageSize: true });
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
  });

  it('keeps the question column of the result sheet readable on a 360 px screen and on paper printed from it', async () => {
    const questionWidth = () =>
      sec
        .getByTestId('result-sheet')
        .locator('tbody th.q')
        .first()
        .evaluate((th) => th.getBoundingClientRect().width);
    expect(sec.viewportSize()?.width).toBe(360);
    // on the phone's screen the question takes a line of its own
    expect(await questionWidth()).toBeGreaterThan(250);
    await sec.emulateMedia({ media: 'print' });
    // printed, the sheet is A4 whatever the screen: 190 mm between the margins, the question column
    // what the number columns leave (about 95 mm)
    const sheetWidth = await sec.getByTestId('result-sheet').evaluate((el) => el.getBoundingClientRect().width);
    expect(Math.round(sheetWidth)).toBe(Math.round((190 / 25.4) * 96));
    expect(await questionWidth()).toBeGreaterThan(300);
    await sec.emulateMedia({ media: 'screen' });
  });

  it('ran without a script error or a refusal by the content security policy', () => {
    expect(problems).toEqual([]);
  });
});
