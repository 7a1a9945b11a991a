// npm run screenshots:console [-- --url URL --username NAME --password PW] [--out DIR] [--no-build]
// Screenshots of the officials' console at a phone (360×740) and a desktop (1280×800) size, to look
// at by eye. Without --url the app runs in this process on a throw-away database (a new database on
// DATABASE_URL, else an embedded PostgreSQL in a temporary directory), seeded with a small tree and
// an admin account. With --url it drives a running server as the given (admin) account.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { build } from 'vite';
import type { Db } from '../server/db/database.ts';
import { hashPassword } from '../server/lib/passwords.ts';
import { fail, launchChromium, startApp, watchConsole } from './lib/shots.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const VIEWPORTS = [
  { width: 360, height: 740 },
  { width: 1280, height: 800 },
];
const BAD_CSV =
  '县,乡镇,村,统计代码\n青山县,东风镇,新村,\n青山县,,红星村,\n青山县,东风镇,,\n青山县,东风镇,河口村,12ab\n';
const GOOD_CSV =
  '\uFEFF县,乡镇,村,统计代码\r\n青山县,东风镇,新村,630121100200\r\n青山县,东风镇,石桥村,\r\n碧水县,南湖镇,湖心村,\r\n';

interface Target {
  url: string;
  username: string;
  password: string;
  /** Our own seeded tree (not a running server's): the good import file fits it. */
  seeded: boolean;
  stop: () => Promise<void>;
}

