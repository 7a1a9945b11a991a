// The "Campaign board, measured" section of docs/BENCHMARKS.md (replaced in place; every other
// section of that file is left as it is), from the scopes npm run bench:board measured.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from './server.ts';
import { fmt, type LatencySummary } from './stats.ts';

export interface Scope {
  name: string;
  villages: number;
  sessions: number;
  /** ballots stored under the scope, all years */
  ballots: number;
  /** villages in the board's reply */
  rows: number;
  bytes: number;
  /** counted sessions the baseline decided, and the ballot rows it aggregated for them */
  counted: number;
  ballotsAggregated: number;
  /** sessions whose verdict (outcome and satisfied count) differs between board and baseline */
  disagree: number;
  /** served from the instance's board (nothing changed since the last request) */
  board: LatencySummary;
  /** the first request after a change: built from the database again */
  cold: LatencySummary;
  baseline: LatencySummary;
}

export interface BoardResults {
  command: string;
  startedAt: string;
  durationS: number;
  database: string;
  year: number;
  rounds: number;
  loadBefore: number[];
  /** what the scale dataset held, in words */
  dataset: string;
  scopes: Scope[];
}

export const BOARD_HEADING = '## Campaign board, measured';
const n = (x: number) => x.toLocaleString('en-US');

function machine(res: BoardResults): string[] {
  const cpu = /model name\s*:\s*(.+)/.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? os.arch();
  const rev = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).stdout.trim();
  return [
    `- Machine: nproc ${os.cpus().length} (${cpu}), shared with other work running at the same time`,
    `- Load average before / after the run: ${res.loadBefore.map((l) => l.toFixed(2)).join(', ')} / ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(', ')}`,
    `- Node ${process.version}, ${res.database}, commit ${rev}`,
  ];
}

function table(res: BoardResults): string[] {
  const head = [
    'Scope',
    'Villages (rows)',
    'Sessions',
    'Ballots stored',
    'Ballots per counted session (year)',
    'Board p50 / p90 ms',
    'Board after a change p50 / p90 ms',
    'Baseline p50 / p90 ms',
    'Baseline ÷ board (p50)',
    'Baseline ÷ board after a change (p50)',
    'Reply',
  ];
  const rows = [
    `| ${head.join(' | ')} |`,
    `|---|${head
      .slice(1)
      .map(() => '---:')
      .join('|')}|`,
  ];
  for (const s of res.scopes) {
    rows.push(
      `| ${[
        s.name,
        `${n(s.villages)} (${n(s.rows)})`,
        n(s.sessions),
        n(s.ballots),
        s.counted ? `${fmt(s.ballotsAggregated / s.counted, 0)} (${n(s.counted)} sessions)` : '—',
        `${fmt(s.board.p50)} / ${fmt(s.board.p90)}`,
        `${fmt(s.cold.p50)} / ${fmt(s.cold.p90)}`,
        `${fmt(s.baseline.p50)} / ${fmt(s.baseline.p90)}`,
        `${fmt(s.baseline.p50 / s.board.p50)}×`,
        `${fmt(s.baseline.p50 / s.cold.p50)}×`,
        `${fmt(s.bytes / 1024, 0)} KB`,
      ].join(' | ')} |`,
    );
  }
  return rows;
}

function targets(res: BoardResults): string[] {
  const county = res.scopes.find((s) => s.name.startsWith('county'));
  if (!county) return [];
  const yes = (ok: boolean) => (ok ? 'met' : '**missed**');
  const ratio = county.baseline.p50 / county.board.p50;
  return [
    '| Target | Measured | |',
    '|---|---:|---|',
    `| county board (${n(county.villages)} villages) ≤ 50 ms median server time | ${fmt(county.board.p50)} ms | ${yes(county.board.p50 <= 50)} |`,
    `| county board ≥ 20× faster than the baseline | ${fmt(ratio)}× (${fmt(county.baseline.p50)} ms) | ${yes(ratio >= 20)} |`,
    `| (the first request after a change, board built again) | ${fmt(county.cold.p50)} ms, ${fmt(county.baseline.p50 / county.cold.p50)}× | — |`,
  ];
}

function checks(res: BoardResults): string[] {
  return res.scopes.map(
    (s) =>
      `- ${s.name}: the baseline decided ${n(s.counted)} counted sessions from ${n(s.ballotsAggregated)} ballot rows; ` +
      (s.disagree === 0
        ? 'every verdict (outcome and satisfied count) equals the board’s.'
        : `**${n(s.disagree)} verdicts differ from the board’s**.`),
  );
}

export function renderBoardSection(res: BoardResults): string {
  return [
    BOARD_HEADING,
    '',
    `Run ${res.startedAt}, ${fmt(res.durationS, 0)} s in all, year ${res.year}, ${res.rounds} rounds per scope, with:`,
    '',
    '```sh',
    res.command,
    '```',
    '',
    ...machine(res),
    `- Dataset: ${res.dataset}`,
    '',
    ...targets(res),
    '',
    'Board: GET /api/board through the real app (buildApp + inject, logged in as the scope’s own official),',
    'server time = reply.elapsedTime when the serialized reply is handed to the socket (onSend). Baseline: one set-based query aggregating the ballot rows of each',
    'village’s latest sessions of the year, plus the verdicts in JS (scripts/bench/board-baseline.ts), timed',
    'in the same process. Each round: a change (the board’s change counter, sql/0013, moved as any official’s',
    'step moves it), the board built again ("after a change"), the board once more with nothing changed',
    '(served from the instance’s board, live turnout read fresh), the baseline; p50 / p90 over the rounds.',
    'The baseline has no such cache: it is the plain per-request aggregation the issue names.',
    '',
    ...table(res),
    '',
    ...checks(res),
    '',
  ].join('\n');
}

/** Replaces the board section of docs/BENCHMARKS.md in place (or appends it); nothing else changes. */
export function writeBoardSection(section: string): string {
  const file = path.join(ROOT, 'docs/BENCHMARKS.md');
  const current = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '# Benchmarks\n';
  const start = current.indexOf(`${BOARD_HEADING}\n`);
  let next: string;
  if (start < 0) {
    next = `${current.trimEnd()}\n\n${section}`;
  } else {
    const after = current.indexOf('\n## ', start + 3);
    next = current.slice(0, start) + section + (after < 0 ? '' : '\n' + current.slice(after + 1));
  }
  fs.writeFileSync(file, next.trimEnd() + '\n');
  return file;
}
