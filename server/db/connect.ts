// Where the database comes from: DATABASE_URL when given, else the embedded server under DATA_DIR.
// Either way the migrations are applied before anything else touches it, except for read-only
// tools, which only check that they are (and then read in read-only transactions).
import type { Config } from '../config.ts';
import { createDatabase, type Database } from './database.ts';
import { startEmbeddedPostgres, type EmbeddedEvent } from './embedded.ts';
import { checkMigrated, migrate } from './migrate.ts';

export interface Connected extends Database {
  url: string;
  embedded: boolean;
  applied: string[];
  /** Closes the pool, then stops the embedded server if we started it. */
  shutdown(): Promise<void>;
}

export async function connect(
  config: Config,
  opts: {
    poolMax?: number;
    /** A pooled connection failed (see faults.ts); the pool replaces it. */
    onError?: (err: Error) => void;
    onEmbeddedEvent?: (event: EmbeddedEvent) => void;
    /** Do not migrate: refuse a database whose schema is behind, and read only. */
    readOnly?: boolean;
  } = {},
): Promise<Connected> {
  const embedded = config.databaseUrl
    ? undefined
    : await startEmbeddedPostgres({
        dataDir: config.dataDir,
        port: config.embeddedPgPort,
        onEvent: opts.onEmbeddedEvent,
      });
  const url = config.databaseUrl ?? (embedded as { url: string }).url;
  try {
    let applied: string[] = [];
    if (opts.readOnly) await checkMigrated(url);
    else ({ applied } = await migrate(url));
    const database = createDatabase(url, {
      max: opts.poolMax ?? config.pgPoolMax,
      onError: opts.onError,
      readOnly: opts.readOnly,
    });
    return {
      ...database,
      url,
      embedded: embedded !== undefined,
      applied,
      shutdown: async () => {
        await database.close().catch(() => undefined);
        await embedded?.stop();
      },
    };
  } catch (err) {
    await embedded?.stop();
    throw err;
  }
}
