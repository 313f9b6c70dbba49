/* global __dirname, process */
/* eslint-disable @typescript-eslint/no-require-imports -- plain CommonJS: it runs before anything is compiled */
// `node scripts/run.cjs <entry> [args...]`: the one Node process behind `npm run plan|bench|docs|...` (one short
// command in package.json, no `&&` and no second Node):
//  1. Node's on-disk compile cache (V8 code cache keyed by each file's content, so it cannot go stale; Node >= 22.1,
//     docs: https://nodejs.org/api/module.html#moduleenablecompilecachecachedir). No directory is passed, as Node's
//     docs advise, so NODE_COMPILE_CACHE=<dir> moves it and NODE_DISABLE_COMPILE_CACHE=1 turns it off.
//  2. dist/ brought up to date (scripts/transpile.cjs): nothing from TypeScript is loaded when nothing changed.
//  3. Modules the libraries load at start-up but nothing here uses (TypeScript, Pulumi's Automation API, zod's
//     translations) loaded only on first use (scripts/lazy-modules.cjs).
//  4. dist/scripts/<entry>.js run in this same process: each entry calls runMain on load, reading process.argv.
const Module = require("module");
const fs = require("fs");
const path = require("path");

Module.enableCompileCache?.();

const [entry, ...args] = process.argv.slice(2);
const root = path.resolve(__dirname, "..");
// Only an entry with a source: a dist/scripts/<entry>.js left by another checkout must not run.
if (!entry || !/^[a-z][a-z0-9-]*$/.test(entry) || !fs.existsSync(path.join(root, "scripts", `${entry}.ts`))) {
  const entries = fs.readdirSync(path.join(root, "scripts")).filter((f) => f.endsWith(".ts")).map((f) => f.slice(0, -3));
  process.stderr.write(`usage: node scripts/run.cjs <entry> [args...]; entries: ${entries.join(", ")} (got ${JSON.stringify(entry ?? "")})\n`);
  process.exit(2);
}
require("./transpile.cjs").ensureBuilt();
require("./lazy-modules.cjs").install();

const target = path.join(root, "dist", "scripts", `${entry}.js`);
process.argv = [process.argv[0], target, ...args];
require(target);
