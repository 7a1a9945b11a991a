// npm run seed:demo [-- --json]: the demo city, county, townships, villages and one account per
// role, on DATABASE_URL or the embedded database under DATA_DIR (started here when no server runs,
// shared with the server when one does). Migrations are applied first. A second run adds nothing.
// With --json, stdout carries exactly one JSON object (use `npm run -s` so npm adds no banner).
// With --scale county|city it builds the scale dataset instead (server/modules/demo/demo.scale.ts):
// a city of 1 (county) or 5 (city) counties of 1,000 villages, 3 years, about 100 ballots a
// session (10 in the city's other four counties); --counties, --townships, --villages, --years,
// --ballots, --other-ballots and --concurrency override the preset. Progress goes to stderr.
import { parseArgs } from 'node:util';
import { loadConfig } from '../server/config.ts';
import { connect } from '../server/db/connect.ts';
import { ROLE_LABEL } from '../server/lib/access.ts';
import { chinaDay } from '../server/modules/cases/cases.rules.ts';
import { seedDemo, type DemoResult } from '../server/modules/demo/demo.service.ts';
import { seedScale, type ScaleResult } from '../server/modules/demo/demo.scale.ts';
import { SCALE_PRESETS, type ScaleOptions } from '../server/modules/demo/demo.scale.rules.ts';

/** Display width in a terminal: CJK characters take two columns. */
function width(s: string): number {
  let w = 0;
  for (const ch of s)
    w += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/.test(ch)
      ? 2
      : 1;
  return w;
}

