// The benchmark's PostgreSQL: a scratch database on an existing server (dropped and re-created,
// then migrated with the project's own migrator), or an embedded server with default durability.
// Fixtures (region tree, one official, open sessions, slips with known tokens) are written
// directly in SQL: they are set-up, not what is measured.
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres } from '../../server/db/embedded.ts';
import { migrate } from '../../server/db/migrate.ts';
import { hashPassword } from '../../server/lib/passwords.ts';
import { defaultQuestionnaire } from '../../server/modules/sessions/questionnaire.ts';
import { defaultRuleSet } from '../../server/modules/tallies/tallies.rules.ts';
import { withDatabase } from '../../test/helpers/throwaway-db.ts';

export interface BenchDatabase {
  url: string;
  kind: 'external' | 'embedded';
  pool: pg.Pool;
  settings: Record<string, string>;
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

async function recreate(adminUrl: string, name: string): Promise<void> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`drop database if exists ${admin.escapeIdentifier(name)} with (force)`);
    await admin.query(`create database ${admin.escapeIdentifier(name)}`);
  } finally {
    await admin.end();
  }
}

const SHOWN = ['server_version', 'fsync', 'synchronous_commit', 'max_connections', 'shared_buffers', 'wal_level'];

export async function openBenchDatabase(opts: {
  serverUrl: string | undefined;
  dbName: string;
  maxConnections: number;
}): Promise<BenchDatabase> {
  let stopEmbedded = async () => undefined as void;
  let serverUrl = opts.serverUrl;
  let kind: BenchDatabase['kind'] = 'external';
  if (!serverUrl) {
    // Default durability (fsync, synchronous_commit, full_page_writes on); only more connections.
    const dir = path.join(os.tmpdir(), 'vre-bench-pg');
    fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
    const embedded = await startEmbeddedPostgres({
      dataDir: dir,
      port: await freePort(),
      settings: { max_connections: String(opts.maxConnections) },
    });
    serverUrl = embedded.url;
    stopEmbedded = embedded.stop;
    kind = 'embedded';
  }
  const url = withDatabase(serverUrl, opts.dbName);
  await recreate(withDatabase(serverUrl, 'postgres'), opts.dbName);
  await migrate(url);
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  pool.on('error', () => undefined);
  const settings: Record<string, string> = {};
  for (const name of SHOWN) settings[name] = (await pool.query(`show ${name}`)).rows[0][name];
  return {
    url,
    kind,
    pool,
    settings,
    stop: async () => {
      await pool.end();
      await stopEmbedded();
    },
  };
}

export interface Fixture {
  villageId: number;
  officialId: number;
  username: string;
  password: string;
}

export async function createFixture(pool: pg.Pool): Promise<Fixture> {
  const ids: number[] = [];
  for (const [level, name] of [
    ['city', '基准市'],
    ['county', '基准县'],
    ['township', '基准镇'],
    ['village', '基准村'],
  ] as const) {
    const r = await pool.query('insert into region (level, parent_id, name) values ($1, $2, $3) returning id', [
      level,
      ids.at(-1) ?? null,
      name,
    ]);
    ids.push(r.rows[0].id);
  }
  const password = crypto.randomBytes(12).toString('base64url');
  const r = await pool.query(
    `insert into official (username, role, region_id, password_hash) values ('bench_township', 'township', $1, $2) returning id`,
    [ids[2], await hashPassword(password)],
  );
  return { villageId: ids[3] as number, officialId: r.rows[0].id, username: 'bench_township', password };
}

/** An evaluation session; open (residents confirmed) unless `draft`. */
export async function createSession(
  pool: pg.Pool,
  fx: Fixture,
  title: string,
  residents: number,
  draft = false,
): Promise<number> {
  const r = await pool.query(
    `insert into evaluation_session
       (village_id, title, questionnaire, rules, residents_present, residents_confirmed_by, residents_confirmed_at,
        status, opened_at, created_by)
     values ($1, $2, $3, $4, $5, $6, now(), $7, case when $7 = 'open' then now() end, $6)
     returning id`,
    [
      fx.villageId,
      title,
      JSON.stringify(defaultQuestionnaire()),
      JSON.stringify(defaultRuleSet()),
      residents,
      fx.officialId,
      draft ? 'draft' : 'open',
    ],
  );
  return r.rows[0].id;
}

const MAX_RESIDENTS = 100_000;
const BATCH = 5000;

async function createBatches(pool: pg.Pool, fx: Fixture, sessionId: number, count: number): Promise<number[]> {
  const sizes = Array.from({ length: Math.ceil(count / BATCH) }, (_, i) => Math.min(BATCH, count - i * BATCH));
  const r = await pool.query(
    `insert into slip_batch (session_id, slip_count, created_by)
     select $1, n, $2 from unnest($3::int[]) with ordinality as t(n, o) order by o returning id`,
    [sessionId, fx.officialId, sizes],
  );
  await pool.query('update evaluation_session set issued_count = $2 where id = $1', [sessionId, count]);
  return r.rows.map((row: { id: number }) => row.id);
}

/** A session whose slip i (0 ≤ i < count) has token_hash = sha256('pgb-<session>-<i>'): pgbench computes it. */
export async function pgbenchSession(pool: pg.Pool, fx: Fixture, title: string, count: number): Promise<number> {
  const n = Math.min(count, MAX_RESIDENTS);
  const sessionId = await createSession(pool, fx, title, n);
  const batches = await createBatches(pool, fx, sessionId, n);
  await pool.query(
    `insert into slip (token_hash, session_id, batch_id)
     select sha256(convert_to('pgb-' || $1::int::text || '-' || g::text, 'UTF8')), $1::int, ($2::int[])[g / ${BATCH} + 1]
     from generate_series(0, $3::int - 1) g`,
    [sessionId, batches, n],
  );
  return sessionId;
}

const ALPHABET = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';

/** 16 characters of the slip alphabet (32 symbols: 5 bits each), as the server issues them. */
export function randomToken(): string {
  const bytes = crypto.randomBytes(16);
  let token = '';
  for (const b of bytes) token += ALPHABET[b & 31];
  return token;
}

/** A session with `count` slips whose plain tokens are returned (the HTTP clients need them). */
export async function httpSession(
  pool: pg.Pool,
  fx: Fixture,
  title: string,
  count: number,
): Promise<{ sessionId: number; tokens: string[] }> {
  const n = Math.min(count, MAX_RESIDENTS);
  const sessionId = await createSession(pool, fx, title, n);
  const batches = await createBatches(pool, fx, sessionId, n);
  const tokens = Array.from({ length: n }, randomToken);
  for (let start = 0; start < n; start += 10_000) {
    const chunk = tokens.slice(start, start + 10_000);
    await pool.query(
      `insert into slip (token_hash, session_id, batch_id)
       select h, $2, ($3::int[])[(o::int - 1 + $4) / ${BATCH} + 1] from unnest($1::bytea[]) with ordinality as t(h, o)`,
      [chunk.map((t) => crypto.createHash('sha256').update(t, 'utf8').digest()), sessionId, batches, start],
    );
  }
  return { sessionId, tokens };
}

export async function ballotCount(pool: pg.Pool, sessionId: number): Promise<number> {
  const r = await pool.query('select count(*)::int as n from ballot where session_id = $1', [sessionId]);
  return r.rows[0].n;
}

/** Flush dirty pages before a measurement so a checkpoint does not land inside one at random. */
export async function settle(pool: pg.Pool): Promise<void> {
  await pool.query('checkpoint');
}
