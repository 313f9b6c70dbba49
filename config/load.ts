/**
 * The program's reader of Pulumi configuration. Takes every key of the running stack from Pulumi's runtime config
 * and stops before anything is registered when
 *  - a key is outside the project's and the used providers' namespaces, or a provider does not read it (keys.ts);
 *  - a project key fails the schema, unknown keys included (schema.ts);
 *  - a value Pulumi marks secret sits where it cannot stay secret (secrets.ts);
 *  - a file the config names lies outside the project (`docker.initSqlPath`, `postgres.initSqlPath`);
 *  - a name the stack would own is another stack file's (collisions.ts: the program reads its sibling stack files);
 *  - a restore's source is the stack's own server, or a sibling's server it cannot restore from as asked (restore.ts).
 * The offline tools (stack-files.ts) turn a stack file into the same runtime map and call `validateStack` too, so
 * the plan and `pulumi up` accept and reject the same configs.
 */
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { collisionProblems, type StackNames } from "./collisions";
import { INIT_SQL_PATH } from "./database";
import { allowedKeysAt, ConfigError, type Problem } from "./errors";
import { keyProblems } from "./keys";
import { restoreSourceProblems } from "./restore";
import { listStacks, readStackFile, toRuntimeConfig } from "./pulumi-files";
import { parseStackConfig, stackConfigSchema, type StackConfig } from "./schema";

export interface RuntimeConfig {
  stack: string;
  project: string;
  /** `<namespace>:<name>` -> text, as `pulumi.runtime.allConfig()` returns it. */
  values: Readonly<Record<string, string>>;
  /** Whether Pulumi marks a key (`<namespace>:<name>`) secret. */
  isSecret: (key: string) => boolean;
  /** The project directory: relative paths in the config resolve against it. */
  root: string;
}

/**
 * Pulumi's own check for secret keys. Exported by the Node SDK at run time but tagged internal, so it is missing from
 * the typings (pulumi/pulumi sdk/nodejs/runtime/config.ts; the mock runtime sets it through setAllConfig too).
 */
function isConfigSecret(key: string): boolean {
  const fn = (pulumi.runtime as unknown as { isConfigSecret?: (key: string) => boolean }).isConfigSecret;
  if (typeof fn !== "function") throw new Error("@pulumi/pulumi no longer exports runtime.isConfigSecret: secret config cannot be told apart");
  return fn(key);
}

/** The running stack's validated config (the program's entry point). */
export function loadStackConfig(): StackConfig {
  const root = projectRoot();
  const project = pulumi.getProject();
  const own = validateStack({ stack: pulumi.getStack(), project, values: pulumi.runtime.allConfig(), isSecret: isConfigSecret, root });
  const siblings = siblingStacks(root, project, own.stack);
  const problems = [...collisionProblems(own, siblings), ...restoreSourceProblems(own, siblings)];
  if (problems.length) throw new ConfigError(own.stack, problems);
  return own.cfg;
}

/** Validates one stack's runtime config map; throws ConfigError listing every problem. */
export function validateStack(input: RuntimeConfig): StackNames {
  const { stack, project } = input;
  const raw: Record<string, unknown> = {};
  const providers: Record<string, string> = {};
  const secretNames: string[] = [];
  for (const [key, value] of Object.entries(input.values)) {
    const name = key.slice(key.indexOf(":") + 1);
    if (!key.startsWith(`${project}:`)) {
      providers[key] = value;
      continue;
    }
    raw[name] = parseValue(value);
    if (input.isSecret(key)) secretNames.push(name);
  }
  const problems: Problem[] = keyProblems(Object.keys(providers), project, raw.platform, allowedKeysAt(stackConfigSchema, []));
  let cfg: StackConfig | undefined;
  try {
    cfg = parseStackConfig(stack, raw, secretNames);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    problems.push(...err.problems);
  }
  // Files the config names are read into a container, a server parameter and the state: only the project's own.
  const sql = cfg?.platform === "docker" ? (["docker", cfg.docker.initSqlPath] as const) : cfg ? (["postgres", cfg.postgres.initSqlPath] as const) : undefined;
  const bad = sql && insideProject(input.root, sql[1]);
  if (sql && typeof bad === "string") {
    problems.push({ path: [sql[0], "initSqlPath"], text: `${sql[0]}.initSqlPath (got ${JSON.stringify(sql[1])}): ${bad}; it must be a .sql file of this project (default ${INIT_SQL_PATH})` });
  }
  const location = providers["azure-native:location"];
  if (cfg?.platform === "azure" && location !== undefined && location !== cfg.azure.location) {
    problems.push({
      key: "azure-native:location",
      text: `azure-native:location (got ${JSON.stringify(location)}) differs from azure.location (${JSON.stringify(cfg.azure.location)}), which places every resource; set azure.location and remove azure-native:location, or make them equal`,
    });
  }
  if (problems.length || !cfg) throw new ConfigError(stack, problems);
  return { stack, cfg, providers };
}

/**
 * The other stack files in `dir`, each validated as its own program would be (relative paths resolved against
 * `root`, the program's project). A file that does not validate is left out: its own plan and deploy report it, and
 * one broken file must not block every other stack's deploy.
 */
export function siblingStacks(dir: string, project: string, exclude: string, root = dir): StackNames[] {
  const out: StackNames[] = [];
  let stacks: string[];
  try {
    stacks = listStacks(dir);
  } catch (err) {
    if (err instanceof ConfigError) return out;
    throw err;
  }
  for (const stack of stacks.filter((s) => s !== exclude)) {
    try {
      const file = readStackFile(stack, dir, project);
      const { values, secretKeys } = toRuntimeConfig(stack, new Map(file.entries.map((e) => [e.key, e.value])));
      out.push(validateStack({ stack, project, values, isSecret: (k) => secretKeys.includes(k), root }));
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
    }
  }
  return out;
}

/** Pulumi hands structured values over as JSON text and scalars as plain strings. */
function parseValue(value: string): unknown {
  const trimmed = value.trim();
  if (/^[[{]/.test(trimmed) || /^(true|false|-?\d+(\.\d+)?)$/.test(trimmed)) {
    try {
      return JSON.parse(trimmed);
    } catch {
      return value;
    }
  }
  return value;
}

/**
 * The real path of a project-relative file, or why it may not be used: absolute, outside the project (`..`, or a
 * symlink pointing out), missing, or not a regular file. Host files must never reach a container or the state.
 */
export function insideProject(root: string, rel: string): { file: string } | string {
  if (path.isAbsolute(rel) || /^[a-zA-Z]:/.test(rel)) return "must be relative to the project, not an absolute path";
  const realRoot = fs.realpathSync(root);
  const outside = (p: string) => {
    const r = path.relative(realRoot, p);
    return r === "" || r.startsWith("..") || path.isAbsolute(r);
  };
  if (outside(path.resolve(realRoot, rel))) return `points outside the project (${realRoot})`;
  let real: string;
  try {
    real = fs.realpathSync(path.resolve(realRoot, rel));
  } catch {
    return `does not exist in the project (${realRoot})`;
  }
  if (outside(real)) return `resolves to ${real} (a symlink), outside the project (${realRoot})`;
  if (!fs.statSync(real).isFile()) return "is not a regular file";
  return { file: real };
}

/** The directory holding Pulumi.yaml, whether the program runs from source or from compiled `dist/`. */
export function projectRoot(from = __dirname): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, "Pulumi.yaml"))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no Pulumi.yaml above ${from}`);
  }
}
