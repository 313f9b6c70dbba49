/**
 * Cases for the data tier's later rules: server parameters, storage logs, protect on every
 * data-bearing resource, data stores private next to a private database, log retention and alert recipients.
 */
import { account, ACCOUNT_ID, add, APP_PRINCIPAL, type CaseTable, drop, param, res, RG, server, set, unprotect, urnOf, vault } from "./policy-fixture";

/** A second Entra admin of the server: `objectId` and, when `fromApp`, linked to the app's identity while unknown. */
const entraAdmin = (name: string, objectId: string | undefined, fromApp = false) =>
  add(
    res(
      "dbforpostgresql:AdministratorsMicrosoftEntra",
      name,
      { objectId, principalName: name, principalType: "ServicePrincipal", serverName: "amplifier-db-prod", resourceGroupName: RG },
      false,
      fromApp ? { objectId: [urnOf("web:WebApp", "app")] } : undefined,
    ),
  );
/** The vault's DATABASE_URL secret holding `url`. */
const databaseUrlSecret = (url: string) =>
  add(res("keyvault:Secret", "vault-secret-database-url", { secretName: "postgresql-connection-string", vaultName: "kv-amplifier-prod", resourceGroupName: RG, properties: { value: url, contentType: "text/plain; postgresql+asyncpg URL" } }));
const withAdminLogin = server((i) => (i.administratorLogin = "amplifier_admin"));

const setParam = (parameter: string, value: string) => set(`postgres-param-${parameter.replace(/[^a-z0-9]+/g, "-")}`, (i) => (i.value = value));

