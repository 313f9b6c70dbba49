/**
 * No silent fallback to defaults: a key the program would not read is an error naming the file,
 * the key and the closest valid key, both in the program (which sees only Pulumi's runtime config) and in the
 * offline reader (which also points at the line); and the offline reader reads keys exactly as the Pulumi CLI does,
 * so the plan and `pulumi up` accept and reject the same files.
 */
import * as fs from "fs";
import * as path from "path";
import { ConfigError } from "../config/errors";
import { PROVIDERS } from "../config/keys";
import { parseStackYaml } from "../config/pulumi-files";
import { parseStackFile, PROJECT_DIR } from "../config/stack-files";
import { runProgram, userResources } from "../mock-runtime";
import { azureStacks } from "../tools/ci-stacks";
import { scratchProject } from "./support/checkout";
import { at, chosenText, projectWith, type SpecStack, specStack } from "./support/stacks";

/**
 * The program's error for one of the spec's stacks (its stand-in once the file is gone: test/support/stacks.ts) run
 * with config overrides (full `<namespace>:<name>` keys allowed).
 */
async function programError(stack: SpecStack, overrides: Record<string, unknown>): Promise<string> {
  const result = await runProgram({ ...at(specStack(stack)), overrides });
  expect(result.error).toBeInstanceOf(ConfigError);
  expect(userResources(result)).toEqual([]);
  return result.error!.message;
}

