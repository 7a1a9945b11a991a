// The ceiling: pgbench running, per transaction, the statements the server sends per ballot
// (see ballots.repository.ts), with the extended query protocol like node-pg (unnamed statements,
// parameters bound), on a fresh slip each time. Slip i of a session has token_hash
// sha256('pgb-<session>-<i>'); client c uses i = c, c + N, c + 2N, … (N clients), so no two
// transactions share a slip. Latency percentiles come from the per-transaction logs.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { PGBENCH_ANSWERS } from './answers.ts';
import { summarize, type LatencySummary } from './stats.ts';

const HASH = `sha256(convert_to('pgb-' || :sess::text || '-' || :i::text, 'UTF8'))`;

/**
 * Mirrors server/modules/ballots/ballots.repository.ts statement for statement: findSlip (the
 * slip's session and state, joined to the session's status), then submitBallot (the whole
 * submission in one autocommit call). The open session's questionnaire is cached by the server.
 */
export const PGBENCH_SCRIPT = `\\set i :k * :nc + :client_id
\\set k :k + 1
select "s"."session_id" as "sessionId", "e"."status", "s"."used", "s"."voided" from "slip" as "s" inner join "evaluation_session" as "e" on "e"."id" = "s"."session_id" where "s"."token_hash" = ${HASH};
select outcome, receipt from submit_ballot(${HASH}, 'pgbench-' || :i::text, 'P' || lpad(:i::text, 9, '0'), :answers::jsonb, false, null::integer);
`;

export interface PgbenchResult {
  clients: number;
  tps: number;
  transactions: number;
  latency: LatencySummary;
  command: string;
}

function run(cmd: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function readLatencies(dir: string): Float64Array {
  const values: number[] = [];
  for (const file of fs.readdirSync(dir).filter((f) => f.startsWith('pgb.'))) {
    for (const line of fs.readFileSync(path.join(dir, file), 'utf8').split('\n')) {
      // client_id transaction_no time(µs) script_no time_epoch time_us
      const us = Number(line.split(' ')[2]);
      if (line && Number.isFinite(us)) values.push(us / 1000);
    }
  }
  return Float64Array.from(values);
}

export async function runPgbench(opts: {
  url: string;
  clients: number;
  seconds: number;
  sessionId: number;
  workDir: string;
  /** another pgbench script (experiments); the server's statements by default */
  script?: string;
}): Promise<PgbenchResult> {
  const script = path.join(opts.workDir, 'ballot.sql');
  fs.writeFileSync(script, opts.script ?? PGBENCH_SCRIPT);
  const logDir = fs.mkdtempSync(path.join(opts.workDir, `log-${opts.clients}-`));
  const args = [
    '-n',
    '-M',
    'extended',
    '-c',
    String(opts.clients),
    '-j',
    String(Math.min(2, opts.clients)),
    // -T includes connecting the clients (slow with SCRAM at 256); tps excludes it: allow for it.
    '-T',
    String(opts.seconds + Math.ceil(opts.clients / 64)),
    '-f',
    script,
    '-D',
    `sess=${opts.sessionId}`,
    '-D',
    `nc=${opts.clients}`,
    '-D',
    'k=0',
    '-D',
    `answers=${PGBENCH_ANSWERS}`,
    '--log',
    `--log-prefix=${path.join(logDir, 'pgb')}`,
  ];
  const r = await run('pgbench', [...args, opts.url]);
  if (r.code !== 0) throw new Error(`pgbench failed (${r.code}): ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
  const tps = Number(/tps = ([\d.]+) \(without initial connection time\)/.exec(r.stdout)?.[1] ?? 0);
  const transactions = Number(/number of transactions actually processed: (\d+)/.exec(r.stdout)?.[1]);
  const latency = summarize(readLatencies(logDir));
  fs.rmSync(logDir, { recursive: true, force: true });
  const shown = args.map((a) => (a.startsWith('answers=') ? "answers='{…}'" : a));
  return { clients: opts.clients, tps, transactions, latency, command: `pgbench ${shown.join(' ')} <url>` };
}
