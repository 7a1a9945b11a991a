// The audit chain: each entry's hash = SHA-256(previous hash ‖ canonical JSON of the entry).
import crypto from 'node:crypto';

export const GENESIS_HASH = Buffer.alloc(32, 0);

export interface AuditContent {
  at: string; // ISO 8601 with milliseconds, UTC
  actorId: number | null;
  actorUsername: string;
  actorRole: string;
  regionId: number | null;
  action: string;
  objectType: string;
  objectId: string | null;
  detail: unknown;
}

/** JSON with object keys sorted at every depth, so the same content always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

export function chainHash(prev: Buffer, content: AuditContent): Buffer {
  return crypto.createHash('sha256').update(prev).update(canonicalJson(content), 'utf8').digest();
}
