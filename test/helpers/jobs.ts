// pg-boss's schema and the scheduling queues in a test database, as the first instance of the
// service creates them at start (server/modules/schedule/schedule.jobs.ts). Not in the template:
// only the files that schedule anything pay for it (under a second).
import { startScheduler } from '../../server/modules/schedule/schedule.jobs.ts';
import type { TestDatabase } from './db.ts';

export async function prepareJobQueues(tdb: TestDatabase): Promise<void> {
  const log = { info: () => undefined, warn: () => undefined };
  await (await startScheduler({ url: tdb.url, db: tdb.db, log, work: false })).stop();
}
