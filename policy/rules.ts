/**
 * Every policy rule of the project, as plain data + pure checks over registered inputs. One definition, three uses:
 * the CrossGuard pack (policy/index.ts), the offline plan and the tests (policy/evaluate.ts).
 *
 * Sources are the rule ids in /work/shared/reference/scanner-rules.md (Checkov CKV*, Trivy AVD-AZU-*, Azure Policy
 * built-ins by GUID prefix, MCSB = Microsoft cloud security benchmark). Every rule applies to every stack that has
 * its resource type; a stack that deviates on purpose (test) documents it under `amplifier-infra:policy.exceptions`,
 * which makes that rule advisory there instead of mandatory. No rule branches on the environment.
 */
import { at, azureName, Finding, isOn, ofType, PolicyResource, refersTo, Rule, T } from "./model";

const fail = (problem: string, found: unknown, fix: string): Finding[] => [{ problem, found, fix }];
const when = (bad: boolean, problem: string, found: unknown, fix: string): Finding[] => (bad ? fail(problem, found, fix) : []);

// ---------------------------------------------------------------------------------------------------------------
// PostgreSQL flexible server
// ---------------------------------------------------------------------------------------------------------------

/** Server parameters that must be set explicitly (Configuration children of the server), one rule each. */
const PARAMETER_RULES: { name: string; parameter: string; ok: (v: unknown) => boolean; want: string; source: string[]; severity: Rule["severity"]; description: string }[] = [
  {
    name: "postgres-require-secure-transport",
    parameter: "require_secure_transport",
    ok: isOn,
    want: "on",
    source: ["AVD-AZU-0020", "AzPol c29c38cb"],
    severity: "high",
    description: "PostgreSQL servers enforce TLS on every connection (server parameter require_secure_transport = on).",
  },
  {
    name: "postgres-tls-minimum-1-2",
    parameter: "ssl_min_protocol_version",
    ok: (v) => typeof v === "string" && ["tlsv1.2", "tlsv1.3"].includes(v.toLowerCase()),
    want: "TLSv1.2",
    source: ["AVD-AZU-0026", "AzPol a43d5475 (MCSBv2)"],
    severity: "high",
    description: "PostgreSQL servers accept TLS 1.2 or newer only (ssl_min_protocol_version = TLSv1.2 or TLSv1.3).",
  },
  {
    name: "postgres-log-connections",
    parameter: "log_connections",
    ok: isOn,
    want: "on",
    source: ["AVD-AZU-0019", "AzPol 086709ac"],
    severity: "medium",
    description: "PostgreSQL servers log connections (log_connections = on).",
  },
  {
    name: "postgres-log-disconnections",
    parameter: "log_disconnections",
    ok: isOn,
    want: "on",
    source: ["AzPol 1d14b021"],
    severity: "medium",
    description: "PostgreSQL servers log disconnections (log_disconnections = on).",
  },
  {
    name: "postgres-log-checkpoints",
    parameter: "log_checkpoints",
    ok: isOn,
    want: "on",
    source: ["AVD-AZU-0024", "AzPol 70be9e12"],
    severity: "medium",
    description: "PostgreSQL servers log checkpoints (log_checkpoints = on).",
  },
  {
    name: "postgres-connection-throttling",
    parameter: "connection_throttle.enable",
    ok: isOn,
    want: "on",
    source: ["AVD-AZU-0021"],
    severity: "medium",
    description: "PostgreSQL servers throttle failed connection bursts (connection_throttle.enable = on).",
  },
];

/** The value a server's Configuration child sets for `parameter` (input `configurationName`, output `name`). */
function parameterValue(server: PolicyResource, parameter: string, resources: readonly PolicyResource[]): unknown {
  const config = ofType(resources, T.configuration).find(
    (c) => (c.props.configurationName ?? c.props.name) === parameter && refersTo(c, "serverName", server),
  );
  return config?.props.value;
}

const parameterRules: Rule[] = PARAMETER_RULES.map((p) => ({
  name: p.name,
  description: p.description,
  source: p.source,
  severity: p.severity,
  resourceTypes: [T.server],
  scope: "stack",
  check: (_props, ctx) => {
    const value = parameterValue(ctx.resource, p.parameter, ctx.resources);
    return when(
      !p.ok(value),
      `has server parameter ${p.parameter} not set to ${p.want}`,
      value,
      `add a dbforpostgresql.Configuration {configurationName: "${p.parameter}", value: "${p.want}"} for this server ` +
        "(postgres.serverParameters in the stack config, chained through serialWrite)",
    );
  },
}));

