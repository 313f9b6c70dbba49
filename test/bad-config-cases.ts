/**
 * The bad-input catalogue: each case is a small change to a real stack file that the program must reject before
 * registering anything, with a message naming the key, the value given and what is allowed.
 * test/bad-input-catalogue.test.ts runs them all; the policy pack's failing cases (test/policy-cases.ts) add to it.
 */
export interface BadCase {
  name: string;
  stack: string;
  overrides: Record<string, unknown>;
  /** Every fragment must appear in the error message. */
  expect: string[];
}

/** The database tier and the stack's own keys (foundation). */
export const DATABASE_CASES: BadCase[] = [
  {
    name: "unknown environment name",
    stack: "test",
    overrides: { environment: "qa" },
    expect: ['environment (got "qa")', '"development", "test", "staging", "production"'],
  },
  {
    name: "high availability on a Burstable SKU (the spec's prod Standard_B2s)",
    stack: "prod",
    overrides: { postgres: { skuName: "Standard_B2s" } },
    expect: ['postgres.highAvailability (got "ZoneRedundant")', "Burstable tier (skuName Standard_B2s)", "Standard_D2ds_v5"],
  },
  {
    name: "backup retention below 7 days",
    stack: "test",
    overrides: { postgres: { backupRetentionDays: 3 } },
    expect: ["postgres.backupRetentionDays (got 3)", "7-35 days"],
  },
  {
    name: "backup retention above 35 days",
    stack: "prod",
    overrides: { postgres: { backupRetentionDays: 90 } },
    expect: ["postgres.backupRetentionDays (got 90)", "7-35 days"],
  },
  {
    name: "storage size Azure does not offer",
    stack: "test",
    overrides: { postgres: { storageSizeGb: 50 } },
    expect: ["postgres.storageSizeGb (got 50)", "32, 64, 128, 256, 512, 1024", "32768"],
  },
  {
    name: "server name with upper case and underscore",
    stack: "test",
    overrides: { postgres: { serverName: "Amplifier_DB" } },
    expect: ['postgres.serverName (got "Amplifier_DB")', "3-63 characters of lowercase letters, digits and hyphens"],
  },
  {
    name: "server name ending with a hyphen",
    stack: "prod",
    overrides: { postgres: { serverName: "amplifier-db-" } },
    expect: ['postgres.serverName (got "amplifier-db-")', "not starting or ending with a hyphen"],
  },
  {
    name: "server name too short",
    stack: "test",
    overrides: { postgres: { serverName: "ab" } },
    expect: ['postgres.serverName (got "ab")', "3-63 characters"],
  },
  {
    name: "server name too long (64 characters)",
    stack: "test",
    overrides: { postgres: { serverName: "a".repeat(64) } },
    expect: [`postgres.serverName (got "${"a".repeat(64)}")`, "3-63 characters"],
  },
  {
    name: "firewall address that is not IPv4",
    stack: "test",
    overrides: { postgres: { firewallRules: [{ name: "ci", startIpAddress: "2001:db8::1", endIpAddress: "2001:db8::1" }] } },
    expect: ['postgres.firewallRules[0].startIpAddress (got "2001:db8::1")', "IPv4 address"],
  },
  {
    name: "firewall address with an octet above 255",
    stack: "test",
    overrides: { postgres: { firewallRules: [{ name: "ci", startIpAddress: "203.0.113.10", endIpAddress: "203.0.113.256" }] } },
    expect: ['postgres.firewallRules[0].endIpAddress (got "203.0.113.256")', "IPv4 address"],
  },
  {
    name: "firewall range whose start is after its end",
    stack: "test",
    overrides: { postgres: { firewallRules: [{ name: "ci", startIpAddress: "203.0.113.20", endIpAddress: "203.0.113.10" }] } },
    expect: ['postgres.firewallRules[0].startIpAddress (got "203.0.113.20")', "is after end 203.0.113.10"],
  },
  {
    name: "wide-open firewall range",
    stack: "test",
    overrides: { postgres: { firewallRules: [{ name: "everyone", startIpAddress: "0.0.0.0", endIpAddress: "255.255.255.255" }] } },
    expect: ['postgres.firewallRules[0].endIpAddress (got "255.255.255.255")', "whole internet"],
  },
  {
    name: "firewall rules on a server without a public endpoint",
    stack: "prod",
    overrides: { postgres: { firewallRules: [{ name: "ci", startIpAddress: "203.0.113.10", endIpAddress: "203.0.113.10" }] } },
    expect: ["postgres.firewallRules", "publicNetworkAccess is Disabled"],
  },
  {
    name: "misspelt key",
    stack: "prod",
    overrides: { postgres: { backupRetentionDay: 14 } },
    expect: ['postgres: unknown key "backupRetentionDay" (did you mean "backupRetentionDays"?); allowed: serverName, version, skuName'],
  },
  {
    name: "unknown SKU",
    stack: "test",
    overrides: { postgres: { skuName: "B1ms" } },
    expect: ['postgres.skuName (got "B1ms")', "Standard_B1ms or Standard_D2ds_v5"],
  },
  {
    name: "unknown platform",
    stack: "dev",
    overrides: { platform: "kubernetes" },
    expect: ['platform (got "kubernetes")', '"docker", "azure"'],
  },
  {
    name: "Azure stack without its postgres block",
    stack: "test",
    overrides: { postgres: null },
    expect: ["postgres (not set): is required when platform is azure"],
  },
  {
    name: "password shorter than 24 characters",
    stack: "prod",
    overrides: { postgres: { passwordLength: 16 } },
    expect: ["postgres.passwordLength (got 16)", "at least 24"],
  },
  {
    name: "docker host port out of range",
    stack: "dev",
    overrides: { docker: { hostPort: 70000 } },
    expect: ["docker.hostPort (got 70000)"],
  },
];

