/**
 * The adversarial catalogue: single changes to a copy of prod's stack file, each one a way to weaken prod, each run
 * through `npm run plan -- prod` (plan/cli.ts, in-process) and ended with exit 1 (config error: refused before
 * anything is registered) or exit 3 (a mandatory policy finding over what the program would register).
 * test/prod-catalogue-config.test.ts runs the exit-1 cases (no program run), test/prod-catalogue-policy.test.ts the
 * exit-3 cases (one program run each). docs/threat-model.md says which kind of check catches what, and why.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { stringify } from "yaml";
import { isPlainObject, isSecureValue, parseConfigKey, readStackFile } from "../config/pulumi-files";
import { listStacks } from "../config/stack-files";
import { main as plan } from "../plan/cli";
import { captureIo, scratchProject, stackText } from "./support/checkout";
import { projectWith } from "./support/stacks";

/**
 * The project whose prod is changed, and whose other stack files stand beside the changed one (a change taking test's
 * names must meet test's file): this one while it has test and prod, else the stand-ins' (test/support/stacks.ts).
 */
const SPEC_DIR = projectWith(["test", "prod"]);

export interface ProdChange {
  name: string;
  /** Changes to prod's config by key without the project prefix (or a full `<ns>:<name>` key): merged deeply, null deletes. */
  change: Record<string, unknown>;
  exit: 1 | 3;
  /** Exit 1: a fragment of the error. Exit 3: the rule whose mandatory finding stops it. */
  expect: string;
}

const waive = (rule: string) => ({ policy: { exceptions: { [rule]: "accepted for now" } } });
const params = (extra: Record<string, string>) => ({
  postgres: {
    serverParameters: { log_connections: "on", log_disconnections: "on", log_checkpoints: "on", "connection_throttle.enable": "on", password_encryption: "scram-sha-256", ...extra },
  },
});
const FLOOR = "in production";

