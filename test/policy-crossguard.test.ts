/**
 * The CrossGuard adapter (policy/crossguard.ts) with hand-built arguments carrying the fields current
 * @pulumi/policy passes (notApplicable, stackTags, isType mirroring the server, opts). index.ts is never imported:
 * constructing a PolicyPack starts the analyzer server.
 */
import * as path from "path";
import {
  type CrossGuardResource as PolicyResource,
  type ResourceValidationArgs,
  type ResourceValidationPolicy,
  type StackValidationArgs,
  type StackValidationPolicy,
  resourceValidation,
  stackValidation,
  toPolicies,
} from "../policy/crossguard";
import { RULES } from "../policy/rules";

// proxy.js is self-contained (no @pulumi/pulumi): the real preview wraps props in it, so the tests do too. It is
// installed under policy/, out of reach of a plain import from test/.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const proxy = require(require.resolve("@pulumi/policy/proxy", { paths: [path.join(__dirname, "..", "policy")] }));

class NotApplicable extends Error {}
const rule = (name: string) => RULES.find((r) => r.name === name)!;
const opts = (protect = false) => ({ protect, ignoreChanges: [], aliases: [], customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 }, additionalSecretOutputs: [] });

function resourceArgs(type: string, props: Record<string, any>, protect = false): ResourceValidationArgs {
  const wrapped = proxy.unknownCheckingProxy(props);
  return {
    type,
    props: wrapped,
    urn: `urn:pulumi:prod::amplifier-infra::${type}::r`,
    name: "r",
    opts: opts(protect),
    stackTags: new Map([["environment", "production"]]),
    // Mirrors the server's isTypeOf: compare the class's __pulumiType with the registered token.
    isType: (cls: any) => cls.__pulumiType === type,
    asType: (cls: any) => (cls.__pulumiType === type ? wrapped : undefined),
    getConfig: <T extends object>() => ({}) as T,
    notApplicable: (reason?: string): never => {
      throw new NotApplicable(reason);
    },
  } as ResourceValidationArgs;
}

async function runResource(name: string, args: ResourceValidationArgs): Promise<string[]> {
  const reported: string[] = [];
  await resourceValidation(rule(name))(args, (message) => void reported.push(message));
  return reported;
}

describe("resource policies", () => {
  test("a rule that reads the stack's facts takes production from its policy config (npm run policy-config), production when absent", async () => {
    const withConfig = (config: object) => ({ ...resourceArgs("azure-native:dbforpostgresql:Configuration", { configurationName: "azure.extensions", value: "UUID-OSSP,DBLINK" }), getConfig: <T extends object>() => config as T });
    const policy = toPolicies().find((p) => p.name === "postgres-parameters-allowlisted")!;
    expect(policy.configSchema).toEqual({ properties: { production: { type: "boolean" } } });
    expect(await runResource("postgres-parameters-allowlisted", withConfig({ production: false }))).toEqual([]);
    for (const config of [{ production: true }, {}]) {
      expect(await runResource("postgres-parameters-allowlisted", withConfig(config))).toEqual([expect.stringContaining("allows extension(s) dblink in a production stack")]);
    }
    // Only the rules that read the stack facts have a config schema.
    expect(toPolicies().filter((p) => p.configSchema).map((p) => p.name)).toEqual(["postgres-parameters-allowlisted", "app-settings-allowlisted", "bootstrap-run-contained"]);
  });

  test("a violation is reported with the rule's message", async () => {
    const messages = await runResource("webapp-https-only", resourceArgs("azure-native:web:WebApp", { httpsOnly: false, name: "amplifier-api-test" }));
    expect(messages).toEqual([expect.stringContaining('[webapp-https-only] azure-native:web:WebApp "r" (amplifier-api-test) accepts plain HTTP (found false); fix: set httpsOnly: true')]);
  });

  test("a compliant resource reports nothing; protect comes from the resource options", async () => {
    expect(await runResource("webapp-https-only", resourceArgs("azure-native:web:WebApp", { httpsOnly: true }))).toEqual([]);
    expect(await runResource("stateful-resources-protected", resourceArgs("azure-native:keyvault:Vault", {}, true))).toEqual([]);
    expect(await runResource("stateful-resources-protected", resourceArgs("azure-native:keyvault:Vault", {}, false))).toHaveLength(1);
  });

  test("another type is not applicable, and single-type rules carry __pulumiType for the server's fast path", async () => {
    await expect(runResource("storage-https-only", resourceArgs("azure-native:web:WebApp", {}))).rejects.toThrow(
      new NotApplicable("Policy only applies to resources of type 'azure-native:storage:StorageAccount'"),
    );
    expect((resourceValidation(rule("storage-https-only")) as any).__pulumiType).toBe("azure-native:storage:StorageAccount");
    // Site rules hold for web apps and their slots: several types, so the server calls them for every resource.
    await expect(runResource("webapp-https-only", resourceArgs("azure-native:storage:StorageAccount", {}))).rejects.toThrow(
      new NotApplicable("Policy only applies to resources of type 'azure-native:web:WebApp', 'azure-native:web:WebAppSlot'"),
    );
    expect((resourceValidation(rule("webapp-https-only")) as any).__pulumiType).toBeUndefined();
    expect(await runResource("webapp-https-only", resourceArgs("azure-native:web:WebAppSlot", { httpsOnly: false, name: "amplifier-api-prod", slot: "staging" }))).toEqual([
      expect.stringContaining('(amplifier-api-prod/staging) accepts plain HTTP'),
    ]);
    expect((resourceValidation(rule("required-tags")) as any).__pulumiType).toBeUndefined();
    await expect(runResource("required-tags", resourceArgs("random:index/randomPassword:RandomPassword", {}))).rejects.toThrow(NotApplicable);
  });

  test("the type allowlist is called for every type (no __pulumiType fast path) and refuses a type the program does not register", async () => {
    expect((resourceValidation(rule("resource-types-allowlisted")) as any).__pulumiType).toBeUndefined();
    expect(await runResource("resource-types-allowlisted", resourceArgs("random:index/randomPassword:RandomPassword", {}))).toEqual([]);
    expect(await runResource("resource-types-allowlisted", resourceArgs("azure-native:resources:Deployment", { properties: {} }))).toEqual([
      expect.stringContaining('[resource-types-allowlisted] azure-native:resources:Deployment "r" is of a type the program does not register'),
    ]);
  });

  test("an unknown value (preview) surfaces as UnknownValueError, which the server downgrades to advisory", async () => {
    const args = resourceArgs("azure-native:web:WebApp", { httpsOnly: proxy.unknownBooleanValue });
    await expect(runResource("webapp-https-only", args)).rejects.toBeInstanceOf(proxy.UnknownValueError);
  });
});

