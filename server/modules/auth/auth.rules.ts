// Pure rules of logging in: how long an account must wait after consecutive failures, how long a
// device stays known, and when throttle rows may be forgotten.

/** Failures allowed before any waiting starts. */
export const FREE_FAILURES = 5;
/** After this many consecutive failures from unknown devices the account stops accepting passwords
 * from unknown devices until an admin resets it (known devices are throttled on their own). */
export const HARD_STOP_FAILURES = 100;
/** The longest back-off between two attempts. */
export const MAX_DELAY_SECONDS = 15 * 60;

/** Seconds to wait before the next attempt after `failures` consecutive failures: 0 for the first
 * few, then 1, 2, 4, 8 … seconds, capped at MAX_DELAY_SECONDS. */
export function backoffSeconds(failures: number): number {
  if (failures < FREE_FAILURES) return 0;
  const exponent = failures - FREE_FAILURES;
  if (exponent >= 20) return MAX_DELAY_SECONDS;
  return Math.min(2 ** exponent, MAX_DELAY_SECONDS);
}

export function isHardStopped(failures: number): boolean {
  return failures >= HARD_STOP_FAILURES;
}

/** A device cookie that gets this many wrong passwords in a row stops being a known device. */
export const DEVICE_MAX_FAILURES = 10;
/** Lifetime of a device cookie (renewed at each login): 400 days, the longest browsers keep a cookie,
 * because a village secretary may log in only in the evaluation season of each year. */
export const DEVICE_COOKIE_SECONDS = 400 * 24 * 60 * 60;
/** Known devices kept per account; a login from an older one is a login from an unknown device. */
export const DEVICES_PER_ACCOUNT = 10;

export function isDeviceSpent(failures: number): boolean {
  return failures >= DEVICE_MAX_FAILURES;
}

/** How long a throttle row is kept after its back-off ended, by its failure count; the same for
 * known and unknown usernames, so what is forgotten reveals nothing. A row under FREE_FAILURES
 * never made anyone wait (typos, username spraying) and goes after a day; one with a back-off goes
 * after 30 days without a failure. A lock (HARD_STOP_FAILURES) of an existing account is kept until
 * an admin resets it; a lock of a username no account has goes after the same 30 days. */
export const THROTTLE_KEEP_FREE_SECONDS = 24 * 60 * 60;
export const THROTTLE_KEEP_SECONDS = 30 * 24 * 60 * 60;

/** Server-side session lifetimes. */
export const SESSION_IDLE_SECONDS = 2 * 60 * 60;
export const SESSION_ABSOLUTE_SECONDS = 12 * 60 * 60;
