// npm run verify [-- --head 编号:哈希]: recompute the audit chain and recount every closed session
// from its raw ballots, on DATABASE_URL or the embedded database under DATA_DIR (as npm run
// migrate), without changing it: no migration is applied (a database whose schema is behind is
// refused) and every transaction is read-only. Prints a Chinese report; progress goes to stderr.
// Exit code: 0 all consistent, 1 at least one mismatch, 2 the check could not run.
import { parseArgs } from 'node:util';
import { loadConfig } from '../server/config.ts';
import { connect } from '../server/db/connect.ts';
import { verifyDatabase } from '../server/modules/audit/verify.service.ts';
import { formatReport, parseHead } from '../server/modules/audit/verify.rules.ts';

let knownHead: { id: number; hash: string } | undefined;
try {
  const { head } = parseArgs({ options: { head: { type: 'string' } }, strict: true }).values;
  if (head !== undefined) {
    const parsed = parseHead(head);
    if (!parsed) throw new Error(`--head 的格式应为 编号:64位十六进制哈希，当前为 "${head}"`);
    knownHead = parsed;
  }
} catch (err) {
  process.stderr.write(`${(err as Error).message}\n用法：npm run verify [-- --head 编号:哈希]\n`);
  process.exit(2);
}

try {
  const database = await connect(loadConfig(), { poolMax: 2, readOnly: true });
  try {
    const report = await verifyDatabase(database.db, {
      knownHead,
      onProgress: (line) => process.stderr.write(`${line}\n`),
    });
    process.stdout.write(`${formatReport(report)}\n`);
    process.exitCode = report.problems.length === 0 ? 0 : 1;
  } finally {
    await database.shutdown();
  }
} catch (err) {
  process.stderr.write(`核验未能完成：${(err as Error).message}\n`);
  process.exit(2);
}
