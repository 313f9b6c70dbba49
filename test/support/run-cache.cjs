/* global process */
/* eslint-disable @typescript-eslint/no-require-imports -- plain CommonJS: jest loads global setup untransformed */
// jest's globalSetup (this module) and globalTeardown (run-cache-teardown.cjs; jest.config.js) for the program runs the test files share
// (test/support/shared-run.ts): one directory per `npm test`, made before the workers start (they inherit the
// variable), removed at the end. A nested jest (a suite that runs others in a fresh checkout) finds the variable set
// and uses the same directory, leaving its removal to the run that made it. Entries are keyed by a hash of every
// input file, so sharing between the two runs is sharing identical runs.
const fs = require("fs");
const os = require("os");
const path = require("path");

const RUN_CACHE_ENV = "AMPLIFIER_RUN_CACHE";

async function setup() {
  if (process.env[RUN_CACHE_ENV]) return;
  process.env[RUN_CACHE_ENV] = fs.mkdtempSync(path.join(os.tmpdir(), "amplifier-runs-"));
  globalThis.__amplifierRunCacheOwned = process.env[RUN_CACHE_ENV];
}

async function teardown() {
  const dir = globalThis.__amplifierRunCacheOwned;
  if (!dir) return;
  fs.rmSync(dir, { recursive: true, force: true });
  delete process.env[RUN_CACHE_ENV];
}

// jest takes a module's export as the function to call: this module is the setup; teardown is its own file.
module.exports = Object.assign(setup, { RUN_CACHE_ENV, teardown });
