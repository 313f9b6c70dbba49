/* global process */
/* eslint-disable @typescript-eslint/no-require-imports -- plain CommonJS: jest loads global setup untransformed */
// jest's globalSetup (this module) and globalTeardown (run-cache-teardown.cjs; jest.config.js): one directory per
// `npm test`, made before the workers start (they inherit the variables), removed at the end. It holds
//  - the program runs the test files share (test/support/shared-run.ts) and the PostgreSQL cluster the test servers
//    copy (test/support/postgres.ts);
//  - tmp/, the run's TMPDIR: every temporary file and directory a test or a tool it starts makes goes there, so a
//    test that forgets to remove one leaves nothing behind. What should outlive a run stays in the machine's temp
//    directory (AMPLIFIER_OUTER_TMPDIR): jest's cache (computed before this runs), the PostgreSQL binaries' copy and
//    the nested run's checkout. Node's compile cache for the processes tests start is the run's own (in its TMPDIR):
//    they load files from temporary paths, whose entries in the machine's cache would only pile up.
// A nested jest (a suite that runs others in a fresh checkout) finds the variables set and uses the same directory,
// leaving its removal to the run that made it. Shared runs are keyed by a hash of every input file, so sharing between
// the two runs is sharing identical runs.
const fs = require("fs");
const os = require("os");
const path = require("path");

const RUN_CACHE_ENV = "AMPLIFIER_RUN_CACHE";
const OUTER_TMPDIR_ENV = "AMPLIFIER_OUTER_TMPDIR";

async function setup() {
  if (!process.env[RUN_CACHE_ENV]) {
    const outer = os.tmpdir();
    const dir = fs.mkdtempSync(path.join(outer, "amplifier-runs-"));
    // The PostgreSQL server runs as its own user: it must reach its data directory inside (traverse only).
    fs.chmodSync(dir, 0o711);
    fs.mkdirSync(path.join(dir, "tmp"));
    fs.chmodSync(path.join(dir, "tmp"), 0o1777);
    process.env[RUN_CACHE_ENV] = dir;
    process.env[OUTER_TMPDIR_ENV] = outer;
    globalThis.__amplifierRunCache = { dir, tmpdir: process.env.TMPDIR };
  }
  process.env.TMPDIR = path.join(process.env[RUN_CACHE_ENV], "tmp");
}

async function teardown() {
  const owned = globalThis.__amplifierRunCache;
  if (!owned) return;
  fs.rmSync(owned.dir, { recursive: true, force: true });
  for (const name of [RUN_CACHE_ENV, OUTER_TMPDIR_ENV]) delete process.env[name];
  if (owned.tmpdir === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = owned.tmpdir;
}

/** The run's directory (undefined outside a jest run). */
const runDir = () => process.env[RUN_CACHE_ENV];
/** The machine's temp directory, for what should outlive the run (TMPDIR itself outside a jest run). */
const machineTmpdir = () => process.env[OUTER_TMPDIR_ENV] ?? os.tmpdir();

// jest takes a module's export as the function to call: this module is the setup; teardown is its own file.
module.exports = Object.assign(setup, { RUN_CACHE_ENV, OUTER_TMPDIR_ENV, teardown, runDir, machineTmpdir });
