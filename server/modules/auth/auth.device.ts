// The device cookie (OWASP Authentication Cheat Sheet, "device cookies"): `<official id>.<nonce>.<mac>`,
// the nonce 128 random bits, the mac HMAC-SHA256 under the server secret (table server_secret) of
// the id and nonce. A forged or altered cookie fails the mac; a real one only counts while its
// nonce's row exists in login_device (see auth.service.ts). Pure functions, no I/O.
import crypto from 'node:crypto';
import { randomId, sha256 } from '../../lib/crypto.ts';

export const DEVICE_COOKIE = 'vre_dev';

export interface DeviceClaim {
  officialId: number;
  /** SHA-256 of the nonce: the key of its login_device row. */
  nonceHash: Buffer;
}

const COOKIE_RE = /^([1-9][0-9]{0,9})\.([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$/;

function mac(secret: Buffer, officialId: number, nonce: string): Buffer {
  return crypto.createHmac('sha256', secret).update(`vre-device.${officialId}.${nonce}`).digest();
}

/** A new device cookie for an official, and the key of the row that makes it a known device. */
export function issueDevice(secret: Buffer, officialId: number): { cookie: string; nonceHash: Buffer } {
  const nonce = randomId(16);
  return {
    cookie: `${officialId}.${nonce}.${mac(secret, officialId, nonce).toString('base64url')}`,
    nonceHash: sha256(nonce),
  };
}

/** What a device cookie claims, or null when it is malformed or its mac is not ours. */
export function readDevice(secret: Buffer, cookie: string): DeviceClaim | null {
  const m = COOKIE_RE.exec(cookie);
  if (!m) return null;
  const [, id, nonce, given] = m as unknown as [string, string, string, string];
  const officialId = Number(id);
  // Compared as text, so that no other spelling of the same bytes passes (base64url's last
  // character carries two unused bits).
  const expected = Buffer.from(mac(secret, officialId, nonce).toString('base64url'));
  const actual = Buffer.from(given);
  if (actual.length !== expected.length || !crypto.timingSafeEqual(actual, expected)) return null;
  return { officialId, nonceHash: sha256(nonce) };
}
