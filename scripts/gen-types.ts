// npm run db:types: regenerate server/db/schema.ts from the migrated database (DATABASE_URL or
// the embedded one). A test runs the same generator with --verify, so the types cannot drift.
import { spawnSync } from 'node:child_process';
import { loadConfig } from '../server/config.ts';
import { connect } from '../server/db/connect.ts';

export const CODEGEN_ARGS = [
  '--dialect',
  'postgres',
  '--out-file',
  'server/db/schema.ts',
  '--exclude-pattern',
  'schema_migration',
];

const database = await connect(loadConfig());
const r = spawnSync('npx', ['kysely-codegen', '--url', database.url, ...CODEGEN_ARGS], { stdio: 'inherit' });
await database.shutdown();
process.exit(r.status ?? 1);
