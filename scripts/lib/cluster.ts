// The pieces of a local cluster for npm run drill:cluster: a scratch PostgreSQL, Redis, app
// instances as real processes and HAProxy in front, all on 127.0.0.1. Everything started here is
// registered with a Cleanup, which stops it and removes its directories on success, failure,
// Ctrl-C and timeout alike.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { startEmbeddedPostgres } from '../../server/db/embedded.ts';
import { freePort } from '../bench/db.ts';
import { sleep } from '../bench/stats.ts';

export const ROOT = path.resolve(import.meta.dirname, '../..');

export class Cleanup {
  private readonly steps: (() => Promise<void> | void)[] = [];
  private readonly children = new Set<ChildProcess>();
  private done: Promise<void> | undefined;

  add(step: () => Promise<void> | void): void {
    this.steps.push(step);
  }

  /** A child that must not outlive us, even if we exit without running the steps. */
  track(child: ChildProcess): void {
    this.children.add(child);
    child.once('exit', () => this.children.delete(child));
  }

  /** Kill what is left at once: for process.on('exit'), where nothing asynchronous runs. */
  killAll(): void {
    for (const c of this.children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  }

  run(): Promise<void> {
    this.done ??= (async () => {
      for (const step of this.steps.reverse()) await Promise.resolve(step()).catch(() => undefined);
      this.killAll();
    })();
    return this.done;
  }
}

export function scratchDir(cleanup: Cleanup, prefix: string): string {
  const dir = fs.mkdtempSync(path.join('/tmp', prefix));
  // As root the embedded PostgreSQL runs as the OS user postgres, which must reach its data dir.
  fs.chmodSync(dir, 0o755);
  cleanup.add(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A scratch PostgreSQL with default durability (fsync, synchronous_commit, full_page_writes on). */
export async function startPostgres(cleanup: Cleanup, dir: string): Promise<string> {
  const pg = await startEmbeddedPostgres({
    dataDir: dir,
    port: await freePort(),
    settings: { max_connections: '200' },
  });
  cleanup.add(() => pg.stop());
  return pg.url;
}

function redisAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port }, () => socket.write('PING\r\n'));
    socket.setTimeout(1000, () => socket.destroy());
    socket.once('data', (d) => {
      resolve(d.toString().startsWith('+PONG'));
      socket.destroy();
    });
    socket.once('error', () => resolve(false));
    socket.once('close', () => resolve(false));
  });
}

/** REDIS_URL: the machine's Redis on 6379 if it answers, else a scratch redis-server, else undefined. */
export async function startRedis(cleanup: Cleanup, dir: string): Promise<{ url: string; note: string } | undefined> {
  if (await redisAnswers(6379)) return { url: 'redis://127.0.0.1:6379', note: 'the running Redis on 127.0.0.1:6379' };
  if (spawnSync('redis-server', ['--version']).status !== 0) return undefined;
  const port = await freePort();
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
    { stdio: 'ignore' },
  );
  cleanup.track(child);
  cleanup.add(() => stop(child));
  for (let i = 0; i < 100 && !(await redisAnswers(port)); i++) await sleep(50);
  if (!(await redisAnswers(port))) throw new Error('scratch redis-server did not answer');
  return { url: `redis://127.0.0.1:${port}`, note: `a scratch redis-server on port ${port}` };
}

