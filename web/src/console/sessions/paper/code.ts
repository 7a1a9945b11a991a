// Reading a slip's code, typed or scanned. The token rules are the server's own (ballots.rules.ts):
// 16 characters from an alphabet without 0, 1, I and O, typed with any spaces or dashes.
import { displayCode, normalizeToken } from '../../../../../server/modules/ballots/ballots.rules.ts';

export { displayCode };

/** The token a scanned QR text (the slip URL, `…/v#TOKEN`) or a typed code names, or null. */
export function tokenOf(text: string): string | null {
  const hash = text.lastIndexOf('#');
  return normalizeToken(hash >= 0 ? text.slice(hash + 1) : text);
}

/** A random id for one paper entry, so a retry after a lost reply gets the same receipt. Not
 * crypto.randomUUID: that exists only on https, and the console may be served over plain http. */
export function newClientId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
