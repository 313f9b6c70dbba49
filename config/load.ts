/**
 * The program's reader of Pulumi configuration. Takes every key of the running stack from Pulumi's runtime config
 * and stops before anything is registered when
 *  - a key is outside the project's and the used providers' namespaces, or a provider does not read it (keys.ts);
 *  - a project key fails the schema, unknown keys included (schema.ts);
 *  - a value Pulumi marks secret sits where it cannot stay secret (secrets.ts);
 *  - a file the config names lies outside the project (`docker.initSqlPath`, `postgres.initSqlPath`);
 *  - a name the stack would own is another stack file's (collisions.ts: the program reads its sibling stack files);
 *  - a restore's source is the stack's own server, or a sibling's server it cannot restore from as asked (restore.ts);
 *    a restore point that has left the source's window is only a warning (it changes nothing once the server exists).
 * The offline tools (stack-files.ts) turn a stack file into the same runtime map and call `validateStack` too, so
 * the plan and `pulumi up` accept and reject the same configs.
 */
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { EXTENSIONS } from "../policy/rules";
import { collisionProblems, type StackNames } from "./collisions";
import { INIT_SQL_PATH } from "./database";
import { allowedKeysAt, ConfigError, type Problem } from "./errors";
import { extensionsIn } from "./extensions";
import { gating, type NonProductionStacks, readNonProductionStacks } from "./gating";
import { hostileProblems, keyProblem } from "./hostile";
import { keyProblems } from "./keys";
import { insideProject } from "./paths";
import { productionProblems } from "./production";
import { restoreSourceProblems, restoreWindowNotes } from "./restore";
import { listStacks, readStackFile, toRuntimeConfig } from "./pulumi-files";
import { parseStackConfig, stackConfigSchema, type StackConfig } from "./schema";
import { SECRET_CAPABLE } from "./secrets";

export { insideProject };

