/**
 * Runs the real program (index.ts) for one stack file under Pulumi's mock runtime, in-process, and records what it
 * registers. The tests, the offline plan and the benchmark all go through `runProgram`; nothing else sets mocks.
 *
 * No Pulumi CLI, cloud account or Docker engine is involved: resources get deterministic fake ids and computed
 * outputs from `mockState`, invokes are answered by `mockCall` (an unknown invoke is an error, so a new data source
 * cannot slip through unmocked).
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { parse as parseYaml } from "yaml";
import { projectRoot } from "../config/load";
import { parseStackConfig, type StackConfig } from "../config/schema";

/** The project (the directory with Pulumi.yaml), whether this runs from source or compiled into dist/. */
export const PROJECT_DIR = projectRoot(__dirname);
/** The program next to this harness: index.ts under jest, dist/index.js when compiled. */
const PROGRAM = path.resolve(__dirname, "..", "index");

/** Placeholder for `secure:` values in stack files: they can only be decrypted by the stack's secrets provider. */
export const OFFLINE_SECRET = "offline-placeholder-secret";

/** Fixed identity answered for `azure-native:authorization:getClientConfig`. */
export const MOCK_CLIENT_CONFIG = {
  clientId: "00000000-0000-0000-0000-00000000c11e",
  objectId: "00000000-0000-0000-0000-0000000000b1",
  subscriptionId: "00000000-0000-0000-0000-000000000000",
  tenantId: "00000000-0000-0000-0000-0000000000a1",
};

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
  options: {
    protect: boolean;
    ignoreChanges: string[];
    retainOnDelete: boolean;
    additionalSecretOutputs: string[];
  };
}

export interface RunResult {
  stack: string;
  resources: RegisteredResource[];
  /** Stack outputs with their real values (secret ones included, for assertions; see `secretOutputs`). */
  outputs: Record<string, unknown>;
  secretOutputs: string[];
  /** The error the program threw (bad config, a component's check), if any. */
  error?: Error;
}

export type MockStateFn = (args: pulumi.runtime.MockResourceArgs) => Record<string, any> | undefined;

export interface RunOptions {
  stack: string;
  /** Directory holding `Pulumi.yaml` and `Pulumi.<stack>.yaml`; default the project. */
  dir?: string;
  /** Program entry to load; default the project's index (compiled or source, matching this harness). */
  program?: string;
  /**
   * Changes to the stack file's config, by key without the project prefix. Objects are merged deeply into the
   * file's value; `null` deletes a key; anything else replaces it.
   */
  overrides?: Record<string, unknown>;
  /** Run as `pulumi preview` (computed values unknown) instead of `up`. */
  preview?: boolean;
  /** Extra computed outputs per resource, consulted before the built-in ones (e.g. a chosen password). */
  mockState?: MockStateFn;
}

const SECRET_SIG = "4dabf18193072939515e22adb298388d";

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

function deepMerge(base: unknown, patch: unknown): unknown {
  if (patch === null) return undefined;
  if (!isPlainObject(base) || !isPlainObject(patch)) return patch;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(patch)) {
    const merged = deepMerge(out[k], v);
    if (merged === undefined) delete out[k];
    else out[k] = merged;
  }
  return out;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Serialises the config map as the language host does: strings stay, structured values become JSON. */
function toRuntimeConfig(project: string, config: Record<string, unknown>): { values: Record<string, string>; secretKeys: string[] } {
  const values: Record<string, string> = {};
  const secretKeys: string[] = [];
  const hasSecure = (v: unknown): boolean =>
    isPlainObject(v) ? "secure" in v || Object.values(v).some(hasSecure) : Array.isArray(v) && v.some(hasSecure);
  for (const [rawKey, value] of Object.entries(config)) {
    const key = rawKey.includes(":") ? rawKey : `${project}:${rawKey}`;
    if (hasSecure(value)) secretKeys.push(key);
    const plain = withoutSecureValues(value);
    values[key] = typeof plain === "string" ? plain : JSON.stringify(plain);
  }
  return { values, secretKeys };
}

