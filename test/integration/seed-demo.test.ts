// The command-line bootstrap: demo data (npm run seed:demo) and the first admin (npm run admin:create).
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyPassword } from '../../server/lib/passwords.ts';
import { createAdmin, DEMO_PASSWORD, seedDemo } from '../../server/modules/demo/demo.service.ts';
import { defaultQuestionnaire } from '../../server/modules/sessions/questionnaire.ts';
import { defaultRuleSet } from '../../server/modules/tallies/tallies.rules.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { buildTestApp } from '../helpers/app.ts';
import { createOfficial, createTree } from '../helpers/factories.ts';
import { call } from '../helpers/officials-api.ts';
import { sessionFor } from '../helpers/world.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
// Each script run starts tsx and loads the server's modules: generous limits for a busy machine.
const SCRIPT = { timeout: 120_000 };
let tdb: TestDatabase;

beforeAll(async () => {
  tdb = await createTestDatabase();
});

afterAll(async () => {
  await tdb.close();
});

async function counts() {
  const n = (
    table:
      | 'region'
      | 'official'
      | 'audit_event'
      | 'campaign'
      | 'rectification_case'
      | 'case_problem'
      | 'case_transition'
      | 'village_grade'
      | 'risk_screening'
      | 'department_report'
      | 'screening_round'
      | 'identification_list'
      | 'identification_entry'
      | 'identification_step'
      | 'prevention_record',
  ) =>
    tdb.db
      .selectFrom(table)
      .select(sql<string>`count(*)`.as('n'))
      .executeTakeFirstOrThrow()
      .then((r) => Number(r.n));
  return {
    regions: await n('region'),
    officials: await n('official'),
    audit: await n('audit_event'),
    campaigns: await n('campaign'),
    cases: await n('rectification_case'),
    problems: await n('case_problem'),
    transitions: await n('case_transition'),
    grades: await n('village_grade'),
    screenings: await n('risk_screening'),
    reports: await n('department_report'),
    rounds: await n('screening_round'),
    lists: await n('identification_list'),
    entries: await n('identification_entry'),
    steps: await n('identification_step'),
    preventions: await n('prevention_record'),
  };
}

function runScript(script: string, args: string[]) {
  const env = { ...process.env, DATABASE_URL: tdb.url, LOG_LEVEL: 'silent' };
  return spawnSync(path.join(ROOT, 'node_modules/.bin/tsx'), [path.join(ROOT, 'scripts', script), ...args], {
    cwd: ROOT,
    env,
    encoding: 'utf8',
    timeout: SCRIPT.timeout,
  });
}

