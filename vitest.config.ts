import { defineConfig } from 'vitest/config';

// CI asks for a JSON report beside the console output to print its summary line.
const json = process.env.SCANPASS_TEST_JSON;

/**
 * The tiers are projects, so one tier runs alone (`vitest run --project unit`, which is
 * `npm run test:unit`): unit needs no build, no database and no browser and runs in seconds;
 * integration and fuzz spawn nodes from dist/ and reach Postgres and Redis when configured;
 * e2e drives Chromium against the built pages. `npm test` builds first and runs them all.
 */
const tier = (name: string, more: object = {}) => ({ extends: true as const, test: { name, include: [`test/${name}/**/*.test.ts`], ...more } });

/**
 * Browser tests wait for what a person would see, not for a time: on two cores with another suite
 * beside them, a page's first answer took more than expect.poll's default second, and a scenario
 * of three pages (board, phone, console) up to 29 s, so they get 5 s and 60 s. How fast the pages
 * are is measured by the benches, never here.
 */
const browserWaits = { testTimeout: 60_000, expect: { poll: { timeout: 5_000 } } };

export default defineConfig({
  test: {
    projects: [tier('unit'), tier('integration'), tier('e2e', browserWaits), tier('fuzz')],
    // Two cores: suites that spawn servers and browsers must not all run at once.
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    teardownTimeout: 20_000,
    reporters: json ? ['default', 'json'] : ['default'],
    ...(json ? { outputFile: { json } } : {}),
  },
});
