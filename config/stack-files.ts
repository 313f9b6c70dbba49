/**
 * The stack files as the offline tools need them (the plan, the README tables, the policy config, the mock runtime,
 * the tests): which stacks exist, and each file validated exactly as the program validates its runtime config
 * (`validateStack`, after turning the file into the runtime map the Pulumi CLI would hand over), with every problem
 * pointed at its file, line and column. The program never loads this module.
 */
import { collisionProblems, type StackNames } from "./collisions";
import { ConfigError } from "./errors";
import { readNonProductionStacks } from "./gating";
import { projectRoot, siblingStacks, validateStack } from "./load";
import { listStacks as listStackFiles, located, projectName as readProjectName, readStackFile, type StackFile, toRuntimeConfig } from "./pulumi-files";
import { restoreSourceProblems, restoreWindowNotes } from "./restore";
import { ciphertextProblems, secureLeafProblems } from "./secrets";
import type { StackConfig } from "./schema";

/** The project (the directory with Pulumi.yaml), whether this runs from source or compiled into dist/. */
export const PROJECT_DIR = projectRoot(__dirname);

/** The stacks that have a `Pulumi.<stack>.yaml` in `dir`, sorted. */
export function listStacks(dir = PROJECT_DIR): string[] {
  return listStackFiles(dir);
}

export function projectName(dir = PROJECT_DIR): string {
  return readProjectName(dir);
}

/**
 * The environments, from the stack files and nothing else: the one list workflows, `npm run azure-setup` and tests
 * take their stacks from. Every file is validated (and checked against the others' names) on the way.
 */
export function environments(dir = PROJECT_DIR): { stack: string; platform: StackConfig["platform"]; environment: StackConfig["environment"] }[] {
  return parseAllStackFiles(dir).map(({ stack, platform, environment }) => ({ stack, platform, environment }));
}

/** The stack file's `config:` block with namespaced keys (`amplifier-infra:postgres`), values as written. */
export function readStackConfig(stack: string, dir = PROJECT_DIR): Record<string, unknown> {
  return Object.fromEntries(readStackFile(stack, dir, projectName(dir)).entries.map((e) => [e.key, e.value]));
}

interface Validated extends StackNames {
  file: StackFile;
  project: string;
}

/** The value at a secure path (`api.settings.KEY`, `[0]`) inside a config value. */
function valueAt(value: unknown, at: string): unknown {
  return (at.match(/[^.[\]]+/g) ?? []).reduce<unknown>((node, part) => (node !== null && typeof node === "object" ? (node as Record<string, unknown>)[part] : undefined), value);
}

/** One stack file validated as the program would validate it, problems located in the file; no sibling check. */
function validateFile(stack: string, dir: string): Validated {
  const project = projectName(dir);
  const file = readStackFile(stack, dir, project);
  const leaves = file.entries.filter((e) => e.namespace === project).flatMap((e) => e.securePaths.map((p) => (p ? `${e.name}.${p}` : e.name)));
  const secureValues = file.entries
    .filter((e) => e.namespace === project)
    .flatMap((e) => e.securePaths.map((p) => ({ path: p ? `${e.name}.${p}` : e.name, value: (valueAt(e.value, p) as { secure?: unknown })?.secure })));
  const { values, secretKeys } = toRuntimeConfig(stack, new Map(file.entries.map((e) => [e.key, e.value])));
  // Which stacks are production comes from the list beside these stack files (config/gating.ts); its own errors
  // name it, not this stack file.
  const nonProduction = readNonProductionStacks(dir);
  try {
    // The file shows exactly which value was `secure:`; the program sees only its top-level key.
    // Not ciphertext is a pasted plain secret: refused offline, where the file shows it (the program sees it decrypted).
    const leafProblems = [...secureLeafProblems(leaves), ...ciphertextProblems(secureValues, file.secretsProvider)];
    if (leafProblems.length) throw new ConfigError(stack, leafProblems);
    // Relative paths resolve against this program's project, as the program (run on `dir`'s files) resolves them.
    return { ...validateStack({ stack, project, values, isSecret: (k) => secretKeys.includes(k), root: PROJECT_DIR, nonProduction }), file, project };
  } catch (err) {
    if (err instanceof ConfigError) throw located(err, file, project);
    throw err;
  }
}

/** Throws, located in `own`'s file, when `own` would own a name one of `others` owns. */
function assertOwnNames(own: Validated, others: readonly StackNames[]): StackConfig {
  const problems = [...collisionProblems(own, others), ...restoreSourceProblems(own, others)];
  if (problems.length) throw located(new ConfigError(own.stack, problems), own.file, own.project);
  return own.cfg;
}

/** A stack file validated as the program would, plus the names its valid sibling files own. */
export function parseStackFile(stack: string, dir = PROJECT_DIR): StackConfig {
  const own = validateFile(stack, dir);
  return assertOwnNames(own, siblingStacks(dir, own.project, stack, PROJECT_DIR));
}

/** The stack's restore-window warnings, as the program logs them (config/restore.ts restoreWindowNotes). */
export function restoreNotes(stack: string, dir = PROJECT_DIR, at = Date.now()): string[] {
  const own = validateFile(stack, dir);
  return restoreWindowNotes(own, siblingStacks(dir, own.project, stack, PROJECT_DIR), at);
}

/** Every stack file in `dir`, each valid and no two owning one name (README tables, environments). */
export function parseAllStackFiles(dir = PROJECT_DIR): StackConfig[] {
  const all = listStacks(dir).map((stack) => validateFile(stack, dir));
  return all.map((own) => assertOwnNames(own, all));
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
