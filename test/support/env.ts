/**
 * Which real services the suites may use. Locally a suite whose service is not
 * configured is skipped; CI sets SCANPASS_TEST_REQUIRE so that a skip fails.
 */
export const TEST_DATABASE_URL = process.env.SCANPASS_TEST_DATABASE_URL;
export const TEST_REDIS_URL = process.env.SCANPASS_TEST_REDIS_URL;
export const CHROMIUM_PATH = process.env.SCANPASS_TEST_CHROMIUM ?? '/usr/bin/chromium';

const required = new Set((process.env.SCANPASS_TEST_REQUIRE ?? '').split(',').map((s) => s.trim()).filter(Boolean));

/** True when the suite can run; throws when CI requires `what` but it is not available. */
export function available(what: 'postgres' | 'redis' | 'chromium', present: boolean): boolean {
  if (!present && required.has(what)) throw new Error(`CI requires the ${what} suites but ${what} is not configured`);
  return present;
}
