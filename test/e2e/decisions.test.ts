// 三级认定 in a real browser (issue 10 item 5): the township, on a phone, builds its list from the
// year's screenings, is stopped from saving a deviation without a note, saves and proposes it after
// a confirmation; the county, on a desktop, sends it back once with a reason, then determines and
// approves it into a campaign; the approved 软弱涣散村 opens as a case whose page shows 认定依据
// with the document numbers, and the 重点防控村 appears on the prevention list. No page overflows.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCampaign } from '../helpers/cases.ts';
import { consoleStage, hasChromium, overflow, PHONE, thisYear } from '../helpers/console-stage.ts';
import { screenVillage } from '../helpers/decisions.ts';
import { createRegion } from '../helpers/factories.ts';
import { createCast, type Cast } from '../helpers/officials-api.ts';

describe.skipIf(!hasChromium('三级认定'))('三级认定 in the console', () => {
  const stage = consoleStage();
  let cast: Cast;
  let listId = 0;

  async function step(page: Page, label: string): Promise<void> {
    await page.getByRole('button', { name: `${label}…` }).click();
    await page.getByRole('button', { name: `确认${label}` }).click();
    await expect.poll(() => page.getByRole('status').first().innerText()).toBe(`已记录：${label}。`);
  }

  beforeAll(async () => {
    await stage.start(async (db) => {
      cast = await createCast(db, { village: '河口村' });
      const nanpo = await createRegion(db, 'village', cast.tree.township, '南坡村');
      await screenVillage(db, cast.tree.village, thisYear, { outcome: 'rectify', present: 3 });
      await screenVillage(db, nanpo, thisYear, { outcome: 'prevent', preventionLevel: 2 });
      await createCampaign(db, cast.tree.county, { year: thisYear, title: `${thisYear}年度整顿` });
    });
  }, 180_000);

  afterAll(() => stage.stop());

  it('the township builds its list on a phone, needs a note to deviate, and proposes it', async () => {
    const page = await stage.loggedIn(cast.township, PHONE);
    await page.goto(`${stage.baseUrl}/#/decisions`);
    await page.getByRole('button', { name: `建立 ${thisYear} 年度认定名单` }).click();
    await page.getByRole('heading', { name: '拟定名单（2 个已排查的村）' }).waitFor();
    listId = Number(/#\/decisions\/(\d+)/.exec(page.url())?.[1]);
    const nanpo = page.locator('.entry', { hasText: '南坡村' });
    await nanpo.getByLabel('防控措施等级').selectOption('1');
    await expect.poll(() => nanpo.locator('.field-error').innerText()).toBe('与排查建议不一致时须写明理由');
    await page.getByRole('button', { name: '保存名单' }).click();
    await expect.poll(() => page.getByRole('alert').innerText()).toBe('请先处理标红的村');
    await nanpo.getByLabel(/说明/).fill('村干部涉嫌违纪，提高防控等级');
    await page.getByRole('button', { name: '保存名单' }).click();
    await expect.poll(() => page.getByRole('status').first().innerText()).toBe('名单已保存。');
    expect(await overflow(page)).toBeLessThanOrEqual(0);
    await page.getByLabel('研究意见').fill('经乡镇党委会研究，同意上报');
    await step(page, '乡镇党委会研究提交');
    expect(await page.getByTestId('list-stage').innerText()).toBe('乡镇党委会已提交');
  });

  it('the county sends it back once, then determines and approves it into the campaign', async () => {
    const township = await stage.loggedIn(cast.township, PHONE);
    const county = await stage.loggedIn(cast.county);
    await county.goto(`${stage.baseUrl}/#/decisions/${listId}`);
    await county.getByLabel(/退回/).check();
    await county.getByLabel('退回理由').fill('南坡村材料请补充');
    await step(county, '退回');
    await township.goto(`${stage.baseUrl}/#/decisions/${listId}`);
    await township.getByLabel('研究意见').fill('已补充材料，再次上报');
    await step(township, '乡镇党委会研究提交');
    await county.reload();
    await county.getByLabel(/文件（纪要）编号/).fill('组部纪〔2026〕3号');
    await step(county, '部务会初步认定');
    await county.getByLabel(/文件（纪要）编号/).fill('县委常纪〔2026〕5号');
    await county.getByRole('button', { name: '常委会审定…' }).click();
    await county.getByText('1 个软弱涣散村（河口村）将列入整顿并建立案件').waitFor();
    await county.getByRole('button', { name: '确认常委会审定' }).click();
    await county.getByRole('link', { name: /整顿案件 \d+ →/ }).click();
    const basis = county.getByTestId('case-identification');
    await basis.getByText('县委常纪〔2026〕5号').waitFor();
    expect(await basis.innerText()).toContain('常委会审定');
    await county.goto(`${stage.baseUrl}/#/prevention`);
    const record = county.locator('li.card', { hasText: '南坡村' });
    await expect.poll(() => record.locator('.badge').innerText()).toBe('一级防控');
    expect(stage.problems).toEqual([]);
  });
});
