// What the phone remembers about one slip, in localStorage, so that a reload or a crash during
// submission resumes the same submission (same clientId) instead of losing or doubling the vote.
// The key is a hash of the token, salted so it differs from the hash the server stores; the
// answers are dropped as soon as the receipt arrives, so the phone does not keep the choices.

export type Answers = Record<string, string>;

export interface SessionMeta {
  /** the session's random public id ('' in a record saved before there was one) */
  publicId: string;
  title: string;
  villageName: string;
}

export interface SlipRecord extends SessionMeta {
  /** set before the first submit attempt, kept until a definite answer */
  clientId?: string;
  answers?: Answers;
  /** set once the server acknowledged the ballot */
  receipt?: string;
}

const PREFIX = 'vre-ballot:';

function hex(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) out += (bytes[i] as number).toString(16).padStart(2, '0');
  return out;
}

/** FNV-1a, twice with different seeds: enough to tell slips apart on one phone. */
function smallHash(text: string): string {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ 0x5bd1e995;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193) >>> 0;
    b = Math.imul(b ^ c, 0x5bd1e995) >>> 0;
  }
  return a.toString(16).padStart(8, '0') + b.toString(16).padStart(8, '0');
}

export async function storageKey(token: string): Promise<string> {
  const text = 'vre-ballot-slip:' + token;
  // crypto.subtle exists only on https (and localhost); plain http falls back to the small hash.
  const subtle = typeof crypto !== 'undefined' ? crypto.subtle : undefined;
  if (subtle && typeof TextEncoder === 'function') {
    try {
      const digest = await subtle.digest('SHA-256', new TextEncoder().encode(text));
      return PREFIX + hex(new Uint8Array(digest)).slice(0, 32);
    } catch {
      // fall through
    }
  }
  return PREFIX + smallHash(text);
}

/** 128 random bits as hex: the same id is sent on every retry of one submission. */
export function newClientId(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return hex(bytes);
}

function store(): Storage | null {
  try {
    return typeof localStorage !== 'undefined' ? localStorage : null;
  } catch {
    return null;
  }
}

export function loadRecord(key: string): SlipRecord | null {
  try {
    const raw = store()?.getItem(key);
    if (!raw) return null;
    const rec = JSON.parse(raw) as SlipRecord & { sessionId?: unknown };
    if (!rec || typeof rec !== 'object') return null;
    // a record saved by the page before public ids (keyed by sessionId) still resumes its submission
    if (typeof rec.publicId === 'string') return rec;
    return typeof rec.sessionId === 'number' ? { ...rec, publicId: '' } : null;
  } catch {
    return null;
  }
}

/** Best effort: private mode or a full disk must not stop the vote. */
export function saveRecord(key: string, rec: SlipRecord): void {
  try {
    store()?.setItem(key, JSON.stringify(rec));
  } catch {
    // ignore
  }
}

export function removeRecord(key: string): void {
  try {
    store()?.removeItem(key);
  } catch {
    // ignore
  }
}

/** Receipts this phone received for one session, to prefill the receipt check. */
export function receiptsOfSession(publicId: string): string[] {
  const s = store();
  const out: string[] = [];
  if (!s) return out;
  try {
    for (let i = 0; i < s.length; i++) {
      const key = s.key(i);
      if (!key || key.indexOf(PREFIX) !== 0) continue;
      const rec = loadRecord(key);
      if (rec && rec.publicId === publicId && rec.receipt) out.push(rec.receipt);
    }
  } catch {
    // ignore
  }
  return out;
}
