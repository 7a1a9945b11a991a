// Where the database comes from: DATABASE_URL when given, else the embedded server under DATA_DIR.
// Either way the migrations are applied before anything else touches it.
import type { Config } from '../config.ts';
import { createDatabase, type Database } from './database.ts';
import { startEmbeddedPostgres, type EmbeddedEvent } from './embedded.ts';
import { migrate } from './migrate.ts';

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
    const { applied } = await migrate(url);
    const database = createDatabase(url, { max: opts.poolMax ?? config.pgPoolMax, onError: opts.onError });
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
