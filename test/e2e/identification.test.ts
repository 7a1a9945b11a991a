// 认定台账 in a real browser (issue 10 item 7): the county goes from its board to the register of
// the same county and year, sees each village with grade, risk and decision grouped by township,
// filters to the 弱村 and follows a listed village to its case; the township reads its own register
// on a phone without sideways scrolling; the annual summary prints with the rules in words and
// the signature lines.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeGrading } from '../../server/modules/grading/grading.rules.ts';
import { createCampaign, createCaseAt } from '../helpers/cases.ts';
import { consoleStage, hasChromium, overflow, PHONE, thisYear } from '../helpers/console-stage.ts';
import { createRegion } from '../helpers/factories.ts';
import { ensureRiskList, gradeVillage } from '../helpers/grading.ts';
import { createCast, type Cast } from '../helpers/officials-api.ts';

describe.skipIf(!hasChromium('认定台账'))('认定台账 in the console', () => {
  const stage = consoleStage();
  let cast: Cast;
  let caseId = 0;

  beforeAll(async () => {
    await stage.start(async (db) => {
      cast = await createCast(db, { township: '东风镇', village: '河口村' });
      const nanpo = await createRegion(db, 'village', cast.tree.township, '南坡村');
      await createRegion(db, 'village', cast.tree.township, '北岭村');
      // 河口村 弱村 screened 高风险 and approved 软弱涣散村 with its case; 南坡村 中等村; 北岭村 not graded
      await gradeVillage(db, cast.tree.village, thisYear, 'weak');
      await gradeVillage(db, nanpo, thisYear, 'middle');
      const list = await ensureRiskList(db, cast.tree.county, thisYear);
      const official = cast.township.id;
      const grade = await db
        .selectFrom('village_grade')
        .select('id')
        .where('village_id', '=', cast.tree.village)
        .executeTakeFirstOrThrow();
      const screening = await db
        .insertInto('risk_screening')
        .values({
          list_id: list,
          year: thisYear,
          village_id: cast.tree.village,
          trigger: 'weak_grade',
          grade_id: grade.id,
          score: 9,
          high_min: 8,
          middle_min: 4,
          level: 'high',
          outcome: 'rectify',
          screened_by: official,
          actor_name: '东风镇党委',
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      const items = await db.selectFrom('risk_item').select(['id', 'type']).where('list_id', '=', list).execute();
      await db
        .insertInto('risk_mark')
        .values(
          items.map((i) => ({
            screening_id: screening.id,
            item_id: i.id,
            present: i.type === 'party_building',
            evidence: i.type === 'party_building' ? '乡镇走访记录' : '',
          })),
        )
        .execute();
      const campaign = await createCampaign(db, cast.tree.county, { year: thisYear });
      caseId = await createCaseAt(db, { campaignId: campaign, villageId: cast.tree.village, state: 'listed' });
      const decided = await db
        .insertInto('identification_list')
        .values({
          township_id: cast.tree.township,
          county_id: cast.tree.county,
          year: thisYear,
          stage: 'approved',
          campaign_id: campaign,
          created_by: official,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await db
        .insertInto('identification_entry')
        .values({
          list_id: decided.id,
          village_id: cast.tree.village,
          outcome: 'rectify',
          screening_id: screening.id,
          case_id: caseId,
        })
        .execute();
    });
  }, 180_000);

  afterAll(() => stage.stop());

  it('the county goes from its board to the register, filters to the 弱村 and opens the case', async () => {
    const page = await stage.loggedIn(cast.county);
    await page.locator('.toolbar').getByRole('link', { name: '认定台账' }).click();
    const rows = page.getByTestId('register-row');
    await expect.poll(() => rows.count()).toBe(4);
    expect(page.url()).toContain(`#/identification?region=${cast.tree.county}&year=${thisYear}`);
    expect(await page.getByRole('heading', { level: 2 }).innerText()).toMatch(/^认定台账 · /u);
    // 河口村 and 南坡村 screened, 北岭村 and the other township's village not graded
    expect(await page.getByTestId('register-coverage').innerText()).toContain('排查覆盖：2/4 个村（50%）');
    const hekou = rows.filter({ hasText: '河口村' });
    expect((await hekou.innerText()).replace(/\s+/gu, ' ')).toContain(
      '河口村 弱村 40分 高风险 基层党建薄弱村 — 软弱涣散村 常委会已审定',
    );
    expect(await rows.filter({ hasText: '北岭村' }).innerText()).toContain('未评定');
    expect(
      await page.getByTestId('register-township').filter({ hasText: '东风镇' }).locator('.group').innerText(),
    ).toContain('东风镇 · 3 个村 · 已排查 2/3');
    await page.getByLabel('堡垒指数').selectOption('weak');
    await expect.poll(() => page.getByTestId('register-count').innerText()).toBe('共 1 个村（全部 4 个）');
    expect(page.url()).toContain('grade=weak');
    expect(await page.getByRole('link', { name: '导出 Excel' }).getAttribute('href')).toBe(
      `/api/identification.xlsx?year=${thisYear}&regionId=${cast.tree.county}`,
    );
    await rows.getByRole('link', { name: '案件' }).click();
    await page.waitForURL(`**/#/cases/${caseId}`);
    expect(stage.problems).toEqual([]);
  });

  it('the township reads its own register on a phone, no sideways scrolling', async () => {
    const page = await stage.loggedIn(cast.township, PHONE);
    await page.getByRole('button', { name: /菜单/u }).click();
    await page.locator('nav[aria-label="主菜单"]').getByRole('link', { name: '认定台账' }).click();
    await expect.poll(() => page.getByTestId('register-row').count()).toBe(3);
    expect(await page.getByTestId('register-coverage').innerText()).toContain('2/3');
    expect(await overflow(page)).toBeLessThanOrEqual(0);
    // each village a card (each value led by its name), no column headings
    expect(await page.locator('table.register thead').isVisible()).toBe(false);
    const hekou = page.getByTestId('register-row').filter({ hasText: '河口村' });
    expect(await hekou.evaluate((el) => getComputedStyle(el).display)).toBe('block');
    expect(stage.problems).toEqual([]);
  });

  it('prints the annual summary: counts, the listed village, the rules in words and the signature lines', async () => {
    const page = await stage.loggedIn(cast.county);
    await page.goto(`${stage.baseUrl}/#/identification?region=${cast.tree.county}&year=${thisYear}`);
    await page.getByRole('link', { name: '打印年度汇总（A4）' }).click();
    const sheet = page.getByTestId('identification-print');
    await sheet.waitFor();
    const text = await sheet.innerText();
    expect(text).toContain(`${thisYear}年度村党组织分类认定汇总表`);
    expect(text).toContain('四、软弱涣散村（1 个）');
    expect(text).toContain(describeGrading({ strongMin: 85, middleMin: 60 }, 100));
    expect(text).toContain('存在的负面清单项分值合计 8 分及以上为高风险');
    for (const line of ['填报人：', '审核人：', '县委组织部（盖章）：', '日期：']) expect(text).toContain(line);
    const pdf = await page.pdf({ format: 'A4', preferCSSPageSize: true });
    expect(pdf.subarray(0, 4).toString('latin1')).toBe('%PDF');
    expect(stage.problems).toEqual([]);
  });
});
