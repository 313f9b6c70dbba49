/* eslint-disable @typescript-eslint/no-require-imports -- jest reads this file as CommonJS */
const os = require("os");

/** @type {import('jest').Config} */
module.exports = {
  // jest's node environment with an ordinary global object (see the file).
  testEnvironment: "<rootDir>/test/support/environment.cjs",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  // Type errors are caught by `npm run typecheck`; transpiling only keeps the suite fast.
  transform: { "^.+\\.ts$": ["ts-jest", { diagnostics: false }] },
  testTimeout: 60000,
  // The SDK's unused start-up modules load on first use; every test's program runs are shared ones (one run per config
  // variant per `npm test`); every resource type they register must be on the policy pack's allowlist.
  setupFilesAfterEnv: ["<rootDir>/test/support/lazy-modules.ts", "<rootDir>/test/support/share-runs.ts", "<rootDir>/test/support/allowlist-guard.ts"],
  // One directory per run for the program runs test files share (test/support/shared-run.ts).
  globalSetup: "<rootDir>/test/support/run-cache.cjs",
  globalTeardown: "<rootDir>/test/support/run-cache-teardown.cjs",
  // Three workers for two cores (jest's default, one fewer than the cores, left one idle): suites are independent
  // processes (each PostgreSQL test server takes a free port), and a worker often waits (on its PostgreSQL server,
  // git, or a process it started), when another can use the core; 2 runs each, 51 s against 53-55 s with one per core.
  // A number: jest reads a percentage above 100% as a count of workers.
  maxWorkers: Math.ceil(os.availableParallelism() * 1.5),
};
