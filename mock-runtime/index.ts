/**
 * Runs the real program (index.ts) for one stack file under Pulumi's mock runtime, in-process, and records what it
 * registers. The tests, the offline plan, the policy config and the benchmark all go through `runProgram`; nothing
 * else sets mocks. Product code (index.ts, components/, config/) never imports this module.
 *
 * No Pulumi CLI, cloud account or Docker engine is involved: resources get deterministic fake ids and computed
 * outputs from `mockState`, invokes are answered by `mockCall` (an unknown invoke is an error, so a new data source
 * cannot slip through unmocked).
 */
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { ConfigError } from "../config/errors";
import { isPlainObject, isSecureValue, parseConfigKey, readStackFile, SECRET_SIG, toRuntimeConfig } from "../config/pulumi-files";
import { PROJECT_DIR, projectName } from "../config/stack-files";
import { builtInState, mockCall } from "./mocks";

export { MOCK_CLIENT_CONFIG } from "./mocks";

/** The SDK's promise wrapper (runtime/debuggable.ts, internal: its typings hide it), replaced while a program runs. */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const debuggable: { debuggablePromise: <T>(p: Promise<T>, ctx: unknown) => Promise<T> } = require("@pulumi/pulumi/runtime/debuggable");

/** The SDK's Resource class with its (internal, static) stack-trace reader, replaced while a program runs. */
const resourceClass = pulumi.Resource as unknown as { callsites: () => unknown[] };

/** The program beside this module: index.ts under jest, dist/index.js when compiled. */
const PROGRAM = path.resolve(__dirname, "..", "index");

export interface RegisteredResource {
  type: string;
  name: string;
  urn: string;
  /** Whether it is a custom (cloud) resource rather than a component. */
  custom: boolean;
  /** Inputs as the provider would receive them (secrets unwrapped; see `secretInputs`). */
  inputs: Record<string, any>;
  /** Dotted paths of inputs that were secret, e.g. `administratorLoginPassword`, `envs[1]`. */
  secretInputs: string[];
  /** The state the mock returned (inputs plus computed outputs such as ids and FQDNs). */
  state: Record<string, any>;
  parent?: string;
  /** URNs this resource waits for: explicit `dependsOn` plus the resources its inputs come from. */
  dependencies: string[];
  /** Input name -> URNs its value came from (what CrossGuard passes as `propertyDependencies`). */
  propertyDependencies: Record<string, string[]>;
  options: {
    protect: boolean;
    ignoreChanges: string[];
    retainOnDelete: boolean;
    additionalSecretOutputs: string[];
    /** URN of the resource whose deletion takes this one along (Pulumi then skips this one's delete), if any. */
    deletedWith?: string;
    /** Pulumi's `import` option: the id of an existing resource to adopt instead of creating one. */
    importId?: string;
    /** Earlier names the resource answers to (`aliases`): an alias spec's name, or an alias URN's last part. */
    aliases?: string[];
    /** Earlier parents it answers under (an alias spec's parent URN), for a resource moved to another component. */
    aliasParents?: string[];
  };
}

/** One invoke (data source) the program made, as the provider would receive it. */
export interface Invoke {
  token: string;
  args: Record<string, any>;
}

export interface RunResult {
  stack: string;
  resources: RegisteredResource[];
  /** Every invoke in call order (tools/azure-permissions.ts holds what each needs from a read-only identity). */
  invokes: Invoke[];
  /** Stack outputs with their real values (secret ones included, for assertions; see `secretOutputs`). */
  outputs: Record<string, unknown>;
  secretOutputs: string[];
  /** The error the program threw (bad config, a component's check), if any. */
  error?: Error;
  /** What the program logged with `pulumi.log.warn` (a preview or up shows these); absent in older dumps. */
  warnings?: string[];
}

export type MockStateFn = (args: pulumi.runtime.MockResourceArgs) => Record<string, any> | undefined;

export interface RunOptions {
  stack: string;
  /**
   * Directory holding `Pulumi.yaml` and `Pulumi.<stack>.yaml`; default the project. The program reads its sibling
   * stack files and `non-production-stacks.yaml` there too; config paths still resolve against this checkout.
   */
  dir?: string;
  /** Program entry to load; default the project's index (compiled or source, matching this harness). */
  program?: string;
  /**
   * Changes to the stack file's config, by key without the project prefix (or a full `<namespace>:<name>` key).
   * Objects are merged deeply into the file's value; `null` deletes a key; anything else replaces it. A
   * `{ secure: "..." }` value is a secret, as in a stack file.
   */
  overrides?: Record<string, unknown>;
  /** Run as `pulumi preview` (computed values unknown) instead of `up`. */
  preview?: boolean;
  /** Extra computed outputs per resource, consulted before the built-in ones (e.g. a chosen password). */
  mockState?: MockStateFn;
}


