/**
 * One program run per stack and config variant per test file: tests, and the tools they call (`npm run plan`,
 * `npm run docs`, ...), share a run with the same options over the same files instead of running the program again.
 * Each caller gets its own copy of the records (a test may change one, as a red-team test does), so sharing cannot
 * carry one test's edits into another, nor a tool's. Jest gives every test file its own module registry, so runs are
 * shared within a file only (and the allowlist guard still sees every type the file's runs registered).
 *
 * `sharedRun`/`sharedStack` for a test's own runs; `sharedRuntime()` as a file's mock of the mock runtime, so the
 * tools it calls share too:
 *   jest.mock("../mock-runtime", () => jest.requireActual("./support/shared-run").sharedRuntime());
 * Not for a file that compares two runs to prove the program deterministic (they must be two runs), and never with
 * `mockState` (a function is no key): such a run goes to the real `runProgram`.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { projectRoot } from "../../config/load";
import { PROJECT_DIR } from "../../config/stack-files";
import type * as MockRuntime from "../../mock-runtime";
import type { RunOptions, RunResult } from "../../mock-runtime";

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

function hashTree(dir: string): string {
  const hash = crypto.createHash("sha1");
  const walk = (rel: string): void => {
    for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) {
        if (!SKIP.has(e.name)) walk(p);
      } else if (e.isFile() && !e.name.endsWith(".md")) hash.update(`${p}\0`).update(fs.readFileSync(path.join(dir, p))).update("\0");
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

/** `runProgram(opts)`, run once per file for the same options and files; a fresh copy of the result for each call. */
export async function sharedRun(opts: RunOptions): Promise<RunResult> {
  if (opts.mockState) return actual.runProgram(opts);
  const dir = path.resolve(opts.dir ?? PROJECT_DIR);
  // An `undefined` override deletes a key, unlike a missing one: it stays in the key.
  const key = JSON.stringify([opts.stack, dir, opts.program ?? "", opts.preview ?? false, opts.overrides ?? {}, inputsOf(dir, opts.program)], (_k, v) =>
    v === undefined ? "\0undefined" : v,
  );
  let run = runs.get(key);
  if (!run) runs.set(key, (run = actual.runProgram(opts)));
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
