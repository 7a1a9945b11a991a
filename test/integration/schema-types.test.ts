// server/db/schema.ts is generated from the migrated database (npm run db:types); this runs the
// same generator with --verify so a migration without regenerated types fails the suite.
// It reads a clone of the migrated template rather than the template itself: a connection to the
// template would make the other files' `create database … template` calls wait.
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CODEGEN_ARGS, CODEGEN_BIN, ROOT } from '../../scripts/gen-types.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';

let tdb: TestDatabase;

beforeAll(async () => {
  tdb = await createTestDatabase({ max: 1 });
});

afterAll(async () => {
  await tdb.close();
});

it('server/db/schema.ts matches the types generated from the migrated schema', () => {
  const r = spawnSync(CODEGEN_BIN, ['--url', tdb.url, ...CODEGEN_ARGS, '--verify'], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 25_000,
  });
  const output = `${r.stdout}${r.stderr}`.trim();
  expect(r.error, output).toBeUndefined();
  expect(r.status, `schema.ts is out of date: run npm run db:types\n${output}`).toBe(0);
});