function table(rows: string[][]): string {
  const widths = (rows[0] ?? []).map((_, i) => Math.max(...rows.map((r) => width(r[i] ?? ''))));
  return rows
    .map((r) =>
      r
        .map((cell, i) => cell + ' '.repeat((widths[i] ?? 0) - width(cell)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

function human(result: DemoResult, url: string): string {
  const { created } = result;
  const head =
    created.regions + created.accounts + created.campaigns + created.cases === 0
      ? '演示数据已存在，本次未做任何修改。'
      : `已创建演示数据：${created.regions} 个区域、${created.accounts} 个账户、${created.campaigns} 个整顿工作、${created.cases} 个整顿案件。`;
  const rows = [
    ['用户名', '密码', '角色', '所属区域'],
    ...result.accounts.map((a) => [a.username, a.password, ROLE_LABEL[a.role], a.regionPath]),
  ];
  const byTownship = new Map<number, string[]>();
  for (const v of result.villages)
    byTownship.set(v.townshipId, [...(byTownship.get(v.townshipId) ?? []), `${v.name}（${v.code}）`]);
  const { identification: idn, year } = result;
  const approved = idn.lists.filter((l) => l.stage === 'approved').length;
  const cycle = [
    idn.roundStatus === 'concluded'
      ? `示范县 ${year} 年度排查已结束（6 个村全部排查）`
      : `示范县 ${year} 年度排查未结束`,
    `${approved} 个乡镇的认定名单已经乡镇党委会、部务会、常委会审定`,
    idn.caseId === null ? '' : `西河村为软弱涣散村（整顿案件编号 ${idn.caseId}，整顿中）`,
    approved > 0 ? '柳溪村为重点防控村' : '',
  ].filter((s) => s !== '');
  return [
    head,
    '',
    table(rows),
    '',
    `演示村：${[...byTownship.values()].map((list) => list.join('、')).join('；')}`,
    `年度认定：${cycle.join('；')}；demo_dept（县信访局）报送了杏林村的一件信访问题，待县委组织部处理。`,
    '',
    `登录：先运行 npm start，再在浏览器打开 ${url}/ ，用上表任一账户登录。`,
    '注意：这些密码是公开的演示密码，只用于试用；正式使用请用 npm run admin:create 创建管理员。',
  ].join('\n');
}

const USAGE =
  '用法：npm run seed:demo [-- --json]\n' +
  '      npm run seed:demo -- --scale county|city [--counties N] [--townships N] [--villages N（每县）]\n' +
  '                           [--years N] [--ballots N] [--other-ballots N] [--concurrency N] [--json]';
const SIZES = ['counties', 'townships', 'villages', 'years', 'ballots', 'other-ballots', 'concurrency'] as const;

function parse(): { json: boolean; scale: ScaleOptions | null } {
  const options = {
    json: { type: 'boolean' },
    scale: { type: 'string' },
    ...Object.fromEntries(SIZES.map((k) => [k, { type: 'string' }])),
  } as const;
  const { values } = parseArgs({ options, strict: true });
  const v = values as Record<string, string | boolean | undefined>;
  const json = v.json === true;
  const sized = SIZES.some((k) => v[k] !== undefined);
  if (v.scale === undefined && !sized) return { json, scale: null };
  const preset = v.scale ?? 'county';
  if (preset !== 'county' && preset !== 'city') throw new Error(`--scale 只能是 county 或 city，当前为 "${preset}"`);
  const num = (k: (typeof SIZES)[number], fallback: number, min: number) => {
    const raw = v[k];
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min) throw new Error(`--${k} 须为不小于 ${min} 的整数，当前为 "${String(raw)}"`);
    return n;
  };
  const p = SCALE_PRESETS[preset];
  const scale: ScaleOptions = {
    counties: num('counties', p.counties, 1),
    townshipsPerCounty: num('townships', p.townshipsPerCounty, 1),
    villagesPerCounty: num('villages', p.villagesPerCounty, 1),
    years: num('years', p.years, 1),
    ballots: num('ballots', p.ballots, 1),
    otherBallots: num('other-ballots', p.otherBallots, 1),
    concurrency: num('concurrency', p.concurrency, 1),
  };
  if (scale.counties > 9 || scale.villagesPerCounty > 20_000 / scale.counties) {
    throw new Error('规模数据最多 9 个县、共 20,000 个村（一次导入的上限）');
  }
  return { json, scale };
}

function scaleSummary(r: ScaleResult): string {
  const list = (o: Record<string, number>) =>
    Object.entries(o)
      .map(([k, n]) => `${k} ${n}`)
      .join('，');
  return [
    `已创建规模数据，用时 ${r.seconds.toFixed(0)} 秒。`,
    `区域：${list(r.counts.regions)}`,
    `测评场次：${list(r.counts.sessions)}`,
    `选票 ${r.counts.ballots} 张，已用测评票 ${r.counts.usedSlips} 张`,
    `整顿案件：${list(r.counts.cases)}`,
    `账户（密码均为 ${r.password}，仅供测试）：${r.accounts
      .filter((a) => a.role !== 'township')
      .map((a) => a.username)
      .join('、')}，以及各乡镇的 scale_c县号_t乡镇号`,
  ].join('\n');
}

let args: ReturnType<typeof parse>;
try {
  args = parse();
} catch (err) {
  process.stderr.write(`${(err as Error).message}\n${USAGE}\n`);
  process.exit(2);
}

try {
  const config = loadConfig();
  const { json, scale } = args;
  const database = await connect(config, { poolMax: scale ? scale.concurrency + 4 : 2 });
  let result: DemoResult | undefined;
  let scaled: ScaleResult | undefined;
  try {
    if (scale) {
      const year = Number(chinaDay().slice(0, 4));
      scaled = await seedScale(database.db, scale, {
        publicUrl: config.publicUrl,
        year,
        onProgress: (line) => process.stderr.write(`[规模数据] ${line}\n`),
      });
    } else {
      result = await seedDemo(database.db);
    }
  } finally {
    await database.shutdown();
  }
  if (scaled) {
    process.stdout.write((json ? JSON.stringify(scaled) : scaleSummary(scaled)) + '\n');
  } else if (json) {
    const r = result as DemoResult;
    const out = {
      accounts: r.accounts.map(({ username, password, role, regionId }) => ({
        username,
        password,
        role,
        regionId,
      })),
      villages: r.villages.map(({ id, name, townshipId }) => ({ id, name, townshipId })),
      campaignId: r.campaignId,
      year: r.year,
      identification: r.identification,
    };
    process.stdout.write(JSON.stringify(out) + '\n');
  } else {
    process.stdout.write(human(result as DemoResult, config.publicUrl) + '\n');
  }
} catch (err) {
  process.stderr.write(`创建演示数据失败：${(err as Error).message}\n`);
  process.exit(1);
}
