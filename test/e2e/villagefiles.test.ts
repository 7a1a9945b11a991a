// 村情档案 in a real browser (issue 10 item 1): the township finds a village without a file, is
// told in Chinese what is wrong with a value, saves after a confirmation that lists the change, and
// sees it in the change history; the county reads the same file without a form.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consoleStage, hasChromium } from '../helpers/console-stage.ts';
import { createCast, type Cast } from '../helpers/officials-api.ts';

describe.skipIf(!hasChromium())('村情档案 in the console', () => {
  const stage = consoleStage({ consoleErrors: false });
  let cast: Cast;

  beforeAll(async () => {
    await stage.start(async (db) => {
      cast = await createCast(db, { village: '河口村' });
    });
  }, 180_000);

  afterAll(() => stage.stop());

  it('the township fills in a file: a Chinese refusal, then a confirmed save in the history', async () => {
    const page = await stage.loggedIn(cast.township);
    await page.getByRole('link', { name: '村情档案' }).click();
    const row = page.getByRole('row').filter({ hasText: '河口村' });
    await expect.poll(() => row.innerText()).toContain('未建档');
    await row.getByRole('link', { name: '填写' }).click();
    await page.getByLabel(/^户数/).fill('三百');
    await page.getByRole('button', { name: '保存档案' }).click();
    await expect.poll(() => page.getByRole('alert').first().innerText()).toBe('有 1 处需要修改，请看标红的项目。');
    expect(await page.locator('.field-error').first().innerText()).toBe('户数：应为 0 至 100000 之间的整数');
    await page.getByLabel(/^户数/).fill('320');
    await page.getByLabel(/^村集体经济收入/).fill('35.2');
    await page.getByRole('button', { name: '保存档案' }).click();
    const dialog = page.getByRole('dialog');
    await expect.poll(() => dialog.innerText()).toContain('户数：（空） → 320 户');
    expect(await dialog.innerText()).toContain('村集体经济收入：（空） → 35.2 万元');
    await dialog.getByRole('button', { name: '确认保存' }).click();
    await expect.poll(() => page.getByRole('status').first().innerText()).toBe('已保存，修改已记入修改记录。');
    await page.getByText(/^修改记录/).click();
    await expect.poll(() => page.locator('.history').innerText()).toContain('第 1 版 · 建档');
    expect(await page.locator('.history').innerText()).toContain('户数：（空） → 320');
    const stored = await stage.db.selectFrom('village_file').select(['data', 'version']).executeTakeFirstOrThrow();
    expect(stored).toEqual({ data: { households: 320, income: 352_000 }, version: 1 });
  });

  it('the county reads the file without a form', async () => {
    const page = await stage.loggedIn(cast.county);
    await page.goto(`${stage.baseUrl}/#/villagefiles/${cast.tree.village}`);
    await expect.poll(() => page.locator('main').innerText()).toMatch(/户数（户）\s+320\s户/);
    expect(await page.locator('main input').count()).toBe(0);
    expect(await page.locator('main').innerText()).toContain('村情档案由乡镇党委填写和修改，此处只能查看。');
    expect(stage.problems).toEqual([]);
  });
});
