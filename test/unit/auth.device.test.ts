import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { sha256 } from '../../server/lib/crypto.ts';
import { issueDevice, readDevice } from '../../server/modules/auth/auth.device.ts';

const secret = crypto.randomBytes(32);

describe('device cookies', () => {
  it('read back what was issued: the official and the hash of a fresh 128-bit nonce', () => {
    const a = issueDevice(secret, 42);
    const b = issueDevice(secret, 42);
    expect(a.cookie).toMatch(/^42\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$/);
    expect(a.cookie).not.toBe(b.cookie);
    const nonce = a.cookie.split('.')[1] as string;
    expect(a.nonceHash).toEqual(sha256(nonce));
    expect(readDevice(secret, a.cookie)).toEqual({ officialId: 42, nonceHash: a.nonceHash });
  });

  it('refuse any change to the id, the nonce or the mac, and another secret', () => {
    const { cookie } = issueDevice(secret, 42);
    const [id, nonce, mac] = cookie.split('.') as [string, string, string];
    const flip = (s: string, i: number) => s.slice(0, i) + (s[i] === 'A' ? 'B' : 'A') + s.slice(i + 1);
    for (const changed of [
      `43.${nonce}.${mac}`,
      `${id}.${flip(nonce, 5)}.${mac}`,
      `${id}.${nonce}.${flip(mac, 0)}`,
      `${id}.${nonce}.${flip(mac, 42)}`,
    ]) {
      expect(readDevice(secret, changed)).toBeNull();
    }
    expect(readDevice(crypto.randomBytes(32), cookie)).toBeNull();
    // the same mac bytes spelled differently: base64url's last character has two unused bits
    const last = mac.at(-1) as string;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const twin = alphabet[alphabet.indexOf(last) ^ 1] as string;
    expect(Buffer.from(`${mac.slice(0, -1)}${twin}`, 'base64url')).toEqual(Buffer.from(mac, 'base64url'));
    expect(readDevice(secret, `${id}.${nonce}.${mac.slice(0, -1)}${twin}`)).toBeNull();
  });

  it('refuse malformed values without throwing', () => {
    for (const bad of [
      '',
      '42',
      '42..',
      `0.${'A'.repeat(22)}.${'A'.repeat(43)}`,
      `42.${'A'.repeat(21)}.${'A'.repeat(43)}`,
      'x'.repeat(5000),
      '42.AAAA.%00',
    ]) {
      expect(readDevice(secret, bad)).toBeNull();
    }
  });
});
