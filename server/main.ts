// Entry point: loadConfig → start the database → migrate → buildApp → listen. Any failure is
// printed as one clear line and the process exits with status 1.
import type { FastifyBaseLogger } from 'fastify';
import { buildApp } from './app.ts';
import { ConfigError, loadConfig } from './config.ts';
import { connect, type Connected } from './db/connect.ts';
import { EmbeddedPostgresError, type EmbeddedEvent } from './db/embedded.ts';
import { describeDbError } from './db/faults.ts';
import { MigrationError } from './db/migrate.ts';
import { countOfficials } from './modules/officials/officials.service.ts';
import { pruneAuthState } from './modules/auth/auth.service.ts';
import { startScheduler } from './modules/schedule/schedule.jobs.ts';

function fail(message: string): never {
  process.stderr.write(`启动失败：${message}\n`);
  process.exit(1);
}

function reasonOf(err: unknown, port: number): string {
  if (err instanceof ConfigError || err instanceof EmbeddedPostgresError || err instanceof MigrationError)
    return err.message;
  const e = err as NodeJS.ErrnoException;
  if (e?.code === 'EADDRINUSE') return `端口 ${port} 已被占用：请关闭占用该端口的程序，或设置 PORT 换一个端口`;
  if (e?.code === 'EACCES') return `没有权限监听端口 ${port}：请换一个大于 1024 的端口（PORT）`;
  if (e?.code === 'ECONNREFUSED') return `无法连接数据库（${e.message}）：请检查 DATABASE_URL`;
  if (e?.code === '28P01' || e?.code === '3D000') return `数据库拒绝连接：${e.message}`;
  return e?.message ?? String(err);
}

/** Database faults under a running service are logged, never fatal (server/db/faults.ts, keeper.ts). */
function databaseLog(): {
  log?: FastifyBaseLogger;
  onError(err: Error): void;
  onEmbeddedEvent(e: EmbeddedEvent): void;
} {
  const self: ReturnType<typeof databaseLog> = {
    onError: (err) => self.log?.warn({ cause: describeDbError(err) }, '数据库连接中断，将在数据库恢复后重新连接'),
    onEmbeddedEvent: (e) => {
      if (e.kind === 'exited') self.log?.warn({ reason: e.reason }, '内置数据库意外退出，正在重新启动');
      else if (e.kind === 'restart_failed') self.log?.warn({ reason: e.reason }, '内置数据库重新启动失败，稍后重试');
      else self.log?.warn(e.kind === 'restarted' ? '内置数据库已重新启动' : '内置数据库已由其他方式启动，继续使用');
    },
  };
  return self;
}

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    fail(reasonOf(err, 0));
  }
  let database: Connected | undefined;
  try {
    const dbLog = databaseLog();
    database = await connect(config, dbLog);
    const app = await buildApp(config, { db: database.db, pool: database.pool });
    dbLog.log = app.log;
    const db = database;
    // Scheduled opens and closes (pg-boss workers on their own pool; faults logged, never fatal).
    const scheduler = await startScheduler({ url: db.url, db: db.db, log: app.log });
    let closing = false;
    const shutdown = async (signal: string) => {
      if (closing) return;
      closing = true;
      app.log.info({ signal }, '正在停止服务');
      await scheduler.stop();
      await app.close().catch(() => undefined);
      await db.shutdown();
      process.exit(0);
    };
    process.on('SIGINT', () => void shutdown('SIGINT'));
    process.on('SIGTERM', () => void shutdown('SIGTERM'));
    await app.listen({ port: config.port, host: config.host });
    const prune = setInterval(() => void pruneAuthState(db.db).catch(() => undefined), 10 * 60_000);
    prune.unref();
    const officials = await countOfficials(db.db);
    const lines = [
      '',
      `村级整顿满意度测评服务已启动：${config.publicUrl}/`,
      `数据库：${db.embedded ? `内置 PostgreSQL（数据目录 ${config.dataDir}）` : '外部 PostgreSQL（DATABASE_URL）'}`,
      officials > 0
        ? '登录：在浏览器打开上面的地址，用管理员发给您的用户名和密码登录。'
        : '尚无任何账户。试用：另开终端运行 npm run seed:demo，即创建演示市、县、乡镇、村和各角色账户并打印用户名和密码；正式使用：npm run admin:create -- --city 市名 --username admin',
      '',
    ];
    process.stdout.write(lines.join('\n') + '\n');
  } catch (err) {
    await database?.shutdown().catch(() => undefined);
    fail(reasonOf(err, config.port));
  }
}

void main();
