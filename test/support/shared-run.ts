/**
 * One program run per stack and config variant per `npm test`: tests, and the tools they call (`npm run plan`,
 * `npm run docs`, ...), share a run with the same options over the same files instead of running the program again.
 * Each caller gets its own copy of the records (a test may change one, as a red-team test does), so sharing cannot
 * carry one test's edits into another, nor a tool's. Within a test file runs are shared in memory; across files (jest
 * gives each its own module registry, often in another worker) through a directory jest's global setup makes for the
 * one `npm test` and its teardown removes (test/support/run-cache.cjs): the key is a hash of the options and of every
 * file the run may read, so an edited file is a new run. Only runs without an error are written, and only when they
 * come back from JSON identical; a run read from disk still tells the allowlist guard the types it registered.
 *
 * `sharedRuntime()` is every test file's mock runtime (test/support/share-runs.ts), so the tools a test calls share
 * too. A test that compares two runs to prove the program deterministic takes `jest.requireActual("../mock-runtime")`
 * (they must be two runs); a run with `mockState` (a function is no key) always goes to the real `runProgram`.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { isDeepStrictEqual } from "util";
import { projectRoot } from "../../config/load";
import { PROJECT_DIR } from "../../config/stack-files";
import type * as MockRuntime from "../../mock-runtime";
import type { RunOptions, RunResult } from "../../mock-runtime";
import { runDir } from "./run-dir";

// The real module, also when this file's suite mocks it with `sharedRuntime()`.
const actual: typeof MockRuntime = jest.requireActual("../../mock-runtime");

const runs = new Map<string, Promise<RunResult>>();
// Installed packages and git's own files only: a test may point the program at SQL it wrote under dist/.
const SKIP = new Set(["node_modules", ".git"]);

/**
 * Everything the run may read: the stack files in `dir` (each with its siblings) and the program's own project (its
 * Pulumi.yaml, the code owners' list, the init SQL and runner, ...): a hash of every file under both but Markdown (which
 * the program never reads; the docs tests edit it), so a file a test changed is a new key.
 */
function inputsOf(dir: string, program: string | undefined): string {
  const hash = crypto.createHash("sha1");
  const roots = new Set([dir, program ? projectRoot(path.dirname(program)) : PROJECT_DIR]);
  for (const root of roots) hash.update(`${root}\0${hashTree(root)}\0`);
  return hash.digest("hex");
}

// Each file's content hash, by path, with the stat it was read at, so a file's many runs (bad-config suites make dozens)
// walk the tree without reading it again. The stat is trusted as the launcher trusts dist/'s manifest
// (scripts/transpile.cjs, git's "racy clean" rule): only for a file last changed well before it was read, since file
// times are coarse and a same-size rewrite within one tick (a test editing `60` to `45`) would keep every time equal.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { statOf, RACY_MS } = require("../../scripts/transpile.cjs") as {
  statOf: (file: string) => { sig: string; changed: number } | undefined;
  RACY_MS: number;
};
const fileHashes = new Map<string, { sig: string; hash: string; at: number }>();

function fileHash(file: string): string {
  const st = statOf(file);
  const known = fileHashes.get(file);
  if (st && known && known.sig === st.sig && st.changed < known.at - RACY_MS) return known.hash;
  const at = Date.now();
  const hash = crypto.createHash("sha1").update(fs.readFileSync(file)).digest("hex");
  if (st) fileHashes.set(file, { sig: st.sig, hash, at });
  return hash;
}

function hashTree(dir: string): string {
  const hash = crypto.createHash("sha1");
  const walk = (rel: string): void => {
    for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) {
        if (!SKIP.has(e.name)) walk(p);
      } else if (e.isFile() && !e.name.endsWith(".md")) hash.update(`${p}\0${fileHash(path.join(dir, p))}\0`);
    }
  };
  walk("");
  return hash.digest("hex");
}

/** A copy of plain data (arrays and plain objects copied, anything else kept). */
function copy<T>(value: T): T {
  if (Array.isArray(value)) return value.map(copy) as T;
  if (value === null || typeof value !== "object" || Object.getPrototypeOf(value) !== Object.prototype) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, copy(v)])) as T;
}

// JSON drops a key whose value is `undefined` (a record's `parent` at the root): kept as a marker, restored on reading.
const UNDEFINED = "\0undefined";
const encode = (value: unknown): string => JSON.stringify(value, (_k, v) => (v === undefined ? UNDEFINED : v));
function decode(text: string): unknown {
  const restore = (v: unknown): unknown => {
    if (v === UNDEFINED) return undefined;
    if (v !== null && typeof v === "object") {
      for (const [k, x] of Object.entries(v)) {
        const back = restore(x);
        // Defined, not assigned: a `__proto__` key (a hostile stack file's) stays a key.
        if (back !== x) Object.defineProperty(v, k, { value: back, enumerable: true, writable: true, configurable: true });
      }
    }
    return v;
  };
  return restore(JSON.parse(text));
}

/** The run from another test file of this `npm test` if one wrote it, else a new run (written for the others). */
async function acrossFiles(key: string, opts: RunOptions): Promise<RunResult> {
  const dir = runDir();
  if (!dir) return actual.runProgram(opts);
  const file = path.join(dir, `${crypto.createHash("sha256").update(key).digest("hex")}.json`);
  let text: string | undefined;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch {
    // Not run yet by any file.
  }
  if (text !== undefined) {
    const result = decode(text) as RunResult;
    for (const r of result.resources) if (!actual.registeredTypes().has(r.type)) actual.registeredTypes().set(r.type, result.stack);
    return result;
  }
  const result = await actual.runProgram(opts);
  const json = encode(result);
  if (!result.error && isDeepStrictEqual(decode(json), result)) {
    // Written whole, then renamed into place: a reader in another worker never sees half a file.
    const partial = `${file}.${process.pid}`;
    fs.writeFileSync(partial, json);
    fs.renameSync(partial, file);
  }
  return result;
}

/** `runProgram(opts)`, run once per `npm test` for the same options and files; a fresh copy of the result for each call. */
export async function sharedRun(opts: RunOptions): Promise<RunResult> {
  if (opts.mockState) return actual.runProgram(opts);
  const dir = path.resolve(opts.dir ?? PROJECT_DIR);
  // An `undefined` override deletes a key, unlike a missing one: it stays in the key.
  const key = encode([opts.stack, dir, opts.program ?? "", opts.preview ?? false, opts.overrides ?? {}, inputsOf(dir, opts.program)]);
  let run = runs.get(key);
  if (!run) runs.set(key, (run = acrossFiles(key, opts)));
  const { error, ...rest } = await run;
  return error ? { ...copy(rest), error } : copy(rest);
}

/** Like `sharedRun`, but a program error fails the caller (as `runStack`). */
export async function sharedStack(opts: RunOptions): Promise<RunResult> {
  const result = await sharedRun(opts);
  if (result.error) throw result.error;
  return result;
}

/** The mock runtime with `runProgram` and `runStack` shared as above (for `jest.mock`). */
export function sharedRuntime(): typeof MockRuntime {
  return { ...actual, runProgram: sharedRun, runStack: sharedStack };
}
