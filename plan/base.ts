/**
 * The base side of `npm run plan -- <stack> --base <ref>`: the program of another commit, with that commit's code and
 * stack file, run offline. The commit is unpacked into a temporary directory (`git archive`, so this checkout's
 * worktrees and index are untouched) that shares this checkout's installed node_modules, its own `run-stack --dump`
 * runs it on the mock runtime in a child process (the base's code never loads into this process), and the directory
 * is removed afterwards. The dump is masked, like everything the plan prints. The base's code runs on this checkout's
 * packages, not its own lockfile's: a dependency bump changes the "before" side too (docs/offline-plan.md says so).
 */
import { execFileSync, spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { RunResult } from "../mock-runtime";

export interface BaseRun {
  /** The ref as given and the commit it names. */
  ref: string;
  commit: string;
  /** Whether the commit has `Pulumi.<stack>.yaml`; when not, every resource of the working tree is a create. */
  stackFile: boolean;
  /** The base's masked run (undefined without a stack file). */
  run?: RunResult;
}

/** A --base that cannot be used (not a git checkout, not a commit): a usage error. */
export class BaseRefError extends Error {}
/** The base commit's program failed on its own stack file (or could not run at all). */
export class BaseRunError extends Error {}

function git(dir: string, args: string[]): string {
  return execFileSync("git", ["-C", dir, ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], maxBuffer: 1 << 30 }).trim();
}

/** The commit `ref` names in the repository holding `dir`, and `dir`'s place inside it (`""` at the top). */
export function resolveBase(dir: string, ref: string): { commit: string; prefix: string } {
  try {
    git(dir, ["rev-parse", "--git-dir"]);
  } catch {
    throw new BaseRefError(`--base (got ${JSON.stringify(ref)}): ${dir} is not in a git checkout, so there is no commit to compare with`);
  }
  let commit: string;
  try {
    commit = git(dir, ["rev-parse", "--verify", "--quiet", "--end-of-options", `${ref}^{commit}`]);
  } catch {
    commit = "";
  }
  if (!/^[0-9a-f]{40,64}$/.test(commit)) {
    throw new BaseRefError(`--base (got ${JSON.stringify(ref)}): not a commit in this repository; give a branch, tag or commit (e.g. main, origin/main, HEAD^1); a shallow clone may need git fetch first`);
  }
  return { commit, prefix: git(dir, ["rev-parse", "--show-prefix"]) };
}

function hasFile(dir: string, commit: string, file: string): boolean {
  try {
    git(dir, ["cat-file", "-e", `${commit}:${file}`]);
    return true;
  } catch {
    return false;
  }
}

/**
 * Runs a command, resolving with its stdout; rejects with its stderr when it exits non-zero. Without Node's compile
 * cache (https://nodejs.org/api/cli.html#node_disable_compile_cache1): it keys entries by a file's path, and the base's
 * files sit at a new temporary path every time, so each plan against a base would add ~280 entries no run reads again.
 */
function capture(cmd: string, args: string[], cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, NO_COLOR: "1", NODE_DISABLE_COMPILE_CACHE: "1" } });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (b: Buffer) => out.push(b));
    child.stderr.on("data", (b: Buffer) => err.push(b));
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve(Buffer.concat(out).toString("utf8")) : reject(new Error(Buffer.concat(err).toString("utf8").trim() || `exit ${code}`))));
  });
}

const cache = new Map<string, Promise<BaseRun>>();

/**
 * The base commit's run for `stack`. `dir` is the project in this checkout (its node_modules are shared). Runs of
 * one commit and stack are kept for the life of the process (a commit does not change).
 */
export function runBase(dir: string, ref: string, stack: string): Promise<BaseRun> {
  const { commit, prefix } = resolveBase(dir, ref);
  const key = `${fs.realpathSync(dir)}\0${commit}\0${stack}`;
  if (!cache.has(key)) {
    const pending = runCommit(dir, ref, commit, prefix, stack);
    cache.set(key, pending);
    pending.catch(() => cache.delete(key));
  }
  return cache.get(key)!.then((r) => ({ ...r, ref }));
}

async function runCommit(dir: string, ref: string, commit: string, prefix: string, stack: string): Promise<BaseRun> {
  const file = `${prefix}Pulumi.${stack}.yaml`;
  if (!hasFile(dir, commit, file)) return { ref, commit, stackFile: false };
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "amplifier-base-"));
  try {
    const top = git(dir, ["rev-parse", "--show-toplevel"]);
    const tar = path.join(tmp, "base.tar");
    git(top, ["archive", "--format=tar", "-o", tar, commit]);
    const root = path.join(tmp, "tree");
    fs.mkdirSync(root);
    execFileSync("tar", ["-xf", tar, "-C", root], { stdio: "pipe" });
    const project = path.join(root, prefix);
    for (const modules of ["node_modules", "policy/node_modules"]) {
      const installed = path.join(dir, modules);
      if (!fs.existsSync(installed) || !fs.existsSync(path.dirname(path.join(project, modules)))) continue;
      // A commit may carry a node_modules entry of its own (a committed symlink): this checkout's packages replace it.
      fs.rmSync(path.join(project, modules), { recursive: true, force: true });
      fs.symlinkSync(installed, path.join(project, modules), "dir");
    }
    if (!fs.existsSync(path.join(project, "scripts", "run.cjs")) || !fs.existsSync(path.join(project, "scripts", "run-stack.ts"))) {
      throw new BaseRunError(`the base commit ${commit.slice(0, 12)} has no scripts/run-stack.ts to run its program offline; compare with a later commit`);
    }
    let dump: string;
    try {
      dump = await capture(process.execPath, [path.join(project, "scripts", "run.cjs"), "run-stack", stack, "--dump"], project);
    } catch (err) {
      throw new BaseRunError(`the base commit ${commit.slice(0, 12)} (${ref}) does not plan with its own code and Pulumi.${stack}.yaml:\n${(err as Error).message}`);
    }
    return { ref, commit, stackFile: true, run: JSON.parse(dump) as RunResult };
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
