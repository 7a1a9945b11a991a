// Turns the rounds into medians, the Markdown tables, and the "Ballot path, measured (<kind>)"
// section of docs/BENCHMARKS.md (replaced in place; every other section of that file is left as it is).
import fs from 'node:fs';
import path from 'node:path';
import type { BundleNotMeasured, BundleSize, SheetTiming } from './extras.ts';
import type { HttpPoint, PgbenchPoint } from './measure.ts';
import type { BaselineKind } from './pgbench.ts';
import { ROOT } from './server.ts';
import { fmt, median } from './stats.ts';

export interface Results {
  command: string;
  kind: 'embedded' | 'external';
  startedAt: string;
  durationS: number;
  machine: string[];
  loadAfter: number[];
  settings: Record<string, string>;
  config: string[];
  concurrencies: number[];
  baselines: BaselineKind[];
  pgbench: Map<BaselineKind, Map<number, PgbenchPoint[]>>;
  http: Map<number, HttpPoint[]>;
  meeting: HttpPoint[];
  limited: string[];
  bundle: BundleSize | BundleNotMeasured;
  sheet: SheetTiming | undefined;
  peakRssMiB: number;
  notes: string[];
}

/** Short names of the baselines in table headers. */
export const SHORT: Record<BaselineKind, string> = {
  function: 'prepared submit_ballot',
  bare: 'bare update + insert',
  service: "service's 2 statements",
};

const MB = (mib: number) => mib * 1.048576;
const range = (xs: number[], d = 0) =>
  xs.length > 1 ? ` (${fmt(Math.min(...xs), d)}–${fmt(Math.max(...xs), d)})` : '';

const pointsOf = (res: Results, kind: BaselineKind, c: number) => res.pgbench.get(kind)?.get(c) ?? [];

/** HTTP ballots/s ÷ baseline tx/s: the ratio of the medians, and the ratio round by round. */
export function ratioAt(res: Results, kind: BaselineKind, c: number): { ratio: number; rounds: number[] } {
  const http = res.http.get(c) ?? [];
  const pg = pointsOf(res, kind, c);
  const byRound = new Map(pg.map((p) => [p.round, p.tps]));
  const rounds = http.flatMap((h) => (byRound.has(h.round) ? [h.perSecond / (byRound.get(h.round) as number)] : []));
  return { ratio: median(http.map((h) => h.perSecond)) / median(pg.map((p) => p.tps)), rounds };
}

function pgCell(pg: PgbenchPoint[], c: number): string {
  if (pg.length === 0) return 'skipped';
  const tps = pg.map((p) => p.tps);
  const clients = [...new Set(pg.map((p) => p.clients))];
  const capped = clients.some((n) => n !== c) ? ` [${clients.join('/')} clients]` : '';
  return `${fmt(median(tps), 0)}${range(tps)}${capped}`;
}

function throughputTable(res: Results): string[] {
  const head = [
    'Connections',
    'HTTP ballots/s',
    ...res.baselines.map((k) => `${SHORT[k]} tx/s`),
    ...res.baselines.map((k) => `HTTP ÷ ${SHORT[k]}`),
  ];
  const rows = [`| ${head.join(' | ')} |`, `|${head.map(() => '---:').join('|')}|`];
  for (const c of res.concurrencies) {
    const rate = (res.http.get(c) ?? []).map((h) => h.perSecond);
    const ratios = res.baselines.map((k) => {
      const r = ratioAt(res, k, c);
      return `${fmt(r.ratio, 2)}${range(r.rounds, 2)}`;
    });
    rows.push(
      `| ${[c, `${fmt(median(rate), 0)}${range(rate)}`, ...res.baselines.map((k) => pgCell(pointsOf(res, k, c), c)), ...ratios].join(' | ')} |`,
    );
  }
  return rows;
}

function latencyTable(res: Results): string[] {
  const pair = (ls: { latency: { p50: number; p99: number } }[]) =>
    ls.length ? `${fmt(median(ls.map((l) => l.latency.p50)))} / ${fmt(median(ls.map((l) => l.latency.p99)))}` : '—';
  const head = [
    'Connections',
    'HTTP',
    ...res.baselines.map((k) => SHORT[k]),
    'server CPU ms per ballot',
    'server RSS MB',
  ];
  const rows = [`| ${head.join(' | ')} |`, `|${head.map(() => '---:').join('|')}|`];
  for (const c of res.concurrencies) {
    const http = res.http.get(c) ?? [];
    rows.push(
      `| ${[c, pair(http), ...res.baselines.map((k) => pair(pointsOf(res, k, c))), fmt(median(http.map((h) => h.serverCpuMs)), 2), fmt(MB(Math.max(0, ...http.map((h) => h.rssMiB))), 0)].join(' | ')} |`,
    );
  }
  return rows;
}

