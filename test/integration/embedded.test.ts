// The start command as a user runs it, on the embedded PostgreSQL: first start on a new DATA_DIR,
// restart with the data kept, recovery after SIGKILL left the postmaster orphaned, and a clear
// one-line reason for each failure. main.ts is run by tsx directly: `npm start` runs the same code
// compiled into dist/, which CI starts after npm ci --omit=dev (.ci/run). As root the embedded server runs as the OS user
// `postgres`; when it cannot reach this checkout the first test fails with the server's message.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const TSX = path.join(ROOT, 'node_modules/.bin/tsx');
// A guard against a hung start, not a measurement: generous for a busy machine.
const STEP = 120_000;

interface Run {
  proc: ChildProcess;
  out: string;
  err: string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

let tmp: string;
let dataDir: string;
let pgPort: number;
let demoAdmin: { username: string; password: string };
let killNext: Run | undefined;
const runs: Run[] = [];

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** A listener holding a port, as another program would. */
async function occupy(): Promise<{ port: number; close(): Promise<void> }> {
  const srv = net.createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const { port } = srv.address() as net.AddressInfo;
  return { port, close: () => new Promise((resolve) => srv.close(() => resolve())) };
}

/** The environment of a user who set only these variables. */
function envWith(vars: Record<string, string>): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of ['DATABASE_URL', 'REDIS_URL', 'TRUST_PROXY', 'PUBLIC_URL', 'TEST_DATABASE_URL']) delete env[name];
  return { ...env, HOST: '127.0.0.1', LOG_LEVEL: 'warn', DATA_DIR: dataDir, EMBEDDED_PG_PORT: String(pgPort), ...vars };
}

function launch(args: string[], vars: Record<string, string>): Run {
  const proc = spawn(TSX, args, { cwd: ROOT, env: envWith(vars), stdio: ['ignore', 'pipe', 'pipe'] });
  const run: Run = {
    proc,
    out: '',
    err: '',
    exit: new Promise((resolve) => proc.once('exit', (code, signal) => resolve({ code, signal }))),
  };
  proc.stdout?.on('data', (d: Buffer) => (run.out += d.toString()));
  proc.stderr?.on('data', (d: Buffer) => (run.err += d.toString()));
  runs.push(run);
  return run;
}

/** Starts the server and resolves once it printed its URL; fails with its stderr if it exits first. */
async function startServer(port: number, vars: Record<string, string> = {}): Promise<{ run: Run; url: string }> {
  const run = launch(['server/main.ts'], { PORT: String(port), ...vars });
  const url = `http://127.0.0.1:${port}`;
  const printed = new Promise<void>((resolve) => {
    const check = () => run.out.includes(`${url}/`) && resolve();
    run.proc.stdout?.on('data', check);
  });
  const ended = run.exit.then(({ code }) => {
    throw new Error(`server exited (status ${code}) before printing ${url}/: ${run.err.trim()}`);
  });
  await Promise.race([printed, ended]);
  return { run, url };
}

/** Runs a start expected to fail and returns its stderr lines; one that starts instead is stopped. */
async function failedStart(vars: Record<string, string>): Promise<string[]> {
  const run = launch(['server/main.ts'], { PORT: String(await freePort()), ...vars });
  run.proc.stdout?.on('data', () => run.out.includes('http://') && run.proc.kill('SIGTERM'));
  expect(await run.exit, `expected a failed start, got:\n${run.out}`).toEqual({ code: 1, signal: null });
  return run.err.trim().split('\n');
}

const running = (run: Run) => run.proc.exitCode === null && run.proc.signalCode === null;

/** SIGTERM, as Ctrl-C or a service manager would; a no-op for a run that already ended. */
async function stop(run: Run) {
  if (running(run)) run.proc.kill('SIGTERM');
  return run.exit;
}

function postmasterPid(): number | undefined {
  const file = path.join(dataDir, 'pg', 'postmaster.pid');
  return fs.existsSync(file) ? Number.parseInt(fs.readFileSync(file, 'utf8'), 10) : undefined;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function login(url: string, account: { username: string; password: string }): Promise<number> {
  const res = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: account.username, password: account.password }),
  });
  return res.status;
}

function seedDemoJson(): { accounts: { username: string; password: string; role: string }[] } {
  const r = spawnSync(TSX, ['scripts/seed-demo.ts', '--json'], {
    cwd: ROOT,
    env: envWith({}),
    encoding: 'utf8',
    timeout: STEP,
  });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
}

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vre-embedded-'));
  fs.chmodSync(tmp, 0o755);
  dataDir = path.join(tmp, 'data'); // not created yet: the first start creates it, as with ./data
  pgPort = await freePort();
});

