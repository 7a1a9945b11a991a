// npx tsx scripts/screenshots-sessions.ts [--out DIR] [--no-build] [--big N] [--big-only]
// Screenshots of the console's evaluation pages at a phone (360×740) and a desktop (1280×800)
// size, plus the printed slip sheet and result sheet (page.pdf(), and PNGs of their first pages
// when pdftoppm is installed), to look at by eye. A secretary creates a session, a township
// official confirms the residents, slips are issued and printed, villagers vote online (through
// the real API, with the codes read off the printed sheet), a paper ballot is entered, the session
// is closed and certified. Also measures how long a sheet of --big (default 1000) slips takes to
// render. The app runs in this process over a throw-away database (a new database on
// DATABASE_URL's server, else an embedded PostgreSQL in a temporary directory).
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import type { Db } from '../server/db/database.ts';
import { ensureWebBuilt } from '../test/helpers/web-build.ts';
import { seeder, vote as castBallot } from './lib/demo.ts';
import { fail, login, pdfToPngs, printPdf, shotFile, snap, VIEWPORTS, withStage, type Ctx } from './lib/shots.ts';

const ROOT = path.resolve(import.meta.dirname, '..');

/** A county with two townships; a secretary per village of 东风镇 and its township official. */
async function seed(db: Db): Promise<void> {
  const { region, official } = await seeder(db);
  const city = await region('city', null, '示范市');
  const county = await region('county', city, '青山县');
  const dongfeng = await region('township', county, '东风镇');
  await region('township', county, '红旗乡');
  await official('dongfeng', '王建国', 'township', dongfeng);
  await official('qingshan', '青山县组织部', 'county', county);
  for (const [i, name] of ['新村', '河口村'].entries()) {
    await official(`sec${i + 1}`, `${name}书记`, 'village', await region('village', dongfeng, name));
  }
}

/** page.pdf() of the page as printed, and a PNG of its first page (pdftoppm, when installed). */
async function printed(page: Page, ctx: Ctx, name: string): Promise<void> {
  await page.emulateMedia({ media: 'print' });
  await snap(page, ctx, `${name}-print-media`);
  const file = shotFile(ctx, name, 'pdf');
  const { pages, ms } = await printPdf(page, file);
  process.stdout.write(`${name}: PDF ${pages} 页，用时 ${ms} ms\n`);
  await page.emulateMedia({ media: 'screen' });
  pdfToPngs(file, 2);
}

