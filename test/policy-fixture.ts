/**
 * The policy rules' fixture: a hand-built prod-like stack that satisfies every rule, and the small helpers the
 * case tables (policy-cases*.ts) use to change it. Shapes follow azure-native v3 inputs, the same shape the mock
 * runtime records.
 */
import type { StackFacts } from "../policy/model";
import type { EvaluatedResource } from "../policy/evaluate";

export const RG = "rg-amplifier-prod";
export const SUB = "/subscriptions/00000000-0000-0000-0000-000000000000";
export const RG_ID = `${SUB}/resourceGroups/${RG}`;
const SERVER_ID = `${RG_ID}/providers/Microsoft.DBforPostgreSQL/flexibleServers/amplifier-db-prod`;
export const VAULT_ID = `${RG_ID}/providers/Microsoft.KeyVault/vaults/kv-amplifier-prod`;
export const ACCOUNT_ID = `${RG_ID}/providers/Microsoft.Storage/storageAccounts/stamplifierprod`;
const WORKSPACE_ID = `${RG_ID}/providers/Microsoft.OperationalInsights/workspaces/log-amplifier-prod`;
const ACTION_GROUP_ID = `${RG_ID}/providers/Microsoft.Insights/actionGroups/ag-amplifier-prod`;
export const TAGS = { environment: "production", "managed-by": "amplifier", "cost-center": "engineering" };
export const KV_REF = "@Microsoft.KeyVault(SecretUri=https://kv-amplifier-prod.vault.azure.net/secrets/jwt-secret-key/)";
export const APP_PRINCIPAL = "49cad105-7aa8-48a1-a33b-6445b17f9941";
/** Built-in role definitions by GUID (Microsoft Learn, "Azure built-in roles"). */
export const role = (guid: string) => `${SUB}/providers/Microsoft.Authorization/roleDefinitions/${guid}`;
export const ROLES = { secretsUser: "4633458b-17de-408a-b874-0445c86b69e6", contributor: "b24988ac-6180-42a0-ab88-20f7382dd24c", owner: "8e3af657-a8ff-443c-a75c-2fe8c4bcb635" };

export const urnOf = (type: string, name: string) => `urn:pulumi:prod::amplifier-infra::azure-native:${type}::${name}`;

export function res(type: string, name: string, inputs: Record<string, any>, protect = false, propertyDependencies?: Record<string, string[]>): EvaluatedResource {
  // Cloned, so a case that edits shared values (TAGS) cannot leak into the next case.
  return { type: `azure-native:${type}`, name, urn: urnOf(type, name), inputs: structuredClone(inputs), options: { protect }, propertyDependencies };
}

const parameterResource = (parameter: string, value: string) =>
  res("dbforpostgresql:Configuration", `postgres-param-${parameter.replace(/[^a-z0-9]+/g, "-")}`, {
    configurationName: parameter,
    value,
    source: "user-override",
    serverName: "amplifier-db-prod",
    resourceGroupName: RG,
  });

