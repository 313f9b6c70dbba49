/**
 * The policy rules over the real programs (mock harness): dev has nothing to check, test and prod break no
 * mandatory rule, and every documented exception is in use.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { evaluate, policyPackConfig } from "../policy/evaluate";
import { main } from "../tools/policy-config";
import { EXIT, type Io } from "../tools/cli";
import { listStacks, PROJECT_DIR, stackExceptions } from "../config/stack-files";
import { dependsOnTransitively, byType, MOCK_CLIENT_CONFIG, oneOfType, runProgram, runStack, userResources } from "../mock-runtime";
import { at, everyStack, projectWith, SPEC_STACKS } from "./support/stacks";

// Every stack file, and the spec's stacks the repository no longer has as their stand-ins (test/support/stacks.ts).
const CHOSEN = Object.fromEntries(everyStack().map((c) => [c.stack, c]));
const exceptionsOf = (stack: string) => stackExceptions(stack, CHOSEN[stack].dir);
/** The project the tools run in: this one while it has dev, test and prod, else the stand-ins'. */
const SPEC_DIR = projectWith(SPEC_STACKS);

const unique = (xs: string[]) => [...new Set(xs)].sort();

test("dev (Docker only) has no Azure resource to check and no exceptions", async () => {
  const result = await runStack(at(CHOSEN.dev));
  expect(userResources(result).length).toBeGreaterThan(0);
  expect(evaluate(result.resources, exceptionsOf("dev"))).toEqual([]);
});

// Every Azure stack file, so a new environment is checked the day its file lands.
const AZURE_STACKS = Object.keys(CHOSEN).filter((s) => CHOSEN[s].cfg.platform === "azure");

test("the Azure stacks come from the stack files", () => {
  expect(AZURE_STACKS).toEqual(expect.arrayContaining(["prod", "test"]));
});

describe.each(AZURE_STACKS)("%s", (stack) => {
  test("no mandatory violation", async () => {
    const result = await runStack(at(CHOSEN[stack]));
    const mandatory = evaluate(result.resources, exceptionsOf(stack)).filter((v) => v.enforcement === "mandatory");
    expect(unique(mandatory.map((v) => v.rule))).toEqual([]);
  });

  test("every documented exception is in use (none stale) and keeps its reason", async () => {
    const result = await runStack(at(CHOSEN[stack]));
    const exceptions = exceptionsOf(stack);
    const advisory = evaluate(result.resources, exceptions).filter((v) => v.enforcement === "advisory");
    expect(unique(advisory.map((v) => v.rule))).toEqual(Object.keys(exceptions).sort());
    for (const v of advisory) expect(v.exception).toBe(exceptions[v.rule]);
  });
});

test.each(AZURE_STACKS)("%s with the app repository's deploy identity: its identity, credential and role are on the allowlists", async (stack) => {
  const result = await runStack({ ...at(CHOSEN[stack]), overrides: { appDeploy: { repository: "contoso/amplifier-api", environment: "production" } } });
  const allowlists = ["resource-types-allowlisted", "role-assignments-allowlisted"];
  expect(evaluate(result.resources, exceptionsOf(stack)).filter((v) => allowlists.includes(v.rule))).toEqual([]);
});

test("test documents the spec's deviations; prod only its pending values and the Azure Files shared key", () => {
  expect(Object.keys(exceptionsOf("test")).sort()).toEqual([
    "keyvault-network-acl-deny",
    "keyvault-public-network-access-disabled",
    "keyvault-purge-protection",
    "log-retention-minimum",
    "no-placeholder-values",
    "postgres-backup-retention-14-days",
    "postgres-entra-admin",
    "postgres-firewall-no-azure-services",
    "postgres-geo-redundant-backup",
    "postgres-public-network-access-disabled",
    "postgres-zone-redundant-ha",
    "stateful-resources-locked",
    "stateful-resources-protected",
    "storage-shared-key-disabled",
  ]);
  expect(Object.keys(exceptionsOf("prod")).sort()).toEqual(["no-placeholder-values", "postgres-entra-admin", "storage-shared-key-disabled"]);
  // Gaps to close before the first deploy say so, and the plan lists them as pending.
  const prod = exceptionsOf("prod");
  expect(prod["no-placeholder-values"]).toMatch(/^PENDING - /);
  expect(prod["postgres-entra-admin"]).toMatch(/^PENDING - /);
});

