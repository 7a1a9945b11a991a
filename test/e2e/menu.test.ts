// The console's grouped menu in a real browser: every role sees exactly its pages under the
// headings 认定 / 整顿 / 设置 (a short menu without headings), as a sidebar from 1024 px with no
// 菜单 button, and behind the button on a 360 px phone. The county's 待办 carries a township list
// waiting for 部务会, linking to the list.
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consoleStage, hasChromium } from '../helpers/console-stage.ts';
import { createList } from '../helpers/decisions.ts';
import { createOfficial, type TestOfficial } from '../helpers/factories.ts';
import { createCast, type Cast } from '../helpers/officials-api.ts';

/** With SHOTS_DIR set, the county's 待办 is saved at 360 and 1280 px. */
const SHOTS = process.env.SHOTS_DIR;

const IDENTIFY = ['村情档案', '堡垒指数', '负向测评', '年度排查', '部门报送', '三级认定', '重点防控村', '认定台账'];
/** Each role's menu: [heading or '' (no heading), its links] in order. */
const MENUS: Record<string, [string, string[]][]> = {
  county: [
    ['', ['工作台', '待办']],
    ['认定', IDENTIFY],
    ['整顿', ['整顿工作', '整顿案件', '测评', '批量安排']],
    ['设置', ['区域', '行业部门账户', '导入村庄', '修改密码']],
  ],
  township: [
    ['', ['工作台', '待办']],
    ['认定', IDENTIFY],
    ['整顿', ['整顿工作', '整顿案件', '测评', '批量安排']],
    ['设置', ['区域', '修改密码']],
  ],
  city: [
    ['', ['工作台', '待办']],
    ['认定', IDENTIFY],
    ['整顿', ['整顿工作', '整顿案件', '测评']],
    ['设置', ['区域', '导入村庄', '修改密码']],
  ],
  village: [
    ['', ['待办']],
    ['认定', ['村情档案', '堡垒指数']],
    ['整顿', ['整顿案件', '测评']],
    ['设置', ['区域', '修改密码']],
  ],
  department: [['', ['我的报送', '修改密码']]],
  admin: [['', ['区域', '账户管理', '导入村庄', '修改密码']]],
};

describe.skipIf(!hasChromium())('the grouped console menu', () => {
  const stage = consoleStage({ consoleErrors: false });
  let cast: Cast;
  let department: TestOfficial;
  let listId = 0;

  /** At `width`, 740 px tall on a phone and 800 px on a desktop. */
  const loggedIn = (official: TestOfficial, width: number): Promise<Page> =>
    stage.loggedIn(official, { width, height: width < 600 ? 740 : 800 });

  /** The menu as [heading, links] per section, read from the page. */
  const menuOf = (page: Page) =>
    page
      .locator('nav[aria-label="主菜单"] .section')
      .evaluateAll((sections) =>
        sections.map((s) => [
          s.querySelector('.group')?.textContent ?? '',
          [...s.querySelectorAll('a')].map((a) => a.firstChild?.textContent ?? ''),
        ]),
      );

  beforeAll(async () => {
    await stage.start(async (db) => {
      cast = await createCast(db, { township: '东风镇' });
      department = await createOfficial(db, 'department', cast.tree.county);
      listId = await createList(db, cast.tree.township, 2026, 'proposed');
    });
  }, 180_000);

  afterAll(() => stage.stop());

  it('shows every role exactly its pages, grouped, as a sidebar at 1280 and 1024 px with no 菜单 button', async () => {
    const { tree: _tree, otherVillage: _other, ...officials } = cast;
    const who: Record<string, TestOfficial> = { ...officials, department };
    for (const role of Object.keys(MENUS)) {
      for (const width of [1280, 1024]) {
        const page = await loggedIn(who[role] as TestOfficial, width);
        const menu = page.getByRole('navigation', { name: '主菜单' });
        expect(await menu.isVisible(), `${role} ${width}`).toBe(true);
        expect(await page.getByRole('button', { name: /菜单/ }).isVisible()).toBe(false);
        expect(await menuOf(page), `${role} ${width}`).toEqual(MENUS[role]);
        // the sidebar's last entry is in an 800 px window, and the page is no wider than the screen
        const last = await menu.getByRole('link').last().boundingBox();
        expect((last?.y ?? 9999) + (last?.height ?? 0)).toBeLessThanOrEqual(800);
        expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBe(0);
        await page.context().close();
      }
    }
    expect(stage.problems).toEqual([]);
  }, 180_000);

  it('keeps the menu behind the button on a phone, and lists the county its township list waiting for 部务会', async () => {
    const page = await loggedIn(cast.county, 360);
    const menu = page.getByRole('navigation', { name: '主菜单' });
    expect(await menu.isVisible()).toBe(false);
    await page.getByRole('button', { name: /☰ 菜单/ }).click();
    expect(await menuOf(page)).toEqual(MENUS.county);
    await menu.getByRole('link', { name: /^待办/ }).click();
    await menu.waitFor({ state: 'hidden' });
    const group = page.getByTestId('inbox-list_waiting');
    expect(await group.getByRole('heading').textContent()).toBe('待县级审议的认定名单（1）');
    const link = group.getByRole('link', { name: '东风镇 2026 年度认定名单：待部务会初步认定' });
    expect(await link.getAttribute('href')).toBe(`#/decisions/${listId}`);
    if (SHOTS) {
      fs.mkdirSync(SHOTS, { recursive: true });
      for (const width of [360, 1280]) {
        await page.setViewportSize({ width, height: 800 });
        await page.screenshot({ path: path.join(SHOTS, `menu-inbox-county-${width}.png`), fullPage: true });
      }
    }
    expect(stage.problems).toEqual([]);
  }, 120_000);
});
