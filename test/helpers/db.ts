// Each test file gets its own database, cloned from the migrated template: tests never see each
// other's rows, and the real schema, triggers and constraints are all there.
import crypto from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { createDatabase, type Database } from '../../server/db/database.ts';
import { withDatabase } from './throwaway-db.ts';

export interface TestDatabase extends Database {
  url: string;
  name: string;
}

export async function createTestDatabase(opts: { max?: number; applicationName?: string } = {}): Promise<TestDatabase> {
  const adminUrl = inject('adminUrl');
  const template = inject('templateDb');
  const ownerPid = template.split('_')[2];
  const name = `vre_t_${ownerPid}_${crypto.randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        await admin.query(`create database ${name} template ${template}`);
        break;
      } catch (err) {
        // Two files cloning the same template at the same moment: wait and try again.
        if (attempt > 50 || !/being accessed by other users/.test((err as Error).message)) throw err;
        await new Promise((r) => setTimeout(r, 100 + Math.random() * 200));
      }
    }
  } finally {
    await admin.end();
  }
  const url = withDatabase(adminUrl, name);
  const database = createDatabase(url, { max: opts.max ?? 10, applicationName: opts.applicationName });
  return {
    ...database,
    url,
    name,
    close: async () => {
      await database.close();
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`).catch(() => undefined);
      await c.end();
    },
  };
}