function targetsTable(res: Results): string[] {
  const yes = (ok: boolean) => (ok ? 'met' : '**missed**');
  const meetingP99 = median(res.meeting.map((m) => m.latency.p99));
  const rss256 = MB(Math.max(0, ...(res.http.get(256) ?? []).map((h) => h.rssMiB)));
  const rows = ['| Target | Measured | |', '|---|---:|---|'];
  if (res.concurrencies.includes(64)) {
    for (const kind of res.baselines) {
      const { ratio } = ratioAt(res, kind, 64);
      const pg = pointsOf(res, kind, 64);
      const capped = pg.some((p) => p.clients !== 64)
        ? `, pgbench capped to ${pg.map((p) => p.clients).join('/')} clients`
        : '';
      rows.push(
        `| HTTP ≥ 50% of pgbench at 64 connections, against ${SHORT[kind]} | ${Number.isFinite(ratio) ? `${fmt(ratio * 100, 0)}%` : 'not measured'} (${fmt(median((res.http.get(64) ?? []).map((h) => h.perSecond)), 0)} vs ${fmt(median(pg.map((p) => p.tps)), 0)} per s${capped}) | ${Number.isFinite(ratio) ? yes(ratio >= 0.5) : 'skipped'} |`,
      );
    }
  }
  if (res.meeting.length) {
    rows.push(
      `| 1,000 people voting within 10 s: p99 < 100 ms | p99 ${fmt(meetingP99)} ms (p50 ${fmt(
        median(res.meeting.map((m) => m.latency.p50)),
      )}, max ${fmt(Math.max(...res.meeting.map((m) => m.latency.max)))}) | ${yes(meetingP99 < 100)} |`,
    );
  }
  if (rss256 > 0)
    rows.push(`| server memory < 300 MB under 256 connections | ${fmt(rss256, 0)} MB | ${yes(rss256 < 300)} |`);
  if ('notMeasured' in res.bundle) {
    rows.push('| ballot page JS + CSS ≤ 25 KB gzipped | not measured (see below) | — |');
  } else {
    // the same measure as CI's scripts/measure-ballot-bundle.ts: gzip -9, 25 KB = 25,600 B
    const gz = res.bundle.gzip;
    rows.push(
      `| ballot page JS + CSS ≤ 25 KB gzipped | ${gz} B of 25600 B (${res.bundle.raw} B raw) | ${yes(gz <= 25 * 1024)} |`,
    );
  }
  if (res.sheet) {
    const s = res.sheet;
    const issue = s.issueMs === undefined ? `route answered ${s.issueStatus}` : `${fmt(s.issueMs, 0)} ms issue`;
    rows.push(
      `| a sheet of 1,000 slips in < 2 s | ${issue} + ${fmt(s.qrMs, 0)} ms QR = ${fmt(s.totalMs, 0)} ms | ${
        Number.isFinite(s.totalMs) ? yes(s.totalMs < 2000) : 'not measured'
      } |`,
    );
  }
  return rows;
}

function details(res: Results): string[] {
  const lines: string[] = [];
  for (const c of res.concurrencies) {
    for (const kind of res.baselines) {
      for (const p of pointsOf(res, kind, c)) {
        if (p.ballots !== p.transactions)
          lines.push(
            `- pgbench ${kind} c${c} round ${p.round}: ${p.transactions} transactions but ${p.ballots} ballots stored (slips ran out)`,
          );
      }
    }
    for (const h of res.http.get(c) ?? []) {
      const other = Object.entries(h.statuses).filter(([s]) => s !== '201');
      if (other.length || h.ballots !== h.completed || h.exhausted)
        lines.push(
          `- HTTP c${c} round ${h.round}: statuses ${JSON.stringify(h.statuses)}, ${h.ballots} ballots stored${h.exhausted ? ', slips ran out' : ''}`,
        );
    }
  }
  for (const m of res.meeting) {
    if (m.completed !== 1000 || m.ballots !== 1000)
      lines.push(`- meeting round ${m.round}: statuses ${JSON.stringify(m.statuses)}, ${m.ballots} ballots stored`);
  }
  return lines;
}