/** Refused when the stack file is read (exit 1). */
export const CONFIG_CHANGES: ProdChange[] = [
  // Production is not self-declared (non-production-stacks.yaml does not list prod).
  { name: "environment staging", change: { environment: "staging" }, exit: 1, expect: 'environment (got "staging"): stack "prod" is not in non-production-stacks.yaml' },
  { name: "environment test", change: { environment: "test" }, exit: 1, expect: 'environment (got "test")' },
  { name: "environment development", change: { environment: "development" }, exit: 1, expect: 'environment (got "development")' },
  { name: "previewed from pull requests", change: { delivery: { pullRequestPreview: true } }, exit: 1, expect: "delivery.pullRequestPreview (got true)" },
  { name: "deployed without a reviewer", change: { delivery: { approval: "none" } }, exit: 1, expect: 'delivery.approval (got "none")' },
  { name: "platform docker", change: { platform: "docker" }, exit: 1, expect: "a Docker stack cannot be production" },
  // Critical rules cannot be waived in production.
  ...[
    "resource-types-allowlisted",
    "role-assignments-allowlisted",
    "app-role-assignments-scoped-to-vault",
    "postgres-parameters-allowlisted",
    "postgres-firewall-no-internet-range",
    "keyvault-network-acl-deny",
    "webapp-no-secret-app-settings",
    "webapp-auth-required",
  ].map((rule): ProdChange => ({ name: `waiving critical rule ${rule}`, change: waive(rule), exit: 1, expect: `policy.exceptions.${rule} (got "an exception"): ${FLOOR} critical rule ${rule} cannot be waived` })),
  { name: "waiving a rule that finds nothing (a waiver kept for later)", change: waive("webapp-http2"), exit: 1, expect: "exception for rule webapp-http2 in Pulumi.prod.yaml" },
  // Production's floors.
  { name: "Entra admin a user", change: { postgres: { entraAdmin: { objectId: "11111111-2222-3333-4444-555555555555", principalName: "alice@contoso.com", principalType: "User" } } }, exit: 1, expect: `postgres.entraAdmin.principalType (got "User"): ${FLOOR}` },
  { name: "Entra admin a service principal", change: { postgres: { entraAdmin: { objectId: "11111111-2222-3333-4444-555555555555", principalName: "ci", principalType: "ServicePrincipal" } } }, exit: 1, expect: 'principalType (got "ServicePrincipal")' },
  { name: "App Service plan B1", change: { appService: { planSku: "B1", zoneRedundant: false, capacity: 2 } }, exit: 1, expect: `appService.planSku (got "B1"): ${FLOOR}` },
  { name: "App Service plan S1", change: { appService: { planSku: "S1", zoneRedundant: false } }, exit: 1, expect: `appService.planSku (got "S1"): ${FLOOR}` },
  { name: "one instance", change: { appService: { capacity: 1, zoneRedundant: false } }, exit: 1, expect: `appService.capacity (got 1): ${FLOOR}` },
  { name: "plan not zone-redundant", change: { appService: { zoneRedundant: false } }, exit: 1, expect: `appService.zoneRedundant (got false): ${FLOOR}` },
  { name: "sessions on LRS", change: { storage: { skuName: "Standard_LRS" } }, exit: 1, expect: `storage.skuName (got "Standard_LRS"): ${FLOOR}` },
  { name: "sessions on GRS (no zones)", change: { storage: { skuName: "Standard_GRS" } }, exit: 1, expect: `storage.skuName (got "Standard_GRS"): ${FLOOR}` },
  { name: "soft delete 7 days", change: { keyVault: { softDeleteRetentionDays: 7 } }, exit: 1, expect: `keyVault.softDeleteRetentionDays (got 7): ${FLOOR}` },
  { name: "soft delete 30 days", change: { keyVault: { softDeleteRetentionDays: 30 } }, exit: 1, expect: `keyVault.softDeleteRetentionDays (got 30): ${FLOOR}` },
  { name: "CPU alert at 99%", change: { monitoring: { dbCpuPercent: 99 } }, exit: 1, expect: `monitoring.dbCpuPercent (got 99): ${FLOOR}` },
  { name: "CPU alert at 1% (fires always, ignored)", change: { monitoring: { dbCpuPercent: 1 } }, exit: 1, expect: `monitoring.dbCpuPercent (got 1): ${FLOOR}` },
  { name: "storage alert at 99%", change: { monitoring: { dbStoragePercent: 99 } }, exit: 1, expect: `monitoring.dbStoragePercent (got 99): ${FLOOR}` },
  { name: "5xx alert at 100000", change: { monitoring: { http5xxCount: 100000 } }, exit: 1, expect: `monitoring.http5xxCount (got 100000): ${FLOOR}` },
  { name: "alert window an hour", change: { monitoring: { window: "PT1H" } }, exit: 1, expect: `monitoring.window (got "PT1H"): ${FLOOR}` },
  { name: "alerts to an outside address", change: { monitoring: { alertEmails: ["ops@attacker-mail.com"] } }, exit: 1, expect: `monitoring.alertEmails[0] (got "ops@attacker-mail.com"): ${FLOOR}` },
  { name: "an outside CORS origin", change: { app: { allowedOrigins: ["https://app.yourdomain.com", "https://phish-site.com"] } }, exit: 1, expect: `app.allowedOrigins[1] (got "https://phish-site.com"): ${FLOOR}` },
  { name: "the organisation's domains emptied", change: { domains: [] }, exit: 1, expect: "(domains: none set)" },
  { name: "the organisation's domains replaced", change: { domains: ["attacker-mail.com"] }, exit: 1, expect: "(domains: attacker-mail.com)" },
  { name: "token keys from another host", change: { app: { jwt: { publicKeyUrl: "https://keys.attacker-idp.com/.well-known/jwks.json" } } }, exit: 1, expect: `app.jwt.publicKeyUrl (got "https://keys.attacker-idp.com/.well-known/jwks.json"): ${FLOOR}` },
  { name: "issuer moved away from its keys", change: { app: { jwt: { issuer: "https://attacker-idp.com/" } } }, exit: 1, expect: "the token keys come from the issuer's own host" },
  { name: "tokens for any audience", change: { app: { jwt: { audience: null } } }, exit: 1, expect: `app.jwt.audience (got "not set"): ${FLOOR} tokens are checked for this API's audience` },
  { name: "telemetry off", change: { app: { telemetry: { enabled: false } } }, exit: 1, expect: `app.telemetry.enabled (got false): ${FLOOR}` },
  { name: "errors sampled", change: { app: { telemetry: { sampleRateErrors: 0.1 } } }, exit: 1, expect: `app.telemetry.sampleRateErrors (got 0.1): ${FLOOR}` },
  { name: "HS256 next to a public key URL", change: { app: { jwt: { algorithm: "HS256" } } }, exit: 1, expect: "app.jwt.algorithm (got \"HS256\"): must be RS256 or ES256 when publicKeyUrl is set" },
  { name: "access tokens for a day", change: { app: { accessTokenExpireMinutes: 1440 } }, exit: 1, expect: `app.accessTokenExpireMinutes (got 1440): ${FLOOR}` },
  { name: "sessions for ten years", change: { app: { maxSessionAgeDays: 3650 } }, exit: 1, expect: `app.maxSessionAgeDays (got 3650): ${FLOOR}` },
  { name: "rate limit 100000 per minute", change: { app: { rateLimitRequestsPerMinute: 100000 } }, exit: 1, expect: `app.rateLimitRequestsPerMinute (got 100000): ${FLOOR}` },
  { name: "rate limit the spec's dev value", change: { app: { rateLimitRequestsPerMinute: 1000 } }, exit: 1, expect: `app.rateLimitRequestsPerMinute (got 1000): ${FLOOR}` },
  { name: "debug logging", change: { app: { logLevel: "debug" } }, exit: 1, expect: `app.logLevel (got "debug"): ${FLOOR}` },
  ...(["trackRequestHeaders", "trackRequestBody", "trackResponseHeaders", "trackResponseBody", "enableDevLogger"] as const).map(
    (key): ProdChange => ({ name: `telemetry ${key}`, change: { app: { telemetry: { [key]: true } } }, exit: 1, expect: `app.telemetry.${key} (got true): ${FLOOR}` }),
  ),
  { name: "an unknown auth mode", change: { app: { authMode: "basic" } }, exit: 1, expect: 'app.authMode (got "basic"): must be one of "api_key_jwt", "jwt_only", "none"' },
  { name: "an app setting off the production allowlist", change: { app: { settings: { FEATURE_FLAGS: "beta" } } }, exit: 1, expect: `app.settings.FEATURE_FLAGS (got "a setting"): ${FLOOR} app.settings names only settings the API reads` },
  { name: "bootstrap image by a mutable tag", change: { postgres: { bootstrap: { image: "mcr.microsoft.com/azure-cli:2.67.0" } } }, exit: 1, expect: `postgres.bootstrap.image (got "mcr.microsoft.com/azure-cli:2.67.0"): ${FLOOR} the bootstrap image comes from mcr.microsoft.com pinned by digest` },
  { name: "bootstrap image from another registry, pinned", change: { postgres: { bootstrap: { image: `docker.io/x/y:1@sha256:${"a".repeat(64)}` } } }, exit: 1, expect: "postgres.bootstrap.image (got \"docker.io/x/y:1@sha256:" },
  { name: "dblink from the init SQL", change: { postgres: { initSqlPath: "test/fixtures/init-with-dblink.sql" } }, exit: 1, expect: `postgres.initSqlPath (got "test/fixtures/init-with-dblink.sql"): ${FLOOR} the init SQL may not create extension dblink` },
  { name: "an extension off the allowlist (untrusted language)", change: { postgres: { initSqlPath: "test/fixtures/init-with-plpython.sql" } }, exit: 1, expect: 'creates extension "plpython3u", which is not on the allowlist' },
  { name: "init SQL from outside the project", change: { postgres: { initSqlPath: "../../etc/init.sql" } }, exit: 1, expect: "points outside the project" },
  // Provider keys: credentials, identities and endpoints never come from a stack file.
  ...["clientSecret", "clientId", "tenantId", "subscriptionId", "oidcRequestUrl", "oidcRequestToken", "oidcToken", "metadataHost", "environment", "useMsi", "useDefaultAzureCredential", "clientCertificatePath"].map(
    (key): ProdChange => ({ name: `azure-native:${key}`, change: { [`azure-native:${key}`]: key === "useMsi" || key === "useDefaultAzureCredential" ? "true" : "x-value" }, exit: 1, expect: `azure-native:${key}: the program does not take this azure-native setting from a stack file` }),
  ),
  { name: "a pulumi: engine key (default providers off)", change: { "pulumi:disable-default-providers": '["azure-native"]' }, exit: 1, expect: "pulumi:* keys change how the engine runs the program" },
  { name: "a provider the program does not use", change: { "azure:location": "eastus" }, exit: 1, expect: 'namespace "azure" is not read by this program' },
  { name: "azure-native:location elsewhere", change: { "azure-native:location": "westeurope" }, exit: 1, expect: 'azure-native:location (got "westeurope") differs from azure.location' },
  // Server parameters: names from the allowlist; what other keys own cannot be overridden.
  { name: "a server parameter the program does not set", change: params({ work_mem: "4GB" }), exit: 1, expect: 'postgres.serverParameters.work_mem (got "4GB"): is not a parameter this program sets' },
  { name: "session_replication_role replica (triggers off)", change: params({ session_replication_role: "replica" }), exit: 1, expect: "postgres.serverParameters.session_replication_role" },
  { name: "TLS enforcement off through serverParameters", change: params({ require_secure_transport: "off" }), exit: 1, expect: 'is always "on"' },
  { name: "TLS 1.0 through serverParameters", change: params({ ssl_min_protocol_version: "TLSv1" }), exit: 1, expect: "is set from postgres.minTlsVersion" },
  { name: "extensions through serverParameters", change: params({ "azure.extensions": "DBLINK" }), exit: 1, expect: "is derived from the CREATE EXTENSION statements" },
  // Bounds the schema always had, tried on prod.
  { name: "TLS 1.1", change: { postgres: { minTlsVersion: "TLSv1.1" } }, exit: 1, expect: 'postgres.minTlsVersion (got "TLSv1.1")' },
  { name: "a firewall rule on the private server", change: { postgres: { firewallRules: [{ name: "home", startIpAddress: "198.51.100.7", endIpAddress: "198.51.100.7" }] } }, exit: 1, expect: "publicNetworkAccess is Disabled" },
  { name: "allow Azure services on the private server", change: { postgres: { allowAzureServices: true } }, exit: 1, expect: "postgres.allowAzureServices" },
  { name: "backups kept 3 days", change: { postgres: { backupRetentionDays: 3 } }, exit: 1, expect: "postgres.backupRetentionDays (got 3)" },
  { name: "a 16-character admin password", change: { postgres: { passwordLength: 16 } }, exit: 1, expect: "postgres.passwordLength (got 16)" },
  { name: "a 16-byte JWT key", change: { keyVault: { jwtSecretBytes: 16 } }, exit: 1, expect: "keyVault.jwtSecretBytes (got 16)" },
  { name: "the network removed (private endpoints gone)", change: { network: null }, exit: 1, expect: "needs private endpoints, which only a `network` block creates" },
  { name: "a public address space", change: { network: { addressSpace: "8.8.0.0/16" } }, exit: 1, expect: 'network.addressSpace (got "8.8.0.0/16")' },
  { name: "CORS for every origin", change: { app: { allowedOrigins: ["*"] } }, exit: 1, expect: 'app.allowedOrigins[0] (got "*")' },
  { name: "CORS over plain HTTP", change: { app: { allowedOrigins: ["http://app.yourdomain.com"] } }, exit: 1, expect: 'app.allowedOrigins[0] (got "http://app.yourdomain.com")' },
  { name: "logs kept 7 days", change: { monitoring: { logRetentionDays: 7 } }, exit: 1, expect: "monitoring.logRetentionDays (got 7)" },
  { name: "a Docker block on prod", change: { docker: { image: "postgres:15-alpine" } }, exit: 1, expect: "docker (got" },
  // Names another stack owns: destroying one would delete the other's.
  { name: "test's resource group", change: { azure: { resourceGroupName: "rg-amplifier-test" } }, exit: 1, expect: 'would both own the Azure resource group "rg-amplifier-test"' },
  { name: "test's vault", change: { keyVault: { name: "kv-amplifier-test" } }, exit: 1, expect: 'would both own the Key Vault (a global name) "kv-amplifier-test"' },
  // Hostile values.
  { name: "`__proto__` setting protect, locks and delivery", change: { ["__proto__"]: { protect: false, locks: false, delivery: { approval: "none" } } }, exit: 1, expect: '"__proto__" is not a key this program reads' },
  { name: "a `constructor` block", change: { constructor: { protect: false } }, exit: 1, expect: '"constructor" is not a key this program reads' },
  { name: "`__proto__` inside a block", change: { app: { telemetry: { ["__proto__"]: { sanitizePii: false } } } }, exit: 1, expect: '"__proto__" is not a key this program reads' },
  {
    name: "a waiver reason that closes the summary's code fence and forges a clean heading",
    change: { policy: { exceptions: { "storage-shared-key-disabled": "ok\n```\n### Policy: 0 findings\n```text" } } },
    exit: 1,
    expect: "policy.exceptions.storage-shared-key-disabled (value not shown): contains the control or invisible character U+000A",
  },
  { name: "a waiver reason with backticks only", change: { policy: { exceptions: { "storage-shared-key-disabled": "see ```docs```" } } }, exit: 1, expect: "contains a backtick" },
  { name: "an ANSI escape in the issuer", change: { app: { jwt: { issuer: "https://yourdomain.auth0.com/\u001b[2K\u001b[1Aok" } } }, exit: 1, expect: "app.jwt.issuer (value not shown): contains the control or invisible character U+001B" },
  { name: "a bidi override in a tag", change: { tags: { costCenter: "finance\u202egnp.exe" } }, exit: 1, expect: "tags.costCenter (value not shown): contains the control or invisible character U+202E" },
  { name: "a NUL in the API key header", change: { app: { apiKeyHeader: "X-API-Key\u0000" } }, exit: 1, expect: "U+0000" },
  { name: "a 600-character waiver reason", change: { policy: { exceptions: { "storage-shared-key-disabled": "r".repeat(600) } } }, exit: 1, expect: "must give the reason in at most 500 characters" },
  { name: "a 3000-character audience", change: { app: { jwt: { audience: `https://api.yourdomain.com/${"a".repeat(3000)}` } } }, exit: 1, expect: "every string is at most 2048 characters" },
];

