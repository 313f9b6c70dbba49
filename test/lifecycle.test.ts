/**
 * The real Azure lifecycle on the real stack files: what a first deploy, a read-only preview, a second
 * `up`, a zone failover and a teardown need from the program (docs/lifecycle.md, "Lifecycle").
 */
import * as fs from "fs";
import * as path from "path";
import { RESTORE_INPUTS, serverShape } from "../components/flexible-postgres";
import { azureExtensionsValue, extensionsIn } from "../config/extensions";
import { PROJECT_DIR } from "../config/stack-files";
import { byType, dependsOnTransitively, MOCK_CLIENT_CONFIG, oneOfType, type RegisteredResource, runStack, RunResult } from "../mock-runtime";
import { lockedDeletes } from "../tools/locked-deletes";
import { DIFF, type DynamicHost, startDynamicHost } from "./support/dynamic-host";
import { applyIgnoreChanges } from "./support/ignore-changes";

/** The app's user-assigned identity (the database bootstrap has its own, never the app's). */
function appIdentity(result: RunResult): RegisteredResource {
  const found = byType(result, "azure-native:managedidentity:UserAssignedIdentity").filter((r) => r.name === "app-identity");
  expect(found).toHaveLength(1);
  return found[0];
}

const T = {
  server: "azure-native:dbforpostgresql:Server",
  settle: "pulumi-nodejs:dynamic/amplifier:Settle",
  endpoint: "azure-native:network:PrivateEndpoint",
  link: "azure-native:privatedns:VirtualNetworkLink",
  identity: "azure-native:managedidentity:UserAssignedIdentity",
  role: "azure-native:authorization:RoleAssignment",
  webApp: "azure-native:web:WebApp",
  config: "azure-native:dbforpostgresql:Configuration",
  vault: "azure-native:keyvault:Vault",
  secret: "azure-native:keyvault:Secret",
  group: "azure-native:resources:ResourceGroup",
};

describe.each(["test", "prod"])("%s: lifecycle", (stack) => {
  let result: RunResult;
  beforeAll(async () => {
    result = await runStack({ stack });
  });

  test("teardown/rename: Pulumi never deletes a Key Vault secret (only the vault's own deletion takes them)", () => {
    const secrets = byType(result, T.secret);
    expect(secrets).toHaveLength(4);
    for (const s of secrets) expect({ secret: s.name, retainOnDelete: s.options.retainOnDelete }).toEqual({ secret: s.name, retainOnDelete: true });
    // Only the secrets: a retained vault would survive `pulumi destroy`.
    expect(oneOfType(result, T.vault).options.retainOnDelete).toBe(false);
  });

  test("teardown keeps the resource group, and with it the set-up's role assignments for CI; a redeploy adopts it again", () => {
    const group = oneOfType(result, T.group);
    const name = `rg-amplifier-${stack}`;
    // Kept by a destroy: CI's roles are scoped to the group (npm run azure-setup), and a deleted group takes them along.
    expect(group.options.retainOnDelete).toBe(true);
    // Adopted whenever the state lacks it (first deploy, first deploy after a teardown) by the id the group already has,
    // so a stack that holds it goes on unchanged instead of replacing it.
    expect(group.options.importId).toBe(`/subscriptions/${MOCK_CLIENT_CONFIG.subscriptionId}/resourceGroups/${name}`);
    expect(group.options.importId).toBe(group.state.id);
    expect(group.inputs).toMatchObject({ resourceGroupName: name, location: "eastus" });
    // Only the group (and the secrets, above): everything else in it is deleted by a destroy, as before.
    const secrets = byType(result, T.secret).map((r) => r.type);
    expect(secrets.length).toBeGreaterThanOrEqual(4);
    expect(result.resources.filter((r) => r.options.retainOnDelete).map((r) => r.type).sort()).toEqual([...secrets, T.group].sort());
  });

  test("day 2: a refresh after the storage mount is no change; only the mount's place in the read-back is ignored", () => {
    const webApp = oneOfType(result, T.webApp);
    const mount = oneOfType(result, "azure-native:web:WebAppAzureStorageAccounts");
    // What a refresh stores: GET {site}/config/web lists the mount in siteConfig (azure-native merges that answer
    // into the web app), possibly without its key; the refresh copies it into the stored inputs.
    const listed = Object.fromEntries(Object.entries(mount.inputs.properties.sessions).filter(([k]) => k !== "accessKey"));
    const refreshed = { ...webApp.inputs, siteConfig: { ...webApp.inputs.siteConfig, azureStorageAccounts: { sessions: listed } } };
    const ignore = webApp.options.ignoreChanges;
    expect(ignore).toEqual(["siteConfig.azureStorageAccounts"]);
    // The engine applies the ignore, then diffs: nothing left to change, so no PUT of the site without its mount.
    expect(applyIgnoreChanges(webApp.inputs, refreshed, ignore)).toEqual(refreshed);
    // Without it the next deploy would plan exactly that removal.
    expect(applyIgnoreChanges(webApp.inputs, refreshed, [])).not.toEqual(refreshed);
    // Before any refresh (the first up) the ignore changes nothing, and the settings stay the program's to set.
    expect(applyIgnoreChanges(webApp.inputs, webApp.inputs, ignore)).toEqual(webApp.inputs);
    const drifted = { ...refreshed, siteConfig: { ...refreshed.siteConfig, appSettings: [] } };
    expect(applyIgnoreChanges(webApp.inputs, drifted, ignore).siteConfig.appSettings).toEqual(webApp.inputs.siteConfig.appSettings);
  });
});

