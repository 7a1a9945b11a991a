// 负向测评 in a real browser (issue 10 item 3): the county sets up its negative list from the
// defaults, raises an item's weight and the 高风险 line and sees the rule in words change; the
// township, on a phone, screens a 弱村 item by item (a present item without evidence is named and
// nothing marked is lost), and sees the level, the proposal and the rule; a village graded 中等村 is
// refused with the reason shown and no form.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_RISK_ITEMS, describeRisk } from '../../server/modules/risk/risk.rules.ts';
import { consoleStage, hasChromium, overflow, PHONE, thisYear } from '../helpers/console-stage.ts';
import { createRegion } from '../helpers/factories.ts';
import { gradeVillage } from '../helpers/grading.ts';
import { createCast, type Cast } from '../helpers/officials-api.ts';

const PETITIONS = '信访问题突出';
const POLITICAL = '村党组织政治功能不强';
/** 高风险 from 9 (the default 8 raised), 中风险 from 4 */
const RULE = describeRisk({ highMin: 9, middleMin: 4 });

describe.skipIf(!hasChromium('负向测评'))('负向测评 in the console', () => {
  const stage = consoleStage();
  let cast: Cast;
  let nanpo = 0;

  beforeAll(async () => {
    await stage.start(async (db) => {
      cast = await createCast(db, { township: '东风镇', village: '河口村' });
      nanpo = await createRegion(db, 'village', cast.tree.township, '南坡村');
      // 河口村 弱村 (40 of 100), 南坡村 中等村 (70): on the county's default 堡垒指数 sheet
      await gradeVillage(db, cast.tree.village, thisYear, 'weak');
      await gradeVillage(db, nanpo, thisYear, 'middle');
    });
  }, 180_000);

  afterAll(() => stage.stop());

  it('the county sets up the negative list, weighs an item more and raises the 高风险 line', async () => {
    const page = await stage.loggedIn(cast.county);
    await page.locator('nav[aria-label="主菜单"]').getByRole('link', { name: '负向测评' }).click();
    await page.getByRole('link', { name: '制定 / 修改负面清单' }).click();
    await page.getByRole('button', { name: '用默认清单建立（可修改）' }).click();
    const rows = page.locator('form[aria-label="修改负面清单"] .row');
    await expect.poll(() => rows.count()).toBe(DEFAULT_RISK_ITEMS.length);
    const petitions = rows.nth(DEFAULT_RISK_ITEMS.findIndex((i) => i.title === PETITIONS));
    expect(await petitions.getByRole('textbox', { name: '清单项' }).inputValue()).toBe(PETITIONS);
    await petitions.getByLabel('分值').selectOption('3');
    await page.getByLabel('高风险：不低于').fill('9');
    await expect.poll(() => page.locator('form[aria-label="修改负面清单"] p.muted').innerText()).toBe(RULE);
    await page.getByRole('button', { name: '保存负面清单' }).click();
    await expect.poll(() => page.getByRole('status').innerText()).toBe('负面清单已保存');
    const list = await stage.db
      .selectFrom('risk_list')
      .select(['id', 'high_min', 'middle_min'])
      .executeTakeFirstOrThrow();
    expect(list).toMatchObject({ high_min: 9, middle_min: 4 });
    const item = await stage.db
      .selectFrom('risk_item')
      .select('weight')
      .where('list_id', '=', list.id)
      .where('title', '=', PETITIONS)
      .executeTakeFirstOrThrow();
    expect(item.weight).toBe(3);
  });

  it('the township screens a 弱村 on a phone: evidence required, then the level, proposal and rule', async () => {
    const page = await stage.loggedIn(cast.township, PHONE);
    await page.goto(`${stage.baseUrl}/#/risk`);
    const card = page.locator('li.card').filter({ hasText: '河口村' });
    await expect.poll(() => card.innerText()).toContain('尚未排查');
    expect(await card.innerText()).toContain('弱村 40分');
    // only the 弱村 is listed
    expect(await page.locator('li.card').count()).toBe(1);
    expect(await overflow(page)).toBeLessThanOrEqual(0);
    await card.getByRole('link', { name: '排查' }).click();

    const group = (title: string) => page.getByRole('radiogroup', { name: title });
    await group(POLITICAL).getByLabel('存在', { exact: true }).check();
    await group(PETITIONS).getByLabel('存在', { exact: true }).check();
    await page.getByRole('textbox', { name: `${POLITICAL}的依据` }).fill('支部半年未开展组织生活，乡镇督查记录');
    await page.getByRole('button', { name: '其余未标记的项全部标为“不存在”' }).click();
    // 3 + 3 (raised by the county) = 6: 中风险, two types → 重点防控村, 二级防控
    const sum = page.locator('.sum');
    await expect.poll(() => sum.innerText()).toContain('存在项合计 6 分 → 中风险，建议：重点防控村（二级防控）');
    expect(await sum.innerText()).toContain(RULE);
    await page.getByRole('button', { name: '保存排查结果' }).click();
    await expect.poll(() => page.getByRole('alert').innerText()).toBe(`“${PETITIONS}”标为存在，须填写依据`);
    expect(await page.locator('.field-error').allInnerTexts()).toEqual(['标为存在，须填写依据']);
    // nothing marked or written is lost
    expect(await group(POLITICAL).getByLabel('存在', { exact: true }).isChecked()).toBe(true);
    expect(await group(PETITIONS).getByLabel('存在', { exact: true }).isChecked()).toBe(true);
    expect(await group('矛盾纠纷多发频发').getByLabel('不存在').isChecked()).toBe(true);
    expect(await page.getByRole('textbox', { name: `${POLITICAL}的依据` }).inputValue()).toBe(
      '支部半年未开展组织生活，乡镇督查记录',
    );
    expect(await stage.db.selectFrom('risk_screening').select('id').execute()).toEqual([]);
    expect(await overflow(page)).toBeLessThanOrEqual(0);

    await page.getByRole('textbox', { name: `${PETITIONS}的依据` }).fill('县信访局本年度转办 6 件');
    await page.getByRole('button', { name: '保存排查结果' }).click();
    await expect.poll(() => page.getByRole('status').innerText()).toBe('已保存：中风险，建议：重点防控村（二级防控）');
    const current = page.getByTestId('current-screening');
    const text = await current.innerText();
    expect(text).toContain('中风险（存在项合计 6 分）');
    expect(text).toContain('涉及类型：基层党建薄弱村、村级治理困难村');
    expect(text).toContain('建议：重点防控村（二级防控）');
    expect(text).toContain(`规则：${RULE}`);
    const stored = await stage.db
      .selectFrom('risk_screening')
      .select(['village_id', 'score', 'level', 'outcome', 'prevention_level', 'high_min'])
      .execute();
    expect(stored).toEqual([
      {
        village_id: cast.tree.village,
        score: 6,
        level: 'middle',
        outcome: 'prevent',
        prevention_level: 2,
        high_min: 9,
      },
    ]);

    await page.getByRole('link', { name: '‹ 返回负向测评' }).click();
    await expect.poll(() => card.innerText()).toContain('中风险');
    expect(await card.innerText()).toContain('建议：重点防控村（二级防控）');
  });

  it('a village graded 中等村 is refused with the reason, and no form', async () => {
    const page = await stage.loggedIn(cast.township);
    await page.goto(`${stage.baseUrl}/#/risk/${nanpo}?year=${thisYear}`);
    await page.getByRole('heading', { name: '南坡村（东风镇） · 负向测评' }).waitFor();
    await expect
      .poll(() => page.locator('p.alert.info').innerText())
      .toMatch(new RegExp(`^该村 ${thisYear} 年度堡垒指数为中等村：负向测评针对评定为弱村的村`));
    expect(await page.getByRole('button', { name: '保存排查结果' }).count()).toBe(0);
    expect(await page.getByRole('radiogroup').count()).toBe(0);
  });

  it('logged no script errors or CSP refusals', () => {
    expect(stage.problems).toEqual([]);
  });
});
