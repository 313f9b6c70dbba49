/**
 * The bad-input catalogue: each case is a small change to a real stack file that the program must reject before
 * registering anything, with a message naming the key, the value given and what is allowed.
 * test/bad-input-catalogue.test.ts runs them all (the application tier's are in bad-config-cases-app.ts); the policy
 * pack's failing cases (test/policy-cases.ts) add to it.
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
    expect: ["postgres.storageSizeGb (got 50): is not a storage size Azure offers in GiB", "32, 64, 128, 256, 512, 1024", "32768", "closest: 64"],
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
    expect: ['postgres.skuName (got "B1ms"): is not a Flexible Server SKU Azure offers', 'closest: "Standard_B1ms"'],
  },
  {
    // Not a size Azure makes (Microsoft Learn, "Compute options"): once it was only "unpriced" in the plan.
    name: "a SKU Azure does not offer, with both neighbours named",
    stack: "prod",
    overrides: { postgres: { skuName: "Standard_D3ds_v5" } },
    expect: ['postgres.skuName (got "Standard_D3ds_v5"): is not a Flexible Server SKU Azure offers', 'closest: "Standard_D2ds_v5" or "Standard_D4ds_v5"'],
  },
  {
    name: "a PostgreSQL version Azure does not offer",
    stack: "test",
    overrides: { postgres: { version: "19" } },
    expect: ['postgres.version (got "19"): is not a PostgreSQL major version Azure offers for new servers', "13, 14, 15, 16, 17", 'closest: "17"'],
  },
  {
    // Azure offers 16 and 17, but the bootstrap's grants fail there (CREATEROLE restricted since 16).
    name: "a PostgreSQL version Azure offers but the app's grants are not proven on",
    stack: "prod",
    overrides: { postgres: { version: "16" } },
    expect: ['postgres.version (got "16"): is offered by Azure, but the app\'s database grants', "proven only on PostgreSQL 15", "PostgreSQL 16 release notes", 'use "15"'],
  },
  {
    name: "an older PostgreSQL version Azure offers, not proven either",
    stack: "test",
    overrides: { postgres: { version: "14" } },
    expect: ['postgres.version (got "14"): is offered by Azure, but the app\'s database grants', 'proven only on PostgreSQL 15; use "15"'],
  },
  {
    name: "a region that does not exist",
    stack: "test",
    overrides: { azure: { location: "eastus3" }, "azure-native:location": "eastus3" },
    expect: ['azure.location (got "eastus3"): is not an Azure region', 'closest: "eastus" or "eastus2"'],
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
    name: "serverParameters turning TLS enforcement off behind the program's back",
    stack: "test",
    overrides: { postgres: { serverParameters: { require_secure_transport: "off" } } },
    expect: ['postgres.serverParameters.require_secure_transport (got "off")', 'is always "on"', "remove it"],
  },
  {
    name: "serverParameters setting the TLS floor that minTlsVersion sets",
    stack: "prod",
    overrides: { postgres: { serverParameters: { ssl_min_protocol_version: "TLSv1" } } },
    expect: ['postgres.serverParameters.ssl_min_protocol_version (got "TLSv1")', "is set from postgres.minTlsVersion (TLSv1.2)"],
  },
  {
    name: "docker host port out of range",
    stack: "dev",
    overrides: { docker: { hostPort: 70000 } },
    expect: ["docker.hostPort (got 70000)"],
  },
];

/** Hostile values: host files, tags beyond Azure's limits, public ranges, alerts that cannot fire. */
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

/** Keys the program would otherwise ignore: each names the closest valid key. */
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
