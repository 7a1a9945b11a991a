// npm run build: the server and the command-line scripts compiled by tsc (tsconfig.build.json), one
// .js per .ts, into dist/server and dist/scripts; the console and the ballot page built by vite
// (vite.config.ts) into dist/web. Built into dist.next/ and swapped in whole, so a failed build
// leaves the previous dist/ as it was. Plain JavaScript: it runs before anything is compiled, and
// on a production install (npm ci --omit=dev), where start.js and run.js only read its state.
//
// dist/.built is written last; the build is stale when any source is newer than it (git sets a
// pulled file's time to the pull), so `npm start` rebuilds after an update wherever the build tools
// are installed.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const DIST = path.join(ROOT, 'dist');
const NEXT = path.join(ROOT, 'dist.next');
const STAMP = path.join(DIST, '.built');
// Shared with test/helpers/web-build.ts: one builder of dist/ at a time.
const LOCK = path.join(ROOT, 'node_modules/.cache/vre-build.lock');

/** What the build is made from (sql/ is not: the server reads it from the package root). */
const SOURCES = [
  'server',
  'scripts',
  'web/src',
  'web/index.html',
  'web/ballot.html',
  'web/public',
  'package.json',
  'package-lock.json',
  'tsconfig.json',
  'tsconfig.build.json',
  'vite.config.ts',
];

/** The files a built tree must have to start and to run the command-line scripts. */
const OUTPUTS = ['server/main.js', 'scripts/migrate.js', 'web/index.html', 'web/ballot.html'];

function newestMtime(p) {
  let stat;
  try {
    stat = fs.statSync(p);
  } catch {
    return 0;
  }
  if (!stat.isDirectory()) return stat.mtimeMs;
  // files only: a directory's time changes when a copy (tar, cp) recreates it
  let newest = 0;
  for (const name of fs.readdirSync(p)) newest = Math.max(newest, newestMtime(path.join(p, name)));
  return newest;
}

/** 'missing' (no complete build), 'stale' (a source is newer than the build) or 'fresh'. */
export function buildState() {
  if (!fs.existsSync(STAMP) || !OUTPUTS.every((f) => fs.existsSync(path.join(DIST, f)))) return 'missing';
  const built = fs.statSync(STAMP).mtimeMs;
  return SOURCES.some((s) => newestMtime(path.join(ROOT, s)) > built) ? 'stale' : 'fresh';
}

/** The build tools are devDependencies: absent after `npm ci --omit=dev`. */
export function canBuild() {
  return ['node_modules/typescript/bin/tsc', 'node_modules/vite/bin/vite.js'].every((f) =>
    fs.existsSync(path.join(ROOT, f)),
  );
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
}

/** Takes the build lock, or returns false while another live process holds it. */
function tryLock() {
  fs.mkdirSync(path.dirname(LOCK), { recursive: true });
  try {
    fs.writeFileSync(LOCK, String(process.pid), { flag: 'wx' });
    return true;
  } catch {
    const holder = Number.parseInt(fs.readFileSync(LOCK, 'utf8'), 10);
    if (!(Number.isInteger(holder) && holder > 0 && alive(holder))) fs.rmSync(LOCK, { force: true });
    return false;
  }
}

function step(label, file, args) {
  process.stderr.write(`构建：${label}\n`);
  const r = spawnSync(process.execPath, [path.join(ROOT, file), ...args], { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`${label}失败（退出码 ${r.status ?? r.signal}），dist/ 保持原样`);
}

function buildNow() {
  fs.rmSync(NEXT, { recursive: true, force: true });
  step('编译服务端和命令行脚本（tsc）', 'node_modules/typescript/bin/tsc', [
    '-p',
    'tsconfig.build.json',
    '--outDir',
    NEXT,
  ]);
  step('构建控制台和测评页面（vite）', 'node_modules/vite/bin/vite.js', [
    'build',
    '--logLevel',
    'warn',
    '--outDir',
    path.join(NEXT, 'web'),
  ]);
  fs.writeFileSync(path.join(NEXT, '.built'), `${new Date().toISOString()}\n`);
  const old = `${DIST}.old`;
  fs.rmSync(old, { recursive: true, force: true });
  if (fs.existsSync(DIST)) fs.renameSync(DIST, old);
  fs.renameSync(NEXT, DIST);
  fs.rmSync(old, { recursive: true, force: true });
}

/** Builds dist/ (waiting while another process builds it). With onlyIfNeeded, a build another
 * process just finished is not repeated. */
export async function build({ onlyIfNeeded = false } = {}) {
  const deadline = Date.now() + 10 * 60_000;
  for (;;) {
    if (tryLock()) {
      try {
        if (!onlyIfNeeded || buildState() !== 'fresh') buildNow();
      } finally {
        fs.rmSync(LOCK, { force: true });
      }
      return;
    }
    if (Date.now() > deadline) throw new Error(`等待另一进程构建超时（锁文件 ${LOCK}）`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  if (!canBuild()) {
    process.stderr.write('构建失败：未安装构建工具（typescript、vite）。请先运行 npm ci（含开发依赖）。\n');
    process.exit(1);
  }
  try {
    await build();
    process.stderr.write(`构建完成：${path.relative(process.cwd(), DIST) || '.'}/\n`);
  } catch (err) {
    process.stderr.write(`构建失败：${err.message}\n`);
    process.exit(1);
  }
}
