/**
 * The real Azure lifecycle on the real stack files, the resource group, the identities and teardown: what a first
 * deploy and a teardown need from the program, and what prod's locks hold (docs/lifecycle.md, "Lifecycle"). The server's writes:
 * lifecycle-server.test.ts; refreshes and failovers: lifecycle-drift.test.ts.
 */
import { byType, MOCK_CLIENT_CONFIG, oneOfType, type RegisteredResource, runStack, RunResult } from "../mock-runtime";
import { lockedDeletes } from "../tools/locked-deletes";
import { importStep } from "./support/import-step";
import { at, specStack } from "./support/stacks";
import { T } from "./support/lifecycle-types";

/** The app's user-assigned identity (the database bootstrap has its own, never the app's). */
function appIdentity(result: RunResult): RegisteredResource {
  const found = byType(result, "azure-native:managedidentity:UserAssignedIdentity").filter((r) => r.name === "app-identity");
  expect(found).toHaveLength(1);
  return found[0];
}

describe.each(["test", "prod"] as const)("%s: lifecycle", (stack) => {
  let result: RunResult;
  beforeAll(async () => {
    result = await runStack(at(specStack(stack)));
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
    // so a stack that holds it goes on unchanged instead of replacing it (the engine's rule: the next test).
    expect(group.options.importId).toBe(`/subscriptions/${MOCK_CLIENT_CONFIG.subscriptionId}/resourceGroups/${name}`);
    expect(group.inputs).toMatchObject({ resourceGroupName: name, location: "eastus" });
    // Only the group (and the secrets, above): everything else in it is deleted by a destroy, as before.
    const secrets = byType(result, T.secret).map((r) => r.type);
    expect(secrets.length).toBeGreaterThanOrEqual(4);
    expect(result.resources.filter((r) => r.options.retainOnDelete).map((r) => r.type).sort()).toEqual([...secrets, T.group].sort());
  });

  test("the group's import id is the id the provider builds for it, byte for byte, so a state holding the group is never import-replaced", () => {
    const group = oneOfType(result, T.group);
    // What azure-native sends for a create: the REST path with the subscription exactly as configured (mixed case in
    // the mock, as ARM_SUBSCRIPTION_ID may be typed) and the name exactly as in the inputs; the id it stores then.
    const created = `/subscriptions/${MOCK_CLIENT_CONFIG.subscriptionId}/resourceGroups/${group.inputs.resourceGroupName}`;
    expect(MOCK_CLIENT_CONFIG.subscriptionId).not.toBe(MOCK_CLIENT_CONFIG.subscriptionId.toLowerCase());
    expect(group.options.importId).toBe(created);
    // First deploy, or the first after a teardown: imported.
    expect(importStep(group.options.importId, undefined)).toBe("import");
    // A state holding the group, created by the provider or imported earlier by this program: nothing happens.
    expect(importStep(group.options.importId, { id: created })).toBe("none");
    expect(importStep(group.options.importId, { id: created, importID: created })).toBe("none");
    // The residual (docs/unverified.md): a group imported by hand under another spelling would be import-replaced.
    expect(importStep(group.options.importId, { id: created.toLowerCase(), importID: created.toLowerCase() })).toBe("import-replacement");
  });

});

describe.each([
  { stack: "test" as const, identity: "id-amplifier-api-test", links: 0 },
  { stack: "prod" as const, identity: "id-amplifier-api-prod", links: 3 },
])("$stack first start: Key Vault references resolve through a user-assigned identity granted before the app exists", (spec) => {
  let result: RunResult;
  beforeAll(async () => {
    result = await runStack(at(specStack(spec.stack)));
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
        roleDefinitionId: `/subscriptions/${MOCK_CLIENT_CONFIG.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/4633458b-17de-408a-b874-0445c86b69e6`,
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
  const result = await runStack({ ...at(specStack("test")), overrides: { appService: { identityName: "id-amplifier-custom" } } });
  expect(appIdentity(result).inputs.resourceName).toBe("id-amplifier-custom");
});

describe("day 2: what prod's CanNotDelete locks keep a deploy from deleting (README lists it: locks: false first)", () => {
  const kinds = (r: RunResult) => [...new Set(lockedDeletes(r).map((d) => `${d.locked.split(":").pop()} > ${d.type.replace("azure-native:", "")} (${d.relation})`))].sort();

  test("prod: the server and the vault themselves, their diagnostic settings and private endpoints, the database and the app's grants on its secrets", async () => {
    expect(kinds(await runStack(at(specStack("prod"))))).toEqual([
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
    const result = await runStack(at(specStack("prod")));
    const held = lockedDeletes(result).filter((d) => d.type === T.role);
    expect(held).toHaveLength(byType(result, T.role).length);
    expect(held.length).toBeGreaterThanOrEqual(4);
  });

  test("not listed: server parameters (reset by a PUT), retained secrets, the settle step, and alerts (they live in the resource group)", async () => {
    const result = await runStack(at(specStack("prod")));
    const listed = new Set(lockedDeletes(result).map((d) => d.type));
    for (const type of [T.config, T.secret, T.settle, "azure-native:monitor:MetricAlert"]) expect({ type, listed: listed.has(type) }).toEqual({ type, listed: false });
  });

  test("an Entra admin, and on a locked public stack the firewall rules, join the list", async () => {
    const entraAdmin = { objectId: "11111111-2222-3333-4444-555555555555", principalName: "amplifier-db-admins", principalType: "Group" };
    const result = await runStack({ ...at(specStack("test")), overrides: { locks: true, postgres: { entraAdmin } } });
    expect(kinds(result)).toEqual(
      expect.arrayContaining(["Server > dbforpostgresql:AdministratorsMicrosoftEntra (child)", "Server > dbforpostgresql:FirewallRule (child)"]),
    );
  });

  test("test has no locks: nothing is held", async () => {
    expect(lockedDeletes(await runStack(at(specStack("test"))))).toEqual([]);
  });
});
