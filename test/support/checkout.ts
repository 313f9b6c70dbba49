/**
 * A temporary checkout holding Pulumi.yaml and some stack files: the project's own, or copies changed by the test
 * (a `staging` copied from test or prod), so tools that read "the stack files" can be run against another set.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse, stringify } from "yaml";
import { listStacks, PROJECT_DIR } from "../../config/stack-files";

export type StackFiles = Record<string, Record<string, unknown>>;

/** The `config:` block of one of the project's stack files, keys as written (namespaced). */
export function projectStackConfig(stack: string): Record<string, unknown> {
  return parse(fs.readFileSync(path.join(PROJECT_DIR, `Pulumi.${stack}.yaml`), "utf8")).config;
}

/** A project stack's config with top-level keys (without the project prefix) replaced; `undefined` removes one. */
export function changedStack(stack: string, changes: Record<string, unknown>): Record<string, unknown> {
  const config = { ...projectStackConfig(stack) };
  for (const [key, value] of Object.entries(changes)) {
    if (value === undefined) delete config[`amplifier-infra:${key}`];
    else config[`amplifier-infra:${key}`] = value;
  }
  return config;
}

/** Writes Pulumi.yaml and the given stack files (stack -> config block) to a new directory; the caller removes it. */
export function tempCheckout(stacks: StackFiles): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "amplifier-checkout-"));
  fs.copyFileSync(path.join(PROJECT_DIR, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
  for (const [stack, config] of Object.entries(stacks)) fs.writeFileSync(path.join(dir, `Pulumi.${stack}.yaml`), stringify({ config }));
  return dir;
}

/** The project's stack files plus `extra`, in a temporary checkout. */
export function checkoutWith(extra: StackFiles): string {
  const own = Object.fromEntries(listStacks().map((s) => [s, projectStackConfig(s)]));
  return tempCheckout({ ...own, ...extra });
}
