// The officials' console in a real browser against the real app on a real database: log in, read
// the region tree, create an account and see its one-time password, import villages.
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { ensureWebBuilt } from '../helpers/web-build.ts';
import { buildTestApp } from '../helpers/app.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { createOfficial, createRegion, type TestOfficial } from '../helpers/factories.ts';

const CHROMIUM = '/usr/bin/chromium';
const ROOT = path.resolve(import.meta.dirname, '../..');
const hasChromium = fs.existsSync(CHROMIUM);
if (!hasChromium) console.warn(`跳过控制台浏览器测试：未找到 ${CHROMIUM}（CI 会安装 chromium）`);

const csv = (rows: string[]) => Buffer.from(`县,乡镇,村\n${rows.join('\n')}\n`);

describe('the built web pages', () => {
  beforeAll(ensureWebBuilt, 120_000);

  it.each(['index.html', 'ballot.html'])('%s has no inline script or style (the CSP refuses them)', (file) => {
    const html = fs.readFileSync(path.join(ROOT, 'dist/web', file), 'utf8');
    const scripts = html.match(/<script\b[^>]*>/g) ?? [];
    expect(scripts.length).toBeGreaterThan(0);
    for (const tag of scripts) expect(tag).toMatch(/\bsrc="\/assets\/[^"]+\.js"/);
    expect(html).not.toMatch(/<script\b[^>]*>[^<]+<\/script>|<style\b|\sstyle=/);
  });
});