/**
 * Red-team changes to the real prod stack file, each silent before its rule existed: the program still
 * runs, and the rule now reports a mandatory finding (prod documents no exception for any of them).
 */
describe.each<[string, Record<string, unknown>, string, string]>([
  ["sessions storage reachable from the internet", { storage: { publicNetworkAccess: "Enabled" } }, "data-stores-private-with-database", '"sessions-account" (stamplifierprod) is reachable from the internet'],
  ["vault reachable from the internet", { keyVault: { publicNetworkAccess: "Enabled" } }, "data-stores-private-with-database", '"key-vault-vault" (kv-amplifier-prod) is reachable'],
  ["md5 password hashes", { postgres: { serverParameters: { password_encryption: "md5" } } }, "postgres-password-encryption-scram", '(found "md5")'],
  ["SQL text in the logs", { postgres: { serverParameters: { log_statement: "all", password_encryption: "scram-sha-256" } } }, "postgres-log-statement-none", '(found "all")'],
  ["authentication off", { app: { authRequired: false } }, "webapp-auth-required", '(found "false")'],
  // Tracking request headers too is refused in prod before the program runs (a production floor); test below.
  ["telemetry unsanitised", { app: { telemetry: { sanitizePii: false } } }, "webapp-telemetry-pii-sanitised", '"app-web-app" (amplifier-api-prod) sends telemetry without PII sanitising'],
  ["30 days of logs", { monitoring: { logRetentionDays: 30 } }, "log-retention-minimum", '"telemetry-workspace" (log-amplifier-prod) keeps logs fewer than 90 days'],
  ["no alert recipient", { monitoring: { alertEmails: [] } }, "alerts-reach-a-recipient", "notifies nobody"],
])("prod red team: %s", (_label, overrides, rule, fragment) => {
  test(`${rule} reports it, mandatory`, async () => {
    const result = await runStack({ ...at(CHOSEN.prod), overrides });
    const own = evaluate(result.resources, exceptionsOf("prod")).filter((v) => v.rule === rule);
    expect(own.map((v) => v.enforcement)).toContain("mandatory");
    expect(own.map((v) => v.message).join("\n")).toContain(fragment);
  });
});

test("request headers to telemetry, unsanitised: refused in prod's config, and reported by the pack where the config allows it (test)", async () => {
  const overrides = { app: { telemetry: { trackRequestHeaders: true, sanitizePii: false } } };
  const prod = await runProgram({ ...at(CHOSEN.prod), overrides });
  expect(prod.error?.message).toContain("app.telemetry.trackRequestHeaders (got true): in production telemetry copies no request or response headers");
  expect(userResources(prod)).toEqual([]);
  const test = await runStack({ ...at(CHOSEN.test), overrides });
  const own = evaluate(test.resources, exceptionsOf("test")).filter((v) => v.rule === "webapp-telemetry-pii-sanitised");
  expect(own.map((v) => [v.enforcement, v.message])).toEqual([["mandatory", expect.stringContaining("including TELEMETRY_TRACK_REQUEST_HEADERS")]]);
});

test("prod without protect: every data-bearing resource is reported, the database and the share included", async () => {
  const result = await runStack({ ...at(CHOSEN.prod), overrides: { protect: false } });
  const flagged = evaluate(result.resources).filter((v) => v.rule === "stateful-resources-protected");
  expect(flagged.map((v) => v.type).sort()).toEqual(
    ["dbforpostgresql:Database", "dbforpostgresql:Server", "keyvault:Vault", "storage:FileShare", "storage:StorageAccount"].map((t) => `azure-native:${t}`),
  );
});