/** Registered, then refused by a mandatory policy finding (exit 3). */
export const POLICY_CHANGES: ProdChange[] = [
  { name: "database public", change: { postgres: { publicNetworkAccess: "Enabled" } }, exit: 3, expect: "postgres-public-network-access-disabled" },
  { name: "vault public", change: { keyVault: { publicNetworkAccess: "Enabled" } }, exit: 3, expect: "data-stores-private-with-database" },
  { name: "sessions account public", change: { storage: { publicNetworkAccess: "Enabled" } }, exit: 3, expect: "data-stores-private-with-database" },
  { name: "purge protection off", change: { keyVault: { purgeProtection: false } }, exit: 3, expect: "keyvault-purge-protection" },
  { name: "no geo-redundant backup", change: { postgres: { geoRedundantBackup: false } }, exit: 3, expect: "postgres-geo-redundant-backup" },
  { name: "backups 7 days", change: { postgres: { backupRetentionDays: 7 } }, exit: 3, expect: "postgres-backup-retention-14-days" },
  { name: "HA off", change: { postgres: { highAvailability: "Disabled" } }, exit: 3, expect: "postgres-zone-redundant-ha" },
  { name: "HA in one zone", change: { postgres: { highAvailability: "SameZone" } }, exit: 3, expect: "postgres-zone-redundant-ha" },
  { name: "protect off", change: { protect: false }, exit: 3, expect: "stateful-resources-protected" },
  { name: "locks off", change: { locks: false }, exit: 3, expect: "stateful-resources-locked" },
  { name: "logs kept 30 days", change: { monitoring: { logRetentionDays: 30 } }, exit: 3, expect: "log-retention-minimum" },
  { name: "logs kept 60 days", change: { monitoring: { logRetentionDays: 60 } }, exit: 3, expect: "log-retention-minimum" },
  { name: "alerts to nobody", change: { monitoring: { alertEmails: [] } }, exit: 3, expect: "alerts-reach-a-recipient" },
  { name: "authentication not required", change: { app: { authRequired: false } }, exit: 3, expect: "webapp-auth-required" },
  { name: "auth mode none", change: { app: { authMode: "none" } }, exit: 3, expect: "webapp-auth-required" },
  { name: "telemetry unsanitised", change: { app: { telemetry: { sanitizePii: false } } }, exit: 3, expect: "webapp-telemetry-pii-sanitised" },
  { name: "md5 password hashes", change: params({ password_encryption: "md5" }), exit: 3, expect: "postgres-password-encryption-scram" },
  { name: "SQL text in the logs (log_statement all)", change: params({ log_statement: "all" }), exit: 3, expect: "postgres-log-statement-none" },
  { name: "log_statement ddl (ALTER ROLE ... PASSWORD)", change: params({ log_statement: "ddl" }), exit: 3, expect: "postgres-log-statement-none" },
  { name: "log_min_duration_statement 0 (every statement)", change: params({ log_min_duration_statement: "0" }), exit: 3, expect: "postgres-parameters-allowlisted" },
  { name: "pgaudit.log all", change: params({ "pgaudit.log": "all" }), exit: 3, expect: "postgres-parameters-allowlisted" },
  { name: "pgaudit read class (query text and data)", change: params({ "pgaudit.log": "ddl,read" }), exit: 3, expect: "postgres-parameters-allowlisted" },
  { name: "md5 accepted at login", change: params({ "azure.accepted_password_auth_method": "md5" }), exit: 3, expect: "postgres-parameters-allowlisted" },
  { name: "server logs kept 1 day", change: params({ "logfiles.retention_days": "1" }), exit: 3, expect: "postgres-parameters-allowlisted" },
  { name: "an empty log_line_prefix", change: params({ log_line_prefix: "" }), exit: 3, expect: "postgres-parameters-allowlisted" },
  { name: "pg_cron preloaded", change: params({ shared_preload_libraries: "pg_cron" }), exit: 3, expect: "postgres-parameters-allowlisted" },
  { name: "connection logging off", change: params({ log_connections: "off" }), exit: 3, expect: "postgres-log-connections" },
  { name: "disconnection logging off", change: params({ log_disconnections: "off" }), exit: 3, expect: "postgres-log-disconnections" },
  { name: "throttling off", change: params({ "connection_throttle.enable": "off" }), exit: 3, expect: "postgres-connection-throttling" },
  { name: "the logging defaults dropped (serverParameters replaces them)", change: { postgres: { serverParameters: { log_checkpoints: "on" } } }, exit: 3, expect: "postgres-log-connections" },
];

