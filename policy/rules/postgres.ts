/** PostgreSQL flexible server: public access, backups, HA, Entra admin, firewall rules and server parameters. */
import { at, isOn, ofType, type PolicyResource, refersTo, type Rule, T, when } from "../model";

/** Server parameters checked through the server's Configuration children, one rule each. */
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
  {
    // Azure's PG15 default is already scram-sha-256 (Microsoft Learn, "Connections and Authentication /
    // Authentication server parameters", PostgreSQL 15), but md5 stays allowed and the parameter is dynamic: set
    // explicitly, so neither a portal change nor a later serverParameters override can fall back to md5 hashes.
    name: "postgres-password-encryption-scram",
    parameter: "password_encryption",
    ok: (v) => typeof v === "string" && v.toLowerCase() === "scram-sha-256",
    want: "scram-sha-256",
    source: ["aquasecurity/cloudsploit plugins/azure/postgresqlserver/flexibleServerSCRAMEnabled.js", "Microsoft Learn: SCRAM authentication in Azure Database for PostgreSQL flexible server"],
    severity: "high",
    description: "PostgreSQL servers hash passwords with SCRAM (password_encryption = scram-sha-256, set explicitly), never md5.",
  },
  {
    // log_statement is not set by default (Azure: none). ddl already logs ALTER ROLE ... PASSWORD with the password
    // in clear (test/postgres-parameters.test.ts proves it on PostgreSQL 15), and mod/all include ddl; the
    // server logs go to Log Analytics through the diagnostic setting.
    name: "postgres-log-statement-none",
    parameter: "log_statement",
    ok: (v) => v === undefined || (typeof v === "string" && v.toLowerCase() === "none"),
    want: "none",
    source: ["MCSB LT-3 (no sensitive data in logs)", "PostgreSQL docs: ALTER ROLE (a password in the command may be logged)"],
    severity: "high",
    description: "PostgreSQL servers do not log SQL text (log_statement unset or none): ddl, mod and all write ALTER ROLE ... PASSWORD to the logs.",
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
      `set a dbforpostgresql.Configuration {configurationName: "${p.parameter}", value: "${p.want}"} for this server ` +
        "(postgres.serverParameters in the stack config, chained through serialWrite)",
    );
  },
}));

/** Whether a server has no public endpoint: public access Disabled, or VNet-injected (AzPol 5e1de0e3 passes both). */
export function serverIsPrivate(props: Record<string, any>): boolean {
  const injected = at(props, "network.delegatedSubnetResourceId") && at(props, "network.privateDnsZoneArmResourceId");
  return Boolean(injected) || at(props, "network.publicNetworkAccess") === "Disabled";
}

/** Whether an IPv4 firewall range covers every address. */
const coversInternet = (start: unknown, end: unknown) => start === "0.0.0.0" && end === "255.255.255.255";

export const postgresRules: Rule[] = [
  {
    name: "postgres-public-network-access-disabled",
    description: "PostgreSQL servers have no public endpoint (reached through a private endpoint).",
    source: ["AVD-AZU-0022", "AzPol 5e1de0e3 (MCSBv2)", "CKV_AZURE_68 (intent)"],
    severity: "high",
    resourceTypes: [T.server],
    scope: "resource",
    check: (props) => {
      const access = at(props, "network.publicNetworkAccess");
      return when(
        !serverIsPrivate(props),
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
    // Automation (the bootstrap identity, a service principal) does not count: people need a break-glass path that
    // is not the shared admin password.
    name: "postgres-entra-admin",
    description: "PostgreSQL servers have Microsoft Entra authentication with an Entra administrator for people (a group or a user) from config.",
    source: ["AzPol ce39a96d", "PSRule Azure.PostgreSQL.AAD"],
    severity: "medium",
    resourceTypes: [T.server],
    scope: "stack",
    check: (props, ctx) => {
      const admins = ofType(ctx.resources, T.entraAdmin).filter((a) => refersTo(a, "serverName", ctx.resource) && a.props.principalType !== "ServicePrincipal");
      const entra = at(props, "authConfig.activeDirectoryAuth");
      return [
        ...when(admins.length === 0, "has no Microsoft Entra administrator for people (a group or a user)", undefined, "set postgres.entraAdmin (objectId, principalName, principalType: Group) in the stack config"),
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
