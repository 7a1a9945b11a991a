// npm run admin:create -- --city 市名 --username admin [--password …]: the first admin account,
// bound to the city (created when missing). A generated password is printed once, here only.
// An existing username is refused: this command never changes an existing account.
import { parseArgs } from 'node:util';
import { loadConfig } from '../server/config.ts';
import { connect } from '../server/db/connect.ts';
import { createAdmin, type CreatedAdmin } from '../server/modules/demo/demo.service.ts';

const USAGE = '用法：npm run admin:create -- --city 市名 --username 用户名 [--password 密码]';

function parse(): { city: string; username: string; password: string | undefined } {
  try {
    const { values } = parseArgs({
      options: { city: { type: 'string' }, username: { type: 'string' }, password: { type: 'string' } },
      strict: true,
    });
    if (values.city === undefined || values.username === undefined) throw new Error('缺少 --city 或 --username');
    return { city: values.city, username: values.username, password: values.password };
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${USAGE}\n`);
    process.exit(2);
  }
}

const args = parse();
try {
  const config = loadConfig();
  const database = await connect(config, { poolMax: 2 });
  let admin: CreatedAdmin;
  try {
    admin = await createAdmin(database.db, args);
  } finally {
    await database.shutdown();
  }
  process.stdout.write(
    [
      admin.cityCreated ? `已创建市：${args.city.trim()}` : `市 ${args.city.trim()} 已存在，管理员绑定到该市`,
      `已创建管理员账户：${admin.username}`,
      args.password === undefined
        ? `密码：${admin.password}（只显示这一次，请立即妥善保存；登录后可在控制台修改）`
        : '密码：您在命令行中给出的密码',
      `登录：运行 npm start，在浏览器打开 ${config.publicUrl}/`,
    ].join('\n') + '\n',
  );
} catch (err) {
  process.stderr.write(`创建管理员失败：${(err as Error).message}\n`);
  process.exit(1);
}