/** A prod-like stack that satisfies every rule. */
export function compliantStack(): EvaluatedResource[] {
  return [
    res("resources:ResourceGroup", "resource-group", { resourceGroupName: RG, location: "eastus", tags: TAGS }, true),
    res(
      "dbforpostgresql:Server",
      "postgres-server",
      {
        serverName: "amplifier-db-prod",
        resourceGroupName: RG,
        sku: { name: "Standard_D2ds_v5", tier: "GeneralPurpose" },
        backup: { backupRetentionDays: 14, geoRedundantBackup: "Enabled" },
        highAvailability: { mode: "ZoneRedundant" },
        network: { publicNetworkAccess: "Disabled" },
        authConfig: { passwordAuth: "Enabled", activeDirectoryAuth: "Enabled" },
        tags: TAGS,
      },
      true,
    ),
    parameterResource("require_secure_transport", "on"),
    parameterResource("ssl_min_protocol_version", "TLSv1.2"),
    parameterResource("log_connections", "on"),
    parameterResource("log_disconnections", "ON"),
    parameterResource("log_checkpoints", "on"),
    parameterResource("connection_throttle.enable", "on"),
    parameterResource("password_encryption", "scram-sha-256"),
    res("dbforpostgresql:FirewallRule", "postgres-fw-ci-runner", {
      firewallRuleName: "ci-runner",
      startIpAddress: "203.0.113.10",
      endIpAddress: "203.0.113.10",
      serverName: "amplifier-db-prod",
      resourceGroupName: RG,
    }),
    res("dbforpostgresql:AdministratorsMicrosoftEntra", "postgres-entra-admin", {
      objectId: "11111111-2222-3333-4444-555555555555",
      principalName: "amplifier-db-admins",
      principalType: "Group",
      serverName: "amplifier-db-prod",
      resourceGroupName: RG,
    }),
    res("dbforpostgresql:Database", "postgres-database", { databaseName: "amplifier_prod", serverName: "amplifier-db-prod", resourceGroupName: RG }, true),
    res("monitor:DiagnosticSetting", "postgres-diagnostics", { resourceUri: SERVER_ID, logs: [{ categoryGroup: "allLogs", enabled: true }] }),
    res("authorization:ManagementLockByScope", "postgres-lock", { scope: SERVER_ID, level: "CanNotDelete" }),
    res(
      "keyvault:Vault",
      "vault",
      {
        vaultName: "kv-amplifier-prod",
        resourceGroupName: RG,
        properties: {
          tenantId: "00000000-0000-0000-0000-0000000000a1",
          sku: { family: "A", name: "standard" },
          enableRbacAuthorization: true,
          enableSoftDelete: true,
          softDeleteRetentionInDays: 90,
          enablePurgeProtection: true,
          publicNetworkAccess: "Disabled",
          networkAcls: { defaultAction: "Deny", bypass: "AzureServices" },
        },
        tags: TAGS,
      },
      true,
    ),
    res("keyvault:Secret", "vault-secret-jwt", {
      secretName: "jwt-secret-key",
      vaultName: "kv-amplifier-prod",
      resourceGroupName: RG,
      properties: { value: "0123456789abcdef", contentType: "text/plain" },
    }),
    res("monitor:DiagnosticSetting", "vault-diagnostics", { resourceUri: VAULT_ID, logs: [{ categoryGroup: "audit", enabled: true }] }),
    res("authorization:ManagementLockByScope", "vault-lock", { scope: VAULT_ID, level: "CanNotDelete" }),
    res("web:WebApp", "app", {
      name: "amplifier-api-prod",
      resourceGroupName: RG,
      httpsOnly: true,
      identity: { type: "SystemAssigned" },
      virtualNetworkSubnetId: `${SUB}/resourceGroups/${RG}/providers/Microsoft.Network/virtualNetworks/vnet/subnets/app`,
      outboundVnetRouting: { allTraffic: true },
      siteConfig: {
        minTlsVersion: "1.2",
        scmMinTlsVersion: "1.2",
        ftpsState: "Disabled",
        http20Enabled: true,
        remoteDebuggingEnabled: false,
        healthCheckPath: "/health",
        appSettings: [
          { name: "ENVIRONMENT", value: "production" },
          { name: "AUTH_MODE", value: "api_key_jwt" },
          { name: "AUTH_REQUIRED", value: "true" },
          { name: "ALLOWED_ORIGINS", value: "https://app.amplifier-api.com,https://www.amplifier-api.com" },
          { name: "JWT_PUBLIC_KEY_URL", value: "https://amplifier.eu.auth0.com/.well-known/jwks.json" },
          { name: "TELEMETRY_ENABLED", value: "true" },
          { name: "TELEMETRY_SANITIZE_PII", value: "true" },
          { name: "TELEMETRY_TRACK_REQUEST_BODY", value: "false" },
          { name: "API_KEY_HEADER", value: "X-API-Key" },
          { name: "ACCESS_TOKEN_EXPIRE_MINUTES", value: "30" },
          { name: "AZURE_KEYVAULT_NAME", value: "kv-amplifier-prod" },
          { name: "SECRET_KEY", value: KV_REF },
          { name: "DATABASE_URL", value: KV_REF },
        ],
      },
      tags: TAGS,
    }),
    res("web:WebAppFtpAllowed", "app-ftp", { name: "amplifier-api-prod", resourceGroupName: RG, allow: false }),
    res("web:WebAppScmAllowed", "app-scm", { name: "amplifier-api-prod", resourceGroupName: RG, allow: false }),
    res(
      "authorization:RoleAssignment",
      "app-key-vault-secrets-user",
      { principalId: APP_PRINCIPAL, principalType: "ServicePrincipal", roleDefinitionId: role(ROLES.secretsUser), scope: `${VAULT_ID}/secrets/jwt-secret-key` },
      false,
      // As the mock runtime and CrossGuard record it: the principal id came from the web app, the scope (one secret)
      // from the vault's id and the secret.
      { principalId: [urnOf("web:WebApp", "app")], scope: [urnOf("keyvault:Vault", "vault"), urnOf("keyvault:Secret", "vault-secret-jwt")] },
    ),
    res(
      "storage:StorageAccount",
      "sessions",
      {
        accountName: "stamplifierprod",
        resourceGroupName: RG,
        minimumTlsVersion: "TLS1_2",
        enableHttpsTrafficOnly: true,
        allowBlobPublicAccess: false,
        allowSharedKeyAccess: false,
        publicNetworkAccess: "Disabled",
        tags: TAGS,
      },
      true,
    ),
    res("storage:FileShare", "sessions-share", { shareName: "sessions", accountName: "stamplifierprod", resourceGroupName: RG }, true),
    res("monitor:DiagnosticSetting", "sessions-files-diagnostics", { resourceUri: `${ACCOUNT_ID}/fileServices/default`, logs: [{ categoryGroup: "allLogs", enabled: true }] }),
    res("operationalinsights:Workspace", "workspace", { workspaceName: "log-amplifier-prod", resourceGroupName: RG, retentionInDays: 90, tags: TAGS }),
    res("applicationinsights:Component", "app-insights", { resourceName: "appi-amplifier-prod", resourceGroupName: RG, workspaceResourceId: WORKSPACE_ID, tags: TAGS }),
    res("monitor:ActionGroup", "action-group", {
      actionGroupName: "ag-amplifier-prod",
      resourceGroupName: RG,
      enabled: true,
      emailReceivers: [{ name: "email-1", emailAddress: "platform-alerts@amplifier-api.com" }],
      tags: TAGS,
    }),
    res("monitor:MetricAlert", "alert-db-cpu", { ruleName: "alert-amplifier-prod-db-cpu", scopes: [SERVER_ID], actions: [{ actionGroupId: ACTION_GROUP_ID }], tags: TAGS }),
  ];
}