async function createSession(page: Page, ctx: Ctx, title: string, residents: number): Promise<number> {
  await page.goto(`${ctx.url}/#/sessions/new`);
  await page.getByLabel('测评名称').fill(title);
  await page.getByLabel('在村人数').fill(String(residents));
  // a village with no case: the form asks for the acknowledgement once it has looked the case up
  await page.getByTestId('case-serving').locator('.alert').waitFor();
  const ack = page.getByLabel('我知道此测评不计入任何整顿案件的验收');
  if ((await ack.count()) > 0) await ack.check();
  await page.getByRole('button', { name: '创建测评' }).click();
  await page.getByTestId('session-status').waitFor();
  return Number(/#\/sessions\/(\d+)/.exec(page.url())?.[1]);
}

async function issue(page: Page, count: number): Promise<string[]> {
  await page.getByLabel('本批发放张数').fill(String(count));
  await page.getByRole('button', { name: '发放测评票' }).click();
  await page.getByTestId('sheet-ready').waitFor({ timeout: 60_000 });
  return page.getByTestId('slip-code').allTextContents();
}

const ANSWERS = ['satisfied', 'satisfied', 'basic', 'dissatisfied', 'unknown', 'satisfied', 'basic', 'satisfied'];

async function vote(url: string, code: string, i: number): Promise<void> {
  const answers: Record<string, string> = {};
  for (let q = 1; q <= 10; q++) answers[`q${q}`] = ANSWERS[(i + q) % ANSWERS.length] as string;
  answers.q12 = ['party_member', 'representative', 'other'][i % 3] as string;
  if (i % 3 === 0) answers.q11 = `希望村里继续把道路和路灯修好（第 ${i + 1} 条）`;
  await castBallot(url, code, answers);
}

async function flow(browser: Browser, ctx: Ctx, secretary: string): Promise<void> {
  const sec = await login(browser, ctx, secretary);
  // a secretary lands on the cases page; the evaluations are one tab over
  await sec.goto(`${ctx.url}/#/sessions`);
  await sec.getByRole('button', { name: '新建测评' }).waitFor();
  await snap(sec, ctx, 'list-empty');
  await sec.getByRole('button', { name: '新建测评' }).click();
  await sec.getByRole('button', { name: '创建测评' }).waitFor();
  await snap(sec, ctx, 'new');
  const id = await createSession(sec, ctx, '2025年度整顿村级自评', 12);
  await snap(sec, ctx, 'draft');
  await sec.getByRole('button', { name: '修改规则' }).click();
  await sec.getByText('宽松：').click();
  await sec.getByText('一票否决').click();
  await snap(sec, ctx, 'rules-edit');
  await sec.getByRole('button', { name: '取消' }).click();
  await sec.getByRole('button', { name: '修改问卷' }).click();
  await snap(sec, ctx, 'questionnaire-edit');
  await sec.getByRole('button', { name: '取消' }).last().click();

  const town = await login(browser, ctx, 'dongfeng');
  await town.goto(`${ctx.url}/#/sessions`);
  await town.locator('.row').first().waitFor();
  await snap(town, ctx, 'list-township');
  await town.goto(`${ctx.url}/#/sessions/${id}`);
  await town.getByRole('button', { name: '乡镇确认在村人数' }).click();
  await town.getByLabel('请核对后再次输入在村人数').fill('12');
  await snap(town, ctx, 'confirm');
  await town.getByRole('button', { name: '确认', exact: true }).click();
  await town.getByTestId('residents-confirmed').waitFor();

  await sec.reload();
  const codes = await issue(sec, 10);
  await snap(sec, ctx, 'slips-screen');
  await printed(sec, ctx, 'slips');
  await sec.goto(`${ctx.url}/#/sessions/${id}`);
  await sec.getByRole('button', { name: '开始测评' }).click();
  await snap(sec, ctx, 'open-confirm');
  await sec.getByRole('button', { name: '确认开始' }).click();
  await sec.getByTestId('turnout').waitFor();
  for (const [i, code] of codes.slice(0, 8).entries()) await vote(ctx.url, code, i);
  await sec.getByTestId('turnout-used').filter({ hasText: '8' }).waitFor();
  await snap(sec, ctx, 'open');

  await sec.getByRole('button', { name: '录入纸质票' }).click();
  await sec.getByLabel('测评码').waitFor();
  await snap(sec, ctx, 'paper-empty');
  await sec.getByLabel('测评码').fill(codes[8] as string);
  for (let q = 1; q <= 10; q++) await sec.locator(`#pm-q${q}`).getByText('满意', { exact: true }).click();
  await sec.getByRole('button', { name: '录入这张票' }).click();
  await sec.getByText('已录入第 1 张').waitFor();
  await sec.getByLabel('测评码').fill(codes[0] as string);
  for (let q = 1; q <= 10; q++) await sec.locator(`#pm-q${q}`).getByText('基本满意', { exact: true }).click();
  await sec.getByRole('button', { name: '录入这张票' }).click();
  await sec.getByText('这张测评票已经投过票了', { exact: false }).waitFor();
  await snap(sec, ctx, 'paper-used');

  await sec.goto(`${ctx.url}/#/sessions/${id}`);
  await sec.getByRole('button', { name: '结束测评' }).click();
  await snap(sec, ctx, 'close-confirm');
  await sec.getByRole('button', { name: '确认结束' }).click();
  await sec.getByTestId('results').waitFor();
  await snap(sec, ctx, 'results');
  await sec.getByLabel('主持人').fill('李秀英');
  await sec.getByLabel('监票人').fill('张三、李四');
  await sec.getByLabel('计票人').fill('王五 赵六');
  await sec.getByRole('button', { name: '认证', exact: true }).click();
  await snap(sec, ctx, 'certify-confirm');
  await sec.getByRole('button', { name: '确认认证' }).click();
  await sec.getByText('结果已认证').waitFor();
  await snap(sec, ctx, 'certified');
  await sec.goto(`${ctx.url}/#/sessions/${id}/result`);
  await sec.getByTestId('result-sheet').waitFor();
  await snap(sec, ctx, 'result-sheet');
  await printed(sec, ctx, 'result-sheet');
  await sec.goto(`${ctx.url}/#/sessions`);
  await sec.locator('.row').first().waitFor();
  await snap(sec, ctx, 'list');
  await sec.context().close();
  await town.context().close();
}

/** The time a sheet of `count` slips takes to be fully on the page (the page measures it). */
async function bigSheet(browser: Browser, ctx: Ctx, count: number): Promise<void> {
  const page = await login(browser, ctx, 'sec2', 800);
  await createSession(page, ctx, '千人测评票生成测试', count);
  const started = performance.now();
  await page.getByLabel('本批发放张数').fill(String(count));
  await page.getByRole('button', { name: '发放测评票' }).click();
  await page.getByTestId('sheet-ready').waitFor({ timeout: 120_000 });
  const ms = await page.getByTestId('sheet-ready').getAttribute('data-ms');
  const total = Math.round(performance.now() - started);
  const qrs = await page.locator('[data-testid="slip-sheet"] svg.qr').count();
  process.stdout.write(`${count} 张测评票：页面渲染 ${ms} ms（含发放请求共 ${total} ms），二维码 ${qrs} 个\n`);
  // the full-page screenshot of a 334-page sheet is useless; the first pages of the PDF show it
  const { pages, ms: pdfMs } = await printPdf(page, path.join(ctx.out, `sessions-slips-${count}.pdf`), false);
  process.stdout.write(`${count} 张测评票打印为 PDF：${pages} 页，用时 ${pdfMs} ms\n`);
  await page.context().close();
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      out: { type: 'string', default: path.join(ROOT, 'screenshots') },
      'no-build': { type: 'boolean', default: false },
      big: { type: 'string', default: '1000' },
      'big-only': { type: 'boolean', default: false },
    },
  });
  if (!values['no-build']) await ensureWebBuilt();
  fs.mkdirSync(values.out, { recursive: true });
  await withStage('vre_session_shots', async ({ db, url, browser, problems }) => {
    await seed(db);
    const at = (width: number): Ctx => ({ url, out: values.out, prefix: 'sessions', width, problems });
    for (const [i, size] of values['big-only'] ? [] : VIEWPORTS.entries()) {
      await flow(browser, at(size.width), i === 0 ? 'sec1' : 'sec2');
    }
    await bigSheet(browser, at(1280), Number(values.big));
  });
  process.stdout.write(`截图已保存到 ${values.out}\n`);
}

main().catch(fail);
