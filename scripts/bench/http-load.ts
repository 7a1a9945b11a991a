// The HTTP load generator, run as its own process (so it does not share an event loop with the
// server): POST /api/ballots, each request a distinct slip. Raw keep-alive sockets with prebuilt
// requests keep the client's own CPU cost low on a 2-core machine (node:http costs ~2x more).
//   closed: N connections, each sending its next ballot as soon as the last reply arrived; replies
//           in the D s after a warm-up second are counted.
//   open:   `count` ballots at a fixed arrival rate, each on a new connection like separate phones;
//           latency counts from the scheduled arrival, so a slow server cannot hide its queue.
// Usage: node --import tsx scripts/bench/http-load.ts <job.json>; prints one JSON result line.
import fs from 'node:fs';
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { answersFor } from './answers.ts';
import { summarize } from './stats.ts';

export interface LoadJob {
  port: number;
  tokensFile: string;
  mode: 'closed' | 'open';
  connections: number;
  seconds: number;
  warmupSeconds: number;
  count: number;
  ratePerSecond: number;
}

export interface LoadResult {
  sent: number;
  completed: number;
  statuses: Record<string, number>;
  errors: number;
  elapsedMs: number;
  perSecond: number;
  latency: ReturnType<typeof summarize>;
  exhausted: boolean;
  /** open loop: the slowest 1% as [ms since the first arrival, latency ms], to see whether they cluster */
  slowest?: [number, number][];
}

function request(port: number, token: string, i: number): Buffer {
  const body = JSON.stringify({ token, clientId: `bench-${i}-${token.slice(0, 6)}`, answers: answersFor(i) });
  const len = Buffer.byteLength(body);
  return Buffer.from(
    `POST /api/ballots HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${len}\r\n\r\n${body}`,
  );
}

/** Length of the first complete response in buf (content-length or chunked), or -1. */
function responseLength(buf: Buffer): { length: number; status: number; close: boolean } | undefined {
  const end = buf.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  const head = buf.subarray(0, end).toString('latin1');
  const status = Number(head.slice(9, 12));
  const close = /\r\nconnection: *close/i.test(head);
  const cl = /\r\ncontent-length: *(\d+)/i.exec(head);
  if (cl) {
    const length = end + 4 + Number(cl[1]);
    return buf.length >= length ? { length, status, close } : undefined;
  }
  if (/\r\ntransfer-encoding: *chunked/i.test(head)) {
    const last = buf.indexOf('\r\n0\r\n\r\n', end);
    return last < 0 ? undefined : { length: last + 7, status, close };
  }
  return { length: end + 4, status, close };
}

class Connection {
  private socket: net.Socket | undefined;
  private buf: Buffer = Buffer.alloc(0);
  private pending: ((r: { status: number }) => void) | undefined;

  constructor(private readonly port: number) {}

  send(payload: Buffer): Promise<{ status: number }> {
    if (!this.socket || this.socket.destroyed) this.open();
    return new Promise((resolve) => {
      this.pending = resolve;
      this.socket!.write(payload);
    });
  }

  private open(): void {
    const socket = net.connect({ port: this.port, host: '127.0.0.1', noDelay: true });
    this.socket = socket;
    this.buf = Buffer.alloc(0);
    socket.on('data', (d: Buffer) => {
      this.buf = this.buf.length ? Buffer.concat([this.buf, d]) : d;
      const r = responseLength(this.buf);
      if (!r) return;
      this.buf = this.buf.subarray(r.length);
      if (r.close) socket.destroy();
      this.settle(r.status);
    });
    socket.on('error', () => undefined);
    socket.on('close', () => this.settle(0));
  }

  private settle(status: number): void {
    const done = this.pending;
    this.pending = undefined;
    done?.({ status });
  }

  close(): void {
    this.socket?.destroy();
  }
}

async function closedLoop(job: LoadJob, tokens: string[]): Promise<LoadResult> {
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let next = 0;
  let measured = 0;
  // The first second fills the server's pool and the JIT; only replies inside the window count.
  const from = performance.now() + job.warmupSeconds * 1000;
  const deadline = from + job.seconds * 1000;
  const worker = async () => {
    const conn = new Connection(job.port);
    while (performance.now() < deadline && next < tokens.length) {
      const i = next++;
      const payload = request(job.port, tokens[i] as string, i);
      const t0 = performance.now();
      const { status } = await conn.send(payload);
      const t1 = performance.now();
      statuses[status] = (statuses[status] ?? 0) + 1;
      if (t1 < from || t1 > deadline) continue;
      latencies.push(t1 - t0);
      if (status === 201) measured++;
    }
    conn.close();
  };
  await Promise.all(Array.from({ length: job.connections }, worker));
  return result(latencies, statuses, next, measured, job.seconds * 1000, next >= tokens.length);
}

async function openLoop(job: LoadJob, tokens: string[]): Promise<LoadResult> {
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  const count = Math.min(job.count, tokens.length);
  const payloads = Array.from({ length: count }, (_, i) => request(job.port, tokens[i] as string, i));
  const interval = 1000 / job.ratePerSecond;
  const start = performance.now() + 50;
  const one = async (i: number) => {
    const due = start + i * interval;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const conn = new Connection(job.port);
    const { status } = await conn.send(payloads[i] as Buffer);
    latencies.push(performance.now() - due);
    arrivals.push([Math.round(due - start), Math.round(performance.now() - due)]);
    statuses[status] = (statuses[status] ?? 0) + 1;
    conn.close();
  };
  const arrivals: [number, number][] = [];
  await Promise.all(Array.from({ length: count }, (_, i) => one(i)));
  const slowest = arrivals.sort((a, b) => b[1] - a[1]).slice(0, Math.ceil(count / 100));
  return {
    ...result(latencies, statuses, count, statuses['201'] ?? 0, performance.now() - start, count < job.count),
    slowest: slowest.sort((a, b) => a[0] - b[0]),
  };
}

function result(
  latencies: number[],
  statuses: Record<string, number>,
  sent: number,
  measured: number,
  elapsedMs: number,
  exhausted: boolean,
): LoadResult {
  const completed = statuses['201'] ?? 0;
  return {
    sent,
    completed,
    statuses,
    errors: sent - completed,
    elapsedMs,
    perSecond: measured / (elapsedMs / 1000),
    latency: summarize(latencies),
    exhausted,
  };
}

async function main(): Promise<void> {
  const job = JSON.parse(fs.readFileSync(process.argv[2] as string, 'utf8')) as LoadJob;
  const tokens = fs.readFileSync(job.tokensFile, 'utf8').split('\n').filter(Boolean);
  const res = job.mode === 'closed' ? await closedLoop(job, tokens) : await openLoop(job, tokens);
  process.stdout.write(JSON.stringify(res) + '\n');
}

void main();
