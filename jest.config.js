/** @type {import('jest').Config} */
module.exports = {
  // jest's node environment, less the source-mapped rendering of the SDK's per-promise traces (see the file).
  testEnvironment: "<rootDir>/test/support/environment.cjs",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  // Type errors are caught by `npm run typecheck`; transpiling only keeps the suite fast.
  transform: { "^.+\\.ts$": ["ts-jest", { diagnostics: false }] },
  testTimeout: 60000,
  // Every test's program runs are shared ones (one run per config variant per `npm test`); every resource type they
  // register must be on the policy pack's allowlist.
  setupFilesAfterEnv: ["<rootDir>/test/support/share-runs.ts", "<rootDir>/test/support/allowlist-guard.ts"],
  // One directory per run for the program runs test files share (test/support/shared-run.ts).
  globalSetup: "<rootDir>/test/support/run-cache.cjs",
  globalTeardown: "<rootDir>/test/support/run-cache-teardown.cjs",
  // One worker per core (jest's default leaves one idle): suites are independent processes, each PostgreSQL test
  // server takes a free port; on two cores the run drops from about 2.3 to 1.4 minutes.
  maxWorkers: "100%",
};
