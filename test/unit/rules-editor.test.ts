// The rule editors' reading of a typed minimum satisfaction rate (web/src/console/sessions/editor).
import { describe, expect, it } from 'vitest';
import { ratePercent } from '../../web/src/console/sessions/editor/edit.ts';

describe('ratePercent', () => {
  it('reads whole percentages from 1 to 100, spaces around allowed', () => {
    expect(ratePercent('1')).toBe(1);
    expect(ratePercent(' 80 ')).toBe(80);
    expect(ratePercent('100')).toBe(100);
  });

  it('refuses 0, over 100, fractions, signs and anything else', () => {
    for (const text of ['0', '101', '1000', '80.5', '-5', '+5', '', ' ', '八十', '8 0', '1e2']) {
      expect(ratePercent(text), text).toBeNull();
    }
  });
});
