// npx tsx scripts/screenshots-reports.ts [--out DIR] [--no-build]
// Screenshots of the campaigns page and of the two printable acceptance records (the application
// and the decision record) at a phone (360×740) and a desktop (1280×800) size, plus each record
// printed to PDF (page.pdf(), and PNGs of its pages when pdftoppm is installed), to look at by eye.
// One case is walked through the real API from listing to exit, with a return on the way, a
// passing self-evaluation and a passing callback survey, so every part of the records is filled.
// The app runs in this process over a throw-away database (as scripts/screenshots-sessions.ts).
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { chromium, type Browser, type Page } from 'playwright-core';
import { buildApp } from '../server/app.ts';
import { loadConfig } from '../server/config.ts';
import { createDatabase, type Db } from '../server/db/database.ts';
import { migrate } from '../server/db/migrate.ts';
import { hashPassword } from '../server/lib/passwords.ts';
import { ensureWebBuilt } from '../test/helpers/web-build.ts';
import { throwAwayDatabase } from '../test/helpers/throwaway-db.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const PASSWORD = 'Demo-pass-2024';
const VIEWPORTS = [
  { width: 360, height: 740 },
  { width: 1280, height: 800 },
];

async function seed(db: Db): Promise<number> {
  const region = async (level: string, parentId: number | null, name: string) =>
    (
      await db
        .insertInto('region')
        .values({ level, parent_id: parentId, name })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
  const city = await region('city', null, '示范市');
  const county = await region('county', city, '青山县');
  await region('county', city, '绿水县');
  const dongfeng = await region('township', county, '东风镇');
  const village = await region('village', dongfeng, '新村');
  const hash = await hashPassword(PASSWORD);
  const official = (username: string, displayName: string, role: string, regionId: number) =>
    db
      .insertInto('official')
      .values({ username, display_name: displayName, role, region_id: regionId, password_hash: hash })
      .execute();
  await official('shifan', '示范市委组织部', 'city', city);
  await official('qingshan', '青山县委组织部', 'county', county);
  await official('dongfeng', '王建国', 'township', dongfeng);
  await official('sec1', '李秀英', 'village', village);
  return village;
}

class Client {
  private cookie = '';
  constructor(
    private readonly url: string,
    private readonly username: string,
  ) {}

  async login(): Promise<this> {
    const res = await fetch(`${this.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: this.username, password: PASSWORD }),
    });
    this.cookie = (res.headers.get('set-cookie') ?? '').split(';')[0] as string;
    return this;
  }

  async call<T = Record<string, unknown>>(method: string, p: string, body?: unknown): Promise<T> {
    const res = await fetch(`${this.url}${p}`, {
      method,
      headers: { cookie: this.cookie, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const data = (await res.json()) as T;
    if (!res.ok) throw new Error(`${this.username} ${method} ${p}: ${res.status} ${JSON.stringify(data)}`);
    return data;
  }
}

/** A session of the case run to its close: `satisfied` of `residents` answer 满意, the rest 不满意. */
async function runSession(
  c: { case: number; runner: Client; township: Client },
  kind: string,
  title: string,
  residents: number,
  satisfied: number,
  url: string,
): Promise<number> {
  const s = await c.runner.call<{ id: number }>('POST', `/api/cases/${c.case}/sessions`, {
    kind,
    title,
    residentsPresent: residents,
  });
  await c.township.call('POST', `/api/sessions/${s.id}/confirm-residents`, { residentsPresent: residents });
  const issued = await c.runner.call<{ slips: { token: string }[] }>('POST', `/api/sessions/${s.id}/slips`, {
    count: residents,
  });
  await c.runner.call('POST', `/api/sessions/${s.id}/open`);
  for (const [i, slip] of issued.slips.slice(0, residents - 1).entries()) {
    const answers: Record<string, string> = {};
    for (let q = 1; q <= 10; q++) answers[`q${q}`] = i < satisfied ? (q % 3 ? 'satisfied' : 'basic') : 'dissatisfied';
    const res = await fetch(`${url}/api/ballots`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: slip.token, clientId: crypto.randomUUID(), answers }),
    });
    if (res.status !== 201) throw new Error(`投票失败 ${res.status} ${await res.text()}`);
  }
  await c.runner.call('POST', `/api/sessions/${s.id}/close`);
  return s.id;
}

const inDays = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);

/** A campaign and one case walked from listing to exit; returns the case id. */
async function walkCase(url: string, villageId: number): Promise<number> {
  const [city, county, township, village] = await Promise.all(
    ['shifan', 'qingshan', 'dongfeng', 'sec1'].map((u) => new Client(url, u).login()),
  );
  const [me] = await Promise.all([county!.call<{ user: { regionId: number } }>('GET', '/api/auth/me')]);
  const campaign = await county!.call<{ id: number }>('POST', '/api/campaigns', {
    regionId: me.user.regionId,
    year: 2025,
    title: '2025年度软弱涣散村党组织整顿',
  });
  await city!.call('POST', '/api/campaigns', {
    regionId: (await city!.call<{ user: { regionId: number } }>('GET', '/api/auth/me')).user.regionId,
    year: 2025,
    title: '示范市2025年度整顿提升行动',
    caseTypes: ['基层党建薄弱村', '党风廉政关注村', '村级治理困难村', '乡村振兴滞后村'],
    requireFortressGrade: false,
  });
  const k = await county!.call<{ id: number; problems: { id: number }[] }>('POST', '/api/cases', {
    campaignId: campaign.id,
    villageId,
    types: ['班子战斗力不强', '矛盾问题突出'],
    deadline: inDays(120),
    plan: '一、调整充实村“两委”班子，选优配强村党组织书记；\n二、建立矛盾纠纷排查化解台账，每月研判一次；\n三、规范“三会一课”和主题党日，落实“四议两公开”。',
    responsible: { countyLeader: '张立新', townshipLeader: '王建国', firstSecretary: '陈思远', pairedUnit: '县财政局' },
    problems: [
      { description: '村“两委”班子成员分工不明确，议事规则不健全', owner: '王建国', deadline: inDays(30) },
      { description: '土地流转纠纷 3 起未化解', owner: '陈思远', deadline: inDays(60) },
    ],
  });
  const step = (who: Client, action: string, extra: Record<string, unknown> = {}) =>
    who.call('POST', `/api/cases/${k.id}/transitions`, { action, ...extra });
  const ctx = { case: k.id, runner: village!, township: township! };
  await step(county!, 'start');
  await step(village!, 'request_evaluation');
  await runSession(ctx, 'self_evaluation', '2025年度整顿村级自评', 12, 9, url);
  await step(village!, 'apply', { evidence: '村级自评会议记录、述职报告' });
  await step(township!, 'receive');
  await step(township!, 'return', { reason: '土地流转纠纷尚有 1 起未化解，台账不完整', deadline: inDays(45) });
  await step(village!, 'request_evaluation');
  await step(village!, 'apply', { evidence: '补充矛盾纠纷化解台账' });
  await step(township!, 'receive');
  for (const p of k.problems) await township!.call('PATCH', `/api/cases/${k.id}/problems/${p.id}`, { status: 'done' });
  await step(township!, 'township_pass', { evidence: '初验记录、问题销号台账' });
  await runSession({ ...ctx, runner: county! }, 'county_callback', '县级群众满意度回访', 10, 8, url);
  await step(county!, 'county_pass', { fortressGrade: 'middle', evidence: '党员座谈会记录、验收评分表' });
  await step(city!, 'city_pass', { evidence: '市级复盘意见' });
  return k.id;
}

interface Ctx {
  url: string;
  out: string;
  width: number;
  problems: string[];
}

async function login(browser: Browser, ctx: Ctx, username: string): Promise<Page> {
  const height = ctx.width < 600 ? 740 : 800;
  const context = await browser.newContext({ viewport: { width: ctx.width, height }, locale: 'zh-CN' });
  const page = await context.newPage();
  page.on('console', (m) => {
    if ((m.type() === 'error' || m.type() === 'warning') && !m.text().startsWith('Failed to load resource'))
      ctx.problems.push(`[${ctx.width}px ${username}] ${m.text()}`);
  });
  page.on('pageerror', (e) => ctx.problems.push(`[${ctx.width}px ${username}] ${e.message}`));
  await page.goto(`${ctx.url}/`);
  await page.getByLabel('用户名').fill(username);
  await page.getByLabel('密码').fill(PASSWORD);
  await page.getByRole('button', { name: '登录' }).click();
  await page.locator('header .who').waitFor();
  return page;
}

const snap = (page: Page, ctx: Ctx, name: string) =>
  page.screenshot({ path: path.join(ctx.out, `reports-${name}-${ctx.width}.png`), fullPage: true });

async function printed(page: Page, ctx: Ctx, name: string): Promise<void> {
  const file = path.join(ctx.out, `reports-${name}-${ctx.width}.pdf`);
  await page.pdf({ path: file, format: 'A4', preferCSSPageSize: true, printBackground: true });
  const pages = (fs.readFileSync(file, 'latin1').match(/\/Type\s*\/Page[^s]/g) ?? []).length;
  process.stdout.write(`${name}（${ctx.width}px）：PDF ${pages} 页\n`);
  try {
    execFileSync('pdftoppm', ['-png', '-r', '80', '-f', '1', '-l', '3', file, file.replace(/\.pdf$/, '')]);
  } catch {
    process.stderr.write('未找到 pdftoppm（apt-get install poppler-utils），只保存了 PDF\n');
  }
}

async function shots(browser: Browser, ctx: Ctx, caseId: number): Promise<void> {
  const county = await login(browser, ctx, 'qingshan');
  await county.goto(`${ctx.url}/#/campaigns`);
  await county.getByTestId('campaign').first().waitFor();
  await snap(county, ctx, 'campaigns');
  await county.getByRole('button', { name: '新建整顿工作' }).click();
  await county.getByText('另设最低满意率').click();
  await snap(county, ctx, 'campaign-new');
  await county.getByRole('button', { name: '取消' }).click();
  await county.getByRole('button', { name: '修改' }).first().click();
  await snap(county, ctx, 'campaign-edit');
  for (const record of ['application', 'decision']) {
    await county.goto(`${ctx.url}/#/cases/${caseId}/${record}`);
    await county.getByTestId('print-sheet').waitFor();
    await snap(county, ctx, record);
    await printed(county, ctx, record);
  }
  await county.context().close();
  const town = await login(browser, ctx, 'dongfeng');
  await town.goto(`${ctx.url}/#/campaigns`);
  await town.getByTestId('campaign').first().waitFor();
  await snap(town, ctx, 'campaigns-township');
  await town.context().close();
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      out: { type: 'string', default: path.join(ROOT, 'screenshots') },
      'no-build': { type: 'boolean', default: false },
    },
  });
  if (!values['no-build']) await ensureWebBuilt();
  fs.mkdirSync(values.out, { recursive: true });
  const database = await throwAwayDatabase('vre_report_shots');
  await migrate(database.url);
  const { db, close } = createDatabase(database.url);
  const villageId = await seed(db);
  const app = await buildApp(loadConfig({ LOG_LEVEL: 'warn', PUBLIC_URL: 'http://127.0.0.1' }), { db });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  const problems: string[] = [];
  try {
    const caseId = await walkCase(url, villageId);
    for (const size of VIEWPORTS) await shots(browser, { url, out: values.out, width: size.width, problems }, caseId);
    for (const p of problems) process.stderr.write(`浏览器报告：${p}\n`);
    process.stdout.write(`截图已保存到 ${values.out}\n`);
  } finally {
    await browser.close();
    await app.close();
    await close();
    await database.drop();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`截图失败：${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
