/**
 * The per-type settings table and masking for the types the vault/app/network work adds, on a hand-built run
 * (those components are not on this branch yet): role names, Key Vault references, `[secret]` app settings,
 * private endpoint targets, alert targets, locks, and that an unknown type still prints.
 */
import type { RegisteredResource, RunResult } from "../mock-runtime";
import { renderJson } from "../plan/json";
import { buildPlan } from "../plan/model";
import { renderText } from "../plan/render-text";
import { toMermaid } from "../plan/diagram";

const SUB = "/subscriptions/0000/resourceGroups/rg/providers";
const SERVER_ID = `${SUB}/Microsoft.DBforPostgreSQL/flexibleServers/amplifier-db-prod`;
const URL_VALUE = "postgresql+asyncpg://amplifier_admin:S3cr3t%2Fpw%3D%3D@db:5432/amplifier_prod?ssl=require";
const API_KEY = "plain-api-key-value-123";

let n = 0;
function res(type: string, name: string, inputs: Record<string, any>, extra: Partial<RegisteredResource> = {}): RegisteredResource {
  n++;
  return {
    type,
    name,
    urn: `urn:pulumi:prod::amplifier-infra::${type}::${name}`,
    custom: true,
    inputs,
    secretInputs: [],
    state: { id: `${SUB}/x/${name}-${n}`, name },
    parent: "urn:pulumi:prod::amplifier-infra::pulumi:pulumi:Stack::amplifier-infra-prod",
    dependencies: [],
    propertyDependencies: {},
    options: { protect: false, ignoreChanges: [], retainOnDelete: false, additionalSecretOutputs: [] },
    ...extra,
  };
}

function fixture(): RunResult {
  const stack = res("pulumi:pulumi:Stack", "amplifier-infra-prod", {}, { urn: "urn:pulumi:prod::amplifier-infra::pulumi:pulumi:Stack::amplifier-infra-prod", parent: undefined, custom: false });
  const server = res("azure-native:dbforpostgresql:Server", "postgres-server", { serverName: "amplifier-db-prod" }, { state: { id: SERVER_ID, name: "amplifier-db-prod" } });
  const vault = res("azure-native:keyvault:Vault", "vault", {
    vaultName: "kv-amplifier-prod",
    properties: { sku: { name: "standard", family: "A" }, enableRbacAuthorization: true, enableSoftDelete: true, softDeleteRetentionInDays: 90, enablePurgeProtection: true, publicNetworkAccess: "Disabled", networkAcls: { defaultAction: "Deny" } },
  });
  const secret = res("azure-native:keyvault:Secret", "vault-database-url", { secretName: "database-url", properties: { value: URL_VALUE, contentType: "text/plain" } }, { secretInputs: ["properties.value"] });
  const app = res(
    "azure-native:web:WebApp",
    "app",
    {
      name: "app-amplifier-prod",
      httpsOnly: true,
      identity: { type: "SystemAssigned" },
      siteConfig: {
        minTlsVersion: "1.2",
        ftpsState: "Disabled",
        alwaysOn: true,
        appSettings: [
          { name: "DATABASE_URL", value: "@Microsoft.KeyVault(VaultName=kv-amplifier-prod;SecretName=database-url)" },
          { name: "API_KEY", value: API_KEY },
          { name: "ENVIRONMENT", value: "production" },
        ],
      },
    },
    { secretInputs: ["siteConfig.appSettings[1].value"] },
  );
  const role = res("azure-native:authorization:RoleAssignment", "app-kv-secrets-user", {
    roleDefinitionId: "/subscriptions/0000/providers/Microsoft.Authorization/roleDefinitions/4633458b-17de-408a-b874-0445c86b69e6",
    principalId: "11111111-2222-3333-4444-555555555555",
    principalType: "ServicePrincipal",
    scope: vault.state.id,
  });
  const lock = res("azure-native:authorization:ManagementLockByScope", "server-lock", { level: "CanNotDelete", scope: SERVER_ID });
  const pe = res("azure-native:network:PrivateEndpoint", "postgres-pe", {
    privateEndpointName: "pe-amplifier-db-prod",
    privateLinkServiceConnections: [{ name: "postgres", privateLinkServiceId: SERVER_ID, groupIds: ["postgresqlServer"] }],
  });
  const alert = res("azure-native:monitor:MetricAlert", "cpu-alert", {
    ruleName: "db-cpu",
    scopes: [SERVER_ID],
    severity: 2,
    criteria: { odataType: "Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria", allOf: [{ metricName: "cpu_percent", operator: "GreaterThan", threshold: 80, timeAggregation: "Average" }] },
  });
  const unknown = res("azure-native:cdn:Profile", "cdn", { profileName: "x" });
  return {
    stack: "prod",
    resources: [stack, server, vault, secret, app, role, lock, pe, alert, unknown],
    outputs: { DATABASE_URL: URL_VALUE, vaultUri: "https://kv-amplifier-prod.vault.azure.net/" },
    secretOutputs: ["DATABASE_URL"],
    invokes: [],
  };
}

describe("settings of the vault, app and network types", () => {
  const run = fixture();
  const plan = buildPlan(run);
  const settings = (name: string) => Object.fromEntries(plan.resources.find((r) => r.name === name)!.settings);

  test("vault settings and secret names; a secret's value is always [secret]", () => {
    expect(settings("vault")).toMatchObject({ sku: "standard", RBAC: "on", "soft delete": "on, 90 days", "purge protection": "on", "public access": "Disabled", "network default": "Deny" });
    expect(settings("vault-database-url")).toEqual({ name: "database-url", "content type": "text/plain", value: "[secret]" });
  });

  test("app settings show names, Key Vault references and [secret], never a secret value", () => {
    expect(settings("app")["app settings"]).toBe("DATABASE_URL=@KeyVault(database-url), API_KEY=[secret], ENVIRONMENT=production");
    expect(settings("app")).toMatchObject({ "https only": "on", identity: "SystemAssigned", "TLS min": "1.2", FTPS: "Disabled" });
  });

  test("role assignments name the role, principal and scope; locks and endpoints name their target", () => {
    expect(settings("app-kv-secrets-user")).toEqual({ role: "Key Vault Secrets User", principal: "11111111-2222-3333-4444-555555555555 (ServicePrincipal)", scope: "Vault vault" });
    expect(settings("server-lock")).toEqual({ lock: "CanNotDelete", scope: "Server amplifier-db-prod" });
    expect(settings("postgres-pe")).toMatchObject({ target: "Server amplifier-db-prod", "group ids": "postgresqlServer" });
    expect(settings("cpu-alert")).toMatchObject({ targets: "Server amplifier-db-prod", when: "Average cpu_percent GreaterThan 80", severity: "2" });
  });

  test("an unknown type still prints its type and name", () => {
    expect(renderText(plan, { color: false, width: 120 })).toMatch(/azure-native:cdn:Profile\s+cdn\s+create/);
    expect(plan.cost.total.usd).toBeNull();
  });

  test("the connection string is found in the vault by value, and no secret leaks in any format", () => {
    expect(plan.facts["Connection string"]).toBe("Key Vault secret database-url");
    expect(plan.facts["Public access"]).toBe("Private endpoint only");
    for (const out of [renderText(plan, { color: false, width: 120 }), renderJson(plan), toMermaid(plan)]) {
      for (const secret of [URL_VALUE, API_KEY, "S3cr3t/pw=="]) expect(out).not.toContain(secret);
    }
  });
});
