// npx tsx scripts/screenshots-cases.ts [--out DIR] [--no-build]
// Screenshots of the console's rectification-case pages at a phone (360×740) and a desktop
// (1280×800) size, to look at by eye: the county overview with its counts and lights, the 「列入整顿」
// form, a case page with its timeline and a passed self-evaluation, the township's inbox and a
// secretary's case page with the application still blocked. A county with five listed villages is
// set up through the real API (one of them past its deadline, one applied for acceptance after a
// self-evaluation voted through the ballot API). The app runs in this process over a throw-away
// database (a new database on DATABASE_URL's server, else an embedded PostgreSQL).
import crypto from 'node:crypto';
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { chromium, type Browser, type Page } from 'playwright-core';
import { buildApp } from '../server/app.ts';
import { loadConfig } from '../server/config.ts';
import { createDatabase, type Db } from '../server/db/database.ts';
import { migrate } from '../server/db/migrate.ts';
import { hashPassword } from '../server/lib/passwords.ts';
import { ensureWebBuilt } from '../test/helpers/web-build.ts';
import { throwAwayDatabase } from '../test/helpers/throwaway-db.ts';

const PASSWORD = 'Demo-pass-2024';
const VIEWPORTS = [
  { width: 360, height: 740 },
  { width: 1280, height: 800 },
];
const VILLAGES = { dongfeng: ['新村', '河口村', '柳树村'], hongqi: ['红旗村', '石桥村'] };

/** A city, a county with two townships and five villages; an account per role. */
async function seed(db: Db): Promise<Record<string, number>> {
  const ids: Record<string, number> = {};
  const region = async (level: string, parentId: number | null, name: string) =>
    (ids[name] = (
      await db
        .insertInto('region')
        .values({ level, parent_id: parentId, name })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id);
  const city = await region('city', null, '示范市');
  const county = await region('county', city, '青山县');
  const dongfeng = await region('township', county, '东风镇');
  const hongqi = await region('township', county, '红旗乡');
  for (const v of VILLAGES.dongfeng) await region('village', dongfeng, v);
  for (const v of VILLAGES.hongqi) await region('village', hongqi, v);
  const hash = await hashPassword(PASSWORD);
  const official = (username: string, displayName: string, role: string, regionId: number) =>
    db
      .insertInto('official')
      .values({ username, display_name: displayName, role, region_id: regionId, password_hash: hash })
      .execute();
  await official('shi', '示范市委组织部', 'city', city);
  await official('qingshan', '青山县委组织部', 'county', county);
  await official('dongfeng', '王建国', 'township', dongfeng);
  await official('sec1', '新村书记', 'village', ids['新村'] as number);
  await official('sec3', '柳树村书记', 'village', ids['柳树村'] as number);
  return ids;
}

/** A tiny API client logged in as one account (cookie kept by hand). */
async function client(url: string, username: string) {
  const login = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: PASSWORD }),
  });
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  return async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: { cookie, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const data = (await res.json()) as T;
    if (!res.ok) throw new Error(`${username} ${method} ${path} → ${res.status} ${JSON.stringify(data)}`);
    return data;
  };
}

