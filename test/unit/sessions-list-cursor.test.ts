import { describe, expect, it } from 'vitest';
import { decodeListCursor, encodeListCursor } from '../../server/modules/sessions/list.rules.ts';

describe('the sessions list cursor', () => {
  it('gives back the position it was made from', () => {
    for (const p of [
      { createdAtMicros: '1893456000123000', id: 1 },
      { createdAtMicros: '0', id: 2147483647 },
      { createdAtMicros: '-86400000000', id: 7 },
    ]) {
      expect(decodeListCursor(encodeListCursor(p))).toEqual(p);
    }
  });

  it('refuses anything it did not make', () => {
    const b = (s: string) => Buffer.from(s).toString('base64url');
    for (const c of ['', 'x', b('nope'), b('123:0'), b('123:2147483648'), b('1.5:3'), b('123:4:5'), b(':4')]) {
      expect(decodeListCursor(c)).toBeNull();
    }
    expect(decodeListCursor(`${encodeListCursor({ createdAtMicros: '5', id: 5 })}=`)).toBeNull();
  });
});