/** Whether an IPv4 firewall range covers every address. */
const coversInternet = (start: unknown, end: unknown) => start === "0.0.0.0" && end === "255.255.255.255";

const postgresRules: Rule[] = [
  {
    name: "postgres-public-network-access-disabled",
    description: "PostgreSQL servers have no public endpoint (reached through a private endpoint).",
    source: ["AVD-AZU-0022", "AzPol 5e1de0e3 (MCSBv2)", "CKV_AZURE_68 (intent)"],
    severity: "high",
    resourceTypes: [T.server],
    scope: "resource",
    check: (props) => {
      // AzPol 5e1de0e3 also passes a VNet-injected server (both ids set).
      const injected = at(props, "network.delegatedSubnetResourceId") && at(props, "network.privateDnsZoneArmResourceId");
      const access = at(props, "network.publicNetworkAccess");
      return when(
        !injected && access !== "Disabled",
        "allows public network access",
        access,
        'set postgres.publicNetworkAccess: Disabled (network.publicNetworkAccess "Disabled") and reach it through a private endpoint',
      );
    },
  },
  {
    name: "postgres-backup-retention-minimum",
    description: "PostgreSQL backups are kept at least 7 days, set explicitly.",
    source: ["MCSB BR-1", "spec: backups >= 7 days"],
    severity: "high",
    resourceTypes: [T.server],
    scope: "resource",
    check: (props) => {
      const days = at(props, "backup.backupRetentionDays");
      return when(!(typeof days === "number" && days >= 7), "keeps backups fewer than 7 days", days, "set postgres.backupRetentionDays to 7-35");
    },
  },
  {
    name: "postgres-backup-retention-14-days",
    description: "PostgreSQL backups are kept at least 14 days (the spec's prod retention).",
    source: ["MCSB BR-1", "spec: prod 14-day backups"],
    severity: "medium",
    resourceTypes: [T.server],
    scope: "resource",
    check: (props) => {
      const days = at(props, "backup.backupRetentionDays");
      return when(!(typeof days === "number" && days >= 14), "keeps backups fewer than 14 days", days, "set postgres.backupRetentionDays to 14 or more");
    },
  },
  {
    name: "postgres-geo-redundant-backup",
    description: "PostgreSQL backups are geo-redundant (restorable in the paired region).",
    source: ["CKV_AZURE_136", "AzPol cee2f9fd", "PSRule Azure.PostgreSQL.GeoRedundantBackup"],
    severity: "medium",
    resourceTypes: [T.server],
    scope: "resource",
    check: (props) => {
      const geo = at(props, "backup.geoRedundantBackup");
      // CKV_AZURE_136 exempts replicas: they cannot have their own geo backup.
      return when(props.createMode !== "Replica" && geo !== "Enabled", "has no geo-redundant backup", geo, "set postgres.geoRedundantBackup: true");
    },
  },
  {
    name: "postgres-zone-redundant-ha",
    description: "PostgreSQL servers run zone-redundant high availability on a tier that supports it.",
    source: ["AzPol 493c215d", "PSRule Azure.PostgreSQL.ZoneRedundantHA"],
    severity: "medium",
    resourceTypes: [T.server],
    scope: "resource",
    check: (props) => {
      const mode = at(props, "highAvailability.mode");
      const tier = at(props, "sku.tier");
      return [
        ...when(mode !== "ZoneRedundant", "has no zone-redundant high availability", mode, "set postgres.highAvailability: ZoneRedundant"),
        ...when(
          tier === "Burstable",
          "runs on the Burstable tier, which cannot do high availability",
          tier,
          "set postgres.skuName to a GeneralPurpose or MemoryOptimized SKU such as Standard_D2ds_v5",
        ),
      ];
    },
  },
  {
    name: "postgres-entra-admin",
    description: "PostgreSQL servers have Microsoft Entra authentication with an Entra administrator from config.",
    source: ["AzPol ce39a96d", "PSRule Azure.PostgreSQL.AAD"],
    severity: "medium",
    resourceTypes: [T.server],
    scope: "stack",
    check: (props, ctx) => {
      const admins = ofType(ctx.resources, T.entraAdmin).filter((a) => refersTo(a, "serverName", ctx.resource));
      const entra = at(props, "authConfig.activeDirectoryAuth");
      return [
        ...when(admins.length === 0, "has no Microsoft Entra administrator", undefined, "set postgres.entraAdmin (objectId, principalName, principalType) in the stack config"),
        ...when(entra !== "Enabled", "has Microsoft Entra authentication off", entra, 'set authConfig.activeDirectoryAuth "Enabled" (postgres.entraAdmin does)'),
      ];
    },
  },
  {
    name: "postgres-firewall-no-internet-range",
    description: "No PostgreSQL firewall rule opens the server to every address (0.0.0.0-255.255.255.255).",
    source: ["CKV2_AZURE_26", "AVD-AZU-0029", "CKV_AZURE_11 (intent)"],
    severity: "critical",
    resourceTypes: [T.firewallRule],
    scope: "resource",
    check: (props) =>
      when(
        coversInternet(props.startIpAddress, props.endIpAddress),
        "opens the database to the whole internet",
        `${props.startIpAddress}-${props.endIpAddress}`,
        "remove the rule; list single CI/developer addresses in postgres.firewallRules instead",
      ),
  },
  {
    name: "postgres-firewall-single-address",
    description: "PostgreSQL firewall rules allow single addresses only (the 0.0.0.0 Azure-services rule is one address too).",
    source: ["AVD-AZU-0029"],
    severity: "high",
    resourceTypes: [T.firewallRule],
    scope: "resource",
    check: (props) =>
      when(
        props.startIpAddress !== props.endIpAddress,
        "allows an address range",
        `${props.startIpAddress}-${props.endIpAddress}`,
        "use one rule per address (startIpAddress equal to endIpAddress)",
      ),
  },
  {
    name: "postgres-firewall-no-azure-services",
    description: 'No "allow Azure services" rule (0.0.0.0-0.0.0.0): it admits every Azure tenant\'s resources.',
    source: ["CKV2_AZURE_26", "PSRule Azure.PostgreSQL.AllowAzureAccess"],
    severity: "medium",
    resourceTypes: [T.firewallRule],
    scope: "resource",
    check: (props) =>
      when(
        props.startIpAddress === "0.0.0.0" && props.endIpAddress === "0.0.0.0",
        "allows all Azure services (any tenant)",
        `${props.startIpAddress}-${props.endIpAddress}`,
        "set postgres.allowAzureServices: false and reach the server through a private endpoint or single-address rules",
      ),
  },
  ...parameterRules,
];

