// Forward-only migrations: plain SQL files in sql/, applied in name order, one transaction per
// file, recorded in schema_migration with a checksum. An applied file that changed is an error:
// migrations are frozen in time. A session advisory lock keeps two starting instances apart.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { SQL_DIR } from '../paths.ts';

export { SQL_DIR };
const LOCK_KEY = 727_001; // arbitrary constant shared by every instance of this service

export class MigrationError extends Error {}

export interface MigrationResult {
  applied: string[];
}

function listFiles(dir: string): { name: string; sql: string; checksum: string }[] {
  return fs
    .readdirSync(dir)
    .filter((f) => /^\d{4}_[a-z0-9_]+\.sql$/.test(f))
    .sort()
    .map((name) => {
      const sql = fs.readFileSync(path.join(dir, name), 'utf8');
      return { name, sql, checksum: crypto.createHash('sha256').update(sql).digest('hex') };
    });
}

/**
 * Checks, without writing anything, that every migration in `dir` is applied unchanged: for
 * read-only tools (npm run verify), which must neither change a database nor read one whose
 * schema they do not know (a restored old backup).
 */
export async function checkMigrated(url: string, dir = SQL_DIR): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => undefined);
  await client.connect();
  try {
    const table = await client.query<{ present: boolean }>(
      `select to_regclass('schema_migration') is not null as present`,
    );
    const done = new Map<string, string>(
      table.rows[0]?.present
        ? (
            await client.query<{ name: string; checksum: string }>('select name, checksum from schema_migration')
          ).rows.map((r) => [r.name, r.checksum])
        : [],
    );
    const files = listFiles(dir);
    const changed = files.filter((f) => done.has(f.name) && done.get(f.name) !== f.checksum);
    if (changed.length > 0) {
      throw new MigrationError(`迁移文件 ${changed[0]?.name} 在应用后被修改过；迁移只能新增，不能修改`);
    }
    const pending = files.filter((f) => !done.has(f.name)).map((f) => f.name);
    if (pending.length > 0) {
      throw new MigrationError(
        `数据库结构落后于本程序（未应用 ${pending.length} 个迁移：${pending.join('、')}）。核验不改动数据库：请先运行 npm run migrate，或用与该数据库同一版本的程序核验`,
      );
    }
  } finally {
    await client.end().catch(() => undefined);
  }
}

export async function migrate(url: string, dir = SQL_DIR): Promise<MigrationResult> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => undefined);
  await client.connect();
  try {
    await client.query('select pg_advisory_lock($1)', [LOCK_KEY]);
    await client.query(`create table if not exists schema_migration (
      name text primary key,
      checksum text not null,
      applied_at timestamptz not null default now()
    )`);
    const done = new Map<string, string>(
      (await client.query<{ name: string; checksum: string }>('select name, checksum from schema_migration')).rows.map(
        (r) => [r.name, r.checksum],
      ),
    );
    const applied: string[] = [];
    for (const file of listFiles(dir)) {
      const prior = done.get(file.name);
      if (prior !== undefined) {
        if (prior !== file.checksum) {
          throw new MigrationError(`迁移文件 ${file.name} 在应用后被修改过；迁移只能新增，不能修改`);
        }
        continue;
      }
      try {
        await client.query('begin');
        await client.query(file.sql);
        await client.query('insert into schema_migration (name, checksum) values ($1, $2)', [file.name, file.checksum]);
        await client.query('commit');
      } catch (err) {
        await client.query('rollback').catch(() => undefined);
        throw new MigrationError(`迁移 ${file.name} 失败：${(err as Error).message}`);
      }
      applied.push(file.name);
    }
    return { applied };
  } finally {
    await client.query('select pg_advisory_unlock($1)', [LOCK_KEY]).catch(() => undefined);
    await client.end().catch(() => undefined);
  }
}
