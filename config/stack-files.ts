/**
 * Reads `Pulumi.<stack>.yaml` files the way the offline tools need them (the plan, the README tables, the policy
 * config, the mock runtime): which stacks exist, the project's name, a stack file's `config:` block, and that block
 * validated by the same schema the program uses. The program itself reads its config from the Pulumi runtime
 * (`load.ts`); this module is never loaded by `pulumi up`.
 */
import * as fs from "fs";
import * as path from "path";
import { parse as parseYaml } from "yaml";
import { projectRoot } from "./load";
import { parseStackConfig, type StackConfig } from "./schema";

/** The project (the directory with Pulumi.yaml), whether this runs from source or compiled into dist/. */
export const PROJECT_DIR = projectRoot(__dirname);

/** Placeholder for `secure:` values in stack files: they can only be decrypted by the stack's secrets provider. */
export const OFFLINE_SECRET = "offline-placeholder-secret";

/** Lists the stacks that have a `Pulumi.<stack>.yaml` in `dir`. */
export function listStacks(dir = PROJECT_DIR): string[] {
  return fs
    .readdirSync(dir)
    .map((f) => /^Pulumi\.([^.]+)\.yaml$/.exec(f)?.[1])
    .filter((s): s is string => Boolean(s))
    .sort();
}

export function projectName(dir = PROJECT_DIR): string {
  const project = parseYaml(fs.readFileSync(path.join(dir, "Pulumi.yaml"), "utf8")) as { name?: string };
  if (!project?.name) throw new Error(`${path.join(dir, "Pulumi.yaml")} has no project name`);
  return project.name;
}

/** The stack file's `config:` block with namespaced keys, as `pulumi config` would hand it to the program. */
export function readStackConfig(stack: string, dir = PROJECT_DIR): Record<string, unknown> {
  const file = path.join(dir, `Pulumi.${stack}.yaml`);
  if (!fs.existsSync(file)) {
    throw new Error(`no stack "${stack}": ${file} does not exist (stacks here: ${listStacks(dir).join(", ") || "none"})`);
  }
  const doc = (parseYaml(fs.readFileSync(file, "utf8")) ?? {}) as { config?: Record<string, unknown> };
  return doc.config ?? {};
}

/** `secure:` values can only be decrypted by the stack's secrets provider: offline they become OFFLINE_SECRET. */
export function withoutSecureValues(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutSecureValues);
  if (!isPlainObject(value)) return value;
  if ("secure" in value) return OFFLINE_SECRET;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withoutSecureValues(v)]));
}

/** The stack file's own keys validated exactly as the program validates them (no run, no mocks). */
export function parseStackFile(stack: string, dir = PROJECT_DIR): StackConfig {
  const prefix = `${projectName(dir)}:`;
  const raw: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(readStackConfig(stack, dir))) {
    // Other namespaces (azure-native:location) are provider settings, as config/load.ts skips them.
    if (!key.includes(":") || key.startsWith(prefix)) raw[key.slice(key.startsWith(prefix) ? prefix.length : 0)] = withoutSecureValues(value);
  }
  return parseStackConfig(stack, raw);
}

/** The error for an exception whose rule finds nothing in the stack (policy/evaluate.ts staleExceptions). */
export function staleExceptionMessage(stack: string, rule: string, dir = PROJECT_DIR): string {
  return (
    `exception for rule ${rule} in Pulumi.${stack}.yaml (key ${projectName(dir)}:policy.exceptions.${rule}) ` +
    "but the rule finds nothing in this stack: remove the line"
  );
}

/** The stack's validated policy exceptions (the whole stack config is validated, as the program would). */
export function stackExceptions(stack: string, dir = PROJECT_DIR): Record<string, string> {
  return parseStackFile(stack, dir).policy.exceptions;
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
