// The baselines: pgbench doing, per transaction, the database work of one ballot on a fresh slip.
// Slip i of a session has token_hash sha256('pgb-<session>-<i>'); client c uses i = c, c + N,
// c + 2N, … (N clients), so no two transactions share a slip. Latency percentiles come from the
// per-transaction logs. Three forms of the work, fastest last:
//   service:  the two statements the server sends per ballot (ballots.repository.ts), with the
//             extended protocol and unnamed statements as node-pg sends them: two round trips;
//   function: one prepared `select … from submit_ballot(…)` (sql/0004): the whole submission
//             (slip, session lock, ballot, receipt, turnout) in one round trip and one commit;
//   bare:     one prepared statement doing only the bare pair, `update slip … returning` feeding
//             `insert into ballot` (a data-modifying CTE: one round trip, one commit), without the
//             session lock, receipt and turnout of submit_ballot. The ballot table's append-only
//             trigger (sql/0006) still runs: it is part of the schema.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { PGBENCH_ANSWERS } from './answers.ts';
import { summarize, type LatencySummary } from './stats.ts';

const HASH = `sha256(convert_to('pgb-' || :sess::text || '-' || :i::text, 'UTF8'))`;
const NEXT_SLIP = `\\set i :k * :nc + :client_id
\\set k :k + 1
`;

export type BaselineKind = 'service' | 'function' | 'bare';

export const BASELINES: Record<BaselineKind, { mode: 'extended' | 'prepared'; script: string; label: string }> = {
  service: {
    mode: 'extended',
    label: "the service's two statements (findSlip, then submit_ballot; unnamed, extended protocol)",
    script: `${NEXT_SLIP}select "s"."session_id" as "sessionId", "e"."status", "s"."used", "s"."voided" from "slip" as "s" inner join "evaluation_session" as "e" on "e"."id" = "s"."session_id" where "s"."token_hash" = ${HASH};
select outcome, receipt from submit_ballot(${HASH}, 'pgbench-' || :i::text, 'P' || lpad(:i::text, 9, '0'), :answers::jsonb, false, null::integer);
`,
  },
  function: {
    mode: 'prepared',
    label: 'one prepared select submit_ballot(…) per transaction',
    script: `${NEXT_SLIP}select outcome, receipt from submit_ballot(${HASH}, 'pgbench-' || :i::text, 'P' || lpad(:i::text, 9, '0'), :answers::jsonb, false, null::integer);
`,
  },
  bare: {
    mode: 'prepared',
    label: 'one prepared update slip … returning + insert into ballot per transaction',
    script: `${NEXT_SLIP}with s as (update slip set used = true, client_id = 'pgbench-' || :i::text, receipt = 'P' || lpad(:i::text, 9, '0') where token_hash = ${HASH} and not used and not voided returning session_id) insert into ballot (session_id, answers) select session_id, :answers::jsonb from s;
`,
  },
};

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

/** pgbench could not connect all its clients because the server had no slots left. */
export class NoConnectionSlots extends Error {}

export async function runPgbench(opts: {
  url: string;
  clients: number;
  seconds: number;
  sessionId: number;
  workDir: string;
  kind: BaselineKind;
}): Promise<PgbenchResult> {
  const baseline = BASELINES[opts.kind];
  const script = path.join(opts.workDir, `${opts.kind}.sql`);
  fs.writeFileSync(script, baseline.script);
  const logDir = fs.mkdtempSync(path.join(opts.workDir, `log-${opts.kind}-${opts.clients}-`));
  const args = [
    '-n',
    '-M',
    baseline.mode,
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
  if (r.code !== 0) {
    fs.rmSync(logDir, { recursive: true, force: true });
    const tail = r.stderr.trim().split('\n').slice(-3).join(' | ');
    if (/too many clients|connection slots are reserved/i.test(r.stderr))
      throw new NoConnectionSlots(`pgbench ${opts.clients} clients: ${tail}`);
    throw new Error(`pgbench failed (${r.code}): ${tail}`);
  }
  const tps = Number(/tps = ([\d.]+) \(without initial connection time\)/.exec(r.stdout)?.[1] ?? 0);
  const transactions = Number(/number of transactions actually processed: (\d+)/.exec(r.stdout)?.[1]);
  const latency = summarize(readLatencies(logDir));
  fs.rmSync(logDir, { recursive: true, force: true });
  const shown = args.map((a) => (a.startsWith('answers=') ? "answers='{…}'" : a));
  return { clients: opts.clients, tps, transactions, latency, command: `pgbench ${shown.join(' ')} <url>` };
}
