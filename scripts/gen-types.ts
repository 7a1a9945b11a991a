// npm run db:types: regenerate server/db/schema.ts from the migrated database (DATABASE_URL or
// the embedded one). test/integration/schema-types.test.ts runs the same generator with --verify
// against the test database, so the types cannot drift from the migrations.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const CODEGEN_BIN = path.join(ROOT, 'node_modules/.bin/kysely-codegen');
export const CODEGEN_ARGS = [
  '--dialect',
  'postgres',
  '--out-file',
  'server/db/schema.ts',
  '--exclude-pattern',
  'schema_migration',
];

async function main(): Promise<void> {
  const { loadConfig } = await import('../server/config.ts');
  const { connect } = await import('../server/db/connect.ts');
  const database = await connect(loadConfig(), { poolMax: 1 });
  const r = spawnSync(CODEGEN_BIN, ['--url', database.url, ...CODEGEN_ARGS], { cwd: ROOT, stdio: 'inherit' });
  await database.shutdown();
  process.exit(r.status ?? 1);
}

// Run only as a script: the test imports the constants above.
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err: unknown) => {
    process.stderr.write(`生成表类型失败：${(err as Error).message}\n`);
    process.exit(1);
  });
}
