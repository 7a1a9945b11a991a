// The inbox and the new-session notice in a real browser (issue 9, items 2 and 4): a township
// official sees 「待确认在村人数」 in 待办 (its own page and the cases page's tab) with the count in the
// menu, each item a link to the session; a village secretary is told before creating a session
// whether it serves the village's case, cannot be created now, or counts for nothing (then the
// checkbox). With SHOTS_DIR set, each state is saved at 360 and 1280 px.
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCampaign, createCaseAt } from '../helpers/cases.ts';
import { consoleStage, hasChromium } from '../helpers/console-stage.ts';
import { createOfficial, createRegion, type TestOfficial } from '../helpers/factories.ts';
import { createCast, type Cast } from '../helpers/officials-api.ts';
import { defaultQuestionnaire } from '../../server/modules/sessions/questionnaire.ts';
import { defaultRuleSet } from '../../server/modules/tallies/tallies.rules.ts';

const SHOTS = process.env.SHOTS_DIR;

describe.skipIf(!hasChromium())('the inbox and the new-session notice', () => {
  const stage = consoleStage({ consoleErrors: false });
  let cast: Cast;
  const secretaries: Record<string, TestOfficial> = {};
  let draftId = 0;

  /** Saves the page at 1280 px and at 360 px (SHOTS_DIR only). */
  async function shoot(page: Page, name: string): Promise<void> {
    if (!SHOTS) return;
    for (const width of [1280, 360]) {
      await page.setViewportSize({ width, height: 800 });
      await page.screenshot({ path: path.join(SHOTS, `${name}-${width}.png`), fullPage: true });
    }
    await page.setViewportSize({ width: 1280, height: 800 });
  }

  beforeAll(async () => {
    await stage.start(async (db) => {
      cast = await createCast(db, { township: '东风镇', village: '河口村' });
      const liushu = await createRegion(db, 'village', cast.tree.township, '柳树村');
      const songpo = await createRegion(db, 'village', cast.tree.township, '松坡村');
      const campaign = await createCampaign(db, cast.tree.county, { title: '2026年整顿', createdBy: cast.county.id });
      await createCaseAt(db, { campaignId: campaign, villageId: liushu, state: 'village_evaluation' });
      await createCaseAt(db, { campaignId: campaign, villageId: songpo, state: 'rectifying' });
      secretaries.河口村 = await createOfficial(db, 'village', cast.tree.village);
      secretaries.柳树村 = await createOfficial(db, 'village', liushu);
      secretaries.松坡村 = await createOfficial(db, 'village', songpo);
      const draft = await db
        .insertInto('evaluation_session')
        .values({
          village_id: cast.tree.village,
          title: '河口村 2026年度村级自评',
          questionnaire: JSON.stringify(defaultQuestionnaire()),
          rules: JSON.stringify(defaultRuleSet()),
          residents_present: 40,
          created_by: secretaries.河口村.id,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      draftId = draft.id;
      if (SHOTS) fs.mkdirSync(SHOTS, { recursive: true });
    });
  }, 180_000);

  afterAll(() => stage.stop());

  it('shows the township the residents to confirm in 待办, with the count in the menu, linking to the session', async () => {
    const town = await stage.loggedIn(cast.township);
    const menuItem = town.locator('nav[aria-label="主菜单"] a[href="#/inbox"]');
    await menuItem.locator('.count').waitFor();
    expect(await menuItem.innerText()).toBe('待办1');
    await menuItem.click();
    const group = town.getByTestId('inbox-confirm_residents');
    expect(await group.getByRole('heading').textContent()).toBe('待确认在村人数（1）');
    const link = group.getByRole('link', { name: '河口村 2026年度村级自评' });
    expect(await link.getAttribute('href')).toBe(`#/sessions/${draftId}`);
    await shoot(town, 'inbox-township');
    // the cases page's 待办 tab holds the same items beside the cases waiting
    await town.goto(`${stage.baseUrl}/#/cases/inbox`);
    await town.getByTestId('inbox-confirm_residents').waitFor();
    await shoot(town, 'cases-inbox-township');
    await link.click().catch(() => town.getByTestId('inbox-confirm_residents').getByRole('link').first().click());
    await town.waitForURL(`${stage.baseUrl}/#/sessions/${draftId}`);
  }, 120_000);

  it('tells the secretary before creating whether the session serves the case, is refused, or counts for nothing', async () => {
    const serves = await stage.loggedIn(secretaries.柳树村 as TestOfficial);
    await serves.goto(`${stage.baseUrl}/#/sessions/new`);
    const notice = serves.getByTestId('case-serving');
    await notice.locator('.alert.success').waitFor();
    expect(await notice.innerText()).toContain('此村级自评属于柳树村的整顿案件');
    expect(await serves.getByLabel('测评名称').inputValue()).toMatch(/^柳树村 \d{4}年度村级自评$/);
    await shoot(serves, 'new-session-serves');

    const refused = await stage.loggedIn(secretaries.松坡村 as TestOfficial);
    await refused.goto(`${stage.baseUrl}/#/sessions/new`);
    await refused.getByTestId('case-serving').locator('.alert').waitFor();
    expect(await refused.getByTestId('case-serving').innerText()).toContain('村级自评须在“村级自评”阶段组织');
    expect(await refused.getByRole('button', { name: '创建测评' }).isDisabled()).toBe(true);
    await shoot(refused, 'new-session-refused');

    const none = await stage.loggedIn(secretaries.河口村 as TestOfficial);
    await none.goto(`${stage.baseUrl}/#/sessions/new`);
    await none.getByLabel('我知道此测评不计入任何整顿案件的验收').waitFor();
    await shoot(none, 'new-session-no-case');
    expect(stage.problems).toEqual([]);
  }, 120_000);
});