test("the app's role assignments are recognised through their recorded property dependencies: one widened, it is reported", async () => {
  const result = await runStack(at(CHOSEN.prod));
  const assignments = byType(result, "azure-native:authorization:RoleAssignment");
  const webApp = oneOfType(result, "azure-native:web:WebApp");
  const identity = byType(result, "azure-native:managedidentity:UserAssignedIdentity").find((r) => r.name === "app-identity")!;
  // The grants go to the user-assigned identity the site lists; its principal id is Azure's (an output), so only
  // the recorded dependency links an assignment to the identity.
  expect(webApp.inputs.identity.userAssignedIdentities).toEqual([identity.state.id]);
  expect(assignments.length).toBeGreaterThanOrEqual(4);
  for (const a of assignments) expect(a.propertyDependencies.principalId).toEqual([identity.urn]);
  expect(evaluate(result.resources).filter((v) => v.rule === "app-role-assignments-scoped-to-vault")).toEqual([]);
  const assignment = assignments[0];
  assignment.inputs.scope = `/subscriptions/${MOCK_CLIENT_CONFIG.subscriptionId}/resourceGroups/rg-amplifier-prod`;
  const widened = evaluate(result.resources).filter((v) => v.rule === "app-role-assignments-scoped-to-vault");
  expect(widened.map((v) => [v.resource, v.enforcement])).toEqual([[assignment.name, "mandatory"]]);
});

test("prod with postgres.entraAdmin: an Entra admin chained after the parameters, and the rule passes unexcepted", async () => {
  const entraAdmin = { objectId: "11111111-2222-3333-4444-555555555555", principalName: "amplifier-db-admins" };
  const result = await runStack({ ...at(CHOSEN.prod), overrides: { postgres: { entraAdmin } } });
  const admin = byType(result, "azure-native:dbforpostgresql:AdministratorsMicrosoftEntra").find((r) => r.name === "postgres-entra-admin")!;
  expect(admin.inputs).toMatchObject({ ...entraAdmin, principalType: "Group", tenantId: MOCK_CLIENT_CONFIG.tenantId, serverName: "amplifier-db-prod" });
  expect(oneOfType(result, "azure-native:dbforpostgresql:Server").inputs.authConfig).toEqual({
    passwordAuth: "Enabled",
    activeDirectoryAuth: "Enabled",
    tenantId: MOCK_CLIENT_CONFIG.tenantId,
  });
  for (const parameter of byType(result, "azure-native:dbforpostgresql:Configuration")) {
    expect(dependsOnTransitively(result, admin, parameter)).toBe(true);
  }
  expect(evaluate(result.resources).filter((v) => v.rule === "postgres-entra-admin")).toEqual([]);
});

describe("policy exceptions in stack config are validated before anything is registered", () => {
  test.each([
    [{ exceptions: { "postgres-publc-access": "typo" } }, /policy\.exceptions\.postgres-publc-access \(got "typo"\): is not a policy rule; rules are: postgres-public-network-access-disabled, /],
    [{ exceptions: { "required-tags": "  " } }, /policy\.exceptions\.required-tags \(got " {2}"\): must give the reason for the exception/],
    [{ exception: {} }, /policy: unknown key "exception"/],
  ])("%j", async (policy, message) => {
    const result = await runProgram({ ...at(CHOSEN.test), overrides: { policy } });
    expect(result.error?.message).toMatch(message);
    expect(userResources(result)).toEqual([]);
  });
});

