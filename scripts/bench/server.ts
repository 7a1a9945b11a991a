// The real server (server/main.ts: loadConfig → connect → buildApp → listen) in a child process.
// It is started with `node --import tsx` rather than the tsx binary, which would put a wrapper
// process between us and the server: the pid we sample for memory must be the server itself.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './db.ts';
import { sleep } from './stats.ts';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface RunningServer {
  pid: number;
  port: number;
  baseUrl: string;
  env: Record<string, string>;
  stop(): Promise<void>;
}

export async function startServer(opts: {
  databaseUrl: string;
  poolMax: number;
  cpuProfDir?: string;
}): Promise<RunningServer> {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const env = {
    DATABASE_URL: opts.databaseUrl,
    PORT: String(port),
    HOST: '127.0.0.1',
    PUBLIC_URL: baseUrl,
    LOG_LEVEL: 'warn',
    PG_POOL_MAX: String(opts.poolMax),
  };
  const flags = opts.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${opts.cpuProfDir}`] : [];
  const child: ChildProcess = spawn(process.execPath, [...flags, '--import', 'tsx', 'server/main.ts'], {
    cwd: ROOT,
    env: { ...process.env, REDIS_URL: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d) => (output = (output + d).slice(-8000)));
  child.stderr?.on('data', (d) => (output = (output + d).slice(-8000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`server exited during start:\n${output}`);
    if (i > 1200) {
      child.kill('SIGKILL');
      throw new Error(`server not ready after 120 s:\n${output}`);
    }
    const ok = await fetch(`${baseUrl}/api/health`)
      .then((r) => r.ok)
      .catch(() => false);
    if (ok) break;
    await sleep(100);
  }
  return {
    pid: child.pid as number,
    port,
    baseUrl,
    env,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await Promise.race([exited, sleep(10_000)]);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      if (/error|fatal/i.test(output)) process.stderr.write(`server output (warn and above):\n${output}\n`);
    },
  };
}

/** Resident set of a process in MiB: now (VmRSS) and its peak so far (VmHWM). */
export function memoryOf(pid: number): { rss: number; peak: number } {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
}

/** Samples the process's RSS every `ms` until stopped; returns the highest sample in MiB. */
export function sampleRss(pid: number, ms = 200): () => number {
  let max = 0;
  const timer = setInterval(() => {
    try {
      max = Math.max(max, memoryOf(pid).rss);
    } catch {
      clearInterval(timer);
    }
  }, ms);
  return () => {
    clearInterval(timer);
    try {
      max = Math.max(max, memoryOf(pid).rss);
    } catch {
      // the process is gone: keep what was sampled
    }
    return max;
  };
}

/** CPU time a process has used so far (user + system), in ms, from /proc/PID/stat. */
export function cpuMsOf(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  // fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks * 1000) / CLOCK_TICKS;
}

/** USER_HZ: 100 on every Linux architecture Node runs on (getconf CLK_TCK). */
const CLOCK_TICKS = 100;