/** The Azure application tier: vault, App Service, app settings, storage, network, monitoring. */
export const APPLICATION_CASES: BadCase[] = [
  {
    name: "a private database with no network to reach it",
    stack: "test",
    overrides: { postgres: { publicNetworkAccess: "Disabled", allowAzureServices: false } },
    expect: ['postgres.publicNetworkAccess (got "Disabled")', "needs private endpoints, which only a `network` block creates"],
  },
  {
    name: "vault name with a double hyphen",
    stack: "prod",
    overrides: { keyVault: { name: "kv--amplifier" } },
    expect: ['keyVault.name (got "kv--amplifier")', "3-24 characters", "no '--'"],
  },
  {
    name: "vault name starting with a digit",
    stack: "test",
    overrides: { keyVault: { name: "1-amplifier" } },
    expect: ['keyVault.name (got "1-amplifier")', "start with a letter"],
  },
  {
    name: "vault name longer than 24 characters",
    stack: "test",
    overrides: { keyVault: { name: "kv-amplifier-test-environment" } },
    expect: ['keyVault.name (got "kv-amplifier-test-environment")', "3-24 characters"],
  },
  {
    name: "alert email that is not an address",
    stack: "prod",
    overrides: { monitoring: { alertEmails: ["platform team"] } },
    expect: ['monitoring.alertEmails[0] (got "platform team"): must be an email address'],
  },
  {
    name: "integration subnet outside the VNet",
    stack: "prod",
    overrides: { network: { appSubnetPrefix: "10.30.1.0/26" } },
    expect: ['network.appSubnetPrefix (got "10.30.1.0/26"): is not inside the VNet\'s address space 10.20.0.0/16'],
  },
  {
    name: "overlapping subnets",
    stack: "prod",
    overrides: { network: { privateEndpointSubnetPrefix: "10.20.1.32/27" } },
    expect: ['network.privateEndpointSubnetPrefix (got "10.20.1.32/27"): overlaps appSubnetPrefix 10.20.1.0/26'],
  },
  {
    name: "subnet with host bits set",
    stack: "prod",
    overrides: { network: { privateEndpointSubnetPrefix: "10.20.2.5/27" } },
    expect: ['network.privateEndpointSubnetPrefix (got "10.20.2.5/27")', "network address 10.20.2.0/27"],
  },
  {
    name: "address space that is not CIDR",
    stack: "prod",
    overrides: { network: { addressSpace: "10.20.0.0" } },
    expect: ['network.addressSpace (got "10.20.0.0"): must be an IPv4 CIDR block'],
  },
  {
    name: "integration subnet smaller than /28",
    stack: "prod",
    overrides: { network: { appSubnetPrefix: "10.20.1.0/29" } },
    expect: ['network.appSubnetPrefix (got "10.20.1.0/29")', "between /8 and /28"],
  },
  {
    name: "private-only vault without a network",
    stack: "test",
    overrides: { keyVault: { publicNetworkAccess: "Disabled" } },
    expect: ['keyVault.publicNetworkAccess (got "Disabled")', "Add a network block or set publicNetworkAccess: Enabled"],
  },
  {
    name: "zone redundancy on a Basic plan",
    stack: "test",
    overrides: { appService: { zoneRedundant: true, capacity: 2 } },
    expect: ["appService.zoneRedundant (got true)", "Premium v2/v3"],
  },
  {
    name: "zone redundancy with one instance",
    stack: "prod",
    overrides: { appService: { capacity: 1 } },
    expect: ["appService.capacity (got 1): a zone-redundant plan needs at least 2 instances"],
  },
  {
    name: "always-on on the Free tier",
    stack: "test",
    overrides: { appService: { planSku: "F1", alwaysOn: true } },
    expect: ["appService.alwaysOn (got true)", "not available on the Free tier"],
  },
  {
    name: "unknown plan SKU",
    stack: "test",
    overrides: { appService: { planSku: "B4" } },
    expect: ['appService.planSku (got "B4"): must be an App Service plan SKU'],
  },
  {
    name: "pool minimum above maximum",
    stack: "test",
    overrides: { app: { databasePoolMinSize: 20 } },
    expect: ["app.databasePoolMinSize (got 20): must not exceed databasePoolMaxSize (10)"],
  },
  {
    name: "wildcard CORS origin",
    stack: "prod",
    overrides: { app: { allowedOrigins: ["*"] } },
    expect: ['app.allowedOrigins[0] (got "*"): must be an https:// origin'],
  },
  {
    name: "sample rate above 1",
    stack: "prod",
    overrides: { app: { telemetry: { sampleRate: 10 } } },
    expect: ["app.telemetry.sampleRate (got 10): must be 0-1"],
  },
  {
    name: "purge protection given as text",
    stack: "prod",
    overrides: { keyVault: { purgeProtection: "yes" } },
    expect: ['keyVault.purgeProtection (got "yes"): must be a boolean'],
  },
  {
    name: "soft-delete retention beyond 90 days",
    stack: "prod",
    overrides: { keyVault: { softDeleteRetentionDays: 120 } },
    expect: ["keyVault.softDeleteRetentionDays (got 120): must be 7-90 days"],
  },
  {
    name: "JWT key shorter than 32 bytes",
    stack: "prod",
    overrides: { keyVault: { jwtSecretBytes: 16 } },
    expect: ["keyVault.jwtSecretBytes (got 16): must be at least 32 bytes"],
  },
  {
    name: "session mount outside /mnt",
    stack: "test",
    overrides: { storage: { mountPath: "/home/sessions" } },
    expect: ['storage.mountPath (got "/home/sessions"): must be a directory under /mnt'],
  },
  {
    name: "misspelt key in the vault block",
    stack: "prod",
    overrides: { keyVault: { purgeProtect: true } },
    expect: ['keyVault: unknown key "purgeProtect" (did you mean "purgeProtection"?); allowed: name, sku'],
  },
  {
    name: "Entra admin object id that is not a GUID",
    stack: "prod",
    overrides: { postgres: { entraAdmin: { objectId: "admins", principalName: "db-admins", principalType: "Group" } } },
    expect: [`postgres.entraAdmin.objectId (got "admins"): must be the principal's object id, a GUID`],
  },
  {
    name: "azure.extensions set by hand (it is derived from the init SQL)",
    stack: "prod",
    overrides: { postgres: { serverParameters: { "azure.extensions": "VECTOR" } } },
    expect: ['postgres.serverParameters.azure.extensions (got "VECTOR")', "CREATE EXTENSION statements in scripts/init-dev-db.sql", "add the extension there"],
  },
  {
    name: "an init SQL that does not exist",
    stack: "test",
    overrides: { postgres: { initSqlPath: "scripts/init-db.sql" } },
    expect: ['postgres.initSqlPath (got "scripts/init-db.sql"): does not exist in the project', "default scripts/init-dev-db.sql"],
  },
  {
    name: "a settle wait longer than ten minutes",
    stack: "prod",
    overrides: { postgres: { settleSeconds: 900 } },
    expect: ["postgres.settleSeconds (got 900): must be 0-600 seconds"],
  },
  {
    name: "an identity name Azure would refuse",
    stack: "test",
    overrides: { appService: { identityName: "-id" } },
    expect: ['appService.identityName (got "-id"): must be 3-128 letters, digits'],
  },
  {
    name: "an Azure block on the Docker stack",
    stack: "dev",
    overrides: { keyVault: { name: "kv-amplifier-dev" } },
    expect: ["keyVault (got", "is not used when platform is docker; remove it"],
  },
];