describe("npm run policy-config", () => {
  async function policyConfig(argv: string[], dir = SPEC_DIR) {
    let stdout = "";
    let stderr = "";
    const io: Io = { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s), isTTY: false, env: {} };
    const code = await main(argv, io, dir);
    return { code, stdout, stderr };
  }

  /** A scratch project holding one stack file: prod's, with `edit` applied. */
  function prodCopy(name: string, edit: (text: string) => string): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "policy-config-"));
    fs.copyFileSync(path.join(PROJECT_DIR, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
    const original = fs.readFileSync(path.join(CHOSEN.prod.dir, "Pulumi.prod.yaml"), "utf8");
    expect(edit(original)).not.toBe(original);
    fs.writeFileSync(path.join(dir, `Pulumi.${name}.yaml`), edit(original));
    return dir;
  }

  test("writes the stack's pack config: excepted rules advisory, and the stack's production-ness from the code owners' list", async () => {
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "policy-config-")), "test.json");
    expect((await policyConfig(["test", "--out", out])).code).toBe(0);
    const written = JSON.parse(fs.readFileSync(out, "utf8"));
    // test is listed in non-production-stacks.yaml: not production.
    expect(written).toEqual(policyPackConfig(exceptionsOf("test"), { production: false }));
    expect(written["postgres-firewall-no-azure-services"]).toBe("advisory");
    const facts = ["postgres-parameters-allowlisted", "app-settings-allowlisted", "bootstrap-run-contained"];
    for (const rule of facts) expect(written[rule]).toEqual({ enforcementLevel: "mandatory", production: false });
    const levels = Object.entries(written).filter(([rule]) => !facts.includes(rule)).map(([, level]) => level);
    expect(levels.every((level) => level === "advisory")).toBe(true);
  });

  test("prints prod's config on stdout (what the deploy job writes to its config file)", async () => {
    const r = await policyConfig(["prod"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      "postgres-entra-admin": "advisory",
      "storage-shared-key-disabled": "advisory",
      "no-placeholder-values": "advisory",
      // prod is not on the code owners' list: production, whatever its file says.
      "postgres-parameters-allowlisted": { enforcementLevel: "mandatory", production: true },
      "app-settings-allowlisted": { enforcementLevel: "mandatory", production: true },
      "bootstrap-run-contained": { enforcementLevel: "mandatory", production: true },
    });
    // No rule is downgraded silently: the job's log names every waiver.
    expect(r.stderr).toBe("policy-config: stack prod: 3 rule(s) advisory by a documented exception (a waiver in Pulumi.prod.yaml): no-placeholder-values, postgres-entra-admin, storage-shared-key-disabled\n");
  });

  test("a stale exception (its rule finds nothing once the program ran) exits 1 and writes no config", async () => {
    const dir = prodCopy("stale", (t) => t.replace("    exceptions:\n", "    exceptions:\n      webapp-http2: not needed\n"));
    const out = path.join(dir, "config.json");
    const r = await policyConfig(["stale", "--out", out], dir);
    expect(r.code).toBe(EXIT.config);
    expect(r.stderr).toBe(
      "policy-config: exception for rule webapp-http2 in Pulumi.stale.yaml (key amplifier-infra:policy.exceptions.webapp-http2) " +
        "but the rule finds nothing in this stack: remove the line\n",
    );
    expect(fs.existsSync(out)).toBe(false);
  });

  test("an exception that went stale because the stack was fixed: remove the line, not keep it", async () => {
    // prod with a real alert address and origins would no longer need its placeholder exception.
    const dir = prodCopy("fixed", (t) => t.replace(/yourdomain\.com/g, "amplifier-api.com").replace(/yourdomain\.auth0\.com/g, "amplifier.eu.auth0.com"));
    const r = await policyConfig(["fixed"], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("exception for rule no-placeholder-values in Pulumi.fixed.yaml");
    expect(r.stdout).toBe("");
  });

  test("invalid config or an unknown stack exits 1 with the program's message; usage exits 2", async () => {
    const bad = await policyConfig(["bad"], prodCopy("bad", (t) => t.replace("postgres-entra-admin:", "postgres-entra-admn:")));
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("policy.exceptions.postgres-entra-admn");
    const missing = await policyConfig(["nope"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no stack "nope"');
    expect(missing.stderr).toContain(`stacks here: ${listStacks(SPEC_DIR).join(", ")}`);
    const usage = await policyConfig([]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain(`stacks: ${listStacks(SPEC_DIR).join(", ")}`);
  });
});
