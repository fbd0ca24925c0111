import { defineConfig } from 'vitest/config';

// CI asks for a JSON report beside the console output to print its summary line.
const json = process.env.SCANPASS_TEST_JSON;

/**
 * The tiers are projects, so one tier runs alone (`vitest run --project unit`, which is
 * `npm run test:unit`): unit needs no build, no database and no browser and runs in seconds;
 * integration and fuzz spawn nodes from dist/ and reach Postgres and Redis when configured;
 * e2e drives Chromium against the built pages. `npm test` builds first and runs them all.
 */
const tier = (name: string) => ({ extends: true as const, test: { name, include: [`test/${name}/**/*.test.ts`] } });

export default defineConfig({
  test: {
    projects: [tier('unit'), tier('integration'), tier('e2e'), tier('fuzz')],
    // Two cores: suites that spawn servers and browsers must not all run at once.
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    teardownTimeout: 20_000,
    reporters: json ? ['default', 'json'] : ['default'],
    ...(json ? { outputFile: { json } } : {}),
  },
});
