/**
 * Per policy rule, small changes to the compliant stack (policy-fixture.ts) that must pass and changes that must
 * fail. The failing cases double as entries of the bad-input catalogue.
 */
import { ALLOWLIST_CASES } from "./policy-cases-allowlists";
import { APP_CASES } from "./policy-cases-app";
import { DATA_CASES } from "./policy-cases-data";
import { DYNAMIC_CASES, SETTINGS_ALLOWLIST_CASES } from "./policy-cases-dynamic";
import {
  account,
  appSetting,
  type CaseTable,
  drop,
  firewall,
  mergeCases,
  RG,
  server,
  set,
  site,
  vault,
} from "./policy-fixture";

export { compliantStack, find } from "./policy-fixture";

/** The first rules' cases; the application and data tiers' later rules have theirs in policy-cases-app.ts and policy-cases-data.ts. */
const BASE_CASES: CaseTable = {
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
    pass: [{ label: "a User admin", change: set("postgres-entra-admin", (i) => (i.principalType = "User")) }],
    fail: [
      { label: "no Entra admin", change: drop("postgres-entra-admin"), resource: "postgres-server", found: "missing" },
      { label: "Entra admin of another server", change: set("postgres-entra-admin", (i) => (i.serverName = "other-db")), resource: "postgres-server" },
      { label: "Entra auth Disabled", change: server((i) => (i.authConfig.activeDirectoryAuth = "Disabled")), resource: "postgres-server", found: '"Disabled"' },
      // Automation is not a break-glass path for people.
      { label: "only a service principal admin (the bootstrap identity)", change: set("postgres-entra-admin", (i) => (i.principalType = "ServicePrincipal")), resource: "postgres-server" },
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
    pass: [
      // The program's shape: azure-native v3 takes the identities' ids as a list; ARM answers with a map by id.
      { label: "user-assigned identity (inputs: a list of ids)", change: set("app", (i) => (i.identity = { type: "UserAssigned", userAssignedIdentities: ["/id/x"] })) },
      { label: "user-assigned identity (outputs: a map by id)", change: set("app", (i) => (i.identity = { type: "UserAssigned", userAssignedIdentities: { "/id/x": {} } })) },
    ],
    fail: [
      { label: "identity None", change: set("app", (i) => (i.identity = { type: "None" })), resource: "app", found: '"None"' },
      { label: "user-assigned with no identity listed", change: set("app", (i) => (i.identity = { type: "UserAssigned", userAssignedIdentities: [] })), resource: "app", found: '"UserAssigned"' },
    ],
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
        label: "separate WebAppApplicationSettings with a literal", offAllowlist: ["azure-native:web:WebAppApplicationSettings"],
        change: (s) =>
          s.push({
            type: "azure-native:web:WebAppApplicationSettings",
            name: "app-settings",
            inputs: { name: "amplifier-api-prod", properties: { AUTH_REQUIRED: "true", TELEMETRY_APP_INSIGHTS_CONNECTION_STRING: "InstrumentationKey=abc" } },
          }),
        resource: "app-settings",
      },
    ],
  },
  "webapp-vnet-route-all": {
    pass: [
      { label: "older vnetRouteAllEnabled", change: set("app", (i) => (delete i.outboundVnetRouting, (i.vnetRouteAllEnabled = true))) },
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
        label: "shared key on with SAS policy",
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
      { label: "any azure-native type with incomplete tags", offAllowlist: ["azure-native:network:NetworkSecurityGroup"], change: (s) => s.push({ type: "azure-native:network:NetworkSecurityGroup", name: "nsg", inputs: { tags: { environment: "production" } } }), resource: "nsg" },
    ],
  },
};

export const RULE_CASES: CaseTable = mergeCases(BASE_CASES, APP_CASES, DATA_CASES, DYNAMIC_CASES, SETTINGS_ALLOWLIST_CASES, ALLOWLIST_CASES);

/** Rules a failing case may trip in addition to its own (documented next to the case). */
export const ALSO_FIRES: Record<string, string[]> = {
  "postgres-backup-retention-minimum": ["postgres-backup-retention-14-days"],
  "postgres-firewall-no-internet-range": ["postgres-firewall-single-address"],
  "keyvault-purge-protection-not-false": ["keyvault-purge-protection"],
  // The fixture's database is private, so a public vault next to it is flagged by both.
  "keyvault-public-network-access-disabled": ["data-stores-private-with-database"],
  "storage-sas-expiration-policy": ["storage-shared-key-disabled"],
  "data-stores-private-with-database": ["keyvault-public-network-access-disabled"],
  // The single-server name is not a flexible-server parameter, so the parameter allowlist refuses it too.
  "postgres-connection-throttling": ["postgres-parameters-allowlisted"],
  // A grant to the app's identity of another role or on a wider scope breaks both the app's rule and the role table.
  "app-role-assignments-scoped-to-vault": ["role-assignments-allowlisted"],
  "app-deploy-role-scoped-to-web-app": ["role-assignments-allowlisted"],
  "role-assignments-allowlisted": ["app-role-assignments-scoped-to-vault"],
  // Cases that add a name the app does not read (or a site or settings resource with such names), in production: the
  // production app-settings allowlist refuses the name too.
  "webapp-no-secret-app-settings": ["app-settings-allowlisted"],
  "webapp-auth-required": ["app-settings-allowlisted"],
  "webapp-telemetry-pii-sanitised": ["app-settings-allowlisted"],
};

/** The type allowlist: it also fires, on exactly the resources of a case's `offAllowlist` types. */
export const TYPE_ALLOWLIST_RULE = "resource-types-allowlisted";