// ---------------------------------------------------------------------------------------------------------------
// Diagnostics, locks and protect (stateful resources)
// ---------------------------------------------------------------------------------------------------------------

/** A diagnostic setting on `target` with at least one enabled log (category or category group). */
function diagnosticLogs(target: PolicyResource, resources: readonly PolicyResource[], accepts: (log: any) => boolean): boolean {
  return ofType(resources, T.diagnosticSetting).some(
    (d) => refersTo(d, "resourceUri", target) && Array.isArray(d.props.logs) && d.props.logs.some((l: any) => l?.enabled === true && accepts(l)),
  );
}

/** Whether a CanNotDelete/ReadOnly lock covers `target` (on it, or on its resource group). */
function locked(target: PolicyResource, resources: readonly PolicyResource[]): boolean {
  const strong = (r: PolicyResource) => ["CanNotDelete", "ReadOnly"].includes(r.props.level);
  return (
    ofType(resources, T.lockByScope).some((l) => strong(l) && refersTo(l, "scope", target)) ||
    ofType(resources, T.lockAtResource).some((l) => strong(l) && refersTo(l, "resourceName", target)) ||
    ofType(resources, T.lockAtGroup).some((l) => strong(l) && l.props.resourceGroupName === target.props.resourceGroupName)
  );
}

