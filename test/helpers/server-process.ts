// The real server (tsx server/main.ts) as a child process against a test database: for tests that
// must see what the process writes (logs) or kill it (crash drills).
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export interface ServerProcess {
  url: string;
  /** the server process's pid (tsx's child; its process group holds the server and what it spawned) */
  pid(): number | undefined;
  /** how the process ended without being asked to by kill() or stop(), if it did */
  unexpectedExit(): string | undefined;
  /** everything the process wrote to stdout and stderr so far, across restarts */
  output(): string;
  /** SIGKILL, and wait until the process is gone */
  kill(): Promise<void>;
  /** start again on the same port, after a kill */
  restart(): Promise<void>;
  /** SIGTERM (graceful), and wait */
  stop(): Promise<void>;
}

export interface ServerOptions {
  /** DATABASE_URL; without it the server starts its embedded PostgreSQL (give DATA_DIR in env) */
  databaseUrl?: string;
  logLevel: string;
  /** further environment variables, e.g. DATA_DIR and EMBEDDED_PG_PORT */
  env?: Record<string, string>;
}

export async function startServer(opts: ServerOptions): Promise<ServerProcess> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const chunks: string[] = [];
  let child: ChildProcess | undefined;
  let asked = false;
  let unexpected: string | undefined;

  const launch = async () => {
    const c = spawn(path.join(ROOT, 'node_modules/.bin/tsx'), ['server/main.ts'], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        ...(opts.databaseUrl === undefined ? {} : { DATABASE_URL: opts.databaseUrl }),
        PORT: String(port),
        HOST: '127.0.0.1',
        PUBLIC_URL: url,
        LOG_LEVEL: opts.logLevel,
        ...opts.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group: tsx runs the server in a child process, and a kill must reach both.
      detached: true,
    });
    c.stdout?.on('data', (d: Buffer) => chunks.push(d.toString('utf8')));
    c.stderr?.on('data', (d: Buffer) => chunks.push(d.toString('utf8')));
    child = c;
    asked = false;
    const reap = () => signalGroup(c, 'SIGKILL');
    process.once('exit', reap);
    c.once('exit', (code, signal) => {
      process.removeListener('exit', reap);
      if (!asked) unexpected ??= signal ?? `exit code ${String(code)}`;
    });
    try {
      await waitUntilUp(url, c);
    } catch (err) {
      // a server that never came up must not outlive the test
      asked = true;
      signalGroup(c, 'SIGKILL');
      throw err;
    }
  };

  const exited = (c: ChildProcess) =>
    c.exitCode !== null || c.signalCode !== null
      ? Promise.resolve()
      : new Promise<void>((r) => c.once('exit', () => r()));

  await launch();
  return {
    url,
    pid: () => child?.pid,
    unexpectedExit: () => unexpected,
    output: () => chunks.join(''),
    async kill() {
      if (!child) return;
      const c = child;
      asked = true;
      signalGroup(c, 'SIGKILL');
      await exited(c);
      await waitUntilDown(url);
    },
    restart: launch,
    async stop() {
      if (!child) return;
      const c = child;
      asked = true;
      signalGroup(c, 'SIGTERM');
      await exited(c);
      await waitUntilDown(url);
    },
  };
}

function signalGroup(c: ChildProcess, signal: NodeJS.Signals): void {
  if (c.pid === undefined) return;
  try {
    process.kill(-c.pid, signal);
  } catch {
    // already gone
  }
}

async function waitUntilDown(url: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    try {
      await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(1000) });
    } catch {
      return;
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error('server still answering after it was stopped');
}

async function waitUntilUp(url: string, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 1200; i++) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    try {
      const res = await fetch(`${url}/api/health`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('server did not start within 60 s');
}