describe.skipIf(!hasChromium)('the officials console in a browser', () => {
  let database: TestDatabase;
  let app: FastifyInstance;
  let browser: Browser;
  let page: Page;
  let baseUrl: string;
  let admin: TestOfficial;
  const ids = { city: 0, county: 0, township: 0, village: 0 };
  /** Script errors and CSP refusals seen by the page (refused API replies are expected and left out). */
  const problems: string[] = [];

  beforeAll(async () => {
    await ensureWebBuilt();
    database = await createTestDatabase();
    ids.city = await createRegion(database.db, 'city', null, '测试市');
    ids.county = await createRegion(database.db, 'county', ids.city, '青山县', '630121');
    ids.township = await createRegion(database.db, 'township', ids.county, '东风镇');
    ids.village = await createRegion(database.db, 'village', ids.township, '河口村', '630121100201');
    await createRegion(database.db, 'village', ids.township, '新村');
    admin = await createOfficial(database.db, 'admin', ids.city, 'e2e_admin');
    await createOfficial(database.db, 'township', ids.township);
    app = await buildTestApp(database.db);
    baseUrl = await app.listen({ host: '127.0.0.1', port: 0 });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    page = await (await browser.newContext({ viewport: { width: 360, height: 740 }, locale: 'zh-CN' })).newPage();
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) problems.push(m.text());
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await database?.close();
  });

  it('opens the login page with no failed request and no console message, titled for the login', async () => {
    const fresh = await (await browser.newContext({ viewport: { width: 360, height: 740 } })).newPage();
    const seen: string[] = [];
    fresh.on('console', (m) => (m.type() === 'error' || m.type() === 'warning') && seen.push(m.text()));
    fresh.on('response', (r) => r.status() >= 400 && seen.push(`${r.status()} ${r.url()}`));
    await fresh.goto(`${baseUrl}/`);
    await fresh.getByLabel('用户名').waitFor();
    expect(seen).toEqual([]);
    expect(await fresh.title()).toBe('登录 · 村级整顿满意度测评');
    await fresh.context().close();
  });

  it('refuses a wrong password with the server message, then logs the admin in', async () => {
    await page.goto(`${baseUrl}/`);
    await page.getByLabel('用户名').fill(admin.username);
    await page.getByLabel('密码').fill('not-the-password1');
    await page.getByRole('button', { name: '登录' }).click();
    expect(await page.getByRole('alert').textContent()).toBe('用户名或密码错误');

    await page.getByLabel('密码').fill(admin.password);
    await page.getByRole('button', { name: '登录' }).click();
    const header = await page.locator('header .who').innerText();
    expect(header.replace(/\s+/g, ' ')).toBe('e2e_admin ☰ 菜单 退出');
    expect(await page.title()).toBe('区域 · 村级整顿满意度测评');
  });

  it('shows the region tree with its counts, loading children on demand', async () => {
    const counts = (name: string) =>
      page
        .locator('.row')
        .filter({ has: page.getByText(name, { exact: true }) })
        .locator('.meta span');
    await counts('青山县').first().waitFor();
    expect(await counts('测试市').allTextContents()).toEqual(['2 个村', '2 个账户']);
    expect(await counts('青山县').allTextContents()).toEqual(['630121', '2 个村', '1 个账户']);
    expect(await page.getByText('东风镇').count()).toBe(0);
    await page.getByRole('button', { name: '展开青山县' }).click();
    await page.getByRole('button', { name: '展开东风镇' }).click();
    await counts('河口村').first().waitFor();
    expect(await counts('东风镇').allTextContents()).toEqual(['2 个村', '1 个账户']);
    expect(await counts('河口村').allTextContents()).toEqual(['630121100201', '0 个账户']);
  });

  it('keeps the phone header to one line, every menu item one button away', async () => {
    const header = await page.locator('header').boundingBox();
    expect(header?.height).toBeLessThanOrEqual(100);
    const menu = page.getByRole('navigation', { name: '主菜单' });
    expect(await menu.isVisible()).toBe(false);
    const toggle = page.getByRole('button', { name: '☰ 菜单' });
    expect(await toggle.getAttribute('aria-expanded')).toBe('false');
    await toggle.click();
    expect(await menu.locator('.me').innerText()).toBe('e2e_admin · 系统管理员 · 测试市（市）');
    expect(await menu.getByRole('link').allInnerTexts()).toEqual(['区域', '账户管理', '导入村庄', '修改密码']);
    await page.keyboard.press('Escape');
    await menu.waitFor({ state: 'hidden' });
    await toggle.click();
    await menu.getByRole('link', { name: '账户管理' }).click();
    await page.getByRole('button', { name: '新建账户' }).waitFor();
    // going there closed the menu, and the tab's title names the page
    expect(await menu.isVisible()).toBe(false);
    expect(await page.title()).toBe('账户管理 · 村级整顿满意度测评');
  });

  it('creates an account and shows its password once, and that password logs in', async () => {
    await page.goto(`${baseUrl}/#/accounts`);
    await page.getByRole('button', { name: '新建账户' }).click();
    await page.getByLabel('用户名').fill('hekou_sec');
    await page.getByLabel('姓名（选填）').fill('李秀英');
    await page.getByLabel('角色').selectOption('village');
    await page.getByRole('button', { name: '选择区域' }).click();
    await page.getByRole('button', { name: '展开青山县' }).click();
    await page.getByRole('button', { name: '展开东风镇' }).click();
    await page.getByRole('button', { name: '选择河口村' }).click();
    await page.getByRole('button', { name: '创建账户' }).click();

    const password = (await page.getByTestId('one-time-password').textContent()) ?? '';
    expect(password).toMatch(/^[A-Za-z0-9]{12}$/);
    const row = await database.db
      .selectFrom('official')
      .select(['display_name', 'role', 'region_id', 'disabled_at'])
      .where('username', '=', 'hekou_sec')
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ display_name: '李秀英', role: 'village', region_id: ids.village, disabled_at: null });
    const login = await app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { username: 'hekou_sec', password },
    });
    expect(login.statusCode).toBe(200);

    await page.getByRole('button', { name: '我已记下，关闭' }).click();
    expect(await page.getByTestId('one-time-password').count()).toBe(0);
    const meta = page.getByRole('listitem').filter({ hasText: 'hekou_sec' }).locator('.meta span');
    expect(await meta.allTextContents()).toEqual([
      '村党组织书记',
      '河口村（村）',
      expect.stringMatching(/^创建于 \d{4}-\d\d-\d\d$/),
    ]);
  });

  it('checks a CSV without writing, then imports it', async () => {
    const file = csv(['青山县,东风镇,河口村', '青山县,东风镇,石桥村', '青山县,西岭乡,松林村']);
    const villages = () =>
      database.db.selectFrom('region').select('name').where('level', '=', 'village').orderBy('name').execute();
    const before = await villages();

    await page.goto(`${baseUrl}/#/import`);
    await page.getByLabel('选择文件').setInputFiles({ name: '村庄.csv', mimeType: 'text/csv', buffer: file });
    await page.getByRole('button', { name: '第一步：检查文件' }).click();
    await page.getByText('检查通过，尚未导入').waitFor();
    expect(await page.locator('.summary dl > div').allInnerTexts()).toEqual([
      '将新建县\n0',
      '将新建乡镇\n1',
      '将新建村\n2',
      '已存在、不变的行\n1',
    ]);
    expect(await villages()).toEqual(before);

    await page.getByRole('button', { name: '第二步：确认导入' }).click();
    await page.getByText('导入完成').waitFor();
    expect(await page.locator('.summary dl > div').allInnerTexts()).toEqual([
      '新建县\n0',
      '新建乡镇\n1',
      '新建村\n2',
      '已存在、不变的行\n1',
    ]);
    expect((await villages()).map((v) => v.name).sort()).toEqual(['松林村', '新村', '河口村', '石桥村'].sort());
  });

  it('shows the per-row report of a rejected file, exactly as the server gave it', async () => {
    const file = csv(['青山县,东风镇,', '青山县,,柳树村']);
    const direct = await app.inject({
      method: 'POST',
      url: '/api/regions/import?filename=bad.csv&dryRun=true',
      headers: { 'content-type': 'text/csv', cookie: await cookieOf(page) },
      payload: file,
    });
    expect(direct.statusCode).toBe(422);
    const expected = (direct.json() as { details: { errors: { row: number; column: string; message: string }[] } })
      .details.errors;

    await page.getByLabel('选择文件').setInputFiles({ name: 'bad.csv', mimeType: 'text/csv', buffer: file });
    await page.getByRole('button', { name: '第一步：检查文件' }).click();
    await page.locator('table').waitFor();
    expect(await page.getByRole('alert').first().textContent()).toBe((direct.json() as { message: string }).message);
    const rows = await page
      .locator('tbody tr')
      .evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent?.trim())));
    expect(rows).toEqual(expected.map((e) => [String(e.row), e.column || '—', e.message]));
    expect(expected.map((e) => [e.row, e.column])).toEqual([
      [2, '村'],
      [3, '乡镇'],
    ]);
    expect(await page.getByRole('button', { name: '第二步：确认导入' }).isDisabled()).toBe(true);
  });

  it('changes the password, which ends the session, and the new password logs in', async () => {
    await page.goto(`${baseUrl}/#/password`);
    await page.getByLabel('当前密码').fill(admin.password);
    await page.getByLabel('新密码', { exact: true }).fill('Changed-pass-42');
    await page.getByLabel('再次输入新密码').fill('Changed-pass-42');
    await page.getByRole('button', { name: '修改密码' }).last().click();
    expect(await page.getByRole('status').textContent()).toBe('密码已修改，请用新密码重新登录');

    await page.getByLabel('用户名').fill(admin.username);
    await page.getByLabel('密码').fill('Changed-pass-42');
    await page.getByRole('button', { name: '登录' }).click();
    await page.locator('header .who').waitFor();
  });

  it('logs out, ending the session on the server', async () => {
    await page.getByRole('button', { name: '退出' }).click();
    expect(await page.getByRole('status').textContent()).toBe('您已退出登录');
    const sessions = await database.db
      .selectFrom('auth_session')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('official_id', '=', admin.id)
      .executeTakeFirstOrThrow();
    expect(sessions.n).toBe('0');
  });

  it('ran without a script error or a refusal by the content security policy', () => {
    expect(problems).toEqual([]);
  });
});

async function cookieOf(page: Page): Promise<string> {
  const cookies = await page.context().cookies();
  return cookies.map((c) => `${c.name}=${c.value}`).join('; ');
}
