import { defineConfig } from 'vitest/config';

/**
 * Two projects: `unit` (no engine, fast, beside loader and planner) and `e2e` (the built CLI
 * against a real daemon, one file at a time so engine load stays predictable).
 */
export default defineConfig({
  test: {
    reporters: ['default', './test/support/summary-reporter.ts'],
    projects: [
      {
        test: {
          name: 'unit',
          include: ['src/**/*.test.ts', 'test/unit/**/*.test.ts', 'test/conformance/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          environment: 'node',
          fileParallelism: false,
          testTimeout: 300_000,
          hookTimeout: 300_000,
          globalSetup: ['./test/e2e/global-setup.ts'],
        },
      },
    ],
  },
});