export type Mutation = (stack: EvaluatedResource[]) => void;

export function find(stack: EvaluatedResource[], name: string): EvaluatedResource {
  const found = stack.find((r) => r.name === name);
  if (!found) throw new Error(`fixture has no resource ${name}`);
  return found;
}

export const drop = (name: string): Mutation => (s) => void s.splice(s.indexOf(find(s, name)), 1);
export const add = (...resources: EvaluatedResource[]): Mutation => (s) => void s.push(...resources);
export const set = (name: string, change: (inputs: Record<string, any>, r: EvaluatedResource) => void): Mutation => (s) => change(find(s, name).inputs, find(s, name));
export const unprotect = (name: string) => set(name, (_i, r) => (r.options = { protect: false }));
export const server = (change: (i: Record<string, any>) => void) => set("postgres-server", change);
export const vault = (change: (p: Record<string, any>) => void) => set("vault", (i) => change(i.properties));
export const site = (change: (c: Record<string, any>, i: Record<string, any>) => void) => set("app", (i) => change(i.siteConfig, i));
export const account = (change: (i: Record<string, any>) => void) => set("sessions", change);
export const firewall = (start: string, end: string) => set("postgres-fw-ci-runner", (i) => Object.assign(i, { startIpAddress: start, endIpAddress: end }));
export const appSetting = (name: string, value: string) => site((c) => c.appSettings.push({ name, value }));
/** Sets an existing app setting (or adds it), or removes it with `undefined`. */
export const setting = (name: string, value: string | undefined) =>
  site((c) => {
    c.appSettings = c.appSettings.filter((s: any) => s.name !== name);
    if (value !== undefined) c.appSettings.push({ name, value });
  });
export const param = (parameter: string, value: string) => add(parameterResource(parameter, value));

/** A deployment slot `staging` of the app, compliant (with its own basic-auth policies), after `change`. */
/** The types `slot()` adds: the program registers none of them, so the type allowlist flags them too. */
export const SLOT_TYPES = ["azure-native:web:WebAppSlot", "azure-native:web:WebAppFtpAllowedSlot", "azure-native:web:WebAppScmAllowedSlot"];

export function slot(change: (i: Record<string, any>) => void = () => undefined): Mutation {
  return (s) => {
    const inputs = { ...structuredClone(find(s, "app").inputs), slot: "staging" };
    change(inputs);
    s.push(
      res("web:WebAppSlot", "app-staging", inputs),
      res("web:WebAppFtpAllowedSlot", "app-staging-ftp", { name: "amplifier-api-prod", slot: "staging", resourceGroupName: RG, allow: false }),
      res("web:WebAppScmAllowedSlot", "app-staging-scm", { name: "amplifier-api-prod", slot: "staging", resourceGroupName: RG, allow: false }),
    );
  };
}

export interface RuleCase {
  /** What the change is, e.g. `public network access Enabled`. */
  label: string;
  change: Mutation;
  /** The flagged resource's Pulumi name and a fragment of the message (the value found). */
  resource?: string;
  found?: string;
  /** What the rules know of the stack (policy/model.ts StackFacts); production when absent. */
  stack?: StackFacts;
  /**
   * Types the change adds that the program never registers (a deployment slot, a network security group): the type
   * allowlist flags exactly their resources as well, which is that rule working.
   */
  offAllowlist?: string[];
}

/** Per rule: changes that must still pass, and changes that must fail with that rule alone (or ALSO_FIRES). */
export type CaseTable = Record<string, { pass: RuleCase[]; fail: RuleCase[] }>;

/** One table from several (cases for the same rule are concatenated). */
export function mergeCases(...tables: CaseTable[]): CaseTable {
  const out: CaseTable = {};
  for (const table of tables) {
    for (const [rule, c] of Object.entries(table)) {
      out[rule] = { pass: [...(out[rule]?.pass ?? []), ...c.pass], fail: [...(out[rule]?.fail ?? []), ...c.fail] };
    }
  }
  return out;
}
