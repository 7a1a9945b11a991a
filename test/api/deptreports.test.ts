// 年内动态排查 over HTTP (issue 10 item 4b): the county creates a 行业部门 account; the department
// reports a village of its county; the report reaches the township's and county's inbox; the county
// dismisses it with a reason or asks for a risk screening; the township adds notes. A department
// sees only its own reports and reaches no other route; bad input is refused in Chinese and changes
// nothing.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorBody, forbidden, notFound } from '../../server/errors.ts';
import { chinaToday } from '../../server/modules/inbox/inbox.rules.ts';
import { buildTestApp } from '../helpers/app.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { createOfficial, createTree } from '../helpers/factories.ts';
import { call, createCast, type Caller, type Cast } from '../helpers/officials-api.ts';
import { databaseDigest, sessionFor } from '../helpers/world.ts';

let tdb: TestDatabase;
let app: FastifyInstance;
let cast: Cast;
/** 信访 of the cast's county, created by the county through the API */
let petitions: Caller;
/** 公安 of the same county */
let police: Caller;
/** a department of another county */
let outsider: Caller;
let otherCountyVillage: number;

const NOT_FOUND = errorBody(notFound());
const FORBIDDEN = errorBody(forbidden());
const today = () => chinaToday(new Date()).day;
const DESCRIPTION = '该村近三个月群众集体信访 4 次，反映村务公开不及时、土地补偿款分配有争议。';

