// The two non-throughput targets: the ballot page's shipped bytes, and the time to produce a sheet
// of 1,000 slips (the issuing request on the server plus 1,000 QR codes as SVG, which the console
// draws from the returned URLs).
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import zlib from 'node:zlib';
import QRCode from 'qrcode';
import { median } from './stats.ts';

export interface BundleAsset {
  file: string;
  /** bytes of the file itself, and gzipped with level 9 (CI's measure, scripts/measure-ballot-bundle.ts) */
  raw: number;
  gzip: number;
  /** Content-Encoding of the server's reply to `Accept-Encoding: gzip, br` (null: sent uncompressed) */
  encoding: string | null;
  /** bytes on the wire: the body as the server sent it */
  wire: number;
}

export interface BundleSize {
  files: BundleAsset[];
  raw: number;
  gzip: number;
  wire: number;
}

/** Why the ballot page could not be measured (said in the report, never taken for "uncompressed"). */
export interface BundleNotMeasured {
  notMeasured: string;
}

const PAGE_ASSET = /(?:src|href)="\/assets\/([^"]+)"/g;
// static imports only (`import … from"./x.js"`, `import"./x.js"`); dynamic import() loads later
const STATIC_IMPORT = /(?:from|import)\s*"\.\/([\w.-]+\.(?:js|css))"/g;

function get(url: string): Promise<{ status: number; encoding: string | null; body: Buffer }> {
  // node:http rather than fetch, which would decode the body: the bytes on the wire are wanted.
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers: { 'accept-encoding': 'gzip, br' } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            encoding: (res.headers['content-encoding'] as string | undefined) ?? null,
            body: Buffer.concat(chunks),
          }),
        );
      })
      .on('error', reject);
  });
}

function decode(encoding: string | null, body: Buffer): Buffer {
  if (encoding === 'br') return zlib.brotliDecompressSync(body);
  if (encoding === 'gzip') return zlib.gunzipSync(body);
  if (encoding === null) return body;
  throw new Error(`unexpected Content-Encoding ${encoding}`);
}

/**
 * What a phone downloads to show the ballot page, asked of the running server: GET /v, then every
 * script and stylesheet it names and, transitively, their static imports, each with
 * `Accept-Encoding: gzip, br`. Sizes are of the files the server actually serves (whatever build
 * directory it serves them from), and the encoding is the server's answer: a server without a
 * web build answers 404 and the page is reported as not measured.
 */
export async function ballotBundle(baseUrl: string): Promise<BundleSize | BundleNotMeasured> {
  const page = await get(`${baseUrl}/v`);
  const html = decode(page.encoding, page.body).toString('utf8');
  if (page.status !== 200 || !html.includes('/assets/'))
    return { notMeasured: `the server answered GET /v with ${page.status}: it had no web build to serve` };
  const files: BundleAsset[] = [];
  const queue = [...html.matchAll(PAGE_ASSET)].map((m) => m[1] as string);
  const seen = new Set<string>();
  while (queue.length) {
    const file = queue.pop() as string;
    if (seen.has(file)) continue;
    seen.add(file);
    const r = await get(`${baseUrl}/assets/${file}`);
    if (r.status !== 200) return { notMeasured: `the server answered /assets/${file} with ${r.status}` };
    const plain = decode(r.encoding, r.body);
    files.push({
      file,
      raw: plain.length,
      gzip: zlib.gzipSync(plain, { level: 9 }).length,
      encoding: r.encoding,
      wire: r.body.length,
    });
    if (file.endsWith('.js'))
      for (const m of plain.toString('utf8').matchAll(STATIC_IMPORT)) queue.push(m[1] as string);
  }
  files.sort((a, b) => a.file.localeCompare(b.file));
  const sum = (key: 'raw' | 'gzip' | 'wire') => files.reduce((n, f) => n + f[key], 0);
  return { files, raw: sum('raw'), gzip: sum('gzip'), wire: sum('wire') };
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
