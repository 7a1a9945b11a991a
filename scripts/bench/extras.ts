// The two non-throughput targets: the ballot page's shipped bytes, and the time to produce a sheet
// of 1,000 slips (the issuing request on the server plus 1,000 QR codes as SVG, which the console
// draws from the returned URLs).
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import zlib from 'node:zlib';
import QRCode from 'qrcode';
import { ROOT } from './server.ts';
import { median } from './stats.ts';

const SERVED_DIST = path.join(ROOT, 'web/dist');

export interface BundleSize {
  files: { file: string; raw: number; gzip: number }[];
  raw: number;
  gzip: number;
  /** Content-Encoding the server answers to `Accept-Encoding: gzip, br` (empty: uncompressed). */
  servedEncoding: string | null;
}

/** Every asset ballot.html loads: its scripts and stylesheets and, transitively, their static imports. */
function ballotAssets(dist: string): string[] {
  const html = fs.readFileSync(path.join(dist, 'ballot.html'), 'utf8');
  const found = new Set<string>();
  const queue = [...html.matchAll(/(?:src|href)="\/assets\/([^"]+)"/g)].map((m) => m[1] as string);
  while (queue.length) {
    const file = queue.pop() as string;
    if (found.has(file)) continue;
    found.add(file);
    if (!file.endsWith('.js')) continue;
    const code = fs.readFileSync(path.join(dist, 'assets', file), 'utf8');
    // static imports only (`import … from"./x.js"`, `import"./x.js"`); dynamic import() loads later
    for (const m of code.matchAll(/(?:from|import)\s*"\.\/([\w.-]+\.(?:js|css))"/g)) queue.push(m[1] as string);
  }
  return [...found].sort();
}

/** Sizes of the ballot page's assets in `dist` (a build of web/); how the server sends one of its own. */
export async function ballotBundle(dist: string, baseUrl: string | undefined): Promise<BundleSize | undefined> {
  if (!fs.existsSync(path.join(dist, 'ballot.html'))) return undefined;
  const files = ballotAssets(dist).map((file) => {
    const buf = fs.readFileSync(path.join(dist, 'assets', file));
    return { file, raw: buf.length, gzip: zlib.gzipSync(buf, { level: 9 }).length };
  });
  let servedEncoding: string | null = null;
  const served = fs.existsSync(path.join(SERVED_DIST, 'ballot.html'))
    ? ballotAssets(SERVED_DIST).find((f) => f.endsWith('.js'))
    : undefined;
  if (baseUrl && served) {
    const res = await fetch(`${baseUrl}/assets/${served}`, { headers: { 'accept-encoding': 'gzip, br' } });
    await res.arrayBuffer();
    servedEncoding = res.headers.get('content-encoding');
  }
  return {
    files,
    raw: files.reduce((sum, f) => sum + f.raw, 0),
    gzip: files.reduce((sum, f) => sum + f.gzip, 0),
    servedEncoding,
  };
}

export interface SheetTiming {
  /** POST /api/sessions/:id/slips {count: 1000}, median of the rounds, ms; undefined if the route is missing */
  issueMs: number | undefined;
  issueStatus: number;
  /** 1,000 × qrcode.toString(url, {type: 'svg'}), median, ms */
  qrMs: number;
  totalMs: number;
}

async function login(baseUrl: string, username: string, password: string): Promise<string> {
  const res = await fetch(`${baseUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (!res.ok) throw new Error(`login failed: ${res.status} ${await res.text()}`);
  return (res.headers.getSetCookie()[0] ?? '').split(';')[0] as string;
}

async function issueSlips(
  baseUrl: string,
  cookie: string,
  sessionId: number,
): Promise<{ ms: number; status: number; urls: string[] }> {
  const t0 = performance.now();
  const res = await fetch(`${baseUrl}/api/sessions/${sessionId}/slips`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie },
    body: JSON.stringify({ count: 1000 }),
  });
  const body = (await res.json()) as { slips?: { url: string }[] };
  return { ms: performance.now() - t0, status: res.status, urls: (body.slips ?? []).map((s) => s.url) };
}

async function qrSheet(urls: string[]): Promise<number> {
  const t0 = performance.now();
  for (const url of urls) await QRCode.toString(url, { type: 'svg' });
  return performance.now() - t0;
}

export async function slipSheet(opts: {
  baseUrl: string;
  username: string;
  password: string;
  sessionIds: number[];
}): Promise<SheetTiming> {
  const cookie = await login(opts.baseUrl, opts.username, opts.password);
  const issue: number[] = [];
  const qr: number[] = [];
  let status = 0;
  for (const sessionId of opts.sessionIds) {
    const r = await issueSlips(opts.baseUrl, cookie, sessionId);
    status = r.status;
    if (r.status === 201) issue.push(r.ms);
    // Without the route, the QR half is timed on URLs of the same shape and length.
    const urls = r.urls.length
      ? r.urls
      : Array.from({ length: 1000 }, (_, i) => `${opts.baseUrl}/v#${String(i).padStart(16, 'A')}`);
    qr.push(await qrSheet(urls));
  }
  const issueMs = issue.length ? median(issue) : undefined;
  const qrMs = median(qr);
  return { issueMs, issueStatus: status, qrMs, totalMs: (issueMs ?? Number.NaN) + qrMs };
}
