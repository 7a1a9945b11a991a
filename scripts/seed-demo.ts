// npm run seed:demo [-- --json]: the demo city, county, townships, villages and one account per
// role, on DATABASE_URL or the embedded database under DATA_DIR (started here when no server runs,
// shared with the server when one does). Migrations are applied first. A second run adds nothing.
// With --json, stdout carries exactly one JSON object (use `npm run -s` so npm adds no banner).
import { parseArgs } from 'node:util';
import { loadConfig } from '../server/config.ts';
import { connect } from '../server/db/connect.ts';
import { ROLE_LABEL } from '../server/lib/access.ts';
import { seedDemo, type DemoResult } from '../server/modules/demo/demo.service.ts';

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
  return [
    head,
    '',
    table(rows),
    '',
    `演示村：${[...byTownship.values()].map((list) => list.join('、')).join('；')}`,
    '',
    `登录：先运行 npm start，再在浏览器打开 ${url}/ ，用上表任一账户登录。`,
    '注意：这些密码是公开的演示密码，只用于试用；正式使用请用 npm run admin:create 创建管理员。',
  ].join('\n');
}

let json = false;
try {
  json = parseArgs({ options: { json: { type: 'boolean' } }, strict: true }).values.json === true;
} catch (err) {
  process.stderr.write(`${(err as Error).message}\n用法：npm run seed:demo [-- --json]\n`);
  process.exit(2);
}

try {
  const config = loadConfig();
  const database = await connect(config, { poolMax: 2 });
  let result: DemoResult;
  try {
    result = await seedDemo(database.db);
  } finally {
    await database.shutdown();
  }
  if (json) {
    const out = {
      accounts: result.accounts.map(({ username, password, role, regionId }) => ({
        username,
        password,
        role,
        regionId,
      })),
      villages: result.villages.map(({ id, name, townshipId }) => ({ id, name, townshipId })),
    };
    process.stdout.write(JSON.stringify(out) + '\n');
  } else {
    process.stdout.write(human(result, config.publicUrl) + '\n');
  }
} catch (err) {
  process.stderr.write(`创建演示数据失败：${(err as Error).message}\n`);
  process.exit(1);
}