function deepMerge(base: unknown, patch: unknown): unknown {
  if (patch === null) return undefined;
  if (!isPlainObject(base) || !isPlainObject(patch) || isSecureValue(patch)) return patch;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(patch)) {
    const merged = deepMerge(out[k], v);
    if (merged === undefined) delete out[k];
    else out[k] = merged;
  }
  return out;
}


/** Walks a serialised property value, returning it with secrets unwrapped and the paths that were secret. */
function unwrapSecrets(value: any, at: string, secrets: string[]): any {
  if (Array.isArray(value)) return value.map((v, i) => unwrapSecrets(v, `${at}[${i}]`, secrets));
  if (!isPlainObject(value)) return value;
  if (value[SECRET_SIG.key] === SECRET_SIG.secret) {
    secrets.push(at);
    return unwrapSecrets(value.value, at, []);
  }
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unwrapSecrets(v, at ? `${at}.${k}` : k, secrets)]));
}

async function resolveOutput(value: unknown): Promise<{ value: unknown; secret: boolean }> {
  if (pulumi.Output.isInstance(value)) {
    const o = value as any;
    const [v, secret] = await Promise.all([o.promise(), o.isSecret]);
    return { value: v, secret };
  }
  return { value, secret: false };
}

/** The request's per-input dependencies, keeping only inputs that came from another resource. */
function propertyDependenciesOf(req: any): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  req.getPropertydependenciesMap().forEach((deps: { getUrnsList(): string[] }, key: string) => {
    const urns = deps.getUrnsList();
    if (urns.length > 0) out[key] = urns;
  });
  return out;
}

/**
 * Every type any run in this process registered, with the first stack that did: the jest suite checks each against the
 * policy pack's type allowlist (test/support/allowlist-guard.ts), so every config variant any test runs is covered.
 */
export function registeredTypes(): Map<string, string> {
  const g = globalThis as { __amplifierRegisteredTypes?: Map<string, string> };
  return (g.__amplifierRegisteredTypes ??= new Map());
}

