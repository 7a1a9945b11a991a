// The ballot page's pure code helpers (web/src/ballot/token.ts): where a mangled slip link's code
// goes, and how a receipt is shown (the same grouping on the phone and in paper entry).
import { describe, expect, it } from 'vitest';
import { displayReceipt, fragmentOfPath, parseHash } from '../../web/src/ballot/token.ts';

const TOKEN = 'ABCDEFGHJKLMNPQR';

describe('fragmentOfPath', () => {
  it('leaves the plain page alone', () => {
    expect(fragmentOfPath('/v', `#${TOKEN}`)).toBeNull();
    expect(fragmentOfPath('/v', '')).toBeNull();
    expect(fragmentOfPath('/vote', '')).toBeNull();
  });

  it('moves the code of a mangled link into the fragment', () => {
    expect(fragmentOfPath(`/v/${TOKEN}`, '')).toBe(`#${TOKEN}`);
    expect(fragmentOfPath(`/v%23${TOKEN}`, '')).toBe(`#${TOKEN}`);
    expect(fragmentOfPath(`/v%2f${TOKEN.toLowerCase()}`, '')).toBe(`#${TOKEN.toLowerCase()}`);
    expect(parseHash(fragmentOfPath(`/v/${TOKEN.slice(0, 4)}%20${TOKEN.slice(4)}`, '') as string)).toEqual({
      kind: 'token',
      token: TOKEN,
    });
  });

  it('keeps the fragment of /v/ and /v/#TOKEN, and drops an empty one', () => {
    expect(fragmentOfPath('/v/', `#${TOKEN}`)).toBe(`#${TOKEN}`);
    expect(fragmentOfPath('/v/', '')).toBe('');
  });
});

describe('displayReceipt', () => {
  it('groups a 10-character receipt in fives and others in fours', () => {
    expect(displayReceipt('AB12CD34EF')).toBe('AB12C D34EF');
    expect(displayReceipt('AB12CD34EF56')).toBe('AB12 CD34 EF56');
    expect(displayReceipt('')).toBe('');
  });
});
