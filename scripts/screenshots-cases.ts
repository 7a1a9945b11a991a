// npx tsx scripts/screenshots-cases.ts [--out DIR] [--no-build]
// Screenshots of the console's rectification-case pages at a phone (360×740) and a desktop
// (1280×800) size, to look at by eye: the county overview with its counts and lights, the 「列入整顿」
// form, a case page with its timeline and a passed self-evaluation, the township's inbox and a
// secretary's case page with the application still blocked. A county with five listed villages is
// set up through the real API (one of them past its deadline, one applied for acceptance after a
// self-evaluation voted through the ballot API). The app runs in this process over a throw-away
// database (a new database on DATABASE_URL's server, else an embedded PostgreSQL).
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import type { Browser } from 'playwright-core';
import type { Db } from '../server/db/database.ts';
import { ensureWebBuilt } from '../test/helpers/web-build.ts';
import { Client, seeder, vote } from './lib/demo.ts';
import { fail, login, snap, VIEWPORTS, withStage, type Ctx } from './lib/shots.ts';

const VILLAGES = { dongfeng: ['新村', '河口村', '柳树村'], hongqi: ['红旗村', '石桥村'] };

/** A city, a county with two townships and five villages; an account per role. */
async function seed(db: Db): Promise<Record<string, number>> {
  const ids: Record<string, number> = {};
  const { region: insertRegion, official } = await seeder(db);
  const region = async (level: string, parentId: number | null, name: string) =>
    (ids[name] = await insertRegion(level, parentId, name));
  const city = await region('city', null, '示范市');
  const county = await region('county', city, '青山县');
  const dongfeng = await region('township', county, '东风镇');
  const hongqi = await region('township', county, '红旗乡');
  for (const v of VILLAGES.dongfeng) await region('village', dongfeng, v);
  for (const v of VILLAGES.hongqi) await region('village', hongqi, v);
  await official('shi', '示范市委组织部', 'city', city);
  await official('qingshan', '青山县委组织部', 'county', county);
  await official('dongfeng', '王建国', 'township', dongfeng);
  await official('sec1', '新村书记', 'village', ids['新村'] as number);
  await official('sec3', '柳树村书记', 'village', ids['柳树村'] as number);
  return ids;
}

async function setUp(url: string, db: Db, ids: Record<string, number>): Promise<number> {
  const county = await new Client(url, 'qingshan').login();
  const town = await new Client(url, 'dongfeng').login();
  const sec3 = await new Client(url, 'sec3').login();
  const sec1 = await new Client(url, 'sec1').login();
  const campaign = await county.call<{ id: number }>('POST', '/api/campaigns', {
    regionId: ids['青山县'],
    year: 2026,
    title: '2026年度软弱涣散村党组织整顿',
  });
  const deadline = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
  const cases: Record<string, number> = {};
  const plan = '调整充实村“两委”班子；建立矛盾纠纷排查化解台账；每月召开一次党员大会通报整改进展。';
  for (const [i, name] of [...VILLAGES.dongfeng, ...VILLAGES.hongqi].entries()) {
    const c = await county.call<{ id: number }>('POST', '/api/cases', {
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
    if (name !== '石桥村') await county.call('POST', `/api/cases/${c.id}/transitions`, { action: 'start' });
  }
  // 红旗村 is past its deadline (red); 新村 waits for its self-evaluation
  await db
    .updateTable('rectification_case')
    .set({ deadline: deadline(-12) })
    .where('id', '=', cases['红旗村'] as number)
    .execute();
  await sec1.call('POST', `/api/cases/${cases['新村']}/transitions`, { action: 'request_evaluation' });

  // 柳树村: a self-evaluation voted through the ballot API, passed, and the application made
  const id = cases['柳树村'] as number;
  await sec3.call('POST', `/api/cases/${id}/transitions`, { action: 'request_evaluation' });
  const s = await sec3.call<{ id: number }>('POST', `/api/cases/${id}/sessions`, {
    kind: 'self_evaluation',
    title: '柳树村2026年度整顿村级自评',
    residentsPresent: 15,
  });
  await town.call('POST', `/api/sessions/${s.id}/confirm-residents`, { residentsPresent: 15 });
  const issued = await sec3.call<{ slips: { token: string }[] }>('POST', `/api/sessions/${s.id}/slips`, { count: 15 });
  await sec3.call('POST', `/api/sessions/${s.id}/open`);
  for (const [i, { token }] of issued.slips.slice(0, 13).entries()) {
    const answers: Record<string, string> = {};
    for (let q = 1; q <= 10; q++) answers[`q${q}`] = i < 11 ? 'satisfied' : 'dissatisfied';
    await vote(url, token, answers);
  }
  await sec3.call('POST', `/api/sessions/${s.id}/close`);
  await sec3.call('POST', `/api/cases/${id}/transitions`, { action: 'apply', evidence: '党员群众代表大会会议记录' });
  return id;
}

async function flow(browser: Browser, ctx: Ctx, applied: number, newCun: number): Promise<void> {
  const county = await login(browser, ctx, 'qingshan');
  // the county lands on its 工作台; the cases are one menu item away
  await county.goto(`${ctx.url}/#/cases`);
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
  await town.goto(`${ctx.url}/#/cases`);
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
  await withStage('vre_cases_shots', async ({ db, url, browser, problems }) => {
    const ids = await seed(db);
    const applied = await setUp(url, db, ids);
    const newCun = (
      await db
        .selectFrom('rectification_case')
        .select('id')
        .where('village_id', '=', ids['新村'] as number)
        .executeTakeFirstOrThrow()
    ).id;
    for (const size of VIEWPORTS)
      await flow(browser, { url, out: values.out, prefix: 'cases', width: size.width, problems }, applied, newCun);
  });
  process.stdout.write(`截图已保存到 ${values.out}\n`);
}

main().catch(fail);