function bundleLine(b: BundleSize | BundleNotMeasured): string {
  if ('notMeasured' in b) return `The ballot page was **not measured**: ${b.notMeasured}.`;
  const files = b.files.map((f) => `${f.file} ${f.gzip} B`).join(', ');
  const encodings = [...new Set(b.files.map((f) => f.encoding ?? 'none'))];
  const sent =
    encodings.length === 1 && encodings[0] === 'none'
      ? 'uncompressed (no Content-Encoding)'
      : `with Content-Encoding ${encodings.join(' / ')}`;
  return (
    `Ballot page assets as the server sent them for GET /v (gzip -9 sizes): ${files}. ` +
    `Asked with Accept-Encoding: gzip, br, the server sent them ${sent}: ${b.wire} B on the wire.`
  );
}

export function heading(kind: Results['kind']): string {
  return `## Ballot path, measured (${kind === 'embedded' ? 'embedded PostgreSQL' : 'external PostgreSQL'})`;
}

export function renderSection(res: Results): string {
  const checks = details(res);
  const baselines = res.baselines.map((k) => `- ${SHORT[k]}: ${BASELINE_TEXT[k]}`);
  return [
    heading(res.kind),
    '',
    `Run ${res.startedAt}, ${fmt(res.durationS, 0)} s in all, with:`,
    '',
    '```sh',
    res.command,
    '```',
    '',
    ...res.machine.map((m) => `- ${m}`),
    `- Load average after the run: ${res.loadAfter.map((l) => l.toFixed(2)).join(', ')}`,
    `- PostgreSQL: ${Object.entries(res.settings)
      .map(([k, v]) => `${k}=${v}`)
      .join(', ')}`,
    ...res.config.map((m) => `- ${m}`),
    '',
    'Baselines, each pgbench on the same server in the same run, one fresh slip per transaction:',
    '',
    ...baselines,
    '',
    ...targetsTable(res),
    '',
    'Throughput: medians over the rounds, the range of the rounds in brackets; a ratio is the median HTTP rate',
    'over the median baseline rate, with the range of the round-by-round ratios in brackets.',
    '',
    ...throughputTable(res),
    '',
    'Latency per ballot or transaction, p50 / p99 ms (medians over the rounds). Server CPU per ballot is the',
    "server process's user + system time (/proc/PID/stat) over the point divided by its accepted ballots:",
    'unlike the rates, it hardly depends on how much of the CPU other work on the machine takes.',
    '',
    ...latencyTable(res),
    '',
    `Peak server RSS over the whole run (VmHWM): ${fmt(MB(res.peakRssMiB), 0)} MB.`,
    ...(res.limited.length
      ? ['', "Points limited by the database server's connection slots:", '', ...res.limited.map((l) => `- ${l}`)]
      : []),
    '',
    bundleLine(res.bundle),
    ...(checks.length
      ? ['', 'Checks that did not hold:', '', ...checks]
      : ['', 'Every run was checked against the database: ballots stored = successes counted.']),
    ...(res.notes.length ? ['', ...res.notes] : []),
    '',
  ].join('\n');
}

const BASELINE_TEXT: Record<BaselineKind, string> = {
  function:
    '`select outcome, receipt from submit_ballot(…)` (sql/0004: slip, session lock, ballot, receipt, turnout in one call), `pgbench -M prepared`: the fastest form of the same work',
  bare: "`with s as (update slip … returning session_id) insert into ballot …`, `pgbench -M prepared`: only the slip's update and the ballot's insert, one statement, one commit (no session lock, receipt or turnout: less work than a ballot)",
  service:
    "the two statements the server sends per ballot (findSlip's join, then submit_ballot), `pgbench -M extended` like node-pg's unnamed statements: two round trips",
};

/** Replaces this kind's section of docs/BENCHMARKS.md in place (or appends it); nothing else changes. */
export function writeSection(section: string, kind: Results['kind']): string {
  const file = path.join(ROOT, 'docs/BENCHMARKS.md');
  const current = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '# Benchmarks\n';
  const start = current.indexOf(`${heading(kind)}\n`);
  let next: string;
  if (start < 0) {
    next = `${current.trimEnd()}\n\n${section}`;
  } else {
    const after = current.indexOf('\n## ', start + 3);
    next = current.slice(0, start) + section + (after < 0 ? '' : '\n' + current.slice(after + 1));
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, next.trimEnd() + '\n');
  return file;
}
