// npm run migrate: apply sql/*.sql to DATABASE_URL, or to the embedded database under DATA_DIR.
import { loadConfig } from '../server/config.ts';
import { connect } from '../server/db/connect.ts';

try {
  const database = await connect(loadConfig());
  process.stdout.write(
    database.applied.length
      ? `已应用 ${database.applied.length} 个迁移：${database.applied.join(', ')}\n`
      : '数据库已是最新，无需迁移\n',
  );
  await database.shutdown();
} catch (err) {
  process.stderr.write(`迁移失败：${(err as Error).message}\n`);
  process.exit(1);
}
