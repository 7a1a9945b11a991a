// The slip code: 16 characters from an alphabet without 0, 1, I and O, shown in groups of four.
// The plain token only ever lives in location.hash and in POST bodies, never in a URL we request.

export const ALPHABET = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';
export const TOKEN_LENGTH = 16;

/** Uppercase, without the spaces and dashes (full-width ones too) that phones insert when typing. */
export function normalizeCode(input: string): string {
  return input
    .normalize('NFKC')
    .replace(/[\s\-‐‑‒–—―－_·.]+/g, '')
    .toUpperCase();
}

export function isToken(code: string): boolean {
  if (code.length !== TOKEN_LENGTH) return false;
  for (const ch of code) if (ALPHABET.indexOf(ch) < 0) return false;
  return true;
}

/** Characters of the input that can never be part of a code, e.g. 0, O, 1, I. */
export function invalidChars(code: string): string[] {
  const bad: string[] = [];
  for (const ch of code) if (ALPHABET.indexOf(ch) < 0 && bad.indexOf(ch) < 0) bad.push(ch);
  return bad;
}

export function groups(code: string, size: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < code.length; i += size) out.push(code.slice(i, i + size));
  return out;
}

/** A receipt as the villager reads it: groups of five for the 10-character receipts, else of four. */
export function displayReceipt(receipt: string): string {
  return groups(receipt, receipt.length % 5 === 0 ? 5 : 4).join(' ');
}

/**
 * The fragment a slip link mangled by a chat app or QR reader stands for: `/v/TOKEN`, `/v%23TOKEN`
 * or `/v%2FTOKEN` (the `#` turned into a path), or null for the plain `/v`. The page then puts the
 * code back into the fragment and `/v` into the address bar (main.ts), so the token does not stay
 * in the history or travel in a later request.
 */
export function fragmentOfPath(pathname: string, hash: string): string | null {
  const mangled = /^\/v(?:\/|%23|%2F)(.*)$/i.exec(pathname);
  if (!mangled) return null;
  const rest = mangled[1] as string;
  return rest === '' ? hash : `#${rest}`;
}

export type Route =
  { kind: 'none' } | { kind: 'token'; token: string } | { kind: 'invalid' } | { kind: 'check'; publicId: string };

/**
 * `#TOKEN` votes, `#r:PUBLIC_ID` checks a receipt after close (the session's random public id; a
 * malformed one is left for the server's 404), an empty hash asks for the code.
 */
export function parseHash(hash: string): Route {
  let raw = hash.charAt(0) === '#' ? hash.slice(1) : hash;
  try {
    raw = decodeURIComponent(raw);
  } catch {
    return { kind: 'invalid' };
  }
  raw = raw.trim();
  if (raw === '') return { kind: 'none' };
  const check = /^r:([0-9a-z]{1,40})$/i.exec(raw);
  if (check) return { kind: 'check', publicId: (check[1] as string).toUpperCase() };
  const code = normalizeCode(raw);
  return isToken(code) ? { kind: 'token', token: code } : { kind: 'invalid' };
}