/** Runs the program for one stack. Never throws for a program error: it comes back as `error`. */
export async function runProgram(opts: RunOptions): Promise<RunResult> {
  const dir = opts.dir ?? PROJECT_DIR;
  let runtime: ReturnType<typeof toRuntimeConfig>;
  const project = projectName(dir);
  try {
    // The stack file read as the Pulumi CLI reads it; a file the CLI would refuse never reaches the program.
    const config = new Map(readStackFile(opts.stack, dir, project).entries.map((e) => [e.key, e.value]));
    for (const [name, patch] of Object.entries(opts.overrides ?? {})) {
      const parsed = parseConfigKey(name, project);
      const key = typeof parsed === "string" ? name : `${parsed.namespace}:${parsed.name}`;
      const next = deepMerge(config.get(key), patch);
      if (next === undefined) config.delete(key);
      else config.set(key, next);
    }
    // Secure values become per-key placeholders, and their keys are secret, exactly as the engine passes them.
    runtime = toRuntimeConfig(opts.stack, config);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return { stack: opts.stack, resources: [], invokes: [], outputs: {}, secretOutputs: [], error: err };
  }
  const { values, secretKeys } = runtime;

  const resources: RegisteredResource[] = [];
  const invokes: Invoke[] = [];
  const pending: Promise<void>[] = [];
  const secretOutputsOf = new Map<string, string[]>();
  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        const state: Record<string, any> = { ...args.inputs, ...builtInState(args), ...(opts.mockState?.(args) ?? {}) };
        // The engine, not the SDK, makes `additionalSecretOutputs` (e.g. RandomPassword.result) secret; so do we.
        for (const key of secretOutputsOf.get(`${args.type}::${args.name}`) ?? []) {
          if (key in state) state[key] = pulumi.secret(state[key]);
        }
        const id = args.custom === false ? undefined : (state.id ?? `${args.name}-id`);
        return { id, state };
      },
      call(args) {
        invokes.push({ token: args.token, args: args.inputs });
        return mockCall(args);
      },
    },
    project,
    opts.stack,
    opts.preview ?? false,
  );
  pulumi.runtime.setAllConfig(values, secretKeys);

  // The mock monitor drops resource options; read them off each registration request instead.
  const monitor = pulumi.runtime.getMonitor() as any;
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req: any, callback: (err: any, resp: any) => void) => {
    const secretInputs: string[] = [];
    const inputs = unwrapSecrets(req.getObject()?.toJavaScript() ?? {}, "", secretInputs);
    const record: RegisteredResource = {
      type: req.getType(),
      name: req.getName(),
      urn: "",
      custom: req.getCustom(),
      inputs,
      secretInputs,
      state: {},
      parent: req.getParent() || undefined,
      dependencies: req.getDependenciesList(),
      propertyDependencies: propertyDependenciesOf(req),
      options: {
        protect: Boolean(req.getProtect()),
        ignoreChanges: req.getIgnorechangesList(),
        retainOnDelete: Boolean(req.getRetainondelete()),
        additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
        ...(req.getDeletedwith() ? { deletedWith: req.getDeletedwith() } : {}),
        ...(req.getImportid() ? { importId: req.getImportid() } : {}),
        aliases: [
          ...req.getAliasurnsList().map((urn: string) => urn.split("::").pop()),
          ...req.getAliasesList().map((a: any) => a.getSpec()?.getName() || String(a.getUrn()).split("::").pop()),
        ],
        aliasParents: req.getAliasesList().map((a: any) => a.getSpec()?.getParenturn()).filter(Boolean),
      },
    };
    resources.push(record);
    if (!registeredTypes().has(record.type)) registeredTypes().set(record.type, opts.stack);
    secretOutputsOf.set(`${record.type}::${record.name}`, record.options.additionalSecretOutputs);
    const done = new Promise<void>((resolve) => {
      register(req, (err: any, resp: any) => {
        if (resp) {
          record.urn = resp.getUrn();
          record.state = unwrapSecrets(resp.getObject()?.toJavaScript() ?? {}, "", []);
        }
        resolve();
        callback(err, resp);
      });
    });
    pending.push(done);
  };

  const result: RunResult = { stack: opts.stack, resources, invokes, outputs: {}, secretOutputs: [], warnings: [] };
  // Without an engine, pulumi.log.warn writes `warning: [runtime] <text>` with console.warn (@pulumi/pulumi
  // log/index.ts): kept in the result instead, as the engine would show them beside the preview.
  const consoleWarn = console.warn;
  console.warn = (...args: unknown[]) => {
    const m = /^warning: \[runtime\] ([\s\S]*)$/.exec(args.map(String).join(" "));
    if (m) result.warnings!.push(m[1]);
    else consoleWarn(...args);
  };
  // The SDK records a stack trace on each of its promises (about 70 a resource) for a leak report it prints only with
  // PULUMI_DEBUG_PROMISE_LEAKS set: a third of prod's run at Node's default of 10 frames (jest asks for 100). So no
  // frames while the program runs: a program error comes back with its message (what the plan and the tests
  // report); with the SDK's debug switch set, the stacks are kept, for its report and for ours.
  // For the same report the SDK wraps each such promise (the stamp, a global set of leak candidates it counts at exit,
  // two more promises to leave that set): with no engine to report to, the promise itself; an eighth of a run's time.
  // And each resource's own trace, which the SDK takes at every depth (Error.stackTraceLimit = Infinity, then the text
  // parsed: @pulumi/pulumi resource.ts `callsites`) for the engine's source positions: the mock monitor drops them,
  // and under jest each frame goes through its source-map formatter (about 3% of the suite's CPU).
  const stackTraceLimit = Error.stackTraceLimit;
  const wrap = debuggable.debuggablePromise;
  const callsites = resourceClass.callsites;
  if (!process.env.PULUMI_DEBUG_PROMISE_LEAKS) {
    Error.stackTraceLimit = 0;
    debuggable.debuggablePromise = (p) => p;
    resourceClass.callsites = () => [];
  }
  try {
    const entry = opts.program ?? PROGRAM;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const loaded = require(entry);
    // The program reads its sibling stack files and the non-production list from `dir`, as it would in a project there.
    const program: (stackFilesDir: string) => unknown = typeof loaded === "function" ? loaded : loaded.default;
    let exported: Record<string, unknown> = {};
    // Catch inside the stack's init: an error escaping it would surface as an unhandled rejection.
    await pulumi.runtime.runInPulumiStack(async () => {
      pulumi.runtime.registerStackTransformation(withoutProviderTypeAliases);
      try {
        exported = ((await program(dir)) ?? {}) as Record<string, unknown>;
      } catch (err) {
        result.error = err instanceof Error ? err : new Error(String(err));
      }
      return exported;
    });
    for (const [key, value] of Object.entries(exported)) {
      const { value: v, secret } = await resolveOutput(value);
      if (v === undefined) continue;
      result.outputs[key] = v;
      if (secret) result.secretOutputs.push(key);
    }
  } catch (err) {
    result.error = err instanceof Error ? err : new Error(String(err));
  } finally {
    console.warn = consoleWarn;
  }
  try {
    if (result.error) quietStackOutputs();
    await Promise.all(pending);
    await (pulumi.runtime as any).waitForRPCs?.();
  } finally {
    Error.stackTraceLimit = stackTraceLimit;
    debuggable.debuggablePromise = wrap;
    resourceClass.callsites = callsites;
  }
  return result;
}

