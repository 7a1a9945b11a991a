import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { guardClients } from './faults.ts';
import type { DB } from './schema.ts';

export type Db = Kysely<DB>;

// bigint (int8) and numeric come back from pg as strings; our ids are int4 identities and counts
// are cast in SQL, so the defaults stay untouched rather than risk silent precision loss.

export interface Database {
  db: Db;
  pool: pg.Pool;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  max?: number;
  /** A pooled connection failed (faults.ts); the pool replaces it. */
  onError?: (err: Error) => void;
  /** Shown in pg_stat_activity; the service's own pool keeps the default. */
  applicationName?: string;
  /** Every transaction read-only (default_transaction_read_only): for tools that only read. */
  readOnly?: boolean;
}

export function createDatabase(url: string, opts: DatabaseOptions = {}): Database {
  const pool = new pg.Pool({
    connectionString: url,
    max: opts.max ?? 20,
    application_name: opts.applicationName ?? 'village-eval',
    connectionTimeoutMillis: 5000,
    // A peer that vanished without a reset (failover, cable) is noticed by TCP keep-alive.
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
    ...(opts.readOnly ? { options: '-c default_transaction_read_only=on' } : {}),
  });
  // Without a listener on each client, a lost connection (the server restarting, a terminated
  // backend) ends the process: see faults.ts.
  guardClients(pool, opts.onError ?? (() => undefined));
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    pool,
    close: () => db.destroy(),
  };
}