describe('seed:demo', () => {
  it('creates the demo tree and one account per role, each able to log in with the demo password', async () => {
    const result = await seedDemo(tdb.db);
    expect(result.created).toEqual({ regions: 10, accounts: 7, campaigns: 1, cases: 1 });
    const tree = await tdb.db
      .selectFrom('region')
      .select(['id', 'level', 'name', 'code', 'parent_id'])
      .orderBy('id')
      .execute();
    const byName = new Map(tree.map((r) => [r.name, r]));
    const id = (name: string) => byName.get(name)?.id;
    expect(tree.map((r) => [r.level, r.name])).toEqual([
      ['city', '示范市'],
      ['county', '示范县'],
      ['township', '东山镇'],
      ['village', '东山村'],
      ['village', '桃园村'],
      ['village', '柳溪村'],
      ['township', '西河乡'],
      ['village', '西河村'],
      ['village', '杏林村'],
      ['village', '石桥村'],
    ]);
    expect(tree.filter((r) => r.level === 'village').every((r) => /^\d{12}$/.test(r.code ?? ''))).toBe(true);
    expect(result.villages.map((v) => ({ id: v.id, name: v.name, townshipId: v.townshipId }))).toEqual(
      tree.filter((r) => r.level === 'village').map((r) => ({ id: r.id, name: r.name, townshipId: r.parent_id })),
    );
    expect(result.accounts.map(({ username, role, regionId }) => ({ username, role, regionId }))).toEqual([
      { username: 'demo_admin', role: 'admin', regionId: id('示范市') },
      { username: 'demo_city', role: 'city', regionId: id('示范市') },
      { username: 'demo_county', role: 'county', regionId: id('示范县') },
      { username: 'demo_township1', role: 'township', regionId: id('东山镇') },
      { username: 'demo_township2', role: 'township', regionId: id('西河乡') },
      { username: 'demo_village', role: 'village', regionId: id('东山村') },
      { username: 'demo_dept', role: 'department', regionId: id('示范县') },
    ]);
    expect(DEMO_PASSWORD).toMatch(/^(?=.*[A-Za-z])(?=.*\d)[A-Za-z\d]{8,}$/);
    const stored = await tdb.db.selectFrom('official').select(['username', 'password_hash']).execute();
    for (const row of stored) expect(await verifyPassword(row.password_hash, DEMO_PASSWORD)).toBe(true);
    const audit = await tdb.db.selectFrom('audit_event').select(['action', 'actor_role']).execute();
    expect(audit.filter((a) => a.action === 'region.create' && a.actor_role === 'cli')).toHaveLength(10);
    expect(audit.filter((a) => a.action === 'official.create' && a.actor_role === 'cli')).toHaveLength(7);
  });

  it('creates the county campaign with one case under rectification in 西河村, leaving 东山村 unlisted', async () => {
    const { campaignId } = await seedDemo(tdb.db);
    const campaign = await tdb.db
      .selectFrom('campaign as c')
      .innerJoin('region as r', 'r.id', 'c.region_id')
      .select([
        'c.id',
        'r.name',
        'c.year',
        'c.title',
        'c.case_types',
        'c.require_fortress_grade',
        'c.questionnaire',
        'c.rules',
      ])
      .execute();
    expect(campaign).toEqual([
      {
        id: campaignId,
        name: '示范县',
        year: 2026,
        title: '2026年度软弱涣散村党组织整顿',
        case_types: ['班子战斗力不强', '推进乡村振兴缓慢', '矛盾问题突出', '村容村貌较差'],
        require_fortress_grade: true,
        questionnaire: defaultQuestionnaire(),
        rules: defaultRuleSet(),
      },
    ]);
    const cases = await tdb.db
      .selectFrom('rectification_case as k')
      .innerJoin('region as v', 'v.id', 'k.village_id')
      .select(['k.id', 'v.name', 'k.state', 'k.campaign_id', 'k.responsible'])
      .execute();
    expect(cases).toEqual([
      {
        id: expect.any(Number),
        name: '西河村',
        state: 'rectifying',
        campaign_id: campaignId,
        responsible: {
          countyLeader: expect.any(String),
          townshipLeader: expect.any(String),
          firstSecretary: expect.any(String),
          pairedUnit: expect.any(String),
        },
      },
    ]);
    const caseId = cases[0]?.id ?? 0;
    const responsible = cases[0]?.responsible as Record<string, string>;
    expect(Object.values(responsible).every((v) => v.length > 0)).toBe(true);
    const problems = await tdb.db.selectFrom('case_problem').select(['status']).where('case_id', '=', caseId).execute();
    expect(problems).toEqual([{ status: 'open' }, { status: 'open' }]);
    const steps = await tdb.db
      .selectFrom('case_transition')
      .innerJoin('official as o', 'o.id', 'case_transition.official_id')
      .select(['action', 'from_state', 'to_state', 'o.username'])
      .where('case_id', '=', caseId)
      .execute();
    expect(steps).toEqual([{ action: 'start', from_state: 'listed', to_state: 'rectifying', username: 'demo_county' }]);
    const audit = await tdb.db.selectFrom('audit_event').select(['action', 'actor_role']).execute();
    expect(audit.filter((a) => a.action === 'campaign.create' && a.actor_role === 'cli')).toHaveLength(1);
    // the case comes from the 常委会's approval, entered as the demo county; the seed then starts it
    expect(audit.filter((a) => a.action === 'case.create' && a.actor_role === 'county')).toHaveLength(1);
    expect(audit.filter((a) => a.action === 'case.start' && a.actor_role === 'cli')).toHaveLength(1);
  });

  it('gives the demo county its 堡垒指数 sheet and negative list, villages at each grade and two screened weak villages', async () => {
    const { villages } = await seedDemo(tdb.db);
    const idOf = (name: string) => villages.find((v) => v.name === name)?.id;
    const grades = await tdb.db
      .selectFrom('village_grade')
      .select(['village_id', 'year', 'total', 'grade'])
      .orderBy('total', 'desc')
      .execute();
    expect(grades).toEqual([
      { village_id: idOf('东山村'), year: 2026, total: 91, grade: 'strong' },
      { village_id: idOf('石桥村'), year: 2026, total: 88, grade: 'strong' },
      { village_id: idOf('杏林村'), year: 2026, total: 75, grade: 'middle' },
      { village_id: idOf('桃园村'), year: 2026, total: 72, grade: 'middle' },
      { village_id: idOf('柳溪村'), year: 2026, total: 52, grade: 'weak' },
      { village_id: idOf('西河村'), year: 2026, total: 48, grade: 'weak' },
    ]);
    const screenings = await tdb.db
      .selectFrom('risk_screening')
      .select(['village_id', 'score', 'level', 'outcome', 'prevention_level'])
      .orderBy('score')
      .execute();
    expect(screenings).toEqual([
      { village_id: idOf('柳溪村'), score: 5, level: 'middle', outcome: 'prevent', prevention_level: 3 },
      { village_id: idOf('西河村'), score: 8, level: 'high', outcome: 'rectify', prevention_level: null },
    ]);
  });

  it('gives the demo county one untreated report of its 信访 department about 杏林村', async () => {
    const { villages } = await seedDemo(tdb.db);
    const reports = await tdb.db
      .selectFrom('department_report as d')
      .innerJoin('official as o', 'o.id', 'd.reported_by')
      .select(['d.village_id', 'd.department', 'd.category', 'd.status', 'o.username', 'o.department as own'])
      .execute();
    expect(reports).toEqual([
      {
        village_id: villages.find((v) => v.name === '杏林村')?.id,
        department: '信访',
        category: 'petition',
        status: 'submitted',
        username: 'demo_dept',
        own: '信访',
      },
    ]);
  });

  it('concludes the year’s screening round with every village screened and takes both townships’ lists through the three levels', async () => {
    const seeded = await seedDemo(tdb.db);
    const { villages, campaignId, year, identification } = seeded;
    const idOf = (name: string) => villages.find((v) => v.name === name)?.id ?? 0;
    expect(year).toBe(2026);
    const rounds = await tdb.db
      .selectFrom('screening_round')
      .select(['id', 'year', 'status', 'screened', 'total'])
      .execute();
    expect(rounds).toEqual([{ id: identification.roundId, year, status: 'concluded', screened: 6, total: 6 }]);
    expect(identification.roundStatus).toBe('concluded');
    const steps = await tdb.db
      .selectFrom('identification_step as s')
      .innerJoin('identification_list as l', 'l.id', 's.list_id')
      .innerJoin('region as t', 't.id', 'l.township_id')
      .select([
        't.name',
        's.action',
        's.meeting',
        sql<string>`to_char(s.meeting_date, 'YYYY-MM-DD')`.as('day'),
        's.document_no',
        's.decision',
        's.actor_role',
      ])
      .orderBy('s.id')
      .execute();
    expect(steps.map((s) => [s.name, s.action, s.meeting, s.actor_role])).toEqual([
      ['东山镇', 'propose', '乡镇党委会', 'township'],
      ['东山镇', 'determine', '部务会', 'county'],
      ['东山镇', 'approve', '常委会', 'county'],
      ['西河乡', 'propose', '乡镇党委会', 'township'],
      ['西河乡', 'determine', '部务会', 'county'],
      ['西河乡', 'approve', '常委会', 'county'],
    ]);
    expect(steps.map((s) => s.document_no)).toEqual([
      null,
      '示组通〔2026〕12号',
      '示委〔2026〕35号',
      null,
      '示组通〔2026〕12号',
      '示委〔2026〕35号',
    ]);
    const today = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);
    for (const s of steps) {
      expect(s.decision?.length).toBeGreaterThan(0);
      expect(s.day.startsWith('2026-')).toBe(true);
      expect(s.day <= today).toBe(true);
    }
    expect(identification.lists.map((l) => l.stage)).toEqual(['approved', 'approved']);
    const made = await tdb.db
      .selectFrom('rectification_case')
      .select(['campaign_id', 'village_id'])
      .where('id', '=', identification.caseId)
      .execute();
    expect(made).toEqual([{ campaign_id: campaignId, village_id: idOf('西河村') }]);

    const app = await buildTestApp(tdb.db);
    try {
      const county = await tdb.db
        .selectFrom('official')
        .select('id')
        .where('username', '=', 'demo_county')
        .executeTakeFirstOrThrow();
      const who = { cookie: await sessionFor(tdb.db, county.id) };
      const countyId = seeded.accounts.find((a) => a.username === 'demo_county')?.regionId;
      const register = await call(app, who, 'GET', `/api/identification?regionId=${countyId}&year=${year}`);
      expect(register.status).toBe(200);
      expect(register.body.coverage).toEqual({ screened: 6, total: 6 });
      type Row = { villageId: number; caseId: number | null; decision: { stage: string; outcome: string } | null };
      const row = (name: string) => (register.body.villages as Row[]).find((v) => v.villageId === idOf(name));
      expect(row('西河村')?.decision).toEqual({ stage: 'approved', outcome: 'rectify' });
      expect(row('西河村')?.caseId).toBe(identification.caseId);
      expect(row('柳溪村')?.decision).toEqual({ stage: 'approved', outcome: 'prevent' });
      expect(row('东山村')?.decision).toBeNull();
      const west = villages.find((v) => v.name === '西河村')?.townshipId;
      const board = await call(app, who, 'GET', `/api/board?regionId=${west}&year=${year}`);
      expect(board.status).toBe(200);
      expect(JSON.stringify(board.body)).toContain(`"case":{"id":${identification.caseId},"state":"rectifying"`);
    } finally {
      await app.close();
    }
    const entry = await tdb.db
      .selectFrom('identification_entry')
      .select(['case_id', 'prevention_id'])
      .where('village_id', 'in', [idOf('西河村'), idOf('柳溪村')])
      .orderBy('village_id')
      .execute();
    expect(entry).toEqual([
      { case_id: null, prevention_id: expect.any(Number) },
      { case_id: identification.caseId, prevention_id: null },
    ]);
    const prevention = await tdb.db.selectFrom('prevention_record').select(['village_id', 'level', 'status']).execute();
    expect(prevention).toEqual([{ village_id: idOf('柳溪村'), level: 3, status: 'active' }]);
  });

  it('changes nothing when run again and answers with the same accounts and villages', async () => {
    const before = await counts();
    const first = await seedDemo(tdb.db);
    const second = await seedDemo(tdb.db);
    expect(second).toEqual({ ...first, created: { regions: 0, accounts: 0, campaigns: 0, cases: 0 } });
    expect(await counts()).toEqual(before);
  });

  it('prints exactly one JSON object on stdout with --json, the accounts and villages it seeded', SCRIPT, async () => {
    const r = runScript('seed-demo.ts', ['--json']);
    expect(r.status, r.stderr).toBe(0);
    const seeded = await seedDemo(tdb.db);
    expect(JSON.parse(r.stdout)).toEqual({
      accounts: seeded.accounts.map(({ username, password, role, regionId }) => ({
        username,
        password,
        role,
        regionId,
      })),
      villages: seeded.villages.map(({ id, name, townshipId }) => ({ id, name, townshipId })),
      campaignId: seeded.campaignId,
      year: 2026,
      identification: seeded.identification,
    });
    expect(r.stdout).toBe(`${JSON.stringify(JSON.parse(r.stdout))}\n`);
  });
});

