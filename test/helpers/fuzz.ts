// Malformed requests for every route: bad path parameters, bad JSON, bad field values (per field of
// the route's documented body), bad query values, foreign content types and oversized bodies.
import type { InjectOptions } from 'fastify';
import type { JsonSchema, OpenApiOperation, RouteEntry } from './routes.ts';

export interface FuzzRequest {
  label: string;
  options: InjectOptions;
}

const BAD_PARAMS = [
  '0',
  '-1',
  '2147483648',
  '99999999999999999999999',
  '1.5',
  'abc',
  '%00',
  '%F0%9F%98%80',
  '..%2F..%2Fetc%2Fpasswd',
  '%',
  '%E0%A4%A',
  'x'.repeat(300),
];

export const BAD_VALUES: unknown[] = [
  null,
  [],
  { $gt: '' },
  true,
  -1,
  2 ** 31,
  1e308,
  1.5,
  '',
  'x'.repeat(20_000),
  'a\u0000b',
  '😀\u202e测评\ud800',
];

const RAW_BODIES = [
  '{',
  '{"a":',
  '[]',
  'null',
  '"x"',
  '1',
  '\u0000',
  '\ufeff{}',
  '{"__proto__":{"admin":true}}',
  '{"constructor":{"prototype":{"admin":true}}}',
  `{"a":${'['.repeat(5000)}${']'.repeat(5000)}}`,
];

const FOREIGN_TYPES = [
  'text/plain',
  'application/xml',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/json; charset=utf-16',
  'image/png',
];

const IMPORT_BODIES: (string | Buffer)[] = [
  '',
  '\ufeff',
  'PK\u0003\u0004garbage-that-is-not-a-zip',
  '县,乡镇,村\n\u0000,\u0000,\u0000\n',
  `县,乡镇,村\n${'甲'.repeat(100_000)},乙,丙\n`,
  '"unterminated,quote\n',
  Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256)),
];

/** A plausible value for a schema, so that one bad field at a time reaches deeper checks. */
function plausible(schema: JsonSchema | undefined): unknown {
  if (!schema) return 'x';
  if (schema.const !== undefined) return schema.const;
  if (schema.enum?.length) return schema.enum[0];
  if (schema.anyOf?.length) return plausible(schema.anyOf[0]);
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'integer':
    case 'number':
      return Math.max(schema.minimum ?? 1, 1);
    case 'boolean':
      return true;
    case 'array':
      return [];
    case 'object':
      return Object.fromEntries(Object.entries(schema.properties ?? {}).map(([k, v]) => [k, plausible(v)]));
    default:
      return 'Fuzz_value1';
  }
}

export function fillPath(url: string, value: string): string {
  return url.replace(/:[A-Za-z_]+/g, value).replace(/\*$/, value);
}

/** All malformed requests for one route. `goodParam` fills path parameters when the body is under test. */
export function fuzzRequests(route: RouteEntry, op: OpenApiOperation | undefined, goodParam: string): FuzzRequest[] {
  const out: FuzzRequest[] = [];
  const method = route.method as InjectOptions['method'];
  const url = fillPath(route.url, goodParam);
  if (/[:*]/.test(route.url)) {
    for (const p of BAD_PARAMS)
      out.push({ label: `param ${p.slice(0, 20)}`, options: { method, url: fillPath(route.url, p) } });
  }
  for (const q of op?.parameters?.filter((p) => p.in === 'query') ?? []) {
    for (const v of ['', 'x'.repeat(2000), '%00', 'true', '-1', '%F0%9F%98%80']) {
      out.push({ label: `query ${q.name}=${v.slice(0, 10)}`, options: { method, url: `${url}?${q.name}=${v}` } });
    }
    out.push({ label: `query ${q.name} twice`, options: { method, url: `${url}?${q.name}=a&${q.name}=b` } });
  }
  out.push({ label: 'unknown query', options: { method, url: `${url}?zz=1&__proto__=x` } });
  if (method === 'GET' || method === 'HEAD') return out;

  const content = op?.requestBody?.content ?? {};
  const jsonSchema = content['application/json']?.schema;
  const fileTypes = Object.keys(content).filter((t) => t !== 'application/json');
  const json = (label: string, payload: string) =>
    out.push({ label, options: { method, url, payload, headers: { 'content-type': 'application/json' } } });

  for (const raw of RAW_BODIES) json(`raw ${raw.slice(0, 20)}`, raw);
  json('huge body', JSON.stringify({ x: 'y'.repeat(70 * 1024) }));
  const base = (plausible(jsonSchema ?? { type: 'object' }) ?? {}) as Record<string, unknown>;
  for (const field of Object.keys(jsonSchema?.properties ?? {})) {
    BAD_VALUES.forEach((v, i) => json(`${field} bad #${i}`, JSON.stringify({ ...base, [field]: v })));
  }
  json('unknown field', JSON.stringify({ ...base, zz_unknown: 1 }));
  for (const type of FOREIGN_TYPES) {
    out.push({ label: `type ${type}`, options: { method, url, payload: 'a=1', headers: { 'content-type': type } } });
  }
  out.push({ label: 'no content type', options: { method, url, payload: '{}', headers: { 'content-type': '' } } });
  for (const type of fileTypes) {
    const fileUrl = `${url}?filename=${type.includes('sheet') ? 'f.xlsx' : 'f.csv'}&dryRun=true`;
    const headers = { 'content-type': type };
    IMPORT_BODIES.forEach((payload, i) =>
      out.push({ label: `${type} body #${i}`, options: { method, url: fileUrl, payload, headers } }),
    );
    const oversized = Buffer.alloc(10 * 1024 * 1024 + 1, 0x61);
    out.push({ label: `${type} over 10 MiB`, options: { method, url: fileUrl, payload: oversized, headers } });
  }
  return out;
}
