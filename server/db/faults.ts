// When the database goes away (a restart, a failover, pg_terminate_backend, a network reset) the
// service must answer 503 and carry on, never exit: node-postgres emits 'error' on a client whose
// connection dies, and an 'error' event without a listener ends the process. The pool listens on
// idle clients only, so every client gets its own listener as it connects (guardClients).

// SQLSTATE class 08 (connection exception) and these: admin_shutdown, crash_shutdown,
// cannot_connect_now (starting up, shutting down, in recovery), too_many_connections.
const UNAVAILABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300']);
// What the socket reports: refused, reset, timed out, host gone, name not resolvable.
const UNAVAILABLE_ERRNOS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EHOSTDOWN',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
// node-postgres and pg-pool report a lost or unobtainable connection with plain Errors.
const UNAVAILABLE_MESSAGE =
  /^Connection terminated|timeout exceeded when trying to connect|(encountered a connection error|was closed) and is not queryable|Cannot use a pool after calling end/;

function codeOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** True when `err` (or its cause) says the database cannot be reached now, not that a query was wrong. */
export function isDatabaseUnavailable(err: unknown, depth = 0): boolean {
  if (!(err instanceof Error) || depth > 4) return false;
  const code = codeOf(err);
  if (code !== undefined) {
    if (UNAVAILABLE_SQLSTATES.has(code) || /^08[0-9A-Z]{3}$/.test(code) || UNAVAILABLE_ERRNOS.has(code)) return true;
  }
  if (UNAVAILABLE_MESSAGE.test(err.message)) return true;
  if (err instanceof AggregateError && err.errors.some((e) => isDatabaseUnavailable(e, depth + 1))) return true;
  return isDatabaseUnavailable(err.cause, depth + 1);
}

/** What a log line may say about a database error: its code and message, nothing else (no query, no parameters). */
export function describeDbError(err: unknown): { code?: string; message: string } {
  const code = codeOf(err);
  const message = err instanceof Error ? err.message : String(err);
  return code === undefined ? { message } : { code, message };
}

interface ClientLike {
  on(event: 'error', listener: (err: Error) => void): unknown;
}

interface PoolLike {
  on(event: 'connect', listener: (client: ClientLike) => void): unknown;
  on(event: 'error', listener: (err: Error) => void): unknown;
}

/**
 * Handles the 'error' event of every client of the pool, idle or checked out (e.g. held by a
 * Kysely transaction). The query in flight on that client still fails and is answered 503; the
 * pool drops the broken client when it is released and opens a new one when the database is back.
 */
export function guardClients(pool: PoolLike, onError: (err: Error) => void): void {
  pool.on('connect', (client) => {
    // a dying connection often reports twice (the server's FATAL, then the closed socket): once is enough
    let reported = false;
    client.on('error', (err) => {
      if (!reported) onError(err);
      reported = true;
    });
  });
  // The pool re-emits an idle client's error, which the client's own listener has already seen.
  pool.on('error', () => undefined);
}
