/**
 * Hand-built resources for the policy rules: a compliant stack (every rule passes) and, per rule, small changes
 * that must pass and changes that must fail. Shapes follow azure-native v3 inputs, the same
 * shape the mock harness records. The failing cases double as entries of the bad-input catalogue.
 */
import type { EvaluatedResource } from "../policy/evaluate";

const RG = "rg-amplifier-prod";
const SUB = "/subscriptions/00000000-0000-0000-0000-000000000000";
const SERVER_ID = `${SUB}/resourceGroups/${RG}/providers/Microsoft.DBforPostgreSQL/flexibleServers/amplifier-db-prod`;
const VAULT_ID = `${SUB}/resourceGroups/${RG}/providers/Microsoft.KeyVault/vaults/kv-amplifier-prod`;
const TAGS = { environment: "production", "managed-by": "amplifier", "cost-center": "engineering" };
const KV_REF = "@Microsoft.KeyVault(SecretUri=https://kv-amplifier-prod.vault.azure.net/secrets/jwt-secret-key/)";

function res(type: string, name: string, inputs: Record<string, any>, protect = false): EvaluatedResource {
  // Cloned, so a case that edits shared values (TAGS) cannot leak into the next case.
  return { type: `azure-native:${type}`, name, urn: `urn:pulumi:prod::amplifier-infra::azure-native:${type}::${name}`, inputs: structuredClone(inputs), options: { protect } };
}

const param = (parameter: string, value: string) =>
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
    param("require_secure_transport", "on"),
    param("ssl_min_protocol_version", "TLSv1.2"),
    param("log_connections", "on"),
    param("log_disconnections", "ON"),
    param("log_checkpoints", "on"),
    param("connection_throttle.enable", "on"),
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
        ftpsState: "Disabled",
        http20Enabled: true,
        remoteDebuggingEnabled: false,
        healthCheckPath: "/health",
        appSettings: [
          { name: "ENVIRONMENT", value: "production" },
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
    res("storage:StorageAccount", "sessions", {
      accountName: "stamplifierprod",
      resourceGroupName: RG,
      minimumTlsVersion: "TLS1_2",
      enableHttpsTrafficOnly: true,
      allowBlobPublicAccess: false,
      allowSharedKeyAccess: false,
      tags: TAGS,
    }),
  ];
}

export type Mutation = (stack: EvaluatedResource[]) => void;

export function find(stack: EvaluatedResource[], name: string): EvaluatedResource {
  const found = stack.find((r) => r.name === name);
  if (!found) throw new Error(`fixture has no resource ${name}`);
  return found;
}

const drop = (name: string): Mutation => (s) => void s.splice(s.indexOf(find(s, name)), 1);
const set = (name: string, change: (inputs: Record<string, any>, r: EvaluatedResource) => void): Mutation => (s) => change(find(s, name).inputs, find(s, name));
const server = (change: (i: Record<string, any>) => void) => set("postgres-server", change);
const vault = (change: (p: Record<string, any>) => void) => set("vault", (i) => change(i.properties));
const site = (change: (c: Record<string, any>, i: Record<string, any>) => void) => set("app", (i) => change(i.siteConfig, i));
const account = (change: (i: Record<string, any>) => void) => set("sessions", change);
const firewall = (start: string, end: string) => set("postgres-fw-ci-runner", (i) => Object.assign(i, { startIpAddress: start, endIpAddress: end }));
const appSetting = (name: string, value: string) => site((c) => c.appSettings.push({ name, value }));

export interface RuleCase {
  /** What the change is, e.g. `public network access Enabled`. */
  label: string;
  change: Mutation;
  /** The flagged resource's Pulumi name and a fragment of the message (the value found). */
  resource?: string;
  found?: string;
}