const guardRules: Rule[] = [
  {
    name: "postgres-diagnostic-settings",
    description: "PostgreSQL server logs go to Log Analytics (a diagnostic setting with enabled logs).",
    source: ["AzPol DINE FlexibleServers_DiagnosticSettings_LogAnalytics", "MCSB LT-3"],
    severity: "medium",
    resourceTypes: [T.server],
    scope: "stack",
    check: (_props, ctx) =>
      when(
        !diagnosticLogs(ctx.resource, ctx.resources, () => true),
        "sends no logs to a workspace",
        undefined,
        'add a monitor.DiagnosticSetting {resourceUri: server.id, logs: [{categoryGroup: "allLogs", enabled: true}]}',
      ),
  },
  {
    name: "keyvault-diagnostic-settings",
    description: "Key Vault audit logs go to Log Analytics.",
    source: ["AzPol cf820ca0 (MCSB)", "PSRule Azure.KeyVault.Logs"],
    severity: "medium",
    resourceTypes: [T.vault],
    scope: "stack",
    check: (_props, ctx) =>
      when(
        !diagnosticLogs(ctx.resource, ctx.resources, (l) => ["audit", "allLogs"].includes(l.categoryGroup) || l.category === "AuditEvent"),
        "sends no audit logs to a workspace",
        undefined,
        'add a monitor.DiagnosticSetting {resourceUri: vault.id, logs: [{categoryGroup: "audit", enabled: true}]}',
      ),
  },
  {
    name: "stateful-resources-protected",
    description: "The database server and the vault carry Pulumi protect, so no destroy or replacement deletes them.",
    source: ["AVM/APRL data-loss guidance", "spec: prod data-loss guards"],
    severity: "high",
    resourceTypes: [T.server, T.vault],
    scope: "resource",
    check: (_props, ctx) => when(!ctx.resource.protect, "is not protected", ctx.resource.protect, "set protect: true in the stack config (the default)"),
  },
  {
    name: "stateful-resources-locked",
    description: "The database server and the vault carry a CanNotDelete management lock.",
    source: ["AVM/APRL data-loss guidance (no scanner rule exists)", "spec: prod data-loss guards"],
    severity: "high",
    resourceTypes: [T.server, T.vault],
    scope: "stack",
    check: (_props, ctx) =>
      when(
        !locked(ctx.resource, ctx.resources),
        "has no CanNotDelete lock",
        undefined,
        'add an authorization.ManagementLockByScope {scope: <resource>.id, level: "CanNotDelete"}',
      ),
  },
];

// ---------------------------------------------------------------------------------------------------------------
// Key Vault (inputs keep ARM's `properties` object)
// ---------------------------------------------------------------------------------------------------------------

const keyVaultRules: Rule[] = [
  {
    name: "keyvault-rbac-authorization",
    description: "Key Vault uses the Azure RBAC permission model, not access policies.",
    source: ["AzPol 12d4fa5e (MCSB)"],
    severity: "high",
    resourceTypes: [T.vault],
    scope: "resource",
    check: (props) => {
      const rbac = at(props, "properties.enableRbacAuthorization");
      const policies = at(props, "properties.accessPolicies");
      return [
        ...when(rbac !== true, "does not use RBAC authorization", rbac, "set properties.enableRbacAuthorization: true"),
        ...when(Array.isArray(policies) && policies.length > 0, "has access policies", `${policies?.length} access policies`, "remove accessPolicies; grant roles with authorization.RoleAssignment"),
      ];
    },
  },
  {
    name: "keyvault-soft-delete",
    description: "Key Vault soft delete is set explicitly with a retention of 7-90 days.",
    source: ["CKV_AZURE_111", "CKV_AZURE_42", "AVD-AZU-0016", "AzPol 1e66c121"],
    severity: "high",
    resourceTypes: [T.vault],
    scope: "resource",
    check: (props) => {
      const soft = at(props, "properties.enableSoftDelete");
      const days = at(props, "properties.softDeleteRetentionInDays");
      return [
        ...when(soft !== true, "does not set soft delete explicitly", soft, "set properties.enableSoftDelete: true"),
        ...when(!(typeof days === "number" && days >= 7 && days <= 90), "has no explicit soft-delete retention of 7-90 days", days, "set properties.softDeleteRetentionInDays to 7-90 (e.g. 90)"),
      ];
    },
  },
  {
    name: "keyvault-purge-protection",
    description: "Key Vault purge protection is on, so deleted secrets cannot be purged before retention ends.",
    source: ["CKV_AZURE_110", "CKV_AZURE_42", "AVD-AZU-0016", "AzPol 0b60c0b2 (MCSB)"],
    severity: "medium",
    resourceTypes: [T.vault],
    scope: "resource",
    check: (props) => {
      const purge = at(props, "properties.enablePurgeProtection");
      return when(purge !== true, "has purge protection off", purge, "set properties.enablePurgeProtection: true (irreversible)");
    },
  },
  {
    name: "keyvault-purge-protection-not-false",
    description: "Key Vault never sets enablePurgeProtection: false (ARM rejects it); it omits the property where off.",
    source: ["Azure/azure-rest-api-specs#18106 (scanner-rules.md G3)"],
    severity: "high",
    resourceTypes: [T.vault],
    scope: "resource",
    check: (props) => {
      const purge = at(props, "properties.enablePurgeProtection");
      return when(purge === false, "sets purge protection to false, which Azure rejects", purge, "omit properties.enablePurgeProtection where it is off");
    },
  },
  {
    name: "keyvault-public-network-access-disabled",
    description: "Key Vault has public network access disabled (reached through a private endpoint).",
    source: ["CKV_AZURE_189", "AzPol 405c5871 (MCSBv2)", "AzPol 55615ac9 (MCSB)"],
    severity: "high",
    resourceTypes: [T.vault],
    scope: "resource",
    check: (props) => {
      const access = at(props, "properties.publicNetworkAccess");
      return when(access !== "Disabled", "allows public network access", access, 'set properties.publicNetworkAccess: "Disabled" and add a private endpoint (group "vault")');
    },
  },
  {
    name: "keyvault-network-acl-deny",
    description: "Key Vault network ACLs deny by default (Trivy ignores publicNetworkAccess).",
    source: ["AVD-AZU-0013", "CKV_AZURE_109", "AzPol 55615ac9 (MCSB)"],
    severity: "critical",
    resourceTypes: [T.vault],
    scope: "resource",
    check: (props) => {
      const action = at(props, "properties.networkAcls.defaultAction");
      return when(action !== "Deny", "does not deny network access by default", action, 'set properties.networkAcls: {defaultAction: "Deny", bypass: "AzureServices"}');
    },
  },
  {
    name: "keyvault-secret-content-type",
    description: "Key Vault secrets declare a content type.",
    source: ["CKV_AZURE_114", "AVD-AZU-0015", "AzPol 75262d3e"],
    severity: "low",
    resourceTypes: [T.secret],
    scope: "resource",
    check: (props) => {
      const type = at(props, "properties.contentType");
      return when(!(typeof type === "string" && type.trim() !== ""), "has no content type", type, 'set properties.contentType (e.g. "text/plain")');
    },
  },
];

