import crypto from 'node:crypto';

export function sha256(value: string): Buffer {
  return crypto.createHash('sha256').update(value, 'utf8').digest();
}

export function randomId(bytes = 32): string {
  return crypto.randomBytes(bytes).toString('base64url');
}
