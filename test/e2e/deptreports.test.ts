// 部门报送 (年内动态排查, issue 10 item 4b) in a real browser: the county opens a 信访 account in
// 行业部门账户; the department, on a phone, files a report (a too-short description told in Chinese
// under the field, nothing typed lost), confirms it, and sees only its own reports (not the 公安
// account's); the township finds the report in its 待办 and adds a note; the county refuses a
// dismissal without a reason, dismisses one report with a reason and requests a screening on the
// other; the department reads the outcome and the reason.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consoleStage, hasChromium, overflow, PHONE } from '../helpers/console-stage.ts';
import { call, createCast, type Cast } from '../helpers/officials-api.ts';
import { sessionFor } from '../helpers/world.ts';

/** three days ago in China */
const eventDate = new Date(Date.now() + 8 * 3600_000 - 3 * 86_400_000).toISOString().slice(0, 10);
const DESCRIPTION = '本月收到该村村民联名来信 3 件，反映村集体土地流转收益分配不公开，村委会未予答复。';
const POLICE = '该村近两月发生多起夜间盗窃电动车案件，村内治安巡逻未落实。';

describe.skipIf(!hasChromium('部门报送'))('部门报送 in the console', () => {
  const stage = consoleStage();
  let cast: Cast;
  const dept = { username: 'xinfang_qs', password: '' };
  let policeReport = 0;
  let ourReport = 0;

  const steps = (page: Page) => page.locator('ol.steps li').allInnerTexts();

  beforeAll(async () => {
    await stage.start(async (db, app) => {
      cast = await createCast(db, { township: '东风镇', village: '河口村' });
      // the 公安 account, opened through the API, files a report about the same village
      const police = await call(app, cast.county, 'POST', '/api/department-accounts', {
        username: 'gongan_qs',
        department: '公安',
        departmentName: '',
        displayName: '',
      });
      expect(police.status).toBe(201);
      const policeId = (
        await db.selectFrom('official').select('id').where('username', '=', 'gongan_qs').executeTakeFirstOrThrow()
      ).id;
      const filed = await call(app, { cookie: await sessionFor(db, policeId) }, 'POST', '/api/dept-reports', {
        villageId: cast.tree.village,
        category: 'security',
        description: POLICE,
        eventDate,
      });
      expect(filed.status).toBe(201);
      policeReport = (filed.body as { id: number }).id;
    });
  }, 180_000);

  afterAll(() => stage.stop());

  it('the county opens a 信访 account in 行业部门账户 and is shown its password once', async () => {
    const page = await stage.loggedIn(cast.county);
    await page.locator('nav[aria-label="主菜单"]').getByRole('link', { name: '行业部门账户' }).click();
    await page.getByLabel('行业部门', { exact: true }).selectOption('信访');
    await page.getByLabel('用户名').fill(dept.username);
    await page.getByLabel('联系人（选填）').fill('王科长');
    await page.getByRole('button', { name: '创建账户' }).click();
    const created = page.getByRole('status');
    await expect.poll(() => created.innerText()).toContain(`已创建 ${dept.username}，初始密码`);
    dept.password = await created.locator('strong.mono').innerText();
    expect(dept.password.length).toBeGreaterThanOrEqual(8);
    await expect
      .poll(() => page.locator('ul.list li').allInnerTexts())
      .toEqual([`信访 · ${dept.username}（王科长）`, '公安 · gongan_qs']);
  });

  it('the department files a report on a phone and sees only its own reports', async () => {
    const page = await stage.loggedIn(dept, PHONE);
    await page.getByRole('heading', { name: '我的报送' }).waitFor();
    await expect.poll(() => page.getByTestId('reports-empty').innerText()).toContain('还没有报送');
    await page.getByRole('link', { name: '新建报送' }).click();
    await page.getByLabel('乡镇').selectOption({ label: '东风镇' });
    await page.getByLabel('村', { exact: true }).selectOption({ label: '河口村' });
    await page.getByLabel('问题类别').selectOption({ label: '信访矛盾' });
    await page.getByLabel('发生日期').fill(eventDate);
    await page.getByLabel('问题描述').fill('来信三件');
    await page.getByRole('button', { name: '报送', exact: true }).click();
    expect(await page.locator('.field-error').allInnerTexts()).toEqual(['请描述问题，至少 10 个字（现 4 个字）']);
    expect(await page.getByRole('dialog').count()).toBe(0);
    expect(await page.getByLabel('发生日期').inputValue()).toBe(eventDate);
    expect(await page.getByLabel('问题类别').inputValue()).toBe('petition');
    expect(await overflow(page)).toBeLessThanOrEqual(0);

    await page.getByLabel('问题描述').fill(DESCRIPTION);
    await page.getByRole('button', { name: '报送', exact: true }).click();
    const dialog = page.getByRole('dialog');
    await expect.poll(() => dialog.innerText()).toContain('东风镇 河口村');
    expect(await dialog.innerText()).toContain('不能撤回或修改');
    await dialog.getByRole('button', { name: '确认报送' }).click();
    await page.waitForURL(/#\/deptreports\/\d+$/);
    ourReport = Number(/(\d+)$/.exec(page.url())?.[1]);
    await expect.poll(() => page.getByRole('heading', { level: 2 }).innerText()).toBe('东风镇 河口村 待处理');
    expect(await page.locator('.description').innerText()).toBe(DESCRIPTION);
    expect(await overflow(page)).toBeLessThanOrEqual(0);

    // 我的报送: its own report, not the 公安 account's about the same village
    await page.getByRole('link', { name: '← 我的报送' }).click();
    const list = page.getByRole('list', { name: '报送列表' }).locator('li');
    await expect.poll(() => list.count()).toBe(1);
    expect(await list.innerText()).toContain('信访 · 信访矛盾');
    expect(await page.getByText(POLICE).count()).toBe(0);
    expect(await overflow(page)).toBeLessThanOrEqual(0);
    // and the 公安 report is not its to open
    await page.goto(`${stage.baseUrl}/#/deptreports/${policeReport}`);
    await expect.poll(() => page.getByRole('alert').innerText()).not.toBe('');
    expect(await page.getByText(POLICE).count()).toBe(0);
  });

  it('the township finds the report in its 待办 and adds a note', async () => {
    const page = await stage.loggedIn(cast.township);
    await page.locator('nav[aria-label="主菜单"]').getByRole('link', { name: /^待办/ }).click();
    const group = page.getByTestId('inbox-dept_report');
    await expect.poll(() => group.innerText()).toContain('待处理的部门报送（2）');
    await group.getByRole('link', { name: '东风镇河口村：信访报送（信访矛盾）' }).click();
    await page.waitForURL(new RegExp(`#/deptreports/${ourReport}$`));
    // the township writes notes; the decision is the county's
    expect(await page.getByRole('button', { name: '启动排查' }).count()).toBe(0);
    await page.getByRole('button', { name: '添加备注' }).click();
    expect(await page.locator('.field-error').innerText()).toBe('请填写备注');
    await page.getByLabel('乡镇备注').fill('已安排包村干部入户核实。');
    await page.getByRole('button', { name: '添加备注' }).click();
    await expect.poll(() => page.getByRole('status').innerText()).toBe('备注已记录。');
    expect((await steps(page)).at(-1)).toContain('已安排包村干部入户核实。');
  });

  it('the county dismisses one report with a reason (none refused) and requests a screening on the other', async () => {
    const page = await stage.loggedIn(cast.county);
    await page.locator('nav[aria-label="主菜单"]').getByRole('link', { name: '部门报送' }).click();
    const list = page.getByRole('list', { name: '报送列表' }).locator('li');
    await expect.poll(() => list.count()).toBe(2);
    await list.filter({ hasText: '信访 · 信访矛盾' }).getByRole('link', { name: '东风镇 河口村' }).click();
    await page.getByRole('button', { name: '驳回' }).click();
    expect(await page.locator('.field-error').innerText()).toBe('驳回须写明理由');
    expect(await page.getByRole('dialog').count()).toBe(0);
    await page.getByLabel('驳回理由').fill('经核实，土地流转收益已于本月公开，不需另行排查。');
    await page.getByRole('button', { name: '驳回' }).click();
    await page.getByRole('dialog').getByRole('button', { name: '确认驳回' }).click();
    await expect.poll(() => page.getByRole('status').innerText()).toBe('已驳回，理由已记录。');
    expect((await steps(page)).at(-1)).toContain('经核实，土地流转收益已于本月公开，不需另行排查。');
    expect(await page.getByRole('heading', { level: 2 }).innerText()).toBe('东风镇 河口村 已驳回');

    await page.goto(`${stage.baseUrl}/#/deptreports/${policeReport}`);
    await page.getByRole('button', { name: '启动排查' }).click();
    await page.getByRole('dialog').getByRole('button', { name: '确认启动排查' }).click();
    await expect.poll(() => page.getByRole('status').innerText()).toBe('已启动排查：请乡镇对该村开展负向测评。');
    const stored = await stage.db.selectFrom('department_report').select(['id', 'status']).orderBy('id').execute();
    expect(stored).toEqual([
      { id: policeReport, status: 'screening_requested' },
      { id: ourReport, status: 'dismissed' },
    ]);
  });

  it('the department reads the outcome and the reason', async () => {
    const page = await stage.loggedIn(dept, PHONE);
    const list = page.getByRole('list', { name: '报送列表' }).locator('li');
    await expect.poll(() => list.innerText()).toContain('已驳回');
    await list.getByRole('link', { name: '东风镇 河口村' }).click();
    await expect.poll(() => steps(page)).toHaveLength(3);
    expect((await steps(page)).at(-1)).toContain('经核实，土地流转收益已于本月公开，不需另行排查。');
    expect(await page.getByRole('button', { name: '驳回' }).count()).toBe(0);
    expect(await overflow(page)).toBeLessThanOrEqual(0);
  });

  it('logged no script errors or CSP refusals', () => {
    expect(stage.problems).toEqual([]);
  });
});