/** The offline reader's error for a stack file text (the stack is named `x`). */
function offlineError(text: string): string {
  const dir = scratchProject({ "Pulumi.x.yaml": text });
  try {
    parseStackFile("x", dir);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error("expected a ConfigError");
}

describe("the program refuses keys it would ignore", () => {
  test("a misspelt project namespace (prod's app service plan would fall back to one B1 instance)", async () => {
    const message = await programError("prod", { "amplifier-infa:appService": { planSku: "P1v2", capacity: 2 } });
    expect(message).toContain('Invalid configuration for stack "prod" (Pulumi.prod.yaml)');
    expect(message).toContain('amplifier-infa:appService: namespace "amplifier-infa" is not read by this program (did you mean "amplifier-infra:appService"?)');
    expect(message).toContain("namespaces it reads: amplifier-infra, azure-native");
  });

  test("the same typo on monitoring (prod's alerts would go to nobody)", async () => {
    const message = await programError("prod", { "amplifier-infa:monitoring": { alertEmails: ["ops@example.com"] } });
    expect(message).toContain('(did you mean "amplifier-infra:monitoring"?)');
  });

  test("a provider key the provider does not read names the closest one and lists the allowed", async () => {
    const message = await programError("test", { "azure-native:locaton": "eastus" });
    expect(message).toContain('azure-native:locaton: unknown azure-native key (did you mean "azure-native:location"?); allowed: location');
  });

  test("a provider key under the wrong namespace points at the right one", async () => {
    expect(await programError("test", { "azure:location": "eastus" })).toContain('namespace "azure" is not read by this program (did you mean "azure-native:location"?)');
  });

  test.each([
    ["test" as const, "docker:host", "unix:///var/run/docker.sock", "the docker provider is not used by an azure stack"],
    ["dev" as const, "azure-native:location", "eastus", "the azure-native provider is not used by a docker stack"],
    ["test" as const, "random:seed", "1", "the random provider has no configuration keys"],
    ["test" as const, "pulumi:tags", '{"team":"x"}', "pulumi:* keys change how the engine runs the program"],
  ])("%s: %s is refused (%s)", async (stack, key, value, fragment) => {
    expect(await programError(stack, { [key]: value })).toContain(fragment);
  });

  test("an unknown project key names the closest key and lists the allowed ones", async () => {
    const message = await programError("prod", { appservice: { planSku: "P1v2" } });
    expect(message).toMatch(/appservice: unknown key \(did you mean "appService"\?\); allowed: environment, platform, namePrefix, .*monitoring/);
  });

  test("an unknown key inside a block names the closest key and lists the block's keys", async () => {
    const message = await programError("prod", { monitoring: { alertEmail: ["ops@example.com"] } });
    expect(message).toContain('monitoring: unknown key "alertEmail" (did you mean "alertEmails"?); allowed: alertEmails, logRetentionDays, dbCpuPercent');
  });

  test("azure-native:location cannot disagree with azure.location (the program places everything in the latter)", async () => {
    expect(await programError("prod", { "azure-native:location": "westeurope" })).toContain(
      'azure-native:location (got "westeurope") differs from azure.location ("eastus")',
    );
  });

  test("only the keys the program needs are accepted: the SDKs read more, and a stack file may set none of it", () => {
    expect(PROVIDERS["azure-native"].keys).toEqual(["location"]);
    expect(PROVIDERS.docker.keys).toEqual([]);
    // The refused keys are told apart from typos by the keys each SDK reads.
    expect(PROVIDERS["azure-native"].reads).toEqual(expect.arrayContaining(["location", "subscriptionId", "tenantId", "clientId", "clientSecret", "useOidc", "oidcRequestUrl", "metadataHost", "skipReadOnUpdate"]));
    expect(PROVIDERS.docker.reads).toEqual(expect.arrayContaining(["host", "context"]));
  });

  test.each([
    ["azure-native:clientSecret", "s3cret"],
    ["azure-native:oidcRequestUrl", "https://collector.example/token"],
    ["azure-native:oidcRequestToken", "eyJ0eXAi"],
    ["azure-native:metadataHost", "management.example.net"],
    ["azure-native:subscriptionId", "11111111-1111-1111-1111-111111111111"],
    ["azure-native:useMsi", "true"],
  ])("prod: %s (a credential, an identity or an endpoint) is refused", async (key, value) => {
    const message = await programError("prod", { [key]: value });
    expect(message).toContain(`${key}: the program does not take this azure-native setting from a stack file: credentials, identities and endpoints come from the job's environment`);
    expect(message).not.toContain(value);
  });
});

describe("the offline reader reads keys as the Pulumi CLI does, and points at the line", () => {
  const prod = chosenText(specStack("prod"));
  // The line of `config:`: 2 in the repository's file, 4 in its stand-in (two header lines more).
  const configLine = prod.split("\n").indexOf("config:") + 1;

  test("bare keys are the project's, `<ns>:config:<name>` is `<ns>:<name>`: both plan like the namespaced file", () => {
    const bare = prod.replace(/^ {2}amplifier-infra:/gm, "  ").replace("azure-native:location", "azure-native:config:location");
    const file = parseStackYaml("x", bare, "amplifier-infra");
    expect(file.entries.map((e) => e.key)).toEqual(parseStackYaml("x", prod, "amplifier-infra").entries.map((e) => e.key));
    const dir = scratchProject({ "Pulumi.x.yaml": bare });
    const cfg = parseStackFile("x", dir);
    expect(cfg.platform === "azure" && cfg.appService.planSku).toBe("P1v2");
  });

  test.each([
    ["a misspelt namespace", "amplifier-infra:appService:", "amplifier-infa:appService:", /Pulumi\.x\.yaml:\d+:3: amplifier-infa:appService: namespace "amplifier-infa" is not read by this program \(did you mean "amplifier-infra:appService"\?\)/],
    ["a misspelt provider key", "azure-native:location:", "azure-native:locaton:", /Pulumi\.x\.yaml:\d+:3: azure-native:locaton: unknown azure-native key \(did you mean "azure-native:location"\?\)/],
    ["a misspelt block key", "    skuName: Standard_D2ds_v5", "    skuNam: Standard_D2ds_v5", /Pulumi\.x\.yaml:\d+:5: postgres: unknown key "skuNam" \(did you mean "skuName"\?\); allowed: serverName/],
    ["a misspelt top-level key", "config:", "confg:", new RegExp(`Pulumi\\.x\\.yaml:${configLine}:1: unknown top-level key "confg" \\(did you mean "config"\\?\\); allowed: config, environment, secretsprovider`)],
    ["a nested key spelt with colons", "amplifier-infra:monitoring:", "amplifier-infra:monitoring:alerts:", /Pulumi\.x\.yaml:\d+:3: "amplifier-infra:monitoring:alerts" is not a configuration key/],
    ["an ESC environment import", "config:", "environment:\n  - prod-secrets\nconfig:", new RegExp(`Pulumi\\.x\\.yaml:${configLine}:1: \`environment:\` \\(Pulumi ESC imports\\) is not supported`)],
    ["a YAML 1.1 octal the CLI reads as 3570", "storageSizeGb: 64", "storageSizeGb: 06762", /"06762" reads differently in the Pulumi CLI \(Go yaml\.v3\) and here; quote it/],
  ])("%s", (_name, from, to, message) => {
    expect(prod).toContain(from);
    expect(offlineError(prod.replace(from, to))).toMatch(message);
  });

  // `pulumi stack init --secrets-provider <cloud KMS>` writes secretsprovider: and encryptedkey: above config: (a
  // passphrase provider writes encryptionsalt:), and these lines must be committed: the top-level keys of
  // workspace.ProjectStack (pulumi/pulumi sdk/go/common/workspace/project.go). The tools read such a file as the CLI does.
  test("a stack file with the lines `pulumi stack init` writes plans, deploys and lists like one without them", async () => {
    const initLines =
      "secretsprovider: azurekeyvault://kv-ampstate1.vault.azure.net/keys/pulumi-secrets-x\n" +
      "encryptedkey: " + "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo0NTY3ODk=".repeat(4) + "\n" +
      "encryptionsalt: v1:c2FsdHNhbHQ=:v1:aXZpdml2aXZpdml2:Y2lwaGVydGV4dA==\n";
    const withInit = prod.replace("config:\n", `${initLines}config:\n`);
    expect(withInit).not.toBe(prod);
    expect(parseStackYaml("x", withInit, "amplifier-infra").entries).toEqual(parseStackYaml("x", prod, "amplifier-infra").entries);
    const initSql = fs.readFileSync(path.join(PROJECT_DIR, "scripts/init-dev-db.sql"), "utf8");
    const dir = scratchProject({ "Pulumi.x.yaml": withInit, "scripts/init-dev-db.sql": initSql });
    try {
      const cfg = parseStackFile("x", dir);
      expect(cfg.platform === "azure" && cfg.postgres.serverName).toBe("amplifier-db-x");
      expect(azureStacks(dir).map((c) => c.stack)).toEqual(["x"]);
      const program = await runProgram({ stack: "x", dir });
      expect(program.error).toBeUndefined();
      expect(userResources(program).length).toBeGreaterThan(20);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test("a bare key beside its namespaced twin (the CLI would keep one at random) is an error naming both", () => {
    const message = offlineError(`${prod}  platform: azure\n`);
    expect(message).toMatch(/Pulumi\.x\.yaml:\d+:3: "platform" and "amplifier-infra:platform" are the same key amplifier-infra:platform; keep one/);
  });

  test.each([
    ["bare keys", "config:\n  environment: test\n  platform: azure\n  azure: {}\n  postgres: {publicNetworkAccess: Enabled}\n", true],
    ["a typo namespace", "config:\n  environment: test\n  platform: azure\n  azure: {}\n  postgres: {publicNetworkAccess: Enabled}\n  amplifier-infa:monitoring: {}\n", false],
    ["a provider key typo", "config:\n  environment: test\n  platform: azure\n  azure: {}\n  postgres: {publicNetworkAccess: Enabled}\n  azure-native:subscriptonId: x\n", false],
    ["a credential", "config:\n  environment: test\n  platform: azure\n  azure: {}\n  postgres: {publicNetworkAccess: Enabled}\n  azure-native:clientSecret: x\n", false],
    ["a legacy key", "config:\n  amplifier-infra:config:environment: test\n  platform: azure\n  azure: {}\n  postgres: {publicNetworkAccess: Enabled}\n", true],
  ])("the plan and the program agree on a file with %s", async (_name, text, ok) => {
    // Named test: non-production-stacks.yaml lists it (a stack it does not list would be production, held to its floors).
    const dir = scratchProject({ "Pulumi.test.yaml": text }, projectWith(["test"]));
    const offline = (() => {
      try {
        parseStackFile("test", dir);
        return true;
      } catch {
        return false;
      }
    })();
    const program = await runProgram({ stack: "test", dir });
    expect({ offline, program: !program.error }).toEqual({ offline: ok, program: ok });
  });
});