export const DATA_CASES: CaseTable = {
  "app-not-database-admin": {
    pass: [
      { label: "a bootstrap identity (not the app's) as a second Entra admin", change: entraAdmin("id-amplifier-db-bootstrap-prod", "22222222-3333-4444-5555-666666666666") },
      {
        label: "DATABASE_URL as the app's own role, no password",
        change: (s) => (withAdminLogin(s), databaseUrlSecret("postgresql+asyncpg://amplifier_app@amplifier-db-prod.postgres.database.azure.com:5432/amplifier_prod?ssl=require")(s)),
      },
    ],
    fail: [
      {
        label: "the app's identity an Entra admin",
        change: (s) => (set("app", (i) => (i.identity.principalId = APP_PRINCIPAL))(s), entraAdmin("app-as-admin", APP_PRINCIPAL)(s)),
        resource: "app-as-admin",
        found: APP_PRINCIPAL,
      },
      { label: "the app's identity an Entra admin, id not known yet (preview)", change: entraAdmin("app-as-admin", undefined, true), resource: "app-as-admin" },
      {
        label: "DATABASE_URL logging in as the server admin login",
        change: (s) => (withAdminLogin(s), databaseUrlSecret("postgresql+asyncpg://amplifier_admin:S3cret@amplifier-db-prod.postgres.database.azure.com:5432/amplifier_prod?ssl=require")(s)),
        resource: "vault-secret-database-url",
        found: "user amplifier_admin",
      },
      {
        label: "DATABASE_URL logging in as the Entra admin group",
        change: databaseUrlSecret("postgresql://amplifier-db-admins@amplifier-db-prod.postgres.database.azure.com/amplifier_prod"),
        resource: "vault-secret-database-url",
        found: "user amplifier-db-admins",
      },
    ],
  },
  "postgres-password-encryption-scram": {
    pass: [{ label: "SCRAM-SHA-256 in capitals", change: setParam("password_encryption", "SCRAM-SHA-256") }],
    fail: [
      { label: "password_encryption md5", change: setParam("password_encryption", "md5"), resource: "postgres-server", found: '"md5"' },
      // Azure's PG15 default is scram-sha-256, but the rule wants it pinned: md5 stays selectable on a live server.
      { label: "password_encryption left to the default", change: drop("postgres-param-password-encryption"), resource: "postgres-server", found: "missing" },
    ],
  },
  "postgres-log-statement-none": {
    pass: [{ label: "log_statement none, set explicitly", change: param("log_statement", "none") }],
    fail: [
      // test/postgres-parameters.test.ts shows each of these writing ALTER ROLE ... PASSWORD to the server log.
      { label: "log_statement all", change: param("log_statement", "all"), resource: "postgres-server", found: '"all"' },
      { label: "log_statement mod", change: param("log_statement", "mod"), resource: "postgres-server", found: '"mod"' },
      { label: "log_statement ddl", change: param("log_statement", "DDL"), resource: "postgres-server", found: '"DDL"' },
    ],
  },
  "storage-diagnostic-settings": {
    pass: [
      {
        label: "an account without shares logs any of its services",
        change: (s) => (drop("sessions-share")(s), set("sessions-files-diagnostics", (i) => (i.resourceUri = `${ACCOUNT_ID}/blobServices/default`))(s)),
      },
      {
        label: "resourceUri not known yet (preview), linked to the account",
        change: set("sessions-files-diagnostics", (i, r) => {
          delete i.resourceUri;
          r.propertyDependencies = { resourceUri: ["urn:pulumi:prod::amplifier-infra::azure-native:storage:StorageAccount::sessions"] };
        }),
      },
    ],
    fail: [
      { label: "no diagnostic setting on the file service", change: drop("sessions-files-diagnostics"), resource: "sessions", found: "missing" },
      { label: "a setting on the account itself (it has no logs)", change: set("sessions-files-diagnostics", (i) => (i.resourceUri = ACCOUNT_ID)), resource: "sessions" },
      { label: "blob logs while the data is in a file share", change: set("sessions-files-diagnostics", (i) => (i.resourceUri = `${ACCOUNT_ID}/blobServices/default`)), resource: "sessions" },
      { label: "file-service logs disabled", change: set("sessions-files-diagnostics", (i) => (i.logs[0].enabled = false)), resource: "sessions" },
      {
        label: "another account's file service",
        change: set("sessions-files-diagnostics", (i) => (i.resourceUri = ACCOUNT_ID.replace("stamplifierprod", "stother") + "/fileServices/default")),
        resource: "sessions",
      },
      {
        label: "a blob container as well, without blob-service logs", offAllowlist: ["azure-native:storage:BlobContainer"],
        change: add(res("storage:BlobContainer", "sessions-blobs", { containerName: "archive", accountName: "stamplifierprod", resourceGroupName: RG })),
        resource: "sessions",
        found: "blob logs",
      },
    ],
  },
  "stateful-resources-protected": {
    pass: [],
    fail: [
      { label: "database without protect", change: unprotect("postgres-database"), resource: "postgres-database", found: "false" },
      { label: "storage account without protect", change: unprotect("sessions"), resource: "sessions", found: "false" },
      { label: "file share without protect", change: unprotect("sessions-share"), resource: "sessions-share", found: "false" },
    ],
  },
  "data-stores-private-with-database": {
    pass: [
      // test's shape: a public database (its own rule fires), so the stores next to it may stay public.
      { label: "public database, public storage", change: (s) => (server((i) => (i.network.publicNetworkAccess = "Enabled"))(s), account((i) => (i.publicNetworkAccess = "Enabled"))(s)) },
    ],
    fail: [
      { label: "storage publicNetworkAccess Enabled next to a private database", change: account((i) => (i.publicNetworkAccess = "Enabled")), resource: "sessions", found: '"Enabled"' },
      { label: "storage publicNetworkAccess unset (Azure: Enabled)", change: account((i) => delete i.publicNetworkAccess), resource: "sessions", found: "missing" },
      {
        label: "storage public next to a VNet-injected database",
        change: (s) => (server((i) => (i.network = { delegatedSubnetResourceId: "/s/x", privateDnsZoneArmResourceId: "/z/y" }))(s), account((i) => (i.publicNetworkAccess = "Enabled"))(s)),
        resource: "sessions",
      },
      // keyvault-public-network-access-disabled fires too (ALSO_FIRES).
      { label: "vault public next to a private database", change: vault((p) => (p.publicNetworkAccess = "Enabled")), resource: "vault", found: '"Enabled"' },
    ],
  },
  "log-retention-minimum": {
    pass: [
      { label: "workspace 730 days", change: set("workspace", (i) => (i.retentionInDays = 730)) },
      { label: "diagnostic retention 0 days (keep forever)", change: set("postgres-diagnostics", (i) => (i.logs[0].retentionPolicy = { enabled: true, days: 0 })) },
      { label: "App Insights retention 90 days", change: set("app-insights", (i) => (i.retentionInDays = 90)) },
    ],
    fail: [
      { label: "workspace 30 days", change: set("workspace", (i) => (i.retentionInDays = 30)), resource: "workspace", found: "30" },
      { label: "workspace retention unset (Azure: 30)", change: set("workspace", (i) => delete i.retentionInDays), resource: "workspace", found: "missing" },
      { label: "App Insights 30 days", change: set("app-insights", (i) => (i.retentionInDays = 30)), resource: "app-insights", found: "30" },
      { label: "diagnostic retention policy 7 days", change: set("postgres-diagnostics", (i) => (i.logs[0].retentionPolicy = { enabled: true, days: 7 })), resource: "postgres-diagnostics", found: "[7]" },
    ],
  },
  "alerts-reach-a-recipient": {
    pass: [
      {
        label: "an SMS receiver only",
        change: set("action-group", (i) => (delete i.emailReceivers, (i.smsReceivers = [{ name: "oncall", countryCode: "1", phoneNumber: "5550100" }]))),
      },
    ],
    fail: [
      { label: "no action group in the stack", change: drop("action-group"), resource: "postgres-server", found: "missing" },
      // The group itself and the stack (on its server) are both flagged.
      { label: "action group with no receivers", change: set("action-group", (i) => (i.emailReceivers = [])), found: '"action-group" (ag-amplifier-prod) notifies nobody' },
      { label: "action group disabled", change: set("action-group", (i) => (i.enabled = false)), found: 'notifies nobody (no receivers, or disabled) (found "disabled")' },
      { label: "metric alert without actions", change: set("alert-db-cpu", (i) => delete i.actions), resource: "alert-db-cpu", found: "missing" },
    ],
  },
};