afterAll(async () => {
  for (const run of runs) await stop(run);
  const pid = postmasterPid();
  if (pid !== undefined && alive(pid)) {
    process.kill(pid, 'SIGINT');
    for (let i = 0; i < 100 && alive(pid); i++) await new Promise((r) => setTimeout(r, 100));
  }
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe.sequential('npm start on the embedded PostgreSQL', () => {
  it(
    'starts on a new DATA_DIR, prints the URL and how to log in, and answers /api/health',
    { timeout: STEP },
    async () => {
      const { run, url } = await startServer(await freePort());
      const pid = postmasterPid() as number;
      try {
        expect(run.out).toContain('npm run seed:demo');
        const res = await fetch(`${url}/api/health`);
        expect({ status: res.status, body: await res.json() }).toEqual({ status: 200, body: { status: 'ok' } });
        expect(alive(pid)).toBe(true);
      } finally {
        expect(await stop(run)).toEqual({ code: 0, signal: null });
      }
      expect(alive(pid)).toBe(false);
      expect(postmasterPid()).toBeUndefined();
    },
  );

  it('seeds the demo data into the stopped embedded database', { timeout: STEP }, () => {
    const seeded = seedDemoJson();
    expect(seeded.accounts.map((a) => a.role)).toEqual([
      'admin',
      'city',
      'county',
      'township',
      'township',
      'village',
      'department',
    ]);
    demoAdmin = seeded.accounts[0] as { username: string; password: string };
    expect(postmasterPid()).toBeUndefined();
  });

  it(
    'keeps the data across a restart and shares the database with seed:demo while running',
    { timeout: STEP },
    async () => {
      const started = await startServer(await freePort());
      const pid = postmasterPid() as number;
      try {
        expect(await login(started.url, demoAdmin)).toBe(200);
        expect(seedDemoJson().accounts[0]).toEqual({ ...demoAdmin, role: 'admin', regionId: expect.any(Number) });
        expect(alive(pid)).toBe(true);
        expect((await fetch(`${started.url}/api/health`)).status).toBe(200);
      } catch (err) {
        await stop(started.run);
        throw err;
      }
      killNext = started.run; // left running for the next test
    },
  );

  it(
    'recovers on its own after a SIGKILL left the postmaster orphaned, with the data intact',
    { timeout: STEP },
    async () => {
      expect(killNext, 'needs the server left running by the previous test').toBeDefined();
      const orphan = postmasterPid() as number;
      // SIGKILL the server process itself: tsx runs it as a child, whose pid it records in owner.pid.
      process.kill(Number.parseInt(fs.readFileSync(path.join(dataDir, 'owner.pid'), 'utf8'), 10), 'SIGKILL');
      await killNext?.exit;
      expect(alive(orphan)).toBe(true);
      const { run, url } = await startServer(await freePort());
      try {
        expect(alive(orphan)).toBe(false);
        expect(await login(url, demoAdmin)).toBe(200);
      } finally {
        expect(await stop(run)).toEqual({ code: 0, signal: null });
      }
      expect(postmasterPid()).toBeUndefined();
    },
  );

  it('exits 1 with one line naming PORT when that port is taken', { timeout: STEP }, async () => {
    const other = await occupy();
    try {
      const lines = await failedStart({ PORT: String(other.port) });
      expect(lines).toEqual([`启动失败：端口 ${other.port} 已被占用：请关闭占用该端口的程序，或设置 PORT 换一个端口`]);
    } finally {
      await other.close();
    }
    expect(postmasterPid()).toBeUndefined();
  });

  it('exits 1 with one line naming EMBEDDED_PG_PORT when that port is taken', { timeout: STEP }, async () => {
    const other = await occupy();
    try {
      const lines = await failedStart({ EMBEDDED_PG_PORT: String(other.port) });
      expect(lines).toEqual([
        `启动失败：内置数据库端口 ${other.port} 已被占用：请关闭占用该端口的程序，或设置 EMBEDDED_PG_PORT 换一个端口`,
      ]);
    } finally {
      await other.close();
    }
  });

  it('exits 1 with one line naming DATA_DIR when it lies under a regular file', { timeout: STEP }, async () => {
    const file = path.join(tmp, 'a-file');
    fs.writeFileSync(file, '');
    const dir = path.join(file, 'data');
    const lines = await failedStart({ DATA_DIR: dir });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^启动失败：.*数据目录/);
    expect(lines[0]).toContain(dir);
  });

  it('exits 1 with one line naming DATA_DIR when the database cannot enter it', { timeout: STEP }, async () => {
    const dir = path.join(tmp, 'locked');
    // As root: a directory only root may enter (postgres runs the database); otherwise a read-only one.
    fs.mkdirSync(dir, { mode: process.getuid?.() === 0 ? 0o700 : 0o500 });
    const lines = await failedStart({ DATA_DIR: dir });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^启动失败：/);
    expect(lines[0]).toContain(dir);
  });
});
