// sql/0007 gives every session a random public id: sessions that existed before the migration get
// one each while it runs, new ones by the column default, all distinct, of the slip alphabet.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { migrate, SQL_DIR } from '../../server/db/migrate.ts';
import { withDatabase } from '../helpers/throwaway-db.ts';

const adminUrl = inject('adminUrl');
// Named like test/helpers/db.ts names its databases, so the global teardown drops leftovers too.
const name = `vre_t_${inject('templateDb').split('_')[2]}_pid_${crypto.randomBytes(4).toString('hex')}`;
const url = withDatabase(adminUrl, name);
let tmp: string;
let client: pg.Client;

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vre-public-id-'));
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  client = new pg.Client({ connectionString: url });
  await client.connect();
});

afterAll(async () => {
  await client?.end();
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`drop database if exists ${name} with (force)`);
  await admin.end();
  fs.rmSync(tmp, { recursive: true, force: true });
});

it('fills the public id of every existing session and of every new one', async () => {
  const before = fs.readdirSync(SQL_DIR).filter((f) => /^000[1-6]_[a-z0-9_]+\.sql$/.test(f));
  expect(before).toHaveLength(6);
  for (const f of before) fs.copyFileSync(path.join(SQL_DIR, f), path.join(tmp, f));
  await migrate(url, tmp);

  const region = async (level: string, parent: number | null) =>
    (
      await client.query<{ id: number }>(
        'insert into region (level, parent_id, name) values ($1, $2, $3) returning id',
        [level, parent, `${level}-${crypto.randomBytes(3).toString('hex')}`],
      )
    ).rows[0]?.id as number;
  const city = await region('city', null);
  const village = await region('village', await region('township', await region('county', city)));
  const { rows: officials } = await client.query<{ id: number }>(
    `insert into official (username, role, region_id, password_hash) values ('village_01', 'village', $1, 'x') returning id`,
    [village],
  );
  const insertSessions = (n: number) =>
    client.query(
      `insert into evaluation_session (village_id, title, questionnaire, rules, residents_present, created_by)
       select $1, '测评 ' || i, '{}', '{}', 10, $2 from generate_series(1, $3) as i`,
      [village, officials[0]?.id, n],
    );
  await insertSessions(200);

  const applied = await migrate(url);
  expect(applied.applied).toContain('0007_add_session_public_id.sql');
  await insertSessions(50);

  const { rows } = await client.query<{ public_id: string }>('select public_id from evaluation_session');
  expect(rows).toHaveLength(250);
  for (const r of rows) expect(r.public_id).toMatch(/^[2-9A-HJ-NP-Z]{20}$/);
  expect(new Set(rows.map((r) => r.public_id)).size).toBe(250);
  // every symbol in use: 5,000 characters over 32 symbols, each expected about 156 times
  const counts = new Map<string, number>();
  for (const r of rows) for (const ch of r.public_id) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  expect(counts.size).toBe(32);
  expect(Math.min(...counts.values())).toBeGreaterThan(80);
}, 60_000);
