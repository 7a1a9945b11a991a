import { describe, expect, it } from 'vitest';
import {
  backoffSeconds,
  FREE_FAILURES,
  DEVICE_MAX_FAILURES,
  HARD_STOP_FAILURES,
  isDeviceSpent,
  isHardStopped,
  MAX_DELAY_SECONDS,
} from '../../server/modules/auth/auth.rules.ts';

describe('backoffSeconds', () => {
  it('lets the first five failures through without waiting', () => {
    expect(FREE_FAILURES).toBe(5);
    expect([0, 1, 2, 3, 4].map(backoffSeconds)).toEqual([0, 0, 0, 0, 0]);
  });

  it('then doubles from one second: 1, 2, 4, 8 …', () => {
    expect([5, 6, 7, 8, 9, 14].map(backoffSeconds)).toEqual([1, 2, 4, 8, 16, 512]);
  });

  it('never waits longer than 15 minutes', () => {
    expect(MAX_DELAY_SECONDS).toBe(900);
    // 2^9 = 512 is the last power under the cap; 2^10 = 1024 is capped.
    expect([14, 15, 16, 24, 25, 26, 99, 100, 10_000, Number.MAX_SAFE_INTEGER].map(backoffSeconds)).toEqual([
      512, 900, 900, 900, 900, 900, 900, 900, 900, 900,
    ]);
  });

  it('grows monotonically up to the cap', () => {
    for (let f = 0; f < 200; f++) expect(backoffSeconds(f + 1)).toBeGreaterThanOrEqual(backoffSeconds(f));
  });
});

describe('isHardStopped', () => {
  it('stops an account at exactly 100 consecutive failures', () => {
    expect(HARD_STOP_FAILURES).toBe(100);
    expect([0, 5, 98, 99, 100, 101].map(isHardStopped)).toEqual([false, false, false, false, true, true]);
  });
});

describe('isDeviceSpent', () => {
  it('ends a device cookie at exactly 10 consecutive failures', () => {
    expect(DEVICE_MAX_FAILURES).toBe(10);
    expect([0, 5, 9, 10, 11].map(isDeviceSpent)).toEqual([false, false, false, true, true]);
  });
});
