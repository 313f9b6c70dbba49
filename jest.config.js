/** @type {import('jest').Config} */
module.exports = {
  // jest's node environment, less the source-mapped rendering of the SDK's per-promise traces (see the file).
  testEnvironment: "<rootDir>/test/support/environment.cjs",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  // Type errors are caught by `npm run typecheck`; transpiling only keeps the suite fast.
  transform: { "^.+\\.ts$": ["ts-jest", { diagnostics: false }] },
  testTimeout: 60000,
  // Every resource type a test's program runs register must be on the policy pack's allowlist.
  setupFilesAfterEnv: ["<rootDir>/test/support/allowlist-guard.ts"],
  // One worker per core (jest's default leaves one idle): suites are independent processes, each PostgreSQL test
  // server takes a free port; on two cores the run drops from about 2.3 to 1.4 minutes.
  maxWorkers: "100%",
};