/** A deterministic stand-in for generated secrets: same resource name, same value, on every run. */
function deterministicChars(seed: string, length: number, alphabet: string): string {
  let out = "";
  for (let block = 0; out.length < length; block++) {
    const digest = crypto.createHash("sha256").update(`${seed}:${block}`).digest();
    for (const byte of digest) if (out.length < length) out += alphabet[byte % alphabet.length];
  }
  return out;
}

function deterministicBytes(seed: string, length: number): Buffer {
  const blocks: Buffer[] = [];
  for (let i = 0; blocks.length * 32 < length; i++) blocks.push(crypto.createHash("sha256").update(`${seed}:${i}`).digest());
  return Buffer.concat(blocks).subarray(0, length);
}

function deterministicGuid(seed: string): string {
  const h = crypto.createHash("sha256").update(seed).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const AZURE_PROVIDER_NAMESPACES: Record<string, string> = {
  dbforpostgresql: "Microsoft.DBforPostgreSQL",
  keyvault: "Microsoft.KeyVault",
  web: "Microsoft.Web",
  storage: "Microsoft.Storage",
  network: "Microsoft.Network",
  privatedns: "Microsoft.Network",
  operationalinsights: "Microsoft.OperationalInsights",
  applicationinsights: "Microsoft.Insights",
  monitor: "Microsoft.Insights",
  authorization: "Microsoft.Authorization",
};

/** Computed outputs the real providers would return, so outputs such as FQDNs and ids read like the real thing. */
function builtInState(args: pulumi.runtime.MockResourceArgs): Record<string, any> {
  const inputs = args.inputs ?? {};
  const [pkg, module = "", typeName = ""] = args.type.split(":");
  const lowerType = typeName.charAt(0).toLowerCase() + typeName.slice(1);
  const name: string =
    inputs.name ?? inputs[`${lowerType}Name`] ?? inputs.resourceName ?? inputs.shareName ?? inputs.ruleName ?? inputs.lockName ?? inputs.accountName ?? args.name;
  const state: Record<string, any> = { name };
  if (pkg === "azure-native") {
    const sub = MOCK_CLIENT_CONFIG.subscriptionId;
    if (args.type === "azure-native:resources:ResourceGroup") {
      state.id = `/subscriptions/${sub}/resourceGroups/${name}`;
    } else {
      const ns = AZURE_PROVIDER_NAMESPACES[module] ?? `Microsoft.${module}`;
      state.id = `/subscriptions/${sub}/resourceGroups/${inputs.resourceGroupName ?? "rg"}/providers/${ns}/${lowerType}s/${name}`;
    }
  }
  switch (args.type) {
    case "azure-native:dbforpostgresql:Server":
      state.fullyQualifiedDomainName = `${name}.postgres.database.azure.com`;
      break;
    case "random:index/randomPassword:RandomPassword": {
      const specials = inputs.overrideSpecial ?? "!@#$%&*()-_=+[]{}<>:?";
      const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789" + (inputs.special === false ? "" : specials);
      state.result = deterministicChars(args.name, inputs.length ?? 16, alphabet);
      break;
    }
    case "azure-native:keyvault:Vault":
      state.properties = { ...inputs.properties, vaultUri: `https://${name}.vault.azure.net/` };
      break;
    case "azure-native:keyvault:Secret": {
      // ARM never returns a secret's value; the state carries only its URIs.
      const secretUri = `https://${inputs.vaultName}.vault.azure.net/secrets/${name}`;
      const version = crypto.createHash("sha256").update(args.name).digest("hex").slice(0, 32);
      state.properties = { contentType: inputs.properties?.contentType, secretUri, secretUriWithVersion: `${secretUri}/${version}` };
      break;
    }
    case "azure-native:web:WebApp":
      state.defaultHostName = `${name}.azurewebsites.net`;
      state.identity = { ...inputs.identity, principalId: deterministicGuid(`principal:${name}`), tenantId: MOCK_CLIENT_CONFIG.tenantId };
      break;
    case "azure-native:applicationinsights:Component": {
      state.instrumentationKey = deterministicGuid(`ikey:${name}`);
      state.connectionString =
        `InstrumentationKey=${state.instrumentationKey};IngestionEndpoint=https://${inputs.location}-8.in.applicationinsights.azure.com/;` +
        `LiveEndpoint=https://${inputs.location}.livediagnostics.monitor.azure.com/`;
      break;
    }
    case "azure-native:operationalinsights:Workspace":
      state.customerId = deterministicGuid(`workspace:${name}`);
      break;
    case "random:index/randomBytes:RandomBytes":
    case "random:index/randomId:RandomId": {
      const bytes = deterministicBytes(args.name, inputs.length ?? inputs.byteLength ?? 32);
      Object.assign(state, { hex: bytes.toString("hex"), base64: bytes.toString("base64"), b64Std: bytes.toString("base64") });
      break;
    }
    case "docker:index/remoteImage:RemoteImage":
      state.imageId = `sha256:${crypto.createHash("sha256").update(String(inputs.name)).digest("hex")}`;
      state.repoDigest = `${inputs.name}@${state.imageId}`;
      break;
  }
  return state;
}

function mockCall(args: pulumi.runtime.MockCallArgs): Record<string, any> {
  switch (args.token) {
    case "azure-native:authorization:getClientConfig":
      return MOCK_CLIENT_CONFIG;
    case "azure-native:storage:listStorageAccountKeys":
      return {
        keys: ["key1", "key2"].map((keyName) => ({
          keyName,
          permissions: "FULL",
          value: deterministicBytes(`${keyName}:${args.inputs.accountName}`, 64).toString("base64"),
        })),
      };
    default:
      throw new Error(`harness: no mock for invoke ${args.token}; add one to test/harness.ts`);
  }
}

/** Walks a serialised property value, returning it with secrets unwrapped and the paths that were secret. */
function unwrapSecrets(value: any, at: string, secrets: string[]): any {
  if (Array.isArray(value)) return value.map((v, i) => unwrapSecrets(v, `${at}[${i}]`, secrets));
  if (!isPlainObject(value)) return value;
  if (value[SECRET_SIG] === "1b47061264138c4ac30d75fd1eb44270") {
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

/** Runs the program for one stack. Never throws for a program error: it comes back as `error`. */
export async function runProgram(opts: RunOptions): Promise<RunResult> {
  const dir = opts.dir ?? PROJECT_DIR;
  const project = projectName(dir);
  const fileConfig = readStackConfig(opts.stack, dir);
  const merged: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fileConfig)) merged[key.replace(`${project}:`, "")] = value;
  for (const [key, patch] of Object.entries(opts.overrides ?? {})) {
    const next = deepMerge(merged[key], patch);
    if (next === undefined) delete merged[key];
    else merged[key] = next;
  }
  const { values, secretKeys } = toRuntimeConfig(project, merged);

  const resources: RegisteredResource[] = [];
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
      call: mockCall,
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
      options: {
        protect: Boolean(req.getProtect()),
        ignoreChanges: req.getIgnorechangesList(),
        retainOnDelete: Boolean(req.getRetainondelete()),
        additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
      },
    };
    resources.push(record);
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

  const result: RunResult = { stack: opts.stack, resources, outputs: {}, secretOutputs: [] };
  try {
    const entry = opts.program ?? PROGRAM;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const loaded = require(entry);
    const program: () => unknown = typeof loaded === "function" ? loaded : loaded.default;
    let exported: Record<string, unknown> = {};
    // Catch inside the stack's init: an error escaping it would surface as an unhandled rejection.
    await pulumi.runtime.runInPulumiStack(async () => {
      try {
        exported = ((await program()) ?? {}) as Record<string, unknown>;
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
  }
  if (result.error) quietStackOutputs();
  await Promise.all(pending);
  await (pulumi.runtime as any).waitForRPCs?.();
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
