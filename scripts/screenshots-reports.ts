// npx tsx scripts/screenshots-reports.ts [--out DIR] [--no-build]
// Screenshots of the campaigns page (with its forms and the questionnaire template editor open) and
// of the two printable acceptance records (the application and the decision record) at a phone
// (360×740) and a desktop (1280×800) size, plus each record printed to PDF (page.pdf(), and PNGs
// of its pages when pdftoppm is installed), to look at by eye.
// One case is walked through the real API from listing to exit, with a return on the way, a
// passing self-evaluation and a passing callback survey, so every part of the records is filled.
// The app runs in this process over a throw-away database (as scripts/screenshots-sessions.ts).
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import type { Db } from '../server/db/database.ts';
import { ensureWebBuilt } from '../test/helpers/web-build.ts';
import { Client, seeder, vote } from './lib/demo.ts';
import { fail, login, pdfToPngs, printPdf, shotFile, snap, VIEWPORTS, withStage, type Ctx } from './lib/shots.ts';

const ROOT = path.resolve(import.meta.dirname, '..');

async function seed(db: Db): Promise<number> {
  const { region, official } = await seeder(db);
  const city = await region('city', null, '示范市');
  const county = await region('county', city, '青山县');
  await region('county', city, '绿水县');
  const dongfeng = await region('township', county, '东风镇');
  const village = await region('village', dongfeng, '新村');
  await official('shifan', '示范市委组织部', 'city', city);
  await official('qingshan', '青山县委组织部', 'county', county);
  await official('dongfeng', '王建国', 'township', dongfeng);
  await official('sec1', '李秀英', 'village', village);
  return village;
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
    await vote(url, slip.token, answers);
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
  // the village's 堡垒指数 of the year: the county's sheet (the defaults), the township's scoring (78: 中等村)
  const found = await county!.call<{ sheet: { items: { id: number; maxScore: number }[] } | null }>(
    'GET',
    `/api/grading/sheet?regionId=${me.user.regionId}&year=2025`,
  );
  const sheet =
    found.sheet ??
    (await county!.call<{ items: { id: number; maxScore: number }[] }>('POST', '/api/grading/sheets', {
      regionId: me.user.regionId,
      year: 2025,
      from: 'defaults',
    }));
  let left = 78;
  const items = sheet.items.map((it) => {
    const score = Math.min(it.maxScore, left);
    left -= score;
    return { itemId: it.id, score, note: '' };
  });
  await township!.call('POST', `/api/grading/villages/${villageId}/scorings`, { year: 2025, items });
  await step(county!, 'county_pass', { evidence: '党员座谈会记录、验收评分表' });
  await step(city!, 'city_pass', { evidence: '市级复盘意见' });
  return k.id;
}

async function printed(page: Page, ctx: Ctx, name: string): Promise<void> {
  const file = shotFile(ctx, name, 'pdf');
  const { pages } = await printPdf(page, file);
  process.stdout.write(`${name}（${ctx.width}px）：PDF ${pages} 页\n`);
  pdfToPngs(file, 3);
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
  await county.getByRole('button', { name: '修改', exact: true }).first().click();
  await snap(county, ctx, 'campaign-edit');
  await county.getByRole('button', { name: '取消' }).click();
  await county
    .getByText(/^问卷模板（/)
    .first()
    .click();
  await snap(county, ctx, 'campaign-questionnaire');
  await county.getByRole('button', { name: '修改问卷模板' }).first().click();
  await county.getByRole('button', { name: '＋ 添加一题' }).click();
  await county.getByRole('button', { name: '保存问卷模板' }).click();
  await county.getByRole('alert').waitFor();
  await snap(county, ctx, 'campaign-questionnaire-edit');
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
  await withStage('vre_report_shots', async ({ db, url, browser, problems }) => {
    const caseId = await walkCase(url, await seed(db));
    for (const size of VIEWPORTS)
      await shots(browser, { url, out: values.out, prefix: 'reports', width: size.width, problems }, caseId);
  });
  process.stdout.write(`截图已保存到 ${values.out}\n`);
}

main().catch(fail);