async function seed(db: Db, password: string): Promise<void> {
  const region = async (level: string, parentId: number | null, name: string, code: string | null = null) =>
    (
      await db
        .insertInto('region')
        .values({ level, parent_id: parentId, name, code })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
  const city = await region('city', null, '示范市', '630100');
  const county = await region('county', city, '青山县', '630121');
  await region('county', city, '绿水县', '630122');
  const towns = [await region('township', county, '东风镇', '630121100'), await region('township', county, '红旗乡')];
  const villages: number[] = [];
  for (const [i, name] of ['新村', '河口村', '柳树湾村', '上庄村', '下庄村'].entries()) {
    villages.push(await region('village', towns[i % 2] as number, name, `6301211002${String(i).padStart(2, '0')}`));
  }
  const hash = await hashPassword(password);
  const accounts: [string, string, string, number, boolean][] = [
    ['admin', '张伟', 'admin', city, false],
    ['qingshan', '青山县组织部', 'county', county, false],
    ['dongfeng', '王建国', 'township', towns[0] as number, false],
    ['xincun', '李秀英', 'village', villages[0] as number, false],
    ['hekou', '', 'village', villages[1] as number, true],
  ];
  for (const [username, displayName, role, regionId, disabled] of accounts) {
    await db
      .insertInto('official')
      .values({
        username,
        display_name: displayName,
        role,
        region_id: regionId,
        password_hash: hash,
        disabled_at: disabled ? new Date() : null,
      })
      .execute();
  }
}

async function inProcess(): Promise<Target> {
  const { db, url, stop } = await startApp('vre_shots');
  const password = 'Demo-pass-2024';
  await seed(db, password);
  return { url, username: 'admin', password, seeded: true, stop };
}

async function shoot(browser: Browser, target: Target, outDir: string, size: { width: number; height: number }) {
  const context = await browser.newContext({ viewport: size, locale: 'zh-CN' });
  const page = await context.newPage();
  const problems: string[] = [];
  // Refused replies (401 before login, 422 for the bad file) are expected; anything else, e.g. a
  // CSP violation or an exception, is reported.
  watchConsole(page, problems);
  const snap = (name: string) =>
    page.screenshot({ path: path.join(outDir, `${name}-${size.width}.png`), fullPage: true });

  try {
    await steps(page, target, snap);
  } finally {
    await context.close();
  }
  return problems;
}

/** Login (with a refused attempt first), tree, accounts (form errors, picker, one-time password), import. */
async function steps(page: Page, target: Target, snap: (name: string) => Promise<unknown>): Promise<void> {
  await page.goto(`${target.url}/`);
  await page.getByLabel('用户名').fill(target.username);
  await page.getByLabel('密码').fill('wrong-password-1');
  await page.getByRole('button', { name: '登录' }).click();
  await page.getByRole('alert').waitFor();
  await snap('login');
  await page.getByLabel('密码').fill(target.password);
  await page.getByRole('button', { name: '登录' }).click();

  await page.locator('.tree').waitFor();
  await expandAll(page);
  await snap('tree');

  await page.goto(`${target.url}/#/accounts`);
  await page.getByRole('button', { name: '新建账户' }).click();
  await page.getByRole('button', { name: '创建账户' }).click();
  await snap('accounts-form');
  await page.getByLabel('用户名').fill(`shot_${crypto.randomBytes(3).toString('hex')}`);
  await page.getByLabel('姓名（选填）').fill('赵红旗');
  await page.getByLabel('角色').selectOption('township');
  await page.getByRole('button', { name: '选择区域' }).click();
  await openUntilPickable(page);
  await snap('accounts-picker');
  await page.locator('.panel button.pick').last().click();
  await page.getByRole('button', { name: '创建账户' }).click();
  await page.getByTestId('one-time-password').waitFor();
  await snap('accounts');

  await page.goto(`${target.url}/#/import`);
  await page
    .getByLabel(/选择文件/)
    .setInputFiles({ name: '村庄.csv', mimeType: 'text/csv', buffer: Buffer.from(BAD_CSV) });
  await page.getByRole('button', { name: '第一步：检查文件' }).click();
  await page.locator('table').waitFor();
  await snap('import');
  if (!target.seeded) return;
  await page
    .getByLabel(/选择文件/)
    .setInputFiles({ name: '村庄.csv', mimeType: 'text/csv', buffer: Buffer.from(GOOD_CSV) });
  await page.getByRole('button', { name: '第一步：检查文件' }).click();
  await page.getByText('检查通过，尚未导入').waitFor();
  await snap('import-check');
}

/** Opens nodes of the region picker until a township can be chosen, whatever the tree. */
async function openUntilPickable(page: Page): Promise<void> {
  for (let i = 0; i < 10 && (await page.locator('.panel button.pick').count()) === 0; i++) {
    await page.locator('.panel button.toggle[aria-expanded="false"]').first().click();
    await page.locator('.panel button.toggle:disabled').waitFor({ state: 'detached' });
  }
}

/** Opens every node of the tree that has children (a small seeded tree). */
async function expandAll(page: Page): Promise<void> {
  for (let i = 0; i < 20; i++) {
    const closed = page.locator('button.toggle[aria-expanded="false"]');
    if ((await closed.count()) === 0) return;
    await closed.first().click();
    await page.locator('button.toggle:disabled').waitFor({ state: 'detached' });
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      url: { type: 'string' },
      username: { type: 'string' },
      password: { type: 'string' },
      out: { type: 'string', default: path.join(ROOT, 'screenshots') },
      'no-build': { type: 'boolean', default: false },
    },
  });
  if (!values['no-build']) await build({ configFile: path.join(ROOT, 'vite.config.ts'), logLevel: 'warn' });
  let target: Target;
  if (values.url) {
    if (!values.username || !values.password) throw new Error('使用 --url 时须同时给出 --username 和 --password');
    target = {
      url: values.url.replace(/\/+$/, ''),
      username: values.username,
      password: values.password,
      seeded: false,
      stop: async () => {},
    };
  } else {
    target = await inProcess();
  }
  fs.mkdirSync(values.out, { recursive: true });
  const browser = await launchChromium();
  try {
    for (const size of VIEWPORTS) {
      const problems = await shoot(browser, target, values.out, size);
      for (const p of problems) process.stderr.write(`[${size.width}px] 浏览器报告：${p}\n`);
    }
    process.stdout.write(`截图已保存到 ${values.out}\n`);
  } finally {
    await browser.close();
    await target.stop();
  }
}

main().catch(fail);
