// The migrator on fresh, empty databases (not clones of the migrated template): history table,
// checksums of applied files, one transaction per file, and the lock between two starting instances.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { migrate, MigrationError, SQL_DIR } from '../../server/db/migrate.ts';

const adminUrl = inject('adminUrl');
// Named like test/helpers/db.ts names its databases, so the global teardown drops leftovers too.
const prefix = `vre_t_${inject('templateDb').split('_')[2]}_mig`;
const created: string[] = [];
let tmp: string;

function urlOf(name: string): string {
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  return u.toString();
}

async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** A new empty database; returns its URL. */
async function freshDatabase(): Promise<string> {
  const name = `${prefix}_${crypto.randomBytes(4).toString('hex')}`;
  await withClient(adminUrl, (c) => c.query(`create database ${name}`));
  created.push(name);
  return urlOf(name);
}

const history = (url: string) =>
  withClient(url, async (c) => (await c.query('select name, checksum from schema_migration order by name')).rows);

const tableExists = (url: string, table: string) =>
  withClient(
    url,
    async (c) => (await c.query('select to_regclass($1) is not null as x', [table])).rows[0].x as boolean,
  );

/** A directory of migration files written from `files`. */
function sqlDir(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(tmp, 'sql-'));
  for (const [name, sql] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), sql);
  return dir;
}

const sha256 = (s: string) => crypto.createHash('sha256').update(s).digest('hex');
const projectFiles = fs
  .readdirSync(SQL_DIR)
  .filter((f) => /^\d{4}_[a-z0-9_]+\.sql$/.test(f))
  .sort();

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vre-migrate-'));
});

afterAll(async () => {
  await withClient(adminUrl, async (c) => {
    for (const name of created) await c.query(`drop database if exists ${name} with (force)`);
  });
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('migrate', () => {
  it('applies every sql/ file in name order on a fresh database and records each with its checksum', async () => {
    const url = await freshDatabase();
    expect(projectFiles.length).toBeGreaterThan(0);
    expect(await migrate(url)).toEqual({ applied: projectFiles });
    expect(await history(url)).toEqual(
      projectFiles.map((name) => ({ name, checksum: sha256(fs.readFileSync(path.join(SQL_DIR, name), 'utf8')) })),
    );
    expect(await tableExists(url, 'region')).toBe(true);
  });

  it('applies nothing on a second run', async () => {
    const url = await freshDatabase();
    await migrate(url);
    expect(await migrate(url)).toEqual({ applied: [] });
    expect((await history(url)).map((r) => r.name)).toEqual(projectFiles);
  });

  it('refuses to run when an applied file was changed afterwards', async () => {
    const url = await freshDatabase();
    const dir = sqlDir({ '0001_create_thing.sql': 'create table thing (id int);' });
    await migrate(url, dir);
    fs.writeFileSync(path.join(dir, '0001_create_thing.sql'), 'create table thing (id bigint);');
    fs.writeFileSync(path.join(dir, '0002_create_other.sql'), 'create table other (id int);');
    const err = await migrate(url, dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MigrationError);
    expect((err as Error).message).toBe('迁移文件 0001_create_thing.sql 在应用后被修改过；迁移只能新增，不能修改');
    expect((await history(url)).map((r) => r.name)).toEqual(['0001_create_thing.sql']);
    expect(await tableExists(url, 'other')).toBe(false);
  });

  it('rolls a failing file back whole and records nothing of it', async () => {
    const url = await freshDatabase();
    const dir = sqlDir({
      '0001_create_first.sql': 'create table first_table (id int);',
      '0002_create_half.sql': 'create table half_table (id int);\ninsert into half_table values (1);\nselect 1 / 0;',
      '0003_create_after.sql': 'create table after_table (id int);',
    });
    const err = await migrate(url, dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MigrationError);
    expect((err as Error).message).toBe('迁移 0002_create_half.sql 失败：division by zero');
    expect((await history(url)).map((r) => r.name)).toEqual(['0001_create_first.sql']);
    expect(await tableExists(url, 'first_table')).toBe(true);
    expect(await tableExists(url, 'half_table')).toBe(false);
    expect(await tableExists(url, 'after_table')).toBe(false);
  });

  it('lets two instances migrate a fresh database at once, each file applied exactly once', async () => {
    const url = await freshDatabase();
    const [a, b] = await Promise.all([migrate(url), migrate(url)]);
    expect([a.applied, b.applied].sort((x, y) => x.length - y.length)).toEqual([[], projectFiles]);
    expect((await history(url)).map((r) => r.name)).toEqual(projectFiles);
  });
});