// ---------------------------------------------------------------------------------------------------------------
// App Service
// ---------------------------------------------------------------------------------------------------------------

/**
 * Name tokens that mark a secret, and trailing tokens that mark metadata about one (API_KEY_HEADER, ..._MINUTES,
 * JWT_PUBLIC_KEY_URL: where a public key is published is not a secret; a credential inside a URL is caught by value).
 */
const SECRET_TOKENS = ["PASSWORD", "PASSWD", "PWD", "SECRET", "TOKEN", "KEY", "APIKEY", "CREDENTIALS"];
const METADATA_SUFFIXES = ["HEADER", "NAME", "MINUTES", "SECONDS", "HOURS", "DAYS", "ALGORITHM", "PATH", "ENABLED", "URI_TEMPLATE", "URL", "URI"];

/** Whether an app setting's name says it holds a secret (DATABASE_URL, SECRET_KEY, *_CONNECTION_STRING, ...). */
export function isSecretSettingName(name: string): boolean {
  const upper = name.toUpperCase();
  if (upper === "DATABASE_URL" || upper.endsWith("_DATABASE_URL") || upper.includes("CONNECTION_STRING") || upper.endsWith("CONNSTR")) return true;
  const tokens = upper.split(/[_.-]+/);
  if (METADATA_SUFFIXES.includes(tokens[tokens.length - 1]) || tokens.includes("PUBLIC")) return false;
  return tokens.some((t) => SECRET_TOKENS.includes(t));
}

/** Values that carry a credential whatever the setting is called. */
const SECRET_VALUE = [/:\/\/[^/\s:@]+:[^@\s]+@/, /(AccountKey|SharedAccessKey|InstrumentationKey|Password|Pwd)=/i];
const isKeyVaultReference = (v: string) => /^@Microsoft\.KeyVault\(.+\)$/.test(v.trim());

function appSettingsOf(props: Record<string, any>, type: string): { name: string; value: unknown }[] {
  if (type === T.appSettings) return Object.entries(props.properties ?? {}).map(([name, value]) => ({ name, value }));
  const list = at(props, "siteConfig.appSettings");
  return Array.isArray(list) ? list.map((s: any) => ({ name: String(s?.name), value: s?.value })) : [];
}

