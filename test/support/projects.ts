/** Scratch projects and captured tool output for the config-gate tests. */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PROJECT_DIR } from "../../config/stack-files";
import type { Io } from "../../tools/cli";

/** A directory with this project's Pulumi.yaml and the given files (`Pulumi.<stack>.yaml` texts, ...). */
export function scratchProject(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "amplifier-scratch-"));
  fs.copyFileSync(path.join(PROJECT_DIR, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

/** A copy of the repository's tracked files (a fresh checkout), sharing this checkout's installed node_modules. */
export function scratchCheckout(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "amplifier-checkout-"));
  const tracked = execFileSync("git", ["ls-files", "-z"], { cwd: PROJECT_DIR, encoding: "utf8" }).split("\0").filter(Boolean);
  for (const f of tracked) {
    if (!fs.existsSync(path.join(PROJECT_DIR, f))) continue;
    fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    fs.copyFileSync(path.join(PROJECT_DIR, f), path.join(dir, f));
  }
  for (const modules of ["node_modules", "policy/node_modules"]) {
    if (fs.existsSync(path.join(PROJECT_DIR, modules))) fs.symlinkSync(path.join(PROJECT_DIR, modules), path.join(dir, modules), "dir");
  }
  return dir;
}

/** A stack file of this repository, as text. */
export function stackText(stack: string): string {
  return fs.readFileSync(path.join(PROJECT_DIR, `Pulumi.${stack}.yaml`), "utf8");
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