describe("stack policies", () => {
  const SERVER = "azure-native:dbforpostgresql:Server";
  const CONFIG = "azure-native:dbforpostgresql:Configuration";

  /** Stack policies see outputs: a Configuration's output has `name`/`value` but no `serverName`. */
  function stackResource(type: string, name: string, props: Record<string, any>, deps: Record<string, PolicyResource[]> = {}): PolicyResource {
    return {
      type,
      name,
      urn: `urn:pulumi:prod::amplifier-infra::${type}::${name}`,
      props: proxy.unknownCheckingProxy(props),
      opts: opts(),
      dependencies: Object.values(deps).flat(),
      propertyDependencies: deps,
      isType: (cls: any) => cls.__pulumiType === type,
      asType: () => undefined,
    };
  }

  function stackArgs(resources: PolicyResource[]): StackValidationArgs {
    return {
      resources,
      stackTags: new Map(),
      getConfig: <T extends object>() => ({}) as T,
      notApplicable: (reason?: string): never => {
        throw new NotApplicable(reason);
      },
    };
  }

  async function runStack(name: string, resources: PolicyResource[]): Promise<{ message: string; urn?: string }[]> {
    const reported: { message: string; urn?: string }[] = [];
    await stackValidation(rule(name))(stackArgs(resources), (message, urn) => void reported.push({ message, urn }));
    return reported;
  }

  test("outputs carry no serverName: a parameter linked to its server by property dependency satisfies the rule", async () => {
    const server = stackResource(SERVER, "postgres-server", { name: "amplifier-db-prod" });
    const known = stackResource(CONFIG, "param", { name: "log_connections", value: "on" }, { serverName: [server] });
    expect(await runStack("postgres-log-connections", [server, known])).toEqual([]);
  });

  test("a missing or unlinked parameter is reported against the server's URN", async () => {
    const server = stackResource(SERVER, "postgres-server", { name: "amplifier-db-prod" });
    const other = stackResource(SERVER, "other-server", { name: "other-db" });
    const unlinked = stackResource(CONFIG, "param", { name: "log_connections", value: "on" }, { serverName: [other] });
    const reported = await runStack("postgres-log-connections", [server, other, unlinked]);
    expect(reported).toEqual([
      { urn: server.urn, message: expect.stringContaining("[postgres-log-connections] azure-native:dbforpostgresql:Server \"postgres-server\" (amplifier-db-prod) has server parameter log_connections not set to on (found missing)") },
    ]);
  });

  test("a stack without the rule's resource type is not applicable", async () => {
    await expect(runStack("postgres-log-connections", [stackResource("azure-native:web:WebApp", "app", {})])).rejects.toThrow(NotApplicable);
  });
});

test("toPolicies: one policy per rule with name, severity, sources; resource rules validateResource, stack rules validateStack", () => {
  const policies = toPolicies();
  expect(policies.map((p) => p.name)).toEqual(RULES.map((r) => r.name));
  for (const [i, policy] of policies.entries()) {
    const r = RULES[i];
    expect(policy.severity).toBe(r.severity);
    expect(policy.description).toContain(r.source[0]);
    expect(policy.enforcementLevel).toBeUndefined(); // from the pack default and --policy-pack-config
    if (r.scope === "stack") expect(typeof (policy as StackValidationPolicy).validateStack).toBe("function");
    else expect(typeof (policy as ResourceValidationPolicy).validateResource).toBe("function");
  }
});