describe("failover: a zone swap is not drift", () => {
  // The failover zones, next to the create-only restore inputs the server always ignores (test/restore.test.ts).
  const ZONES = ["availabilityZone", "highAvailability.standbyAvailabilityZone", ...RESTORE_INPUTS].sort();

  test("prod (zone-redundant HA) ignores the server's primary and standby zones, and never picks them", async () => {
    const server = oneOfType(await runStack({ stack: "prod" }), T.server);
    // "" is "no preference" (the API's default, which the SDK fills in): Azure picks both zones.
    expect(server.inputs.availabilityZone).toBe("");
    expect(server.inputs.highAvailability).toEqual({ mode: "ZoneRedundant", standbyAvailabilityZone: "" });
    expect([...server.options.ignoreChanges].sort()).toEqual(ZONES);
  });

  test("turning HA off after a failover does not replace the server: the zones a refresh stored stay ignored", async () => {
    // prod after a failover (its stored inputs now hold the swapped zones), then HA off: without the ignore, the
    // stored zone against the program's "" would replace the server (create-only); a protected one would block.
    const server = oneOfType(await runStack({ stack: "prod", overrides: { postgres: { highAvailability: "Disabled" } } }), T.server);
    expect(server.inputs.highAvailability.mode).toBe("Disabled");
    expect(server.inputs.availabilityZone).toBe("");
    expect([...server.options.ignoreChanges].sort()).toEqual(ZONES);
  });

  test("test (no HA) never picks a zone either, so ignoring them changes nothing there", async () => {
    const server = oneOfType(await runStack({ stack: "test" }), T.server);
    expect(server.inputs).toMatchObject({ availabilityZone: "", highAvailability: { mode: "Disabled", standbyAvailabilityZone: "" } });
    expect([...server.options.ignoreChanges].sort()).toEqual(ZONES);
  });

  test("same-zone HA fails over too: handled the same way", async () => {
    const server = oneOfType(await runStack({ stack: "prod", overrides: { postgres: { highAvailability: "SameZone" } } }), T.server);
    expect([...server.options.ignoreChanges].sort()).toEqual(ZONES);
  });
});