const webAppRules: Rule[] = [
  {
    name: "webapp-https-only",
    description: "Web apps redirect HTTP to HTTPS.",
    source: ["CKV_AZURE_14", "AVD-AZU-0072", "AzPol a4af4a39 (MCSB)"],
    severity: "high",
    resourceTypes: [T.webApp],
    scope: "resource",
    check: (props) => when(props.httpsOnly !== true, "accepts plain HTTP", props.httpsOnly, "set httpsOnly: true"),
  },
  {
    name: "webapp-min-tls-1-2",
    description: "Web apps accept TLS 1.2 or newer only (set explicitly).",
    source: ["CKV_AZURE_15", "AVD-AZU-0006", "AzPol f0e6e85b (MCSB)"],
    severity: "high",
    resourceTypes: [T.webApp],
    scope: "resource",
    check: (props) => {
      const tls = at(props, "siteConfig.minTlsVersion");
      return when(!["1.2", "1.3"].includes(tls), "does not require TLS 1.2 or newer", tls, 'set siteConfig.minTlsVersion: "1.2"');
    },
  },
  {
    name: "webapp-ftps-disabled",
    description: "Web apps have FTP and FTPS deployment off.",
    source: ["CKV_AZURE_78", "AVD-AZU-0071", "AzPol 4d24b6d4 (MCSB)"],
    severity: "medium",
    resourceTypes: [T.webApp],
    scope: "resource",
    check: (props) => {
      const ftps = at(props, "siteConfig.ftpsState");
      return when(ftps !== "Disabled", "allows FTP deployment", ftps, 'set siteConfig.ftpsState: "Disabled"');
    },
  },
  {
    name: "webapp-basic-publishing-credentials-disabled",
    description: "Web apps have basic-auth publishing credentials off for FTP and SCM (deploys use Entra/OIDC).",
    source: ["AzPol 871b205b (MCSBv2)", "AzPol aede300b (MCSBv2)"],
    severity: "medium",
    resourceTypes: [T.webApp],
    scope: "stack",
    check: (_props, ctx) =>
      [
        { type: T.ftpAllowed, label: "FTP", cls: "web.WebAppFtpAllowed" },
        { type: T.scmAllowed, label: "SCM", cls: "web.WebAppScmAllowed" },
      ].flatMap(({ type, label, cls }) => {
        const policy = ofType(ctx.resources, type).find((p) => refersTo(p, "name", ctx.resource));
        return when(policy?.props.allow !== false, `allows basic-auth ${label} publishing`, policy?.props.allow, `add a ${cls} {name: <app>, allow: false}`);
      }),
  },
  {
    name: "webapp-managed-identity",
    description: "Web apps have a managed identity (used for Key Vault references).",
    source: ["CKV_AZURE_16", "CKV_AZURE_71", "AVD-AZU-0002", "AzPol 2b9ad585 (MCSB)"],
    severity: "high",
    resourceTypes: [T.webApp],
    scope: "resource",
    check: (props) => {
      const type = at(props, "identity.type");
      const ok =
        (typeof type === "string" && type.includes("SystemAssigned")) ||
        (type === "UserAssigned" && Object.keys(at(props, "identity.userAssignedIdentities") ?? {}).length > 0);
      return when(!ok, "has no managed identity", type, 'set identity: {type: "SystemAssigned"}');
    },
  },
  {
    name: "webapp-http2",
    description: "Web apps serve HTTP/2.",
    source: ["CKV_AZURE_18", "AVD-AZU-0005", "AzPol 8c122334"],
    severity: "low",
    resourceTypes: [T.webApp],
    scope: "resource",
    check: (props) => {
      const h2 = at(props, "siteConfig.http20Enabled");
      return when(h2 !== true, "does not enable HTTP/2", h2, "set siteConfig.http20Enabled: true");
    },
  },
  {
    name: "webapp-remote-debugging-off",
    description: "Web apps have remote debugging off.",
    source: ["CKV_AZURE_72", "AzPol cb510bfd (MCSB)"],
    severity: "high",
    resourceTypes: [T.webApp],
    scope: "resource",
    check: (props) => {
      const debug = at(props, "siteConfig.remoteDebuggingEnabled");
      return when(debug === true, "has remote debugging on", debug, "remove siteConfig.remoteDebuggingEnabled or set it to false");
    },
  },
  {
    name: "webapp-health-check",
    description: "Web apps have a health check path, so unhealthy instances are replaced.",
    source: ["CKV_AZURE_213"],
    severity: "low",
    resourceTypes: [T.webApp],
    scope: "resource",
    check: (props) => {
      const path = at(props, "siteConfig.healthCheckPath");
      return when(!(typeof path === "string" && path.startsWith("/")), "has no health check path", path, 'set siteConfig.healthCheckPath (e.g. "/health")');
    },
  },
  {
    name: "webapp-no-secret-app-settings",
    description: "App settings hold no secret values: secret-named settings are Key Vault references (spec: Key Vault only).",
    source: ["MCSB IM-8", "MCSB DP-7", "spec: secrets only in Key Vault"],
    severity: "critical",
    resourceTypes: [T.webApp, T.appSettings],
    scope: "resource",
    check: (props, ctx) =>
      appSettingsOf(props, ctx.resource.type).flatMap(({ name, value }) => {
        if (typeof value === "string" && isKeyVaultReference(value)) return [];
        const literal = typeof value === "string" ? `a literal value of ${value.length} characters (not shown)` : value;
        if (isSecretSettingName(name)) {
          return fail(`has app setting ${name} holding a value instead of a Key Vault reference`, literal, `set ${name} to @Microsoft.KeyVault(SecretUri=<secret uri>)`);
        }
        if (typeof value === "string" && SECRET_VALUE.some((re) => re.test(value))) {
          return fail(`has app setting ${name} whose value contains a credential`, literal, `store it in Key Vault and set ${name} to @Microsoft.KeyVault(SecretUri=<secret uri>)`);
        }
        return [];
      }),
  },
  {
    name: "webapp-vnet-route-all",
    description: "When a vault in the stack is private, web apps join a subnet and route all outbound traffic through it.",
    source: ["AzPol a691eacb", "AzPol 72d04c29", "scanner-rules.md G9"],
    severity: "high",
    resourceTypes: [T.webApp],
    scope: "stack",
    check: (props, ctx) => {
      const privateVault = ofType(ctx.resources, T.vault).find((v) => at(v.props, "properties.publicNetworkAccess") === "Disabled");
      if (!privateVault) return [];
      // G9: web API 2025-05-01 (azure-native 3.28) reads outboundVnetRouting; older v3 builds vnetRouteAllEnabled.
      const routeAll =
        at(props, "outboundVnetRouting.allTraffic") === true || props.vnetRouteAllEnabled === true || at(props, "siteConfig.vnetRouteAllEnabled") === true;
      const subnet = props.virtualNetworkSubnetId;
      const vault = azureName(privateVault) ?? privateVault.name;
      return [
        ...when(!subnet, `has no VNet integration although vault ${vault} is private`, subnet, "set virtualNetworkSubnetId to the integration subnet (delegated to Microsoft.Web/serverFarms)"),
        ...when(!routeAll, `does not route all outbound traffic through the VNet although vault ${vault} is private`, at(props, "outboundVnetRouting"), "set outboundVnetRouting: {allTraffic: true}"),
      ];
    },
  },
];

