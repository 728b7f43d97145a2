import { defineConfig } from 'vitest/config';

/**
 * Four projects: `unit` (no engine, fast, beside loader and planner), `e2e` (the built CLI
 * against a real daemon, one file at a time so engine load stays predictable), then `faults`
 * (test/faults: fault injection, run after both), then `swarm` (`capstan stack` on
 * scripts/swarm-cluster.sh's 3-node cluster, built right before it with CAPSTAN_SWARM=1; skipped when
 * it is not up and not asked for).
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
          // explicit: a one-worker project left at group 0 goes to a group vitest runs last
          sequence: { groupOrder: 1 },
        },
      },
      {
        // Fault injection (issue 13): engine restarts, kill -9, concurrent runs, signals. After the
        // other projects (groups run one after another, lowest first: unit 0, e2e 1, faults 2),
        // one file at a time, so no other test shares the machine while faults are injected.
        test: {
          name: 'faults',
          include: ['test/faults/**/*.test.ts'],
          environment: 'node',
          fileParallelism: false,
          testTimeout: 300_000,
          hookTimeout: 300_000,
          globalSetup: ['./test/e2e/global-setup.ts'],
          sequence: { groupOrder: 2 },
        },
      },
      {
        test: {
          // `capstan stack` on the 3-node cluster of scripts/swarm-cluster.sh (test/swarm/cluster.ts)
          name: 'swarm',
          include: ['test/swarm/**/*.test.ts'],
          environment: 'node',
          fileParallelism: false,
          testTimeout: 300_000,
          hookTimeout: 600_000,
          globalSetup: ['./test/swarm/global-setup.ts'],
          // last, alone: its cluster's engines must not share the machine with the fault tests
          sequence: { groupOrder: 3 },
        },
      },
    ],
  },
});
