// Every environment variable the service reads is parsed and validated here, once. Nothing else
// in the code base reads process.env: the parsed Config is passed down.
import net from 'node:net';
import path from 'node:path';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface Config {
  port: number;
  host: string;
  /** External PostgreSQL; when absent the embedded server under dataDir is used. */
  databaseUrl: string | undefined;
  dataDir: string;
  /** Port of the embedded PostgreSQL (only used without DATABASE_URL). */
  embeddedPgPort: number;
  /** Base URL printed in QR codes, without a trailing slash. */
  publicUrl: string;
  redisUrl: string | undefined;
  /** Connections in the app's PostgreSQL pool. */
  pgPoolMax: number;
  /** Addresses of trusted reverse proxies, or false. Never `true`: clients would pick their IP. */
  trustProxy: string[] | false;
  logLevel: LogLevel;
  /** Addresses and networks allowed to scrape GET /metrics; undefined: no /metrics route at all. */
  metricsAllow: string[] | undefined;
}

export class ConfigError extends Error {}

const LOG_LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

function parsePort(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 65535) {
    throw new ConfigError(`${name} 必须是 1–65535 之间的整数，当前为 "${raw}"`);
  }
  return n;
}

function parseCount(name: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new ConfigError(`${name} 必须是 ${min}–${max} 之间的整数，当前为 "${raw}"`);
  }
  return n;
}

function parseUrl(name: string, raw: string | undefined, protocols: string[]): string | undefined {
  if (raw === undefined || raw === '') return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`${name} 不是合法的 URL："${raw}"`);
  }
  if (!protocols.includes(url.protocol)) {
    throw new ConfigError(`${name} 的协议必须是 ${protocols.join(' 或 ')}，当前为 "${url.protocol}"`);
  }
  return raw;
}

function parseTrustProxy(raw: string | undefined): string[] | false {
  if (raw === undefined || raw.trim() === '') return false;
  const list = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const item of list) {
    if (item === 'true' || item === '*') {
      throw new ConfigError(
        'TRUST_PROXY 必须列出代理服务器的地址（如 127.0.0.1,10.0.0.0/8），不能是 true：否则客户端可以伪造自己的 IP',
      );
    }
    if (!/^[0-9a-fA-F:.]+(\/\d{1,3})?$/.test(item) && !['loopback', 'linklocal', 'uniquelocal'].includes(item)) {
      throw new ConfigError(`TRUST_PROXY 中的 "${item}" 不是 IP 地址或网段`);
    }
  }
  return list;
}

/** METRICS_ALLOW: comma-separated IPs or CIDR networks, matched against the client address as
 * resolved with TRUST_PROXY (the proxy's own address when TRUST_PROXY is unset). */
function parseMetricsAllow(raw: string | undefined): string[] | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  const list = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const item of list) {
    const [address = '', prefix, extra] = item.split('/');
    const family = net.isIP(address);
    const bits = family === 6 ? 128 : 32;
    const prefixOk = prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= bits);
    if (family === 0 || !prefixOk || extra !== undefined) {
      throw new ConfigError(`METRICS_ALLOW 中的 "${item}" 不是 IP 地址或网段（如 127.0.0.1,10.0.0.0/8）`);
    }
  }
  return list;
}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const port = parsePort('PORT', env.PORT, 3000);
  const host = env.HOST && env.HOST !== '' ? env.HOST : '0.0.0.0';
  const logLevel = (env.LOG_LEVEL ?? 'info') as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ConfigError(`LOG_LEVEL 必须是 ${LOG_LEVELS.join('/')} 之一，当前为 "${env.LOG_LEVEL}"`);
  }
  const publicUrl = (
    parseUrl('PUBLIC_URL', env.PUBLIC_URL, ['http:', 'https:']) ??
    `http://${host === '0.0.0.0' || host === '::' ? 'localhost' : host}:${port}`
  ).replace(/\/+$/, '');
  return {
    port,
    host,
    databaseUrl: parseUrl('DATABASE_URL', env.DATABASE_URL, ['postgres:', 'postgresql:']),
    dataDir: path.resolve(env.DATA_DIR && env.DATA_DIR !== '' ? env.DATA_DIR : './data'),
    embeddedPgPort: parsePort('EMBEDDED_PG_PORT', env.EMBEDDED_PG_PORT, 54329),
    publicUrl,
    redisUrl: parseUrl('REDIS_URL', env.REDIS_URL, ['redis:', 'rediss:']),
    pgPoolMax: parseCount('PG_POOL_MAX', env.PG_POOL_MAX, 40, 1, 500),
    trustProxy: parseTrustProxy(env.TRUST_PROXY),
    logLevel,
    metricsAllow: parseMetricsAllow(env.METRICS_ALLOW),
  };
}