async function stop(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill(signal);
  await Promise.race([exited, sleep(10_000)]);
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

export interface Instance {
  name: string;
  port: number;
  pid(): number | undefined;
  alive(): boolean;
  start(): Promise<void>;
  /** SIGKILL: no shutdown, no reply to anything in flight. */
  kill(): Promise<void>;
  output(): string;
}

/** One app instance: node --import tsx server/main.ts (no wrapper process, so a kill hits the server). */
export function instance(cleanup: Cleanup, name: string, port: number, env: Record<string, string>): Instance {
  let child: ChildProcess | undefined;
  let out = '';
  const alive = () => child !== undefined && child.exitCode === null && child.signalCode === null;
  const self: Instance = {
    name,
    port,
    pid: () => child?.pid,
    alive,
    output: () => out,
    async start() {
      const c = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
        cwd: ROOT,
        env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env, PORT: String(port), HOST: '127.0.0.1' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child = c;
      cleanup.track(c);
      c.stdout?.on('data', (d) => (out = (out + d).slice(-8000)));
      c.stderr?.on('data', (d) => (out = (out + d).slice(-8000)));
      for (let i = 0; ; i++) {
        if (!alive()) throw new Error(`instance ${name} exited during start:\n${out}`);
        if (i > 1200) throw new Error(`instance ${name} not ready after 60 s:\n${out}`);
        const ok = await fetch(`http://127.0.0.1:${port}/api/health`)
          .then((r) => r.ok)
          .catch(() => false);
        if (ok) return;
        await sleep(50);
      }
    },
    async kill() {
      if (child) await stop(child, 'SIGKILL');
    },
  };
  cleanup.add(async () => {
    if (child) await stop(child);
  });
  return self;
}

function haproxyBinary(): string {
  if (spawnSync('haproxy', ['-v']).status === 0) return 'haproxy';
  // Debian's package, installed only when missing (and only as root).
  if (process.getuid?.() === 0) {
    spawnSync('sh', ['-c', 'apt-get update && apt-get install -y haproxy'], { stdio: 'inherit' });
    if (spawnSync('haproxy', ['-v']).status === 0) return 'haproxy';
  }
  throw new Error('haproxy is not installed: apt-get update && apt-get install -y haproxy');
}

export function haproxyVersion(): string {
  return /HAProxy version (\S+)/.exec(spawnSync('haproxy', ['-v'], { encoding: 'utf8' }).stdout)?.[1] ?? '?';
}

/** HAProxy with one frontend per backend: frontends[name] = the instances it balances over. */
export async function startHaproxy(
  cleanup: Cleanup,
  dir: string,
  frontends: { name: string; port: number; servers: Instance[] }[],
): Promise<void> {
  const bin = haproxyBinary();
  const lines = [
    'global',
    '  maxconn 4096',
    'defaults',
    '  mode http',
    '  timeout connect 2s',
    '  timeout client 30s',
    '  timeout server 30s',
    '  option forwardfor',
    // A connection refused by a dead instance is retried on another one; a request already sent
    // is not (retry-on defaults to connect failures): the client's own retry covers that.
    '  retries 2',
    '  option redispatch',
    // A health check may be slow on a busy machine without the instance being down: allow it 10 s
    // (by default it must answer within `inter`). A dead instance refuses at once anyway.
    '  timeout check 10s',
    '  default-server inter 1s fall 3 rise 2',
  ];
  for (const fe of frontends) {
    lines.push(`frontend fe_${fe.name}`, `  bind 127.0.0.1:${fe.port}`, `  default_backend be_${fe.name}`);
    lines.push(`backend be_${fe.name}`, '  balance roundrobin', '  option httpchk GET /api/health');
    for (const s of fe.servers) lines.push(`  server ${s.name} 127.0.0.1:${s.port} check`);
  }
  const cfg = path.join(dir, 'haproxy.cfg');
  fs.writeFileSync(cfg, lines.join('\n') + '\n');
  const check = spawnSync(bin, ['-c', '-q', '-f', cfg], { encoding: 'utf8' });
  if (check.status !== 0) throw new Error(`haproxy.cfg rejected:\n${check.stderr}`);
  let out = '';
  const child = spawn(bin, ['-db', '-f', cfg], { stdio: ['ignore', 'pipe', 'pipe'] });
  cleanup.track(child);
  cleanup.add(() => stop(child));
  child.stderr?.on('data', (d) => (out = (out + d).slice(-4000)));
  for (const fe of frontends) {
    for (let i = 0; ; i++) {
      if (child.exitCode !== null) throw new Error(`haproxy exited:\n${out}`);
      if (i > 200) throw new Error(`haproxy frontend ${fe.name} not answering:\n${out}`);
      const ok = await fetch(`http://127.0.0.1:${fe.port}/api/health`)
        .then((r) => r.ok)
        .catch(() => false);
      if (ok) break;
      await sleep(50);
    }
  }
}