/** Per rule: changes that must still pass, and changes that must fail with that rule alone. */
export const RULE_CASES: Record<string, { pass: RuleCase[]; fail: RuleCase[] }> = {
  "postgres-public-network-access-disabled": {
    pass: [{ label: "VNet-injected server", change: server((i) => (i.network = { delegatedSubnetResourceId: "/s/x", privateDnsZoneArmResourceId: "/z/y" })) }],
    fail: [
      { label: "public network access Enabled", change: server((i) => (i.network.publicNetworkAccess = "Enabled")), resource: "postgres-server", found: '"Enabled"' },
      { label: "network block missing", change: server((i) => delete i.network), resource: "postgres-server", found: "missing" },
    ],
  },
  "postgres-backup-retention-minimum": {
    pass: [],
    fail: [{ label: "backups missing", change: server((i) => delete i.backup.backupRetentionDays), resource: "postgres-server", found: "missing" }],
  },
  "postgres-backup-retention-14-days": {
    pass: [{ label: "35 days", change: server((i) => (i.backup.backupRetentionDays = 35)) }],
    fail: [{ label: "backups 7 days", change: server((i) => (i.backup.backupRetentionDays = 7)), resource: "postgres-server", found: "7" }],
  },
  "postgres-geo-redundant-backup": {
    pass: [{ label: "replica exempt", change: server((i) => Object.assign(i, { createMode: "Replica", backup: { backupRetentionDays: 14 } })) }],
    fail: [{ label: "geo backup Disabled", change: server((i) => (i.backup.geoRedundantBackup = "Disabled")), resource: "postgres-server", found: '"Disabled"' }],
  },
  "postgres-zone-redundant-ha": {
    pass: [],
    fail: [
      { label: "HA SameZone", change: server((i) => (i.highAvailability.mode = "SameZone")), resource: "postgres-server", found: '"SameZone"' },
      { label: "Burstable tier", change: server((i) => (i.sku = { name: "Standard_B1ms", tier: "Burstable" })), resource: "postgres-server", found: '"Burstable"' },
    ],
  },
  "postgres-entra-admin": {
    pass: [],
    fail: [
      { label: "no Entra admin", change: drop("postgres-entra-admin"), resource: "postgres-server", found: "missing" },
      { label: "Entra admin of another server", change: set("postgres-entra-admin", (i) => (i.serverName = "other-db")), resource: "postgres-server" },
      { label: "Entra auth Disabled", change: server((i) => (i.authConfig.activeDirectoryAuth = "Disabled")), resource: "postgres-server", found: '"Disabled"' },
    ],
  },
  "postgres-firewall-no-internet-range": {
    pass: [],
    fail: [{ label: "firewall 0.0.0.0-255.255.255.255", change: firewall("0.0.0.0", "255.255.255.255"), resource: "postgres-fw-ci-runner", found: "0.0.0.0-255.255.255.255" }],
  },
  "postgres-firewall-single-address": {
    pass: [{ label: "Azure-services rule is one address", change: firewall("0.0.0.0", "0.0.0.0") }],
    fail: [{ label: "firewall range 203.0.113.0-203.0.113.255", change: firewall("203.0.113.0", "203.0.113.255"), resource: "postgres-fw-ci-runner", found: "203.0.113.0-203.0.113.255" }],
  },
  "postgres-firewall-no-azure-services": {
    pass: [],
    fail: [{ label: "AllowAzureServices 0.0.0.0-0.0.0.0", change: firewall("0.0.0.0", "0.0.0.0"), resource: "postgres-fw-ci-runner", found: "0.0.0.0-0.0.0.0" }],
  },
  "postgres-require-secure-transport": {
    pass: [{ label: "value ON in capitals", change: set("postgres-param-require-secure-transport", (i) => (i.value = "ON")) }],
    fail: [{ label: "require_secure_transport off", change: set("postgres-param-require-secure-transport", (i) => (i.value = "off")), resource: "postgres-server", found: '"off"' }],
  },
  "postgres-tls-minimum-1-2": {
    pass: [{ label: "TLSv1.3", change: set("postgres-param-ssl-min-protocol-version", (i) => (i.value = "TLSv1.3")) }],
    fail: [
      { label: "ssl_min_protocol_version TLSv1.1", change: set("postgres-param-ssl-min-protocol-version", (i) => (i.value = "TLSv1.1")), resource: "postgres-server", found: '"TLSv1.1"' },
      { label: "ssl_min_protocol_version not set", change: drop("postgres-param-ssl-min-protocol-version"), resource: "postgres-server", found: "missing" },
    ],
  },
  "postgres-log-connections": {
    pass: [],
    fail: [{ label: "log_connections not set", change: drop("postgres-param-log-connections"), resource: "postgres-server", found: "missing" }],
  },
  "postgres-log-disconnections": {
    pass: [],
    fail: [{ label: "log_disconnections off", change: set("postgres-param-log-disconnections", (i) => (i.value = "off")), resource: "postgres-server", found: '"off"' }],
  },
  "postgres-log-checkpoints": {
    pass: [],
    fail: [{ label: "log_checkpoints on another server", change: set("postgres-param-log-checkpoints", (i) => (i.serverName = "other-db")), resource: "postgres-server", found: "missing" }],
  },
  "postgres-connection-throttling": {
    pass: [],
    // The single-server parameter name does not count on a flexible server (Microsoft Learn, "Server parameters in Azure Database for PostgreSQL": flexible servers name it connection_throttle.enable).
    fail: [{ label: "connection_throttling (single-server name)", change: set("postgres-param-connection-throttle-enable", (i) => (i.configurationName = "connection_throttling")), resource: "postgres-server", found: "missing" }],
  },
  "postgres-diagnostic-settings": {
    pass: [],
    fail: [
      { label: "no diagnostic setting on the server", change: drop("postgres-diagnostics"), resource: "postgres-server", found: "missing" },
      { label: "diagnostic logs disabled", change: set("postgres-diagnostics", (i) => (i.logs[0].enabled = false)), resource: "postgres-server" },
    ],
  },
  "keyvault-diagnostic-settings": {
    pass: [{ label: "AuditEvent category", change: set("vault-diagnostics", (i) => (i.logs = [{ category: "AuditEvent", enabled: true }])) }],
    fail: [{ label: "vault diagnostics with metrics only", change: set("vault-diagnostics", (i) => (i.logs = [])), resource: "vault" }],
  },
  "stateful-resources-protected": {
    pass: [],
    fail: [{ label: "server without protect", change: set("postgres-server", (_i, r) => (r.options = { protect: false })), resource: "postgres-server", found: "false" }],
  },
  "stateful-resources-locked": {
    pass: [
      {
        label: "resource-group lock instead",
        change: (s) => {
          drop("vault-lock")(s);
          s.push({ type: "azure-native:authorization:ManagementLockAtResourceGroupLevel", name: "rg-lock", inputs: { resourceGroupName: RG, level: "CanNotDelete" } });
        },
      },
    ],
    fail: [
      { label: "no lock on the vault", change: drop("vault-lock"), resource: "vault", found: "missing" },
      { label: "lock level NotSpecified", change: set("postgres-lock", (i) => (i.level = "NotSpecified")), resource: "postgres-server" },
    ],
  },
  "keyvault-rbac-authorization": {
    pass: [],
    fail: [
      { label: "vault RBAC off", change: vault((p) => (p.enableRbacAuthorization = false)), resource: "vault", found: "false" },
      { label: "vault access policies", change: vault((p) => (p.accessPolicies = [{ objectId: "x", permissions: { secrets: ["get"] } }])), resource: "vault", found: "1 access policies" },
    ],
  },
  "keyvault-soft-delete": {
    pass: [{ label: "7 days", change: vault((p) => (p.softDeleteRetentionInDays = 7)) }],
    fail: [
      { label: "soft delete implicit", change: vault((p) => delete p.enableSoftDelete), resource: "vault", found: "missing" },
      { label: "retention 91 days", change: vault((p) => (p.softDeleteRetentionInDays = 91)), resource: "vault", found: "91" },
    ],
  },
  "keyvault-purge-protection": {
    pass: [],
    fail: [{ label: "purge protection omitted", change: vault((p) => delete p.enablePurgeProtection), resource: "vault", found: "missing" }],
  },
  "keyvault-purge-protection-not-false": {
    pass: [],
    // `false` is also off, so keyvault-purge-protection fires too: the test accepts exactly those two.
    fail: [{ label: "purge protection false", change: vault((p) => (p.enablePurgeProtection = false)), resource: "vault", found: "false" }],
  },
  "keyvault-public-network-access-disabled": {
    pass: [],
    fail: [{ label: "vault public network access Enabled", change: vault((p) => (p.publicNetworkAccess = "Enabled")), resource: "vault", found: '"Enabled"' }],
  },
  "keyvault-network-acl-deny": {
    pass: [],
    fail: [{ label: "vault networkAcls Allow", change: vault((p) => (p.networkAcls.defaultAction = "Allow")), resource: "vault", found: '"Allow"' }],
  },
  "keyvault-secret-content-type": {
    pass: [],
    fail: [{ label: "secret without content type", change: set("vault-secret-jwt", (i) => delete i.properties.contentType), resource: "vault-secret-jwt", found: "missing" }],
  },
  "webapp-https-only": {
    pass: [],
    fail: [{ label: "httpsOnly missing", change: set("app", (i) => delete i.httpsOnly), resource: "app", found: "missing" }],
  },
  "webapp-min-tls-1-2": {
    pass: [{ label: "TLS 1.3", change: site((c) => (c.minTlsVersion = "1.3")) }],
    fail: [{ label: "web app TLS 1.0", change: site((c) => (c.minTlsVersion = "1.0")), resource: "app", found: '"1.0"' }],
  },
  "webapp-ftps-disabled": {
    pass: [],
    fail: [{ label: "ftpsState AllAllowed", change: site((c) => (c.ftpsState = "AllAllowed")), resource: "app", found: '"AllAllowed"' }],
  },
  "webapp-basic-publishing-credentials-disabled": {
    pass: [],
    fail: [
      { label: "no WebAppScmAllowed", change: drop("app-scm"), resource: "app", found: "missing" },
      { label: "FTP basic auth allowed", change: set("app-ftp", (i) => (i.allow = true)), resource: "app", found: "true" },
    ],
  },
  "webapp-managed-identity": {
    pass: [{ label: "user-assigned identity", change: set("app", (i) => (i.identity = { type: "UserAssigned", userAssignedIdentities: { "/id/x": {} } })) }],
    fail: [{ label: "identity None", change: set("app", (i) => (i.identity = { type: "None" })), resource: "app", found: '"None"' }],
  },
  "webapp-http2": {
    pass: [],
    fail: [{ label: "HTTP/2 off", change: site((c) => (c.http20Enabled = false)), resource: "app", found: "false" }],
  },
  "webapp-remote-debugging-off": {
    pass: [{ label: "remote debugging unset", change: site((c) => delete c.remoteDebuggingEnabled) }],
    fail: [{ label: "remote debugging on", change: site((c) => (c.remoteDebuggingEnabled = true)), resource: "app", found: "true" }],
  },
  "webapp-health-check": {
    pass: [],
    fail: [{ label: "no health check path", change: site((c) => delete c.healthCheckPath), resource: "app", found: "missing" }],
  },
  "webapp-no-secret-app-settings": {
    pass: [],
    fail: [
      { label: "DATABASE_URL literal", change: site((c) => (c.appSettings.find((s: any) => s.name === "DATABASE_URL").value = "postgresql+asyncpg://u:hunter2@db:5432/x")), resource: "app", found: "not shown" },
      { label: "JWT_SECRET literal", change: appSetting("JWT_SECRET", "s3cr3t-value"), resource: "app", found: "12 characters" },
      { label: "credential in an innocent name", change: appSetting("STORAGE", "DefaultEndpointsProtocol=https;AccountName=x;AccountKey=abc=="), resource: "app", found: "not shown" },
      {
        label: "separate WebAppApplicationSettings with a literal",
        change: (s) => s.push({ type: "azure-native:web:WebAppApplicationSettings", name: "app-settings", inputs: { name: "amplifier-api-prod", properties: { TELEMETRY_APP_INSIGHTS_CONNECTION_STRING: "InstrumentationKey=abc" } } }),
        resource: "app-settings",
      },
    ],
  },
  "webapp-vnet-route-all": {
    pass: [
      { label: "older vnetRouteAllEnabled (G9)", change: set("app", (i) => (delete i.outboundVnetRouting, (i.vnetRouteAllEnabled = true))) },
      { label: "public vault needs no route-all", change: (s) => (vault((p) => (p.publicNetworkAccess = "Enabled"))(s), set("app", (i) => delete i.outboundVnetRouting)(s)) },
    ],
    fail: [
      { label: "no route-all with a private vault", change: set("app", (i) => delete i.outboundVnetRouting), resource: "app", found: "missing" },
      { label: "no VNet integration with a private vault", change: set("app", (i) => delete i.virtualNetworkSubnetId), resource: "app" },
    ],
  },
  "storage-min-tls-1-2": {
    pass: [],
    fail: [{ label: "storage TLS1_0", change: account((i) => (i.minimumTlsVersion = "TLS1_0")), resource: "sessions", found: '"TLS1_0"' }],
  },
  "storage-https-only": {
    pass: [],
    fail: [{ label: "storage HTTP allowed", change: account((i) => (i.enableHttpsTrafficOnly = false)), resource: "sessions", found: "false" }],
  },
  "storage-no-public-blob-access": {
    pass: [],
    fail: [{ label: "blob public access unset", change: account((i) => delete i.allowBlobPublicAccess), resource: "sessions", found: "missing" }],
  },
  "storage-shared-key-disabled": {
    pass: [],
    fail: [
      {
        label: "shared key on with SAS policy (G5)",
        change: account((i) => Object.assign(i, { allowSharedKeyAccess: true, sasPolicy: { sasExpirationPeriod: "1.00:00:00", expirationAction: "Log" } })),
        resource: "sessions",
        found: "true",
      },
    ],
  },
  "storage-sas-expiration-policy": {
    pass: [],
    // Shared key left to the default is "on" as well, so storage-shared-key-disabled fires too.
    fail: [{ label: "shared key default without SAS policy", change: account((i) => delete i.allowSharedKeyAccess), resource: "sessions", found: "missing" }],
  },
  "required-tags": {
    pass: [{ label: "untaggable type without tags", change: (s) => s.push({ type: "azure-native:network:PrivateDnsZoneGroup", name: "zone-group", inputs: { privateEndpointName: "pe" } }) }],
    fail: [
      { label: "server without cost-center tag", change: server((i) => delete i.tags["cost-center"]), resource: "postgres-server", found: '"managed-by":"amplifier"' },
      { label: "web app without tags", change: set("app", (i) => delete i.tags), resource: "app", found: "missing" },
      { label: "any azure-native type with incomplete tags", change: (s) => s.push({ type: "azure-native:network:NetworkSecurityGroup", name: "nsg", inputs: { tags: { environment: "production" } } }), resource: "nsg" },
    ],
  },
};

/** Rules a failing case may trip in addition to its own (documented next to the case). */
export const ALSO_FIRES: Record<string, string[]> = {
  "postgres-backup-retention-minimum": ["postgres-backup-retention-14-days"],
  "postgres-firewall-no-internet-range": ["postgres-firewall-single-address"],
  "keyvault-purge-protection-not-false": ["keyvault-purge-protection"],
  "storage-sas-expiration-policy": ["storage-shared-key-disabled"],
};
