import { defineConfig } from 'vitest/config';

/**
 * Three projects: `unit` (no engine, fast, beside loader and planner), `e2e` (the built CLI
 * against a real daemon, one file at a time so engine load stays predictable) and `swarm`
 * (`capstan stack` on scripts/swarm-cluster.sh's 3-node cluster).
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
      {
        test: {
          // `capstan stack` on the 3-node cluster of scripts/swarm-cluster.sh (skipped when it is not up)
          name: 'swarm',
          include: ['test/swarm/**/*.test.ts'],
          environment: 'node',
          fileParallelism: false,
          testTimeout: 300_000,
          hookTimeout: 600_000,
          globalSetup: ['./test/swarm/global-setup.ts'],
        },
      },
    ],
  },
});