export interface RuntimeConfig {
  stack: string;
  project: string;
  /** `<namespace>:<name>` -> text, as `pulumi.runtime.allConfig()` returns it. */
  values: Readonly<Record<string, string>>;
  /** Whether Pulumi marks a key (`<namespace>:<name>`) secret. */
  isSecret: (key: string) => boolean;
  /** The project directory: relative paths in the config resolve against it. */
  root: string;
  /** The stacks that are not production (config/gating.ts); default: the list beside the project's stack files. */
  nonProduction?: NonProductionStacks;
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

/**
 * The running stack's validated config (the program's entry point). Its sibling stack files and the list of stacks
 * that are not production are read from `stackFilesDir`: under Pulumi always the project itself (the program is called
 * without arguments); the offline runtime (mock-runtime) passes the directory of the stack files it runs, so a run on
 * another set of stack files sees that set, as the offline tools' own validation does (config/stack-files.ts).
 * Paths in the config resolve against the program's project either way.
 */
export function loadStackConfig(stackFilesDir?: string): StackConfig {
  const root = projectRoot();
  const dir = stackFilesDir ?? root;
  const project = pulumi.getProject();
  const own = validateStack({
    stack: pulumi.getStack(),
    project,
    values: pulumi.runtime.allConfig(),
    isSecret: isConfigSecret,
    root,
    nonProduction: readNonProductionStacks(dir),
  });
  const siblings = siblingStacks(dir, project, own.stack, root);
  const problems = [...collisionProblems(own, siblings), ...restoreSourceProblems(own, siblings)];
  if (problems.length) throw new ConfigError(own.stack, problems);
  // What time alone changes is a warning (preview and up show it), never an error: config/restore.ts.
  for (const note of restoreWindowNotes(own, siblings)) void pulumi.log.warn(note);
  return own.cfg;
}

/** Whether a config path (["docker", "api", "settings", "X"]) is one a `secure:` value may take (config/secrets.ts). */
const secretCapable = (path: readonly PropertyKey[]) =>
  SECRET_CAPABLE.some((pattern) => {
    const parts = pattern.split(".");
    return parts.length === path.length && parts.every((p, i) => p === "*" || p === String(path[i]));
  });

/** Validates one stack's runtime config map; throws ConfigError listing every problem. */
export function validateStack(input: RuntimeConfig): StackNames {
  const { stack, project } = input;
  const raw: Record<string, unknown> = {};
  const providers: Record<string, string> = {};
  const secretNames: string[] = [];
  const problems: Problem[] = [];
  for (const [key, value] of Object.entries(input.values)) {
    const name = key.slice(key.indexOf(":") + 1);
    // `amplifier-infra:__proto__` assigned to `raw` would replace its prototype: refused before it is assigned.
    const badKey = keyProblem(name);
    if (badKey) {
      problems.push({ key, text: `${keyProblem(key) ? "a configuration key" : key}: ${badKey}` });
      continue;
    }
    if (!key.startsWith(`${project}:`)) {
      providers[key] = value;
      problems.push(...hostileProblems(value, [key]).map((p) => ({ key, text: p.text })));
      continue;
    }
    const parsed = parseValue(value);
    const secret = input.isSecret(key);
    const hostile = hostileProblems(parsed, [name], (path) => secret && secretCapable(path));
    if (hostile.length) {
      // The schema would quote these values: they stop here, one problem each, the value never shown.
      problems.push(...hostile);
      continue;
    }
    raw[name] = parsed;
    if (secret) secretNames.push(name);
  }
  problems.push(...keyProblems(Object.keys(providers), project, raw.platform, allowedKeysAt(stackConfigSchema, [])));
  let cfg: StackConfig | undefined;
  try {
    cfg = parseStackConfig(stack, raw, secretNames);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    problems.push(...err.problems);
  }
  if (cfg) problems.push(...fileProblems(input.root, cfg), ...stackProblems(stack, cfg, input.root, input.nonProduction));
  const location = providers["azure-native:location"];
  if (cfg?.platform === "azure" && location !== undefined && location !== cfg.azure.location) {
    problems.push({
      key: "azure-native:location",
      text: `azure-native:location (got ${JSON.stringify(location)}) differs from azure.location (${JSON.stringify(cfg.azure.location)}), which places every resource; set azure.location and remove azure-native:location, or make them equal`,
    });
  }
  if (problems.length || !cfg) throw new ConfigError(stack, problems);
  return { stack, cfg };
}

/**
 * Files the config names are read into a container, a server parameter and the state: only the project's own. The
 * init SQL's extensions must be on the policy pack's allowlist (policy/rules/postgres-parameters.ts EXTENSIONS).
 */
function fileProblems(root: string, cfg: StackConfig): Problem[] {
  const problems: Problem[] = [];
  const [block, sqlPath] = cfg.platform === "docker" ? (["docker", cfg.docker.initSqlPath] as const) : (["postgres", cfg.postgres.initSqlPath] as const);
  const sql = insideProject(root, sqlPath);
  if (typeof sql === "string") {
    problems.push({ path: [block, "initSqlPath"], text: `${block}.initSqlPath (got ${JSON.stringify(sqlPath)}): ${sql}; it must be a .sql file of this project (default ${INIT_SQL_PATH})` });
  } else {
    for (const name of extensionsIn(fs.readFileSync(sql.file, "utf8")).filter((e) => !Object.hasOwn(EXTENSIONS, e))) {
      problems.push({
        path: [block, "initSqlPath"],
        text: `${block}.initSqlPath (${sqlPath}) creates extension ${JSON.stringify(name)}, which is not on the allowlist: ${Object.keys(EXTENSIONS).join(", ")} (add a vetted one to EXTENSIONS in policy/rules/postgres-parameters.ts)`,
      });
    }
  }
  // The API's build context is uploaded to the Docker engine and mounted into the container (mountSource).
  const api = cfg.platform === "docker" ? cfg.docker.api : undefined;
  if (api) {
    const context = insideProject(root, api.context, "directory");
    if (typeof context === "string") {
      problems.push({ path: ["docker", "api", "context"], text: `docker.api.context (got ${JSON.stringify(api.context)}): ${context}; it must be a checkout inside this project` });
    } else {
      const dockerfile = insideProject(context.file, api.dockerfile);
      if (typeof dockerfile === "string") {
        problems.push({ path: ["docker", "api", "dockerfile"], text: `docker.api.dockerfile (got ${JSON.stringify(api.dockerfile)}): ${dockerfile.replace(/the project/g, "the build context")}; it must be a file inside docker.api.context` });
      }
    }
  }
  return problems;
}

/** Gating from the list of stacks that are not production, and production's floors (config/gating.ts, production.ts). */
function stackProblems(stack: string, cfg: StackConfig, root: string, list?: NonProductionStacks): Problem[] {
  if (cfg.platform !== "azure") return [];
  const g = gating(stack, cfg, list ?? readNonProductionStacks(root));
  cfg.production = g.production;
  if (!g.production) return g.problems;
  const sql = insideProject(root, cfg.postgres.initSqlPath);
  const extensions = typeof sql === "string" ? [] : extensionsIn(fs.readFileSync(sql.file, "utf8"));
  return [...g.problems, ...productionProblems(cfg, extensions)];
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
      out.push(validateStack({ stack, project, values, isSecret: (k) => secretKeys.includes(k), root, nonProduction: readNonProductionStacks(dir) }));
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

/** The directory holding Pulumi.yaml, whether the program runs from source or from compiled `dist/`. */
export function projectRoot(from = __dirname): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, "Pulumi.yaml"))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no Pulumi.yaml above ${from}`);
  }
}
