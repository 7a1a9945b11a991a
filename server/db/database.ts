import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { DB } from './schema.ts';

export type Db = Kysely<DB>;

// bigint (int8) and numeric come back from pg as strings; our ids are int4 identities and counts
// are cast in SQL, so the defaults stay untouched rather than risk silent precision loss.

export interface Database {
  db: Db;
  pool: pg.Pool;
  close(): Promise<void>;
}

export function createDatabase(url: string, opts: { max?: number; onError?: (err: Error) => void } = {}): Database {
  const pool = new pg.Pool({
    connectionString: url,
    max: opts.max ?? 20,
    application_name: 'village-eval',
    connectionTimeoutMillis: 5000,
  });
  // Without a listener, an idle client's error (e.g. the server stopping) crashes the process.
  pool.on('error', opts.onError ?? (() => undefined));
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    pool,
    close: () => db.destroy(),
  };
}
