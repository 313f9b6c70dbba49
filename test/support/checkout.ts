/**
 * A temporary checkout holding Pulumi.yaml and some stack files: the project's own, or copies changed by the test
 * (a `staging` copied from test or prod), so tools that read "the stack files" can be run against another set; a
 * scratch project from stack-file texts; a full copy of the repository's tracked files; captured tool output.
 * `project` (default this one) is where stack files, Pulumi.yaml and the non-production list come from: the stand-in
 * project (test/support/stacks.ts `projectWith`) once a stack file a test builds on is gone.
 */
import { execFileSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse, stringify } from "yaml";
import { NON_PRODUCTION_FILE } from "../../config/gating";
import { listStacks, PROJECT_DIR } from "../../config/stack-files";
import type { Io } from "../../tools/cli";
import { machineTmpdir } from "./run-dir";

export type StackFiles = Record<string, Record<string, unknown>>;

/** The `config:` block of one of the project's stack files, keys as written (namespaced). */
export function projectStackConfig(stack: string, project = PROJECT_DIR): Record<string, unknown> {
  return parse(fs.readFileSync(path.join(project, `Pulumi.${stack}.yaml`), "utf8")).config;
}

/** A project stack's config with top-level keys (without the project prefix) replaced; `undefined` removes one. */
export function changedStack(stack: string, changes: Record<string, unknown>, project = PROJECT_DIR): Record<string, unknown> {
  const config = { ...projectStackConfig(stack, project) };
  for (const [key, value] of Object.entries(changes)) {
    if (value === undefined) delete config[`amplifier-infra:${key}`];
    else config[`amplifier-infra:${key}`] = value;
  }
  return config;
}

/** The project files every checkout has besides its stack files: Pulumi.yaml and the list of stacks that are not production. */
function copyProjectFiles(dir: string, project: string): void {
  for (const f of ["Pulumi.yaml", NON_PRODUCTION_FILE]) {
    if (fs.existsSync(path.join(project, f))) fs.copyFileSync(path.join(project, f), path.join(dir, f));
  }
}

/**
 * Writes Pulumi.yaml, the project's non-production-stacks.yaml and the given stack files (stack -> config block) to a
 * new directory; the caller removes it.
 */
export function tempCheckout(stacks: StackFiles, project = PROJECT_DIR): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "amplifier-checkout-"));
  copyProjectFiles(dir, project);
  for (const [stack, config] of Object.entries(stacks)) fs.writeFileSync(path.join(dir, `Pulumi.${stack}.yaml`), stringify({ config }));
  return dir;
}

/** The project's stack files plus `extra`, in a temporary checkout. */
export function checkoutWith(extra: StackFiles, project = PROJECT_DIR): string {
  const own = Object.fromEntries(listStacks(project).map((s) => [s, projectStackConfig(s, project)]));
  return tempCheckout({ ...own, ...extra }, project);
}

/**
 * A directory with this project's Pulumi.yaml and non-production-stacks.yaml (as the program, which reads its own
 * project's, sees it) and the given files (`Pulumi.<stack>.yaml` texts, ...), which may replace them.
 */
export function scratchProject(files: Record<string, string>, project = PROJECT_DIR): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "amplifier-scratch-"));
  copyProjectFiles(dir, project);
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

/**
 * The repository's files, relative to `dir`: what git tracks there, or, in a copy made by `scratchCheckout` (no
 * .git), every file but installed and generated folders.
 */
export function trackedFiles(dir = PROJECT_DIR): string[] {
  if (fs.existsSync(path.join(dir, ".git"))) {
    return execFileSync("git", ["ls-files", "-z"], { cwd: dir, encoding: "utf8" }).split("\0").filter((f) => f && fs.existsSync(path.join(dir, f)));
  }
  const skip = new Set(["node_modules", "dist", "coverage", ".base"]);
  const walk = (rel: string): string[] =>
    fs.readdirSync(path.join(dir, rel), { withFileTypes: true }).flatMap((e) => {
      const p = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) return skip.has(e.name) ? [] : walk(p);
      return e.isFile() ? [p] : [];
    });
  return walk("");
}

/**
 * A copy of the repository's tracked files (a fresh checkout), sharing this checkout's installed node_modules. With
 * `stable`, the copy is made anew at the same path on every run (one per checkout of this repository and name), so
 * jest's transform cache, which keys a file by its path and content, still holds the copy's files from the last run
 * when a test runs jest there.
 */
export function scratchCheckout(stable?: string): string {
  let dir: string;
  if (stable) {
    const id = crypto.createHash("sha1").update(PROJECT_DIR).digest("hex").slice(0, 12);
    // In the machine's temp directory (test/support/run-cache.cjs), not the run's, which is removed at its end.
    dir = path.join(machineTmpdir(), `amplifier-checkout-${id}-${stable}`);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir);
  } else {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "amplifier-checkout-"));
  }
  for (const f of trackedFiles()) {
    fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    fs.copyFileSync(path.join(PROJECT_DIR, f), path.join(dir, f));
  }
  for (const modules of ["node_modules", "policy/node_modules"]) {
    if (fs.existsSync(path.join(PROJECT_DIR, modules))) fs.symlinkSync(path.join(PROJECT_DIR, modules), path.join(dir, modules), "dir");
  }
  return dir;
}

/** A stack file of this repository (or of `project`), as text. */
export function stackText(stack: string, project = PROJECT_DIR): string {
  return fs.readFileSync(path.join(project, `Pulumi.${stack}.yaml`), "utf8");
}

/** An Io that records what a tool writes. */
export function captureIo(): Io & { out: () => string; err: () => string } {
  let stdout = "";
  let stderr = "";
  return {
    stdout: (s) => void (stdout += s),
    stderr: (s) => void (stderr += s),
    isTTY: false,
    columns: 120,
    env: {},
    out: () => stdout,
    err: () => stderr,
  };
}
