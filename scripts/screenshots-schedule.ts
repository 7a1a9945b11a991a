// npx tsx scripts/screenshots-schedule.ts [--out DIR] [--no-build]
// Screenshots of 批量安排 (campaign scheduling) at a phone (360) and a desktop (1280) width: a
// township official arrives from the board with two villages in the address, adds a third, types
// and pastes residents, sets times, previews (one village in a case, two without), confirms and
// creates; then a created session's page with its schedule. The app runs in this process over a
// throw-away database (see scripts/lib/shots.ts).
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Browser } from 'playwright-core';
import type { Db } from '../server/db/database.ts';
import { prepareQueues } from '../server/modules/schedule/schedule.jobs.ts';
import { createCampaign, createCaseAt } from '../test/helpers/cases.ts';
import { ensureWebBuilt } from '../test/helpers/web-build.ts';
import { seeder } from './lib/demo.ts';
import { fail, login, snap, VIEWPORTS, withStage, type Ctx } from './lib/shots.ts';

const ROOT = path.resolve(import.meta.dirname, '..');

/** Two townships alike (one per width), each with an official and four villages, the first in a case. */
async function seed(db: Db): Promise<{ username: string; villages: number[] }[]> {
  const { region, official } = await seeder(db);
  const city = await region('city', null, '示范市');
  const county = await region('county', city, '青山县');
  const campaign = await createCampaign(db, county, { year: 2026 });
  const out: { username: string; villages: number[] }[] = [];
  for (const [username, township] of [
    ['dongfeng', '东风镇'],
    ['hongqi', '红旗乡'],
  ] as const) {
    const id = await region('township', county, township);
    await official(username, '王建国', 'township', id);
    const villages: number[] = [];
    for (const name of ['新村', '河口村', '柳树村']) villages.push(await region('village', id, name));
    await createCaseAt(db, { campaignId: campaign, villageId: villages[0] as number, state: 'village_evaluation' });
    out.push({ username, villages });
  }
  return out;
}

/** `YYYY-MM-DDTHH:mm` in China time, `days` from now at `hour`. */
function chinaInput(days: number, hour: number): string {
  const d = new Date(Date.now() + 8 * 3600_000 + days * 86_400_000);
  return `${d.toISOString().slice(0, 10)}T${String(hour).padStart(2, '0')}:00`;
}

async function flow(browser: Browser, ctx: Ctx, username: string, villages: number[]): Promise<void> {
  const page = await login(browser, ctx, username);
  await page.goto(`${ctx.url}/#/schedule?villages=${villages[0]},${villages[1]}`);
  await page.getByText('2. 在村人数（已选 2 个村）').waitFor();
  await page.getByLabel('柳树村').check();
  await page.getByLabel('新村在村人数').fill('126');
  await page.getByText('从表格导入在村人数').click();
  await page.getByPlaceholder('村名,在村人数').fill('村名,在村人数\n河口村,88\n柳树村,64');
  await page.getByRole('button', { name: '导入粘贴的内容' }).click();
  await page.getByLabel('定时开始（北京时间，可不填）').fill(chinaInput(2, 9));
  await page.getByLabel('定时结束（北京时间，可不填）').fill(chinaInput(2, 11));
  await page.getByRole('button', { name: '预览将要创建的测评' }).click();
  await page.getByTestId('batch-preview').waitFor();
  await snap(page, ctx, 'preview');
  await page.getByLabel(/我知道其中 2 个村的测评不计入/).check();
  await page.getByRole('button', { name: '创建 3 场测评' }).click();
  await page.getByRole('dialog').waitFor();
  await page.screenshot({ path: path.join(ctx.out, `schedule-confirm-${ctx.width}.png`) });
  await page.getByRole('button', { name: /确认创建/ }).click();
  await page.getByTestId('batch-result').waitFor();
  await snap(page, ctx, 'result');
  await page.getByRole('link', { name: /新村/ }).click();
  await page.getByTestId('schedule-card').waitFor();
  await snap(page, ctx, 'session');
  await page.context().close();
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
  await withStage('vre_schedule_shots', async ({ db, url, browser, problems }) => {
    const people = await seed(db);
    await prepareQueues(db);
    for (const [i, size] of VIEWPORTS.entries()) {
      const { username, villages } = people[i] as { username: string; villages: number[] };
      await flow(
        browser,
        { url, out: values.out, prefix: 'schedule', width: size.width, problems },
        username,
        villages,
      );
    }
  });
  process.stdout.write(`截图已保存到 ${values.out}\n`);
}

main().catch(fail);