async function departmentOf(county: Caller, department: string, departmentName?: string): Promise<Caller> {
  const username = `dept_${Math.random().toString(36).slice(2, 10)}`;
  const res = await call(app, county, 'POST', '/api/department-accounts', {
    username,
    displayName: `${departmentName ?? department}联络员`,
    department,
    ...(departmentName ? { departmentName } : {}),
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  const id = (res.body as { official: { id: number } }).official.id;
  return {
    id,
    username,
    password: '',
    role: 'department',
    regionId: county.regionId,
    cookie: await sessionFor(tdb.db, id),
  };
}

beforeAll(async () => {
  tdb = await createTestDatabase();
  app = await buildTestApp(tdb.db);
  cast = await createCast(tdb.db);
  petitions = await departmentOf(cast.county, '信访');
  police = await departmentOf(cast.county, '公安');
  const elsewhere = await createTree(tdb.db);
  otherCountyVillage = elsewhere.village;
  const official = await createOfficial(tdb.db, 'department', elsewhere.county);
  outsider = { ...official, cookie: await sessionFor(tdb.db, official.id) };
});

afterAll(async () => {
  await app.close();
  await tdb.close();
});

const report = (who: Caller, body: Record<string, unknown> = {}) =>
  call(app, who, 'POST', '/api/dept-reports', {
    villageId: cast.tree.village,
    category: 'petition',
    description: DESCRIPTION,
    eventDate: today(),
    ...body,
  });

async function refused(who: Caller | null, method: 'POST' | 'GET', url: string, payload?: unknown) {
  const before = await databaseDigest(tdb.db);
  const res = await call(app, who, method, url, payload);
  expect(await databaseDigest(tdb.db)).toEqual(before);
  return res;
}

describe('department accounts', () => {
  it('are created by the county for its own county, with the department named', async () => {
    const res = await call(app, cast.county, 'GET', '/api/department-accounts');
    expect(res.status).toBe(200);
    const rows = (res.body as { officials: { department: string; role: string; regionId: number }[] }).officials;
    expect(rows.map((r) => [r.department, r.role, r.regionId])).toEqual(
      [
        ['信访', 'department', cast.tree.county],
        ['公安', 'department', cast.tree.county],
      ].sort(),
    );
  });

  it('take a name of their own under 其他, and refuse 其他 without one', async () => {
    const other = await departmentOf(cast.county, '其他', '林业局');
    const me = await call(app, other, 'GET', '/api/dept-reports/form');
    expect(me.body).toMatchObject({ department: '林业局' });
    const res = await refused(cast.county, 'POST', '/api/department-accounts', {
      username: 'dept_noname',
      department: '其他',
    });
    expect(res).toMatchObject({ status: 400, body: { message: '选择“其他”时请填写部门名称' } });
    const bad = await refused(cast.county, 'POST', '/api/department-accounts', {
      username: 'dept_bad',
      department: '财政',
    });
    expect(bad).toMatchObject({ status: 400, body: { message: '请选择行业部门' } });
  });

  it('are not created by a township, nor by the county through the admin route', async () => {
    const body = { username: 'dept_township', department: '信访' };
    expect(await refused(cast.township, 'POST', '/api/department-accounts', body)).toEqual({
      status: 403,
      body: FORBIDDEN,
    });
    const admin = { ...body, role: 'department', regionId: cast.tree.county };
    expect(await refused(cast.county, 'POST', '/api/officials', admin)).toEqual({ status: 403, body: FORBIDDEN });
  });

  it('are created by an admin with a department, which other roles may not have', async () => {
    const ok = await call(app, cast.admin, 'POST', '/api/officials', {
      username: 'dept_by_admin',
      role: 'department',
      regionId: cast.tree.county,
      department: '民政',
    });
    expect(ok.status).toBe(201);
    expect(ok.body).toMatchObject({ official: { role: 'department', department: '民政' } });
    const noDept = await refused(cast.admin, 'POST', '/api/officials', {
      username: 'dept_by_admin2',
      role: 'department',
      regionId: cast.tree.county,
    });
    expect(noDept).toMatchObject({ status: 400, body: { message: '请选择行业部门' } });
    const atTownship = await refused(cast.admin, 'POST', '/api/officials', {
      username: 'dept_by_admin3',
      role: 'department',
      regionId: cast.tree.township,
      department: '民政',
    });
    expect(atTownship).toMatchObject({ status: 400, body: { message: '该角色只能绑定到县级区域' } });
  });
});

describe('a department files a report', () => {
  it('about a village of its county, which reaches the township and the county', async () => {
    const res = await report(petitions);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({
      village: { id: cast.tree.village },
      department: '信访',
      category: 'petition',
      categoryLabel: '信访矛盾',
      description: DESCRIPTION,
      eventDate: today(),
      status: 'submitted',
      statusLabel: '待处理',
      actions: [],
      steps: [{ action: 'submit', actionLabel: '报送', toStatus: 'submitted', actorRoleLabel: '行业部门', text: null }],
    });
    const id = (res.body as { id: number }).id;
    for (const who of [cast.township, cast.county]) {
      const inbox = await call(app, who, 'GET', '/api/inbox');
      const items = (inbox.body as { items: { kind: string; link: string }[] }).items;
      expect(items.filter((i) => i.kind === 'dept_report').map((i) => i.link)).toContain(`#/deptreports/${id}`);
      expect((inbox.body as { counts: { dept_report: number } }).counts.dept_report).toBeGreaterThanOrEqual(1);
    }
    const other = await call(app, cast.otherTownship, 'GET', '/api/inbox');
    expect((other.body as { counts: { dept_report: number } }).counts.dept_report).toBe(0);
  });

  it('offers the villages of its county only, by township', async () => {
    const res = await call(app, petitions, 'GET', '/api/dept-reports/form');
    const form = res.body as { townships: { villages: { id: number }[] }[]; categories: unknown[] };
    const ids = form.townships.flatMap((t) => t.villages.map((v) => v.id)).sort();
    expect(ids).toEqual([cast.tree.village, cast.otherVillage].sort());
    expect(form.categories).toHaveLength(6);
  });

  it('not about a village of another county (not found, nothing stored)', async () => {
    expect(
      await refused(outsider, 'POST', '/api/dept-reports', {
        villageId: cast.tree.village,
        category: 'petition',
        description: DESCRIPTION,
        eventDate: today(),
      }),
    ).toEqual({
      status: 404,
      body: NOT_FOUND,
    });
    expect(
      await refused(petitions, 'POST', '/api/dept-reports', {
        villageId: otherCountyVillage,
        category: 'petition',
        description: DESCRIPTION,
        eventDate: today(),
      }),
    ).toEqual({ status: 404, body: NOT_FOUND });
  });

  it.each([
    [{ category: 'weather' }, '请选择问题类别'],
    [{ description: '太短了' }, '请描述问题，至少 10 个字（现 3 个字）'],
    [{ eventDate: '2025-02-30' }, '请填写发生日期（年-月-日）'],
    [{ eventDate: '2999-01-01' }, '发生日期不能晚于今天'],
    [{ villageId: 0 }, undefined],
  ])('refuses %j in Chinese and stores nothing', async (body, message) => {
    const res = await refused(petitions, 'POST', '/api/dept-reports', {
      villageId: cast.tree.village,
      category: 'petition',
      description: DESCRIPTION,
      eventDate: today(),
      ...body,
    });
    expect(res.status).toBe(400);
    if (message) expect(res.body).toMatchObject({ code: 'VALIDATION_FAILED', message });
  });

  it('refuses a township as the village (请选择一个村)', async () => {
    const res = await refused(petitions, 'POST', '/api/dept-reports', {
      villageId: cast.tree.township,
      category: 'petition',
      description: DESCRIPTION,
      eventDate: today(),
    });
    expect(res).toMatchObject({ status: 400, body: { message: '请选择一个村' } });
  });

  it('is refused to every other role', async () => {
    for (const who of [cast.village, cast.township, cast.county, cast.city, cast.admin]) {
      expect(
        (
          await refused(who, 'POST', '/api/dept-reports', {
            villageId: cast.tree.village,
            category: 'petition',
            description: DESCRIPTION,
            eventDate: today(),
          })
        ).status,
      ).toBe(403);
    }
  });
});

describe('who reads a report', () => {
  let id: number;
  beforeAll(async () => {
    id = ((await report(petitions, { category: 'integrity' })).body as { id: number }).id;
  });

  it('its department, but not another department of the same county (not found)', async () => {
    expect((await call(app, petitions, 'GET', `/api/dept-reports/${id}`)).status).toBe(200);
    expect(await call(app, police, 'GET', `/api/dept-reports/${id}`)).toEqual({ status: 404, body: NOT_FOUND });
    const list = await call(app, police, 'GET', '/api/dept-reports');
    expect((list.body as { reports: { id: number }[] }).reports.map((r) => r.id)).not.toContain(id);
    const own = await call(app, petitions, 'GET', '/api/dept-reports');
    expect((own.body as { reports: { id: number }[] }).reports.map((r) => r.id)).toContain(id);
  });

  it('the township, county and city above the village; not another township nor the village', async () => {
    for (const who of [cast.township, cast.county, cast.city]) {
      expect((await call(app, who, 'GET', `/api/dept-reports/${id}`)).status).toBe(200);
    }
    expect(await call(app, cast.otherTownship, 'GET', `/api/dept-reports/${id}`)).toEqual({
      status: 404,
      body: NOT_FOUND,
    });
    expect(await call(app, cast.village, 'GET', `/api/dept-reports/${id}`)).toEqual({ status: 403, body: FORBIDDEN });
  });

  it('a department reaches none of the other routes', async () => {
    for (const url of [
      '/api/regions',
      `/api/regions/${cast.tree.county}/children`,
      '/api/inbox',
      '/api/sessions',
      '/api/cases',
      `/api/board?regionId=${cast.tree.county}`,
    ]) {
      expect(await call(app, petitions, 'GET', url), url).toEqual({ status: 403, body: FORBIDDEN });
    }
  });
});

describe('the county decides, the township notes', () => {
  it('dismisses with a reason, recorded with who and when; then nothing more can be decided', async () => {
    const id = ((await report(petitions)).body as { id: number }).id;
    const empty = await refused(cast.county, 'POST', `/api/dept-reports/${id}/dismiss`, { text: '  ' });
    expect(empty).toMatchObject({ status: 400, body: { message: '请填写驳回理由' } });
    const res = await call(app, cast.county, 'POST', `/api/dept-reports/${id}/dismiss`, {
      text: '经核实，已由信访部门化解，不属村党组织问题',
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      status: 'dismissed',
      statusLabel: '已驳回',
      actions: [],
      steps: [
        { action: 'submit' },
        {
          action: 'dismiss',
          toStatus: 'dismissed',
          actorRoleLabel: '县委组织部',
          text: '经核实，已由信访部门化解，不属村党组织问题',
        },
      ],
    });
    const again = await refused(cast.county, 'POST', `/api/dept-reports/${id}/request-screening`);
    expect(again).toMatchObject({ status: 409, body: { message: '该报送已处理（已驳回），不能再启动排查' } });
    const rows = await tdb.db
      .selectFrom('department_report_step')
      .select(['action', 'official_id'])
      .where('report_id', '=', id)
      .orderBy('id')
      .execute();
    expect(rows).toEqual([
      { action: 'submit', official_id: petitions.id },
      { action: 'dismiss', official_id: cast.county.id },
    ]);
  });

  it('starts a risk screening; the township may not decide but adds notes', async () => {
    const id = ((await report(petitions, { category: 'security' })).body as { id: number }).id;
    expect(await refused(cast.township, 'POST', `/api/dept-reports/${id}/request-screening`)).toEqual({
      status: 403,
      body: FORBIDDEN,
    });
    expect(await refused(cast.township, 'POST', `/api/dept-reports/${id}/dismiss`, { text: '不予处理' })).toEqual({
      status: 403,
      body: FORBIDDEN,
    });
    expect(await refused(cast.county, 'POST', `/api/dept-reports/${id}/notes`, { text: '县里备注' })).toEqual({
      status: 403,
      body: FORBIDDEN,
    });
    const township = await call(app, cast.township, 'GET', `/api/dept-reports/${id}`);
    expect((township.body as { actions: string[] }).actions).toEqual(['note']);
    const county = await call(app, cast.county, 'GET', `/api/dept-reports/${id}`);
    expect((county.body as { actions: string[] }).actions).toEqual(['dismiss', 'request_screening']);
    const note = await call(app, cast.township, 'POST', `/api/dept-reports/${id}/notes`, {
      text: '乡镇已派人入村了解',
    });
    expect(note.body).toMatchObject({
      status: 'submitted',
      steps: [{ action: 'submit' }, { action: 'note', text: '乡镇已派人入村了解' }],
    });
    const res = await call(app, cast.county, 'POST', `/api/dept-reports/${id}/request-screening`);
    expect(res.body).toMatchObject({ status: 'screening_requested', statusLabel: '已启动排查' });
    const inbox = await call(app, cast.county, 'GET', '/api/inbox');
    const links = (inbox.body as { items: { link: string }[] }).items.map((i) => i.link);
    expect(links).not.toContain(`#/deptreports/${id}`);
  });

  it('lists by status with counts for the filters', async () => {
    const res = await call(app, cast.county, 'GET', '/api/dept-reports?status=dismissed');
    const body = res.body as { reports: { status: string }[]; counts: Record<string, number> };
    expect(body.reports.length).toBeGreaterThan(0);
    expect(body.reports.every((r) => r.status === 'dismissed')).toBe(true);
    expect(body.counts.dismissed).toBe(body.reports.length);
    expect(body.counts.screening_requested).toBe(1);
  });

  it('keeps the steps append-only in the database', async () => {
    await expect(tdb.db.deleteFrom('department_report_step').execute()).rejects.toThrow(/只能追加/);
  });
});