async function setUp(url: string, db: Db, ids: Record<string, number>): Promise<number> {
  const county = await client(url, 'qingshan');
  const town = await client(url, 'dongfeng');
  const sec3 = await client(url, 'sec3');
  const sec1 = await client(url, 'sec1');
  const campaign = await county<{ id: number }>('POST', '/api/campaigns', {
    regionId: ids['青山县'],
    year: 2026,
    title: '2026年度软弱涣散村党组织整顿',
  });
  const deadline = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
  const cases: Record<string, number> = {};
  const plan = '调整充实村“两委”班子；建立矛盾纠纷排查化解台账；每月召开一次党员大会通报整改进展。';
  for (const [i, name] of [...VILLAGES.dongfeng, ...VILLAGES.hongqi].entries()) {
    const c = await county<{ id: number }>('POST', '/api/cases', {
      campaignId: campaign.id,
      villageId: ids[name],
      types: i % 2 ? ['班子战斗力不强', '矛盾问题突出'] : ['推进乡村振兴缓慢'],
      deadline: deadline(i === 1 ? 10 : 120),
      plan,
      responsible: {
        countyLeader: '张副县长',
        townshipLeader: '刘镇长',
        firstSecretary: '李明',
        pairedUnit: '县财政局',
      },
      problems: [
        { description: '村务、财务公开不及时，群众意见较大', owner: '村监委会', deadline: deadline(60) },
        { description: '村级集体经济收入不足 5 万元', owner: '村党组织书记', deadline: deadline(100) },
      ],
    });
    cases[name] = c.id;
    if (name !== '石桥村') await county('POST', `/api/cases/${c.id}/transitions`, { action: 'start' });
  }
  // 红旗村 is past its deadline (red); 新村 waits for its self-evaluation
  await db
    .updateTable('rectification_case')
    .set({ deadline: deadline(-12) })
    .where('id', '=', cases['红旗村'] as number)
    .execute();
  await sec1('POST', `/api/cases/${cases['新村']}/transitions`, { action: 'request_evaluation' });

  // 柳树村: a self-evaluation voted through the ballot API, passed, and the application made
  const id = cases['柳树村'] as number;
  await sec3('POST', `/api/cases/${id}/transitions`, { action: 'request_evaluation' });
  const s = await sec3<{ id: number }>('POST', `/api/cases/${id}/sessions`, {
    kind: 'self_evaluation',
    title: '柳树村2026年度整顿村级自评',
    residentsPresent: 15,
  });
  await town('POST', `/api/sessions/${s.id}/confirm-residents`, { residentsPresent: 15 });
  const issued = await sec3<{ slips: { token: string }[] }>('POST', `/api/sessions/${s.id}/slips`, { count: 15 });
  await sec3('POST', `/api/sessions/${s.id}/open`);
  for (const [i, { token }] of issued.slips.slice(0, 13).entries()) {
    const answers: Record<string, string> = {};
    for (let q = 1; q <= 10; q++) answers[`q${q}`] = i < 11 ? 'satisfied' : 'dissatisfied';
    const res = await fetch(`${url}/api/ballots`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token, clientId: crypto.randomUUID(), answers }),
    });
    if (res.status !== 201) throw new Error(`投票失败 ${res.status} ${await res.text()}`);
  }
  await sec3('POST', `/api/sessions/${s.id}/close`);
  await sec3('POST', `/api/cases/${id}/transitions`, { action: 'apply', evidence: '党员群众代表大会会议记录' });
  return id;
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
  page.screenshot({ path: `${ctx.out}/cases-${name}-${ctx.width}.png`, fullPage: true });

async function flow(browser: Browser, ctx: Ctx, applied: number, newCun: number): Promise<void> {
  const county = await login(browser, ctx, 'qingshan');
  await county.getByTestId('case-row').first().waitFor();
  await snap(county, ctx, 'overview');
  await county.goto(`${ctx.url}/#/cases?light=red`);
  await county.getByTestId('case-row').first().waitFor();
  await snap(county, ctx, 'overview-red');
  await county.goto(`${ctx.url}/#/cases/new`);
  await county.getByRole('button', { name: '＋ 添加问题' }).click();
  await snap(county, ctx, 'new');
  await county.goto(`${ctx.url}/#/cases/${applied}`);
  await county.getByTestId('case-state').waitFor();
  await snap(county, ctx, 'case-county');

  const town = await login(browser, ctx, 'dongfeng');
  await town.getByRole('list', { name: '待办案件' }).waitFor();
  await snap(town, ctx, 'township-first');
  await town.goto(`${ctx.url}/#/cases/inbox`);
  await town.getByTestId('case-row').first().waitFor();
  await snap(town, ctx, 'inbox');
  await town.goto(`${ctx.url}/#/cases/${applied}`);
  await town.getByRole('button', { name: '受理，开始乡镇初验' }).click();
  await snap(town, ctx, 'case-township-form');

  const sec = await login(browser, ctx, 'sec1');
  await sec.goto(`${ctx.url}/#/cases/${newCun}`);
  await sec.getByTestId('blocked').waitFor();
  await snap(sec, ctx, 'case-secretary');
  for (const p of [county, town, sec]) await p.context().close();
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      out: { type: 'string', default: '/tmp/shots-cases' },
      'no-build': { type: 'boolean', default: false },
    },
  });
  if (!values['no-build']) await ensureWebBuilt();
  fs.mkdirSync(values.out, { recursive: true });
  const database = await throwAwayDatabase('vre_cases_shots');
  await migrate(database.url);
  const { db, close } = createDatabase(database.url);
  const ids = await seed(db);
  const app = await buildApp(loadConfig({ LOG_LEVEL: 'warn', PUBLIC_URL: 'http://127.0.0.1' }), { db });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  const problems: string[] = [];
  try {
    const applied = await setUp(url, db, ids);
    const newCun = (
      await db
        .selectFrom('rectification_case')
        .select('id')
        .where('village_id', '=', ids['新村'] as number)
        .executeTakeFirstOrThrow()
    ).id;
    for (const size of VIEWPORTS)
      await flow(browser, { url, out: values.out, width: size.width, problems }, applied, newCun);
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
