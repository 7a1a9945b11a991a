// 年度排查 in a real browser (issue 10 item 4a): the county opens the year's round and sees, per
// township, each missing village with why (未评定 / 弱村未排查) and a link to fix it, and no way to
// conclude yet; the township, on a phone, sees only its own villages and follows 去排查 to the
// screening page; once every village is screened the county concludes the round after confirming.
// A department report the county sends to screening lets the township screen a 中等村 for it, and
// the report's page then shows that screening.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consoleStage, DESKTOP, hasChromium, overflow, PHONE, thisYear } from '../helpers/console-stage.ts';
import { createOfficial, createRegion } from '../helpers/factories.ts';
import { ensureRiskList, gradeVillage } from '../helpers/grading.ts';
import { createCast, type Cast } from '../helpers/officials-api.ts';
import { sessionFor } from '../helpers/world.ts';

/** where screenshots go when SCREENSHOT_DIR is set (to look at the page) */
const SHOTS = process.env.SCREENSHOT_DIR;

describe.skipIf(!hasChromium('年度排查'))('年度排查 in the console', () => {
  const stage = consoleStage();
  let cast: Cast;
  let nanpo = 0;

  const shot = async (page: Page, name: string) => {
    if (SHOTS) await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });
  };

  beforeAll(async () => {
    await stage.start(async (db) => {
      cast = await createCast(db, {
        township: '东风镇',
        otherTownship: '西河乡',
        village: '河口村',
        otherVillage: '杏林村',
      });
      nanpo = await createRegion(db, 'village', cast.tree.township, '南坡村');
      // 河口村 弱村 not yet screened, 南坡村 中等村, 杏林村 not graded
      await gradeVillage(db, cast.tree.village, thisYear, 'weak');
      await gradeVillage(db, nanpo, thisYear, 'middle');
      await ensureRiskList(db, cast.tree.county, thisYear);
    });
  }, 180_000);

  afterAll(() => stage.stop());

  it('the county opens the round and sees each missing village with why, and cannot conclude yet', async () => {
    const page = await stage.loggedIn(cast.county);
    await page.locator('nav[aria-label="主菜单"]').getByRole('link', { name: '年度排查' }).click();
    await page.getByRole('button', { name: `开启 ${thisYear} 年度排查` }).click();
    await expect.poll(() => page.getByRole('status').innerText()).toBe(`已开启 ${thisYear} 年度排查。`);
    const round = page.getByTestId('round');
    await expect.poll(() => round.innerText()).toContain('进行中');
    expect(await round.innerText()).toContain('1 / 3 个村（33%）');
    const list = page.getByRole('list', { name: '各乡镇排查进度' });
    const dongfeng = list.locator('li.card', { hasText: '东风镇' });
    expect(await dongfeng.innerText()).toContain('1 / 2 个村（50%）');
    const hekou = dongfeng.locator('li', { hasText: '河口村' });
    expect(await hekou.innerText()).toContain('弱村未排查');
    expect(await hekou.getByRole('link', { name: '去排查' }).getAttribute('href')).toBe(
      `#/risk/${cast.tree.village}?year=${thisYear}`,
    );
    const xinglin = list.locator('li.card', { hasText: '西河乡' }).locator('li', { hasText: '杏林村' });
    expect(await xinglin.innerText()).toContain('未评定');
    expect(await xinglin.getByRole('link', { name: '去评分' }).getAttribute('href')).toBe(
      `#/grading/${cast.otherVillage}?year=${thisYear}`,
    );
    expect(await round.locator('.alert.info').innerText()).toBe(
      '还有 2 个村未完成排查（东风镇 1 个、西河乡 1 个），应纳尽纳，全部完成后才能结束本年度排查',
    );
    expect(await page.getByRole('button', { name: '结束本年度排查' }).count()).toBe(0);
    await shot(page, 'screening-county-1280');
    expect(stage.problems).toEqual([]);
  });

  it('the township, on a phone, sees its own villages only and goes to screen the weak one', async () => {
    const page = await stage.loggedIn(cast.township, PHONE);
    await page.goto(`${stage.baseUrl}/#/screening`);
    const list = page.getByRole('list', { name: '各乡镇排查进度' });
    await expect.poll(() => list.locator('li.card h3').allInnerTexts()).toEqual(['东风镇']);
    expect(await page.getByTestId('round').innerText()).toContain('本乡镇进度');
    expect(await page.getByRole('button', { name: /开启|结束/ }).count()).toBe(0);
    expect(await overflow(page)).toBeLessThanOrEqual(0);
    await shot(page, 'screening-township-360');
    await list.getByRole('link', { name: '去排查' }).click();
    await expect.poll(() => page.getByRole('heading', { level: 2 }).innerText()).toContain('河口村');
    expect(stage.problems).toEqual([]);
  });

  it('once every village is screened the county concludes the round after confirming', async () => {
    await gradeVillage(stage.db, cast.otherVillage, thisYear, 'strong');
    const items = await stage.db.selectFrom('risk_item').select('id').execute();
    const screened = await stage.app.inject({
      method: 'POST',
      url: `/api/risk/villages/${cast.tree.village}/screenings`,
      headers: { cookie: cast.township.cookie },
      payload: { year: thisYear, marks: items.map((i) => ({ itemId: i.id, present: false, evidence: '' })) },
    });
    expect(screened.statusCode, screened.body).toBe(201);
    const page = await stage.loggedIn(cast.county, PHONE);
    await page.goto(`${stage.baseUrl}/#/screening`);
    await page.getByRole('button', { name: '结束本年度排查' }).click();
    const dialog = page.getByRole('dialog');
    expect(await dialog.innerText()).toContain('不能重新开启或撤销');
    await dialog.getByRole('button', { name: '确认结束' }).click();
    await expect.poll(() => page.getByRole('status').innerText()).toBe(`${thisYear} 年度排查已结束。`);
    expect(await page.getByTestId('round').innerText()).toContain('已完成');
    expect(await page.getByTestId('round').innerText()).toContain('完成 3 / 3 个村');
    expect(await overflow(page)).toBeLessThanOrEqual(0);
    await shot(page, 'screening-county-concluded-360');
    expect(stage.problems).toEqual([]);
  });

  it('the township screens a 中等村 for a department report, and the report shows the screening', async () => {
    const dept = await createOfficial(stage.db, 'department', cast.tree.county);
    const filed = await stage.app.inject({
      method: 'POST',
      url: '/api/dept-reports',
      headers: { cookie: await sessionFor(stage.db, dept.id) },
      payload: {
        villageId: nanpo,
        category: 'petition',
        description: '南坡村群众反映土地补偿款分配不公开，三个月内集体信访两次',
        eventDate: new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(),
      },
    });
    expect(filed.statusCode, filed.body).toBe(201);
    const reportId = (filed.json() as { id: number }).id;
    const requested = await stage.app.inject({
      method: 'POST',
      url: `/api/dept-reports/${reportId}/request-screening`,
      headers: { cookie: cast.county.cookie },
    });
    expect(requested.statusCode, requested.body).toBe(200);
    const page = await stage.loggedIn(cast.township, PHONE);
    await page.goto(`${stage.baseUrl}/#/risk`);
    const card = page.locator('li.card', { hasText: '南坡村' });
    expect(await card.innerText()).toContain('部门报送待排查 1 条');
    await card.getByRole('link', { name: '排查' }).click();
    const reason = page.getByRole('group', { name: '排查依据' });
    expect(await reason.getByRole('radio', { name: /因部门报送排查：信访/ }).isChecked()).toBe(true);
    await shot(page, 'risk-report-township-360');
    await page.getByRole('button', { name: '其余未标记的项全部标为“不存在”' }).click();
    await page.getByRole('button', { name: '保存排查结果' }).click();
    const current = page.getByTestId('current-screening');
    await expect.poll(() => current.innerText()).toContain('排查依据：因部门报送排查');
    expect(await overflow(page)).toBeLessThanOrEqual(0);
    const row = await stage.db
      .selectFrom('risk_screening')
      .select(['trigger', 'report_id', 'grade_id'])
      .where('village_id', '=', nanpo)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ trigger: 'report', report_id: reportId, grade_id: null });
    await current.getByRole('link', { name: '查看报送' }).click();
    const answered = page.getByTestId('report-screenings');
    await expect.poll(() => answered.innerText()).toContain('低风险');
    expect(await answered.getByRole('link', { name: '查看排查' }).getAttribute('href')).toBe(
      `#/risk/${nanpo}?year=${thisYear}`,
    );
    await page.setViewportSize(DESKTOP);
    await shot(page, 'report-screenings-1280');
    expect(stage.problems).toEqual([]);
  });
});
