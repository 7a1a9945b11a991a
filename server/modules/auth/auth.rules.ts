// Pure rules of logging in: how long an account must wait after consecutive failures.

/** Failures allowed before any waiting starts. */
export const FREE_FAILURES = 5;
/** After this many consecutive failures the account stops accepting passwords until an admin resets it. */
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

/** Server-side session lifetimes. */
export const SESSION_IDLE_SECONDS = 2 * 60 * 60;
export const SESSION_ABSOLUTE_SECONDS = 12 * 60 * 60;
