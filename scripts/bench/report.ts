// Turns the rounds into medians, the Markdown tables, and the "Ballot path (issue 3)" section of
// docs/BENCHMARKS.md (replaced in place; every other section of that file is left as it is).
import fs from 'node:fs';
import path from 'node:path';
import type { BundleSize, SheetTiming } from './extras.ts';
import type { HttpPoint, PgbenchPoint } from './measure.ts';
import { ROOT } from './server.ts';
import { fmt, median } from './stats.ts';

export interface Results {
  command: string;
  startedAt: string;
  durationS: number;
  machine: string[];
  settings: Record<string, string>;
  config: string[];
  concurrencies: number[];
  pgbench: Map<number, PgbenchPoint[]>;
  http: Map<number, HttpPoint[]>;
  meeting: HttpPoint[];
  bundle: BundleSize | undefined;
  sheet: SheetTiming | undefined;
  peakRssMiB: number;
  notes: string[];
}

const MB = (mib: number) => mib * 1.048576;
const range = (xs: number[], d = 0) =>
  xs.length > 1 ? ` (${fmt(Math.min(...xs), d)}–${fmt(Math.max(...xs), d)})` : '';

export function ratioAt(res: Results, c: number): number {
  return median((res.http.get(c) ?? []).map((h) => h.perSecond)) / median((res.pgbench.get(c) ?? []).map((p) => p.tps));
}

function throughputTable(res: Results): string[] {
  const rows = [
    '| Connections | pgbench tx/s | pgbench p50 / p99 ms | HTTP ballots/s | HTTP p50 / p99 ms | HTTP ÷ pgbench | server RSS MB |',
    '|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const c of res.concurrencies) {
    const pg = res.pgbench.get(c) ?? [];
    const http = res.http.get(c) ?? [];
    const clients = [...new Set(pg.map((p) => p.clients))];
    const pgLabel = clients.some((n) => n !== c) ? ` (pgbench ran ${clients.join(' / ')} clients)` : '';
    const tps = pg.map((p) => p.tps);
    const rate = http.map((h) => h.perSecond);
    rows.push(
      `| ${c}${pgLabel} | ${fmt(median(tps), 0)}${range(tps)} | ${fmt(median(pg.map((p) => p.latency.p50)))} / ${fmt(
        median(pg.map((p) => p.latency.p99)),
      )} | ${fmt(median(rate), 0)}${range(rate)} | ${fmt(median(http.map((h) => h.latency.p50)))} / ${fmt(
        median(http.map((h) => h.latency.p99)),
      )} | ${fmt(ratioAt(res, c), 2)} | ${fmt(MB(Math.max(0, ...http.map((h) => h.rssMiB))), 0)} |`,
    );
  }
  return rows;
}

function targetsTable(res: Results): string[] {
  const yes = (ok: boolean) => (ok ? 'met' : '**missed**');
  const at64 = ratioAt(res, 64);
  const meetingP99 = median(res.meeting.map((m) => m.latency.p99));
  const rss256 = MB(Math.max(0, ...(res.http.get(256) ?? []).map((h) => h.rssMiB)));
  const rows = ['| Target | Measured | |', '|---|---:|---|'];
  if (Number.isFinite(at64))
    rows.push(`| HTTP ≥ 50% of pgbench at 64 connections | ${fmt(at64 * 100, 0)}% | ${yes(at64 >= 0.5)} |`);
  if (res.meeting.length) {
    rows.push(
      `| 1,000 people voting within 10 s: p99 < 100 ms | p99 ${fmt(meetingP99)} ms (p50 ${fmt(
        median(res.meeting.map((m) => m.latency.p50)),
      )}, max ${fmt(Math.max(...res.meeting.map((m) => m.latency.max)))}) | ${yes(meetingP99 < 100)} |`,
    );
  }
  if (rss256 > 0)
    rows.push(`| server memory < 300 MB under 256 connections | ${fmt(rss256, 0)} MB | ${yes(rss256 < 300)} |`);
  if (res.bundle) {
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
    for (const [i, p] of (res.pgbench.get(c) ?? []).entries()) {
      if (p.ballots !== p.transactions)
        lines.push(
          `- pgbench c${c} round ${i + 1}: ${p.transactions} transactions but ${p.ballots} ballots stored (slips ran out)`,
        );
    }
    for (const [i, h] of (res.http.get(c) ?? []).entries()) {
      const other = Object.entries(h.statuses).filter(([s]) => s !== '201');
      if (other.length || h.ballots !== h.completed || h.exhausted)
        lines.push(
          `- HTTP c${c} round ${i + 1}: statuses ${JSON.stringify(h.statuses)}, ${h.ballots} ballots stored${h.exhausted ? ', slips ran out' : ''}`,
        );
    }
  }
  for (const [i, m] of res.meeting.entries()) {
    if (m.completed !== 1000 || m.ballots !== 1000)
      lines.push(`- meeting round ${i + 1}: statuses ${JSON.stringify(m.statuses)}, ${m.ballots} ballots stored`);
  }
  return lines;
}

export function renderSection(res: Results): string {
  const checks = details(res);
  const bundleFiles = res.bundle?.files.map((f) => `${f.file} ${f.gzip} B`).join(', ');
  return [
    '## Ballot path (issue 3)',
    '',
    `Run ${res.startedAt}, ${fmt(res.durationS, 0)} s in all, with:`,
    '',
    '```sh',
    res.command,
    '```',
    '',
    ...res.machine.map((m) => `- ${m}`),
    `- PostgreSQL: ${Object.entries(res.settings)
      .map(([k, v]) => `${k}=${v}`)
      .join(', ')}`,
    ...res.config.map((m) => `- ${m}`),
    '',
    ...targetsTable(res),
    '',
    'Medians over the rounds, with the range of the rounds in brackets; latencies are per ballot.',
    '',
    ...throughputTable(res),
    '',
    `Peak server RSS over the whole run (VmHWM): ${fmt(MB(res.peakRssMiB), 0)} MB.`,
    ...(res.bundle
      ? [
          '',
          `Ballot page assets (gzip -9): ${bundleFiles}; the server sends them ${res.bundle.servedEncoding ? `with Content-Encoding ${res.bundle.servedEncoding}` : 'uncompressed (no Content-Encoding)'}.`,
        ]
      : []),
    ...(checks.length
      ? ['', 'Checks that did not hold:', '', ...checks]
      : ['', 'Every run was checked against the database: ballots stored = successes counted.']),
    ...(res.notes.length ? ['', ...res.notes] : []),
    '',
  ].join('\n');
}

export function writeSection(section: string): string {
  const file = path.join(ROOT, 'docs/BENCHMARKS.md');
  const current = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '# Benchmarks\n';
  const start = current.indexOf('## Ballot path (issue 3)\n');
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
