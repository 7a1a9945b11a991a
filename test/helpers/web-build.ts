// dist/web (the server's WEB_DIST) for the browser tests and screenshot scripts, built at most once
// at a time: vitest runs test files in parallel workers, and two concurrent builds (each emptying
// dist/web) would pull the pages out from under each other. The lock is a file created with O_EXCL,
// holding the builder's pid, so a lock left by a killed process is taken over; `npm run build`
// (scripts/build.js) takes the same lock.
import fs from 'node:fs';
import path from 'node:path';
import { build } from 'vite';

const ROOT = path.resolve(import.meta.dirname, '../..');
const LOCK = path.join(ROOT, 'node_modules/.cache/vre-build.lock');

/** What the bundles are built from, including the server's pure rule modules the console imports. */
const SOURCES = [
  'web/src',
  'web/index.html',
  'web/ballot.html',
  'vite.config.ts',
  'server/modules/sessions/questionnaire.ts',
  'server/modules/sessions/sessions.rules.ts',
  'server/modules/tallies/tallies.rules.ts',
  'server/modules/ballots/ballots.rules.ts',
  'server/modules/cases/cases.rules.ts',
  'server/modules/cases/cases.light.ts',
  'server/modules/cases/cases.rights.ts',
  'server/modules/grading/grading.rules.ts',
  'server/modules/risk/risk.rules.ts',
  'server/modules/schedule/residents.rules.ts',
  'server/modules/board/board.rules.ts',
  'server/modules/board/board.view.ts',
  'server/modules/villagefiles/villagefiles.rules.ts',
  'server/modules/deptreports/deptreports.rules.ts',
  'server/modules/screening/screening.rules.ts',
  'server/modules/identification/identification.rules.ts',
];

function newestMtime(p: string): number {
  if (!fs.existsSync(p)) return 0;
  const stat = fs.statSync(p);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...fs.readdirSync(p).map((name) => newestMtime(path.join(p, name))));
}

function fresh(): boolean {
  const pages = ['index.html', 'ballot.html'].map((f) => path.join(ROOT, 'dist/web', f));
  if (!pages.every((p) => fs.existsSync(p))) return false;
  const built = Math.min(...pages.map((p) => fs.statSync(p).mtimeMs));
  return built >= Math.max(...SOURCES.map((s) => newestMtime(path.join(ROOT, s))));
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function tryLock(): boolean {
  fs.mkdirSync(path.dirname(LOCK), { recursive: true });
  try {
    fs.writeFileSync(LOCK, String(process.pid), { flag: 'wx' });
    return true;
  } catch {
    const holder = Number(fs.readFileSync(LOCK, 'utf8').trim());
    if (Number.isInteger(holder) && holder > 0 && alive(holder)) return false;
    fs.rmSync(LOCK, { force: true });
    return false;
  }
}

/** Builds dist/web when it is missing or older than its sources; waits while another process builds. */
export async function ensureWebBuilt(): Promise<void> {
  const deadline = Date.now() + 180_000;
  while (!fresh()) {
    if (tryLock()) {
      try {
        if (!fresh()) await build({ configFile: path.join(ROOT, 'vite.config.ts'), logLevel: 'warn' });
      } finally {
        fs.rmSync(LOCK, { force: true });
      }
      return;
    }
    if (Date.now() > deadline) throw new Error('dist/web 构建等待超时（另一进程持有构建锁）');
    await new Promise((r) => setTimeout(r, 250));
  }
}