// ---------------------------------------------------------------------------------------------------------------
// Storage
// ---------------------------------------------------------------------------------------------------------------

const storageRules: Rule[] = [
  {
    name: "storage-min-tls-1-2",
    description: "Storage accounts accept TLS 1.2 or newer only.",
    source: ["CKV_AZURE_44", "AVD-AZU-0011", "AzPol fe83a0eb (MCSBv2)"],
    severity: "high",
    resourceTypes: [T.storageAccount],
    scope: "resource",
    // Checkov's ARM flavour accepts only TLS1_2, so that is the value to set.
    check: (props) => when(props.minimumTlsVersion !== "TLS1_2", "does not require TLS 1.2", props.minimumTlsVersion, 'set minimumTlsVersion: "TLS1_2"'),
  },
  {
    name: "storage-https-only",
    description: "Storage accounts accept HTTPS only (set explicitly).",
    source: ["CKV_AZURE_3", "AVD-AZU-0008", "AzPol 404c3081 (MCSB)"],
    severity: "high",
    resourceTypes: [T.storageAccount],
    scope: "resource",
    check: (props) => when(props.enableHttpsTrafficOnly !== true, "does not require HTTPS", props.enableHttpsTrafficOnly, "set enableHttpsTrafficOnly: true"),
  },
  {
    name: "storage-no-public-blob-access",
    description: "Storage accounts forbid anonymous blob access (set explicitly).",
    source: ["CKV_AZURE_190", "CKV2_AZURE_47", "AzPol 4fa4b6c0 (MCSB)"],
    severity: "high",
    resourceTypes: [T.storageAccount],
    scope: "resource",
    check: (props) => when(props.allowBlobPublicAccess !== false, "allows anonymous blob access", props.allowBlobPublicAccess, "set allowBlobPublicAccess: false"),
  },
  {
    name: "storage-shared-key-disabled",
    description: "Storage accounts disable shared-key authorization (deviation G5: the App Service Azure Files mount needs it).",
    source: ["CKV2_AZURE_40", "AzPol 8c6a50c6 (MCSB)"],
    severity: "medium",
    resourceTypes: [T.storageAccount],
    scope: "resource",
    check: (props) =>
      when(
        props.allowSharedKeyAccess !== false,
        "allows shared-key authorization",
        props.allowSharedKeyAccess,
        "set allowSharedKeyAccess: false, or document the deviation under amplifier-infra:policy.exceptions",
      ),
  },
  {
    name: "storage-sas-expiration-policy",
    description: "Where shared keys stay on, they are allowed explicitly with a SAS expiration policy.",
    source: ["CKV2_AZURE_41", "AzPol bc1b984e"],
    severity: "low",
    resourceTypes: [T.storageAccount],
    scope: "resource",
    check: (props) => {
      if (props.allowSharedKeyAccess === false) return [];
      const period = at(props, "sasPolicy.sasExpirationPeriod");
      return [
        ...when(props.allowSharedKeyAccess !== true, "leaves shared-key access to the default", props.allowSharedKeyAccess, "set allowSharedKeyAccess explicitly (true only with a sasPolicy)"),
        ...when(!period, "has no SAS expiration policy", props.sasPolicy, 'set sasPolicy: {sasExpirationPeriod: "1.00:00:00", expirationAction: "Log"}'),
      ];
    },
  },
];