export const PROD_CHANGES: ProdChange[] = [...CONFIG_CHANGES, ...POLICY_CHANGES];

function merge(base: unknown, patch: unknown): unknown {
  if (patch === null) return undefined;
  if (!isPlainObject(base) || !isPlainObject(patch) || isSecureValue(patch)) return patch;
  const out: Record<string, unknown> = { ...base };
  // Own keys only, `__proto__` included: the change is written as a key of the file, as an attacker would.
  for (const k of Object.keys(patch)) {
    const merged = merge(Object.hasOwn(out, k) ? out[k] : undefined, patch[k]);
    if (merged === undefined) delete out[k];
    else Object.defineProperty(out, k, { value: merged, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/** prod's stack file with `change` applied, as text (what the attacker commits). */
export function changedProdText(change: Record<string, unknown>): string {
  const project = "amplifier-infra";
  const config: Record<string, unknown> = {};
  for (const e of readStackFile("prod", SPEC_DIR, project).entries) config[e.key] = e.value;
  for (const k of Object.keys(change)) {
    const parsed = parseConfigKey(k, project);
    const key = typeof parsed === "string" ? k : `${parsed.namespace}:${parsed.name}`;
    const next = merge(config[key], change[k]);
    if (next === undefined) delete config[key];
    else Object.defineProperty(config, key, { value: next, enumerable: true, writable: true, configurable: true });
  }
  return stringify({ config });
}

/** `npm run plan -- prod --format json` on a scratch project holding the changed prod file and its siblings: the exit code and output. */
export async function planChangedProd(change: Record<string, unknown>): Promise<{ code: number; out: string; err: string }> {
  const siblings = Object.fromEntries(listStacks(SPEC_DIR).filter((s) => s !== "prod").map((s) => [`Pulumi.${s}.yaml`, stackText(s, SPEC_DIR)]));
  const dir = scratchProject({ ...siblings, "Pulumi.prod.yaml": changedProdText(change) }, SPEC_DIR);
  try {
    const io = captureIo();
    const code = await plan(["prod", "--format", "json"], io, dir);
    return { code, out: io.out(), err: io.err() };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export const tmpdir = () => fs.mkdtempSync(path.join(os.tmpdir(), "catalogue-"));
