// The opaque cursor of the sessions list (keyset paging, newest first): where the previous page
// ended, as the creation time in whole microseconds since 1970 and the id. A client never reads it.

export interface ListPosition {
  /** created_at in microseconds since the epoch (PostgreSQL's precision), as decimal digits */
  createdAtMicros: string;
  id: number;
}

export function encodeListCursor(p: ListPosition): string {
  return Buffer.from(`${p.createdAtMicros}:${p.id}`).toString('base64url');
}

/** The position in a cursor, or null for anything encodeListCursor did not make. */
export function decodeListCursor(cursor: string): ListPosition | null {
  const text = Buffer.from(cursor, 'base64url').toString('latin1');
  const m = /^(-?\d{1,18}):(\d{1,10})$/.exec(text);
  if (!m || encodeListCursor({ createdAtMicros: m[1] as string, id: Number(m[2]) }) !== cursor) return null;
  const id = Number(m[2]);
  return id >= 1 && id <= 2147483647 ? { createdAtMicros: m[1] as string, id } : null;
}
