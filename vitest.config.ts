import { defineConfig } from 'vitest/config';

// CI asks for a JSON report beside the console output to print its summary line.
const json = process.env.SCANPASS_TEST_JSON;

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Two cores: suites that spawn servers and browsers must not all run at once.
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    teardownTimeout: 20_000,
    reporters: json ? ['default', 'json'] : ['default'],
    ...(json ? { outputFile: { json } } : {}),
  },
});
