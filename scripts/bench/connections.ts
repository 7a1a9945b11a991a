// How many connections the bench may open on the database server without taking slots that
// others need. A server with max_connections = 100 (PostgreSQL's default) cannot hold the server's
// pool, 64 pgbench clients and everyone else at once: "sorry, too many clients already". So the
// bench reads the limit and what is in use, sizes the server's pool and every pgbench point to fit,
// and says in its output when a point ran with fewer clients than asked or was skipped.
import type pg from 'pg';

/** The server's application_name (server/db/database.ts): its connections are counted apart. */
const SERVER_APP = 'village-eval';

/** The bench's own pool (db.ts: max 4). */
export const BENCH_POOL = 4;

export interface ConnectionState {
  max: number;
  /** superuser_reserved_connections: slots only a superuser may take; the bench leaves them */
  reserved: number;
  /** client backends connected now, to every database, ours included */
  inUse: number;
  /** of those, the bench server's pool in the bench database */
  server: number;
}

export async function connectionState(pool: pg.Pool): Promise<ConnectionState> {
  const r = await pool.query(
    `select current_setting('max_connections')::int as max,
            current_setting('superuser_reserved_connections')::int as reserved,
            count(*)::int as in_use,
            (count(*) filter (where datname = current_database() and application_name = $1))::int as server
     from pg_stat_activity where backend_type = 'client backend'`,
    [SERVER_APP],
  );
  const row = r.rows[0];
  return { max: row.max, reserved: row.reserved, inUse: row.in_use, server: row.server };
}

/** Slots left for other users of the server (tests, psql, a migration): 10% of the limit, at least 5. */
export function headroom(max: number): number {
  return Math.max(5, Math.ceil(max / 10));
}

/** Slots free now for anyone but superusers, after the headroom and the bench's own pool at its largest. */
function freeSlots(s: ConnectionState): number {
  return s.max - s.reserved - s.inUse - headroom(s.max) - BENCH_POOL;
}

/** The server pool the bench can give the server: the asked size, or what fits. */
export function serverPoolSize(s: ConnectionState, asked: number): number {
  return Math.min(asked, freeSlots(s) + s.server);
}

/**
 * pgbench clients for a point: the asked number or what fits once the server's pool may grow to
 * its maximum (its idle connections close after 10 s and come back under load).
 */
export function pgbenchClients(s: ConnectionState, asked: number, serverPool: number): number {
  return Math.max(0, Math.min(asked, freeSlots(s) - Math.max(0, serverPool - s.server)));
}

export function describeState(s: ConnectionState): string {
  return (
    `max_connections ${s.max}, superuser_reserved_connections ${s.reserved}, ${s.inUse} client connections in use ` +
    `at the start (the bench's own included), headroom ${headroom(s.max)} left for others`
  );
}