/**
 * When the program throws (bad config), Pulumi's root Stack resource leaves its outputs' derived promises rejected
 * with nobody awaiting them; the error is already in the result, so observe them rather than let Node report the
 * same error again as an unhandled rejection (which also crashes a jest worker).
 */
function quietStackOutputs(): void {
  const outputs = pulumi.runtime.getStackResource()?.outputs as any;
  for (const p of [outputs?.isKnown, outputs?.isSecret, outputs?.promise?.(), outputs?.allResources?.()]) {
    if (p && typeof p.catch === "function") p.catch(() => undefined);
  }
}

/**
 * azure-native gives each resource an alias per older type token it was published under (every API version, e.g. 22
 * for a PostgreSQL server, 60 for a virtual network: `{ type: "azure-native:network/v20230201:VirtualNetwork" }`),
 * so that Pulumi finds state saved under one of them. With no state to find, they only cost: each becomes several
 * outputs in the SDK, then an alias in the registration, more than half of a prod run's time. Dropped while a program
 * runs, through a stack transformation (the SDK applies it before it reads any alias); the program's own aliases (a
 * name, a parent) are kept, as is everything on a real `pulumi up`.
 */
function withoutProviderTypeAliases(args: pulumi.ResourceTransformationArgs): pulumi.ResourceTransformationResult | undefined {
  const aliases = args.opts.aliases;
  if (!aliases?.length || !args.type.startsWith("azure-native:")) return undefined;
  const kept = aliases.filter((a) => !isProviderTypeAlias(a));
  return kept.length === aliases.length ? undefined : { props: args.props, opts: { ...args.opts, aliases: kept } };
}

/** `{ type: "azure-native:..." }` and nothing else: the only kind azure-native's resource classes add. */
export function isProviderTypeAlias(alias: unknown): boolean {
  if (typeof alias !== "object" || alias === null || pulumi.Output.isInstance(alias)) return false;
  const keys = Object.keys(alias);
  const type = (alias as { type?: unknown }).type;
  return keys.length === 1 && keys[0] === "type" && typeof type === "string" && type.startsWith("azure-native:");
}

/** Like `runProgram`, but a program error fails the caller. */
export async function runStack(opts: RunOptions): Promise<RunResult> {
  const result = await runProgram(opts);
  if (result.error) throw result.error;
  return result;
}

/** Resources other than the root stack (what "registers nothing" is about). */
export function userResources(result: RunResult): RegisteredResource[] {
  return result.resources.filter((r) => r.type !== "pulumi:pulumi:Stack");
}

export function byType(result: RunResult, type: string): RegisteredResource[] {
  return result.resources.filter((r) => r.type === type);
}

export function oneOfType(result: RunResult, type: string): RegisteredResource {
  const found = byType(result, type);
  if (found.length !== 1) throw new Error(`expected one ${type}, found ${found.length}`);
  return found[0];
}

/** Whether `from` waits for `to`, directly or through other resources. */
export function dependsOnTransitively(result: RunResult, from: RegisteredResource, to: RegisteredResource): boolean {
  const byUrn = new Map(result.resources.map((r) => [r.urn, r]));
  const seen = new Set<string>();
  const stack = [...from.dependencies];
  while (stack.length) {
    const urn = stack.pop()!;
    if (urn === to.urn) return true;
    if (seen.has(urn)) continue;
    seen.add(urn);
    stack.push(...(byUrn.get(urn)?.dependencies ?? []));
  }
  return false;
}
