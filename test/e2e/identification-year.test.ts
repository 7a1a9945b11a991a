// One year's identification end to end in a real browser (issue 10, "Done when"), on a fresh
// county, as new users would: the township edits a 村情档案; the county sets up its 堡垒指数 sheet
// and negative list from the defaults and opens the year's 年度排查; the township scores its three
// villages (河口村 弱村, 南坡村 中等村, 北岭村 强村) and screens the weak one (高风险 → 软弱涣散村); the
// 信访 department reports 南坡村; the county starts a screening for the report and the township
// screens 南坡村 for it; the county concludes the round (3 / 3); the township builds and proposes its
// list (乡镇党委会), the county determines it (部务会) and approves it (常委会) into the campaign it
// picks; 河口村 then shows as a case on the township's 工作台 and as approved in the 认定台账.
// Only the accounts, villages and campaign are set up without the console.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SHEET } from '../../server/modules/grading/grading.rules.ts';
import { createCampaign } from '../helpers/cases.ts';
import { consoleStage, hasChromium } from '../helpers/console-stage.ts';
import { createOfficial, createRegion, type TestOfficial } from '../helpers/factories.ts';
import { createCast, type Cast } from '../helpers/officials-api.ts';

const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format();
const year = Number(today.slice(0, 4));
const CAMPAIGN = `${year}年度软弱涣散村整顿`;
/** item by item, in the default sheet's order (maxima 15 15 10 10 10 10 10 10 5 5) */
const SCORES: Record<string, number[]> = {
  河口村: [8, 8, 6, 5, 5, 4, 5, 5, 2, 2], // 50: 弱村
  南坡村: [12, 12, 8, 7, 7, 6, 7, 7, 3, 2], // 71: 中等村
  北岭村: [14, 14, 9, 9, 9, 9, 9, 9, 4, 4], // 90: 强村
};
const PRESENT = ['村党组织政治功能不强', '村“两委”班子不团结、战斗力不强', '党务、村务、财务公开不规范'];