/** Hostile values (issue 10, point 6): host files, tags beyond Azure's limits, public ranges, alerts that cannot fire. */
export const HOSTILE_CASES: BadCase[] = [
  {
    name: "init SQL from an absolute host path",
    stack: "dev",
    overrides: { docker: { initSqlPath: "/etc/passwd" } },
    expect: ['docker.initSqlPath (got "/etc/passwd"): must be a .sql file given relative to the project'],
  },
  {
    name: "init SQL through .. out of the project",
    stack: "dev",
    overrides: { docker: { initSqlPath: "scripts/../../init-dev-db.sql" } },
    expect: ['docker.initSqlPath (got "scripts/../../init-dev-db.sql"): points outside the project'],
  },
  {
    name: "the SQL whose extensions Azure allows, from a host file",
    stack: "prod",
    overrides: { postgres: { initSqlPath: "scripts/../../../etc/init.sql" } },
    expect: ['postgres.initSqlPath (got "scripts/../../../etc/init.sql"): points outside the project'],
  },
  {
    name: "init SQL from a Windows drive",
    stack: "dev",
    overrides: { docker: { initSqlPath: "C:\\Windows\\init.sql" } },
    expect: ["docker.initSqlPath", "must be a .sql file given relative to the project"],
  },
  {
    name: "a Docker stack claiming production",
    stack: "dev",
    overrides: { environment: "production" },
    expect: ['environment (got "production"): a Docker stack cannot be production'],
  },
  {
    name: "tag value beyond Azure's 256 characters",
    stack: "test",
    overrides: { tags: { costCenter: "c".repeat(257) } },
    expect: ["tags.costCenter", "must be 1-256 characters"],
  },
  {
    name: "empty tag value",
    stack: "prod",
    overrides: { tags: { managedBy: "" } },
    expect: ['tags.managedBy (got an empty value): must be 1-256 characters'],
  },
  {
    name: "a public address space (RFC 6598 shared range)",
    stack: "prod",
    overrides: { network: { addressSpace: "100.64.0.0/16", appSubnetPrefix: "100.64.1.0/26", privateEndpointSubnetPrefix: "100.64.2.0/27" } },
    expect: ['network.addressSpace (got "100.64.0.0/16"): must be a private range (RFC 1918'],
  },
  {
    name: "a public address space (someone else's addresses)",
    stack: "prod",
    overrides: { network: { addressSpace: "8.8.0.0/16" } },
    expect: ['network.addressSpace (got "8.8.0.0/16"): must be a private range (RFC 1918: inside 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16)'],
  },
  {
    name: "a CPU alert at 100% (GreaterThan 100 never fires)",
    stack: "prod",
    overrides: { monitoring: { dbCpuPercent: 100 } },
    expect: ["monitoring.dbCpuPercent (got 100): must be 1-99 (above 99 the alert can never fire)"],
  },
  {
    name: "a storage alert above 100%",
    stack: "test",
    overrides: { monitoring: { dbStoragePercent: 150 } },
    expect: ["monitoring.dbStoragePercent (got 150): must be 1-99"],
  },
  {
    name: "a 5xx threshold no window reaches",
    stack: "prod",
    overrides: { monitoring: { http5xxCount: 1000000 } },
    expect: ["monitoring.http5xxCount (got 1000000): must be 1-100000"],
  },
  {
    name: "more alert addresses than an action group takes",
    stack: "prod",
    overrides: { monitoring: { alertEmails: Array.from({ length: 1001 }, (_, i) => `ops${i}@example.com`) } },
    expect: ["monitoring.alertEmails", "must list at most 1000 addresses"],
  },
  {
    name: "telemetry payloads beyond Application Insights' message limit",
    stack: "prod",
    overrides: { app: { telemetry: { maxPayloadSize: 100000 } } },
    expect: ["app.telemetry.maxPayloadSize (got 100000): must be 100-32768"],
  },
  {
    name: "telemetry flushed once an hour",
    stack: "test",
    overrides: { app: { telemetry: { flushIntervalSeconds: 3600 } } },
    expect: ["app.telemetry.flushIntervalSeconds (got 3600): must be 1-300"],
  },
  {
    name: "server name with a double hyphen (the REST API's pattern)",
    stack: "prod",
    overrides: { postgres: { serverName: "amplifier--db" } },
    expect: ['postgres.serverName (got "amplifier--db")', "no '--'"],
  },
];

/** Keys the program would otherwise ignore (issue 10, point 1): each names the closest valid key. */
export const KEY_CASES: BadCase[] = [
  {
    name: "misspelt project namespace",
    stack: "prod",
    overrides: { "amplifier-infa:monitoring": { alertEmails: ["ops@example.com"] } },
    expect: ['amplifier-infa:monitoring: namespace "amplifier-infa" is not read by this program (did you mean "amplifier-infra:monitoring"?)'],
  },
  {
    name: "misspelt provider key",
    stack: "test",
    overrides: { "azure-native:locaton": "westeurope" },
    expect: ['azure-native:locaton: unknown azure-native key (did you mean "azure-native:location"?); allowed: '],
  },
  {
    name: "misspelt top-level key",
    stack: "dev",
    overrides: { protekt: false },
    expect: ['protekt: unknown key (did you mean "protect"?); allowed: environment, platform'],
  },
];