describe("extensions: the dev init SQL is the one list, allowed on every Azure server", () => {
  const INIT_SQL = fs.readFileSync(path.join(PROJECT_DIR, "scripts/init-dev-db.sql"), "utf8");

  test("the init SQL creates uuid-ossp", () => {
    expect(extensionsIn(INIT_SQL)).toEqual(["uuid-ossp"]);
  });

  test("parsing: quoted or bare names, IF NOT EXISTS, SCHEMA/VERSION clauses, any case; comments ignored; no duplicates", () => {
    const sql = [
      'CREATE EXTENSION IF NOT EXISTS "uuid-ossp";',
      "create extension pgcrypto with schema public;",
      "CREATE EXTENSION\n  IF NOT EXISTS\tpg_trgm VERSION '1.6';",
      "-- CREATE EXTENSION postgis;",
      "/* CREATE EXTENSION vector;\n CREATE EXTENSION hstore; */",
      'CREATE EXTENSION IF NOT EXISTS "uuid-ossp";',
      "SELECT 'no extension here';",
    ].join("\n");
    expect(extensionsIn(sql)).toEqual(["pg_trgm", "pgcrypto", "uuid-ossp"]);
    expect(extensionsIn("SELECT 1;")).toEqual([]);
  });

  test("the parameter value: Azure's upper-case names, comma-separated", () => {
    expect(azureExtensionsValue(["pgcrypto", "uuid-ossp"])).toBe("PGCRYPTO,UUID-OSSP");
  });

  describe.each(["test", "prod"])("%s", (stack) => {
    let result: RunResult;
    beforeAll(async () => {
      result = await runStack({ stack });
    });

    test("azure.extensions is set from the init SQL, as a user override, inside the server's serialised writes", () => {
      const param = byType(result, T.config).find((c) => c.inputs.configurationName === "azure.extensions");
      expect(param?.inputs).toMatchObject({ value: azureExtensionsValue(extensionsIn(INIT_SQL)), source: "user-override" });
      expect(param!.inputs.value).toBe("UUID-OSSP");
      const server = oneOfType(result, T.server);
      expect(dependsOnTransitively(result, param!, server)).toBe(true);
      // Ordered against every other parameter: one write to the server at a time.
      for (const other of byType(result, T.config).filter((c) => c !== param)) {
        const ordered = dependsOnTransitively(result, param!, other) || dependsOnTransitively(result, other, param!);
        expect({ other: other.name, ordered }).toEqual({ other: other.name, ordered: true });
      }
    });
  });

  test("an extension added to the init SQL is allowed on the next deploy", async () => {
    // Inside the project (in the ignored dist/): the config refuses SQL from anywhere else.
    fs.mkdirSync(path.join(PROJECT_DIR, "dist"), { recursive: true });
    const dir = fs.mkdtempSync(path.join(PROJECT_DIR, "dist", "test-init-sql-"));
    const sql = path.join(dir, "init.sql");
    fs.writeFileSync(sql, `${INIT_SQL}\nCREATE EXTENSION IF NOT EXISTS pgcrypto;\n`);
    try {
      const result = await runStack({ stack: "prod", overrides: { postgres: { initSqlPath: path.relative(PROJECT_DIR, sql) } } });
      const param = byType(result, T.config).find((c) => c.inputs.configurationName === "azure.extensions");
      expect(param?.inputs.value).toBe("PGCRYPTO,UUID-OSSP");
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("first deploy: the server settles before its first child is written (ServerIsBusy)", () => {
  const SERVER_WRITES = [
    "azure-native:dbforpostgresql:Database",
    "azure-native:dbforpostgresql:Configuration",
    "azure-native:dbforpostgresql:FirewallRule",
    "azure-native:dbforpostgresql:AdministratorsMicrosoftEntra",
  ];
  const entraAdmin = { objectId: "11111111-2222-3333-4444-555555555555", principalName: "amplifier-db-admins", principalType: "Group" };

  test.each(["test", "prod"])("%s: a settle step on the server heads the write chain; every write waits for it, and goes with the server on teardown", async (stack) => {
    const result = await runStack({ stack, overrides: { postgres: { entraAdmin } } });
    const server = oneOfType(result, T.server);
    const settle = oneOfType(result, T.settle);
    expect(settle.inputs).toMatchObject({ targetId: server.state.id, seconds: 60 });
    expect(settle.dependencies).toContain(server.urn);
    const writes = [
      ...result.resources.filter((r) => SERVER_WRITES.includes(r.type)),
      ...byType(result, T.endpoint).filter((e) => e.inputs.privateLinkServiceConnections[0].privateLinkServiceId === server.state.id),
    ];
    // Database, seven parameters, the Entra admin, and the firewall rule (test) or private endpoint (prod).
    expect(writes.length).toBeGreaterThanOrEqual(10);
    for (const w of writes) expect({ write: w.name, afterSettle: dependsOnTransitively(result, w, settle) }).toEqual({ write: w.name, afterSettle: true });
    // Teardown: the server's children go with it (deletedWith), so a destroy resets no parameter one by one; a private
    // endpoint lives in the network and is deleted on its own.
    const children = result.resources.filter((r) => SERVER_WRITES.includes(r.type));
    expect(new Set(children.map((r) => r.type))).toEqual(new Set(SERVER_WRITES.filter((t) => stack === "test" || !t.endsWith("FirewallRule"))));
    for (const r of children) expect({ child: r.name, deletedWith: r.options.deletedWith }).toEqual({ child: r.name, deletedWith: server.urn });
    for (const r of byType(result, T.endpoint)) expect(r.options.deletedWith).toBeUndefined();
  });

  test("postgres.settleSeconds sets the wait", async () => {
    const result = await runStack({ stack: "test", overrides: { postgres: { settleSeconds: 5 } } });
    expect(oneOfType(result, T.settle).inputs.seconds).toBe(5);
  });

  test("day 2: a scale (compute, storage, HA, version) gives the settle step a new shape, so it waits again before the children; other changes do not", async () => {
    const shape = async (postgres: Record<string, unknown>) => oneOfType(await runStack({ stack: "prod", overrides: { postgres } }), T.settle).inputs.shape;
    const base = await shape({});
    expect(base).toBe("Standard_D2ds_v5 (GeneralPurpose), 64 GiB, HA ZoneRedundant, PostgreSQL 15");
    expect(await shape({ storageSizeGb: 128, serverParameters: { log_connections: "off" }, settleSeconds: 30 })).toBe(
      "Standard_D2ds_v5 (GeneralPurpose), 128 GiB, HA ZoneRedundant, PostgreSQL 15",
    );
    // Each dimension of a scale counts; a parameter, a firewall rule or the wait itself is not a scale.
    const prod = { skuName: "Standard_D2ds_v5", skuTier: "GeneralPurpose", storageSizeGb: 64, highAvailability: "ZoneRedundant", version: "15" } as const;
    for (const scale of [{ skuName: "Standard_D4ds_v5" }, { skuTier: "MemoryOptimized" }, { storageSizeGb: 128 }, { highAvailability: "SameZone" }, { version: "16" }]) {
      expect({ scale, changed: serverShape({ ...prod, ...scale } as typeof prod) !== serverShape(prod) }).toEqual({ scale, changed: true });
    }
    expect(serverShape({ ...prod, firewallRules: [], settleSeconds: 5 } as typeof prod)).toBe(base);
  });

  describe("Pulumi's own dynamic-provider host runs it through a whole lifecycle", () => {
    let host: DynamicHost;
    let text: string;
    beforeAll(async () => {
      const settle = oneOfType(await runStack({ stack: "test" }), T.settle);
      text = settle.inputs.__provider as string;
      host = await startDynamicHost(settle.urn);
    });
    afterAll(() => host?.stop());
    const inputs = (targetId: string, seconds: number, provider = text) => ({ targetId, seconds, __provider: provider });

    test("first up: check passes the inputs through (no check method), create waits the given seconds", async () => {
      expect(await host.check({}, inputs("/servers/a", 0.3))).toEqual({ inputs: inputs("/servers/a", 0.3), failures: [] });
      const started = Date.now();
      const created = await host.create(inputs("/servers/a", 0.3));
      expect(Date.now() - started).toBeGreaterThanOrEqual(290);
      expect(created).toEqual({ id: "settled-/servers/a", props: inputs("/servers/a", 0.3) });
    });

    test("a second up, a preview of an unchanged program and a new provider text alone: no change, so no wait", async () => {
      const state = inputs("/servers/a", 60);
      expect(await host.diff("settled-/servers/a", state, inputs("/servers/a", 60))).toEqual({ changes: DIFF.none, replaces: [] });
      // A new build of the program changes the text; the stored one stays (only delete uses it, and does nothing).
      expect(await host.diff("settled-/servers/a", { ...state, __provider: "exports.handler = () => ({});" }, state)).toEqual({ changes: DIFF.none, replaces: [] });
    });

    test("a new duration is an update that does not wait; a new server (new id, or unknown in a preview) replaces it", async () => {
      const state = inputs("/servers/a", 60);
      expect(await host.diff("x", state, inputs("/servers/a", 30))).toEqual({ changes: DIFF.some, replaces: [] });
      const started = Date.now();
      expect(await host.update("x", state, inputs("/servers/a", 30))).toEqual(inputs("/servers/a", 30));
      expect(Date.now() - started).toBeLessThan(1000);
      expect(await host.diff("x", state, inputs("/servers/b", 60))).toEqual({ changes: DIFF.some, replaces: ["targetId"] });
      const unknown = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"; // the engine's unknown value in a preview
      expect(await host.diff("x", state, inputs(unknown, 60))).toEqual({ changes: DIFF.some, replaces: ["targetId"] });
    });

    test("a new shape (the server was scaled earlier in the same deploy) is an update that waits; a step stored without a shape only records it", async () => {
      const state = { ...inputs("/servers/a", 0.3), shape: "B1ms, 32 GiB" };
      const scaled = { ...state, shape: "B2s, 64 GiB" };
      expect(await host.diff("x", state, scaled)).toEqual({ changes: DIFF.some, replaces: [] });
      let started = Date.now();
      expect(await host.update("x", state, scaled)).toEqual(scaled);
      expect(Date.now() - started).toBeGreaterThanOrEqual(290);
      // Deployed before shapes were recorded: the first deploy with this code records it and does not wait.
      started = Date.now();
      expect(await host.update("x", inputs("/servers/a", 30), { ...inputs("/servers/a", 30), shape: "B1ms, 32 GiB" })).toEqual({ ...inputs("/servers/a", 30), shape: "B1ms, 32 GiB" });
      expect(Date.now() - started).toBeLessThan(1000);
      expect(await host.diff("x", state, { ...state })).toEqual({ changes: DIFF.none, replaces: [] });
    });

    test("refresh (after a failover too) keeps the state as it is (no read method); teardown forgets it (no delete)", async () => {
      const state = inputs("/servers/a", 60);
      expect(await host.read("settled-/servers/a", state)).toEqual({ id: "settled-/servers/a", props: state });
      await expect(host.delete("settled-/servers/a", state)).resolves.toBeUndefined();
    });
  });
});

describe.each([
  { stack: "test", identity: "id-amplifier-api-test", links: 0 },
  { stack: "prod", identity: "id-amplifier-api-prod", links: 3 },
])("$stack first start: Key Vault references resolve through a user-assigned identity granted before the app exists", (spec) => {
  let result: RunResult;
  beforeAll(async () => {
    result = await runStack({ stack: spec.stack });
  });

  test("one user-assigned identity, tagged, in the stack's resource group", () => {
    const identity = appIdentity(result);
    expect(identity.inputs).toMatchObject({ resourceName: spec.identity, resourceGroupName: `rg-amplifier-${spec.stack}`, location: "eastus" });
    expect(identity.inputs.tags).toMatchObject({ "managed-by": "amplifier" });
  });

  test("the only role assignments: Key Vault Secrets User for that identity, one per secret it references, none on the vault", () => {
    const identity = appIdentity(result);
    const vaultId = oneOfType(result, T.vault).state.id;
    const secrets = byType(result, T.secret).map((s) => s.inputs.secretName).sort();
    const roles = byType(result, T.role);
    expect(roles.map((r) => r.inputs.scope).sort()).toEqual(secrets.map((name) => `${vaultId}/secrets/${name}`));
    for (const role of roles) {
      expect(role.inputs).toEqual({
        principalId: identity.state.principalId,
        // A new principal: skips Entra's replication check (PrincipalNotFound) (Learn, role-assignments-template).
        principalType: "ServicePrincipal",
        roleDefinitionId: "/subscriptions/00000000-0000-0000-0000-000000000000/providers/Microsoft.Authorization/roleDefinitions/4633458b-17de-408a-b874-0445c86b69e6",
        scope: expect.stringMatching(new RegExp(`^${vaultId}/secrets/[a-z0-9-]+$`)),
      });
    }
  });

  test("the web app runs as that identity, resolves its references with it, and tells the Azure SDK to use it", () => {
    const identity = appIdentity(result);
    const webApp = oneOfType(result, T.webApp);
    expect(webApp.inputs.identity).toEqual({ type: "UserAssigned", userAssignedIdentities: [identity.state.id] });
    expect(webApp.inputs.keyVaultReferenceIdentity).toBe(identity.state.id);
    const settings = Object.fromEntries((webApp.inputs.siteConfig.appSettings as { name: string; value: string }[]).map((x) => [x.name, x.value]));
    // DefaultAzureCredential (the app's SecretsManager) picks a user-assigned identity by AZURE_CLIENT_ID.
    expect(settings.AZURE_CLIENT_ID).toBe(identity.state.clientId);
    expect(result.outputs.webAppPrincipalId).toBe(identity.state.principalId);
  });

  test("the web app is created only after every grant (and, in prod, after every private DNS zone link)", () => {
    const webApp = oneOfType(result, T.webApp);
    const roles = byType(result, T.role);
    expect(roles.length).toBeGreaterThanOrEqual(4);
    for (const role of roles) expect({ grant: role.name, waited: webApp.dependencies.includes(role.urn) }).toEqual({ grant: role.name, waited: true });
    const links = byType(result, T.link);
    expect(links).toHaveLength(spec.links);
    for (const link of links) expect({ link: link.name, waited: webApp.dependencies.includes(link.urn) }).toEqual({ link: link.name, waited: true });
  });
});

test("appService.identityName names the identity", async () => {
  const result = await runStack({ stack: "test", overrides: { appService: { identityName: "id-amplifier-custom" } } });
  expect(appIdentity(result).inputs.resourceName).toBe("id-amplifier-custom");
});

describe("day 2: what prod's CanNotDelete locks keep a deploy from deleting (docs/lifecycle.md lists it: locks: false first)", () => {
  const kinds = (r: RunResult) => [...new Set(lockedDeletes(r).map((d) => `${d.locked.split(":").pop()} > ${d.type.replace("azure-native:", "")} (${d.relation})`))].sort();

  test("prod: the server and the vault themselves, their diagnostic settings and private endpoints, the database and the app's grants on its secrets", async () => {
    expect(kinds(await runStack({ stack: "prod" }))).toEqual([
      "Server > dbforpostgresql:AdministratorsMicrosoftEntra (child)",
      "Server > dbforpostgresql:Database (child)",
      "Server > dbforpostgresql:Server (the locked resource)",
      "Server > monitor:DiagnosticSetting (extension)",
      "Server > network:PrivateEndpoint (private endpoint connection)",
      "Vault > authorization:RoleAssignment (extension)",
      "Vault > keyvault:Vault (the locked resource)",
      "Vault > monitor:DiagnosticSetting (extension)",
      "Vault > network:PrivateEndpoint (private endpoint connection)",
    ]);
  });

  test("every grant on one of the vault's secrets is held by the vault's lock (a scope under the vault)", async () => {
    const result = await runStack({ stack: "prod" });
    const held = lockedDeletes(result).filter((d) => d.type === T.role);
    expect(held).toHaveLength(byType(result, T.role).length);
    expect(held.length).toBeGreaterThanOrEqual(4);
  });

  test("not listed: server parameters (reset by a PUT), retained secrets, the settle step, and alerts (they live in the resource group)", async () => {
    const result = await runStack({ stack: "prod" });
    const listed = new Set(lockedDeletes(result).map((d) => d.type));
    for (const type of [T.config, T.secret, T.settle, "azure-native:monitor:MetricAlert"]) expect({ type, listed: listed.has(type) }).toEqual({ type, listed: false });
  });

  test("an Entra admin, and on a locked public stack the firewall rules, join the list", async () => {
    const entraAdmin = { objectId: "11111111-2222-3333-4444-555555555555", principalName: "amplifier-db-admins", principalType: "Group" };
    const result = await runStack({ stack: "test", overrides: { locks: true, postgres: { entraAdmin } } });
    expect(kinds(result)).toEqual(
      expect.arrayContaining(["Server > dbforpostgresql:AdministratorsMicrosoftEntra (child)", "Server > dbforpostgresql:FirewallRule (child)"]),
    );
  });

  test("test has no locks: nothing is held", async () => {
    expect(lockedDeletes(await runStack({ stack: "test" }))).toEqual([]);
  });
});