// ---------------------------------------------------------------------------------------------------------------
// Tags
// ---------------------------------------------------------------------------------------------------------------

export const REQUIRED_TAGS = ["environment", "managed-by", "cost-center"];

/** azure-native types that take `tags` in this project (any other azure-native resource with a `tags` input counts too). */
export const TAGGABLE_TYPES = [
  "azure-native:resources:ResourceGroup",
  T.server,
  T.vault,
  T.webApp,
  "azure-native:web:AppServicePlan",
  T.storageAccount,
  "azure-native:network:VirtualNetwork",
  "azure-native:network:PrivateEndpoint",
  "azure-native:privatedns:PrivateZone",
  "azure-native:privatedns:VirtualNetworkLink",
  "azure-native:operationalinsights:Workspace",
  "azure-native:applicationinsights:Component",
  "azure-native:monitor:ActionGroup",
  "azure-native:monitor:MetricAlert",
];

const tagRules: Rule[] = [
  {
    name: "required-tags",
    description: `Taggable Azure resources carry the tags ${REQUIRED_TAGS.join(", ")} (spec; cost and ownership reporting).`,
    source: ["AzPol 871b6d14 (Require a tag on resources)", "MCSB AM-2", "spec: --tags environment managed-by cost-center"],
    severity: "low",
    // Any azure-native type: `appliesTo` below narrows it to taggable ones.
    resourceTypes: ["azure-native:*"],
    scope: "resource",
    check: (props, ctx) => {
      if (!TAGGABLE_TYPES.includes(ctx.resource.type) && props.tags === undefined) return [];
      const tags = props.tags ?? {};
      const missing = REQUIRED_TAGS.filter((t) => !(typeof tags[t] === "string" && tags[t].trim() !== ""));
      return when(missing.length > 0, `lacks the tag(s) ${missing.join(", ")}`, props.tags, `add ${missing.join(", ")} to tags (index.ts builds them from stack config)`);
    },
  },
];

/** Every rule, in README order. */
export const RULES: readonly Rule[] = [...postgresRules, ...guardRules, ...keyVaultRules, ...webAppRules, ...storageRules, ...tagRules];

export const RULE_NAMES: readonly string[] = RULES.map((r) => r.name);

/** Whether `rule` checks resources of `type` (`azure-native:*` matches every azure-native token). */
export function appliesTo(rule: Rule, type: string): boolean {
  return rule.resourceTypes.some((t) => t === type || (t.endsWith(":*") && type.startsWith(t.slice(0, -1))));
}

