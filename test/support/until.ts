/**
 * Polls `check` every 10 ms until it returns something other than undefined or
 * false, and resolves with that; fails with "timed out waiting for <what>"
 * after `timeoutMs`. `check` may be async (a fetch, a connect attempt).
 *
 * @example
 *   const frame = await until(() => frames.find((f) => f.version === 2), 'version 2', 5000);
 */
export async function until<T>(check: () => T | undefined | false | Promise<T | undefined | false>, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