it('refuses, changing nothing, when a demo username belongs to another account', async () => {
  const other = await createTestDatabase();
  try {
    const tree = await createTree(other.db);
    await createOfficial(other.db, 'county', tree.county, 'demo_city');
    await expect(seedDemo(other.db)).rejects.toMatchObject({
      code: 'USERNAME_TAKEN',
      message: '用户名 demo_city 已被一个非演示账户使用，演示数据未做任何修改',
    });
    const regions = await other.db.selectFrom('region').select('id').execute();
    expect(regions.map((r) => r.id).sort()).toEqual(Object.values(tree).sort());
    expect(await other.db.selectFrom('audit_event').select('id').execute()).toEqual([]);
  } finally {
    await other.close();
  }
});

describe('admin:create', () => {
  it('creates the missing city and an admin bound to it, and prints the generated password once', SCRIPT, async () => {
    const r = runScript('create-admin.ts', ['--city', '临江市', '--username', 'first_admin']);
    expect(r.status, r.stderr).toBe(0);
    const password = /密码：(\S+?)（/.exec(r.stdout)?.[1] ?? '';
    const row = await tdb.db
      .selectFrom('official as o')
      .innerJoin('region as r', 'r.id', 'o.region_id')
      .select(['o.role', 'o.password_hash', 'r.name', 'r.level'])
      .where('o.username', '=', 'first_admin')
      .executeTakeFirstOrThrow();
    expect({ role: row.role, name: row.name, level: row.level }).toEqual({
      role: 'admin',
      name: '临江市',
      level: 'city',
    });
    expect(await verifyPassword(row.password_hash, password)).toBe(true);
  });

  it('binds to an existing city instead of creating a second one', async () => {
    const admin = await createAdmin(tdb.db, { city: '临江市', username: 'second_admin', password: 'abcd1234' });
    expect(admin.cityCreated).toBe(false);
    const cities = await tdb.db.selectFrom('region').select('id').where('name', '=', '临江市').execute();
    expect(cities).toEqual([{ id: admin.cityId }]);
  });

  it('refuses an existing username, whatever its case, and changes nothing', SCRIPT, async () => {
    const before = await counts();
    const r = runScript('create-admin.ts', ['--city', '另一市', '--username', 'FIRST_ADMIN']);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('创建管理员失败：用户名 FIRST_ADMIN 已存在，未做任何修改\n');
    expect(r.stdout).toBe('');
    expect(await counts()).toEqual(before);
  });
});
