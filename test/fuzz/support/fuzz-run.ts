import fc from 'fast-check';

/**
 * Runs an async property with the seed printed first, so any CI log can be
 * replayed: `FUZZ_SEED=<seed> npx vitest run test/fuzz/<file>`, optionally
 * with `FUZZ_PATH=<path>` from the failure to go straight to the shrunk case.
 * `FUZZ_RUNS` sets the number of cases of every property (`npm run fuzz`).
 *
 * A failure throws fast-check's report: the seed, the path and the shrunk
 * counterexample, followed by the property's own message (the request, the
 * answer, and what the node logged).
 */
export async function runProperty<Ts extends [unknown, ...unknown[]]>(
  name: string,
  defaultRuns: number,
  property: fc.IAsyncPropertyWithHooks<Ts>,
  opts: { timeLimitMs?: number } = {},
): Promise<{ runs: number; seed: number; ms: number }> {
  const seed = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : (Date.now() ^ Math.floor(Math.random() * 0x7fffffff)) | 0;
  const numRuns = process.env.FUZZ_RUNS ? Number(process.env.FUZZ_RUNS) : defaultRuns;
  const path = process.env.FUZZ_PATH;
  console.log(`[fuzz] ${name}: seed ${seed}, ${numRuns} cases (replay: FUZZ_SEED=${seed})`);
  const started = Date.now();
  const details = await fc.check(property, {
    seed,
    numRuns,
    ...(path ? { path } : {}),
    // A bound on the whole run, shrinking included, so a slow machine cannot hold CI; reaching it is not a failure.
    ...(opts.timeLimitMs && !process.env.FUZZ_RUNS ? { interruptAfterTimeLimit: opts.timeLimitMs, markInterruptAsFailure: false } : {}),
  });
  const ms = Date.now() - started;
  const runs = details.numRuns;
  console.log(`[fuzz] ${name}: ${runs} cases in ${(ms / 1000).toFixed(1)} s, seed ${seed}${details.interrupted ? ' (time limit reached)' : ''}${details.failed ? ' FAILED' : ''}`);
  if (details.failed) {
    const report = fc.defaultReportMessage(details) ?? 'property failed';
    const cause = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
    throw new Error(`[fuzz] ${name} failed (replay: FUZZ_SEED=${seed} FUZZ_PATH=${details.counterexamplePath ?? ''})\n${report}\n\nWhat the shrunk case did:\n${cause}`);
  }
  return { runs, seed, ms };
}

/** A snake_case error code, as every refusal must carry. */
export const SNAKE = /^[a-z][a-z0-9]*(_[a-z0-9]+)*$/;

/** A test's time limit: `ms` for the default run, plus room for a longer one asked with FUZZ_RUNS. */
export const timeLimit = (ms: number) => ms + Number(process.env.FUZZ_RUNS ?? 0) * 100;