describe.skipIf(!hasChromium('年度认定全流程'))('one year of identification in the console', () => {
  const stage = consoleStage();
  let cast: Cast;
  let dept: TestOfficial;
  let county: Page;
  let township: Page;

  const menu = (page: Page, name: string) =>
    page.locator('nav[aria-label="主菜单"]').getByRole('link', { name, exact: true }).click();
  const status = (page: Page) => page.getByRole('status').first().innerText();

  async function step(page: Page, label: string): Promise<void> {
    await page.getByRole('button', { name: `${label}…` }).click();
    await page.getByRole('button', { name: `确认${label}` }).click();
    await expect.poll(() => status(page)).toBe(`已记录：${label}。`);
  }

  beforeAll(async () => {
    await stage.start(async (db) => {
      cast = await createCast(db, { county: '青山县', township: '东风镇', village: '河口村' });
      // the county's other township has no village here: the county's villages are these three
      await db.deleteFrom('region').where('id', '=', cast.otherVillage).execute();
      await createRegion(db, 'village', cast.tree.township, '南坡村');
      await createRegion(db, 'village', cast.tree.township, '北岭村');
      await createCampaign(db, cast.tree.county, { year, title: CAMPAIGN });
      dept = await createOfficial(db, 'department', cast.tree.county);
    });
    county = await stage.loggedIn(cast.county);
    township = await stage.loggedIn(cast.township);
  }, 180_000);

  afterAll(() => stage.stop());

  it('the township keeps a village file; the county sets up the sheet and the negative list and opens the round', async () => {
    await menu(township, '村情档案');
    await township.getByRole('row').filter({ hasText: '河口村' }).getByRole('link', { name: '填写' }).click();
    await township.getByLabel(/^户数/).fill('320');
    await township.getByLabel(/^村集体经济收入/).fill('3.5');
    await township.getByRole('button', { name: '保存档案' }).click();
    await township.getByRole('dialog').getByRole('button', { name: '确认保存' }).click();
    await expect.poll(() => status(township)).toBe('已保存，修改已记入修改记录。');

    await menu(county, '堡垒指数');
    await county.getByRole('link', { name: '制定 / 修改评分表' }).click();
    await county.getByRole('button', { name: '用默认评分表建立（可修改）' }).click();
    await county.getByRole('button', { name: '保存评分表' }).waitFor();
    await menu(county, '负向测评');
    await county.getByRole('link', { name: '制定 / 修改负面清单' }).click();
    await county.getByRole('button', { name: '用默认清单建立（可修改）' }).click();
    await county.getByRole('button', { name: '保存负面清单' }).waitFor();
    await menu(county, '年度排查');
    await county.getByRole('button', { name: `开启 ${year} 年度排查` }).click();
    await expect.poll(() => status(county)).toBe(`已开启 ${year} 年度排查。`);
    expect(await county.getByTestId('round').innerText()).toContain('0 / 3 个村（0%）');
  });

  it('the township scores its villages and screens the weak one', async () => {
    const titles = DEFAULT_SHEET.map((i) => i.title);
    for (const [village, scores] of Object.entries(SCORES)) {
      await township.goto(`${stage.baseUrl}/#/grading`);
      await township.getByRole('row').filter({ hasText: village }).getByRole('link', { name: '评分' }).click();
      const score = (title: string) => township.getByRole('spinbutton', { name: title });
      await score(titles[0] as string).waitFor();
      for (const [i, title] of titles.entries()) await score(title).fill(String(scores[i]));
      await township.getByRole('textbox', { name: `${titles[0]}的说明` }).fill('对照台账和走访情况扣分');
      await township.getByRole('button', { name: '保存评分' }).click();
      const total = scores.reduce((a, b) => a + b, 0);
      await expect.poll(() => status(township)).toMatch(new RegExp(`^已保存：${total} 分，`));
    }
    expect(await status(township)).toBe('已保存：90 分，强村');

    await menu(township, '负向测评');
    await township.locator('li.card').filter({ hasText: '河口村' }).getByRole('link', { name: '排查' }).click();
    for (const title of PRESENT) {
      await township.getByRole('radiogroup', { name: title }).getByLabel('存在', { exact: true }).check();
      await township.getByRole('textbox', { name: `${title}的依据` }).fill('镇党委走访谈话记录，见台账');
    }
    await township.getByRole('button', { name: '其余未标记的项全部标为“不存在”' }).click();
    await township.getByRole('button', { name: '保存排查结果' }).click();
    await expect.poll(() => status(township)).toBe('已保存：高风险，建议：软弱涣散村（列入整顿）');
  });

  it('the department reports 南坡村, the county starts a screening for it and the township screens it', async () => {
    const page = await stage.loggedIn(dept);
    await page.getByRole('link', { name: '新建报送' }).click();
    await page.getByLabel('乡镇').selectOption({ label: '东风镇' });
    await page.getByLabel('村', { exact: true }).selectOption({ label: '南坡村' });
    await page.getByLabel('问题类别').selectOption({ label: '信访矛盾' });
    await page.getByLabel('发生日期').fill(today);
    await page.getByLabel('问题描述').fill('南坡村群众三次到县信访局反映村集体土地流转收益分配不公开。');
    await page.getByRole('button', { name: '报送', exact: true }).click();
    await page.getByRole('dialog').getByRole('button', { name: '确认报送' }).click();
    await expect.poll(() => page.getByRole('heading', { level: 2 }).innerText()).toBe('东风镇 南坡村 待处理');

    await menu(county, '部门报送');
    await county.getByRole('list', { name: '报送列表' }).getByRole('link', { name: '东风镇 南坡村' }).click();
    await county.getByRole('button', { name: '启动排查' }).click();
    await county.getByRole('dialog').getByRole('button', { name: '确认启动排查' }).click();
    await expect.poll(() => status(county)).toBe('已启动排查：请乡镇对该村开展负向测评。');

    await township.goto(`${stage.baseUrl}/#/risk`);
    await township.locator('li.card').filter({ hasText: '南坡村' }).getByRole('link', { name: '排查' }).click();
    const reason = township.getByRole('group', { name: '排查依据' });
    expect(await reason.getByRole('radio', { name: /因部门报送排查：信访/ }).isChecked()).toBe(true);
    await township.getByRole('button', { name: '其余未标记的项全部标为“不存在”' }).click();
    await township.getByRole('button', { name: '保存排查结果' }).click();
    await expect.poll(() => status(township)).toMatch(/^已保存：低风险/);
  });

  it('the county concludes the round once every village is screened', async () => {
    await county.goto(`${stage.baseUrl}/#/screening`);
    await county.getByRole('button', { name: '结束本年度排查' }).click();
    await county.getByRole('dialog').getByRole('button', { name: '确认结束' }).click();
    await expect.poll(() => status(county)).toBe(`${year} 年度排查已结束。`);
    expect(await county.getByTestId('round').innerText()).toContain('完成 3 / 3 个村');
  });

  it('the list goes through 乡镇党委会, 部务会 and 常委会, and 河口村 becomes a case on the board and in the register', async () => {
    await menu(township, '三级认定');
    await township.getByRole('button', { name: `建立 ${year} 年度认定名单` }).click();
    await township.getByRole('heading', { name: '拟定名单（2 个已排查的村）' }).waitFor();
    const listId = Number(/#\/decisions\/(\d+)/.exec(township.url())?.[1]);
    await township.getByLabel('研究意见').fill('经乡镇党委会研究，同意按排查建议上报');
    await step(township, '乡镇党委会研究提交');

    await county.goto(`${stage.baseUrl}/#/decisions/${listId}`);
    await county.getByLabel(/文件（纪要）编号/).fill(`青组通〔${year}〕12号`);
    await step(county, '部务会初步认定');
    await county.getByLabel(/文件（纪要）编号/).fill(`青委〔${year}〕35号`);
    await county.getByLabel('列入整顿工作').selectOption({ label: `${CAMPAIGN}（青山县）` });
    await county.getByRole('button', { name: '常委会审定…' }).click();
    await county.getByText('1 个软弱涣散村（河口村）将列入整顿并建立案件').waitFor();
    await county.getByRole('button', { name: '确认常委会审定' }).click();
    await county.getByRole('link', { name: /整顿案件 \d+ →/ }).waitFor();

    await menu(township, '工作台');
    const row = township.getByTestId('board-row').filter({ has: township.getByRole('link', { name: '河口村' }) });
    await expect.poll(() => row.getByTestId('board-state').textContent()).toBe('已列入');

    await county.goto(`${stage.baseUrl}/#/identification?region=${cast.tree.county}&year=${year}`);
    expect(await county.getByTestId('register-coverage').innerText()).toContain('3/3');
    const hekou = county.getByTestId('register-row').filter({ hasText: '河口村' });
    await expect.poll(() => hekou.innerText()).toContain('软弱涣散村');
    expect(await hekou.innerText()).toContain('常委会已审定');
    expect(await hekou.getByRole('link', { name: '案件' }).count()).toBe(1);
    expect(stage.problems).toEqual([]);
  });
});
