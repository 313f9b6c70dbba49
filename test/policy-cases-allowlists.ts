/**
 * Cases for the allowlist rules: resource types, role assignments, server parameters. Each failing case is something
 * a list of forbidden things would have let through.
 */
import { add, APP_PRINCIPAL, type CaseTable, param, res, RG, RG_ID, role, ROLES, set, SUB, urnOf, VAULT_ID } from "./policy-fixture";

/** A role assignment as the program links one: principal and scope came from resources of the stack. */
const assignment = (name: string, inputs: Record<string, any>, deps: Record<string, string[]> = { principalId: [urnOf("web:WebApp", "app")] }) =>
  res("authorization:RoleAssignment", name, { principalType: "ServicePrincipal", ...inputs }, false, deps);

export const ALLOWLIST_CASES: CaseTable = {
  "resource-types-allowlisted": {
    pass: [{ label: "a private DNS zone group (a type the program registers)", change: add(res("network:PrivateDnsZoneGroup", "zone-group", { privateEndpointName: "pe" })) }],
    fail: [
      {
        label: "an ARM deployment whose template opens the database",
        change: add(
          res("resources:Deployment", "opener", {
            resourceGroupName: RG,
            properties: {
              mode: "Incremental",
              template: { resources: [{ type: "Microsoft.DBforPostgreSQL/flexibleServers/firewallRules", properties: { startIpAddress: "0.0.0.0", endIpAddress: "255.255.255.255" } }] },
            },
          }),
        ),
        resource: "opener",
        found: '"azure-native:resources:Deployment"',
      },
      {
        label: "a resource of the classic azure provider",
        change: (s) => s.push({ type: "azure:postgresql/flexibleServerFirewallRule:FlexibleServerFirewallRule", name: "classic-rule", inputs: { startIpAddress: "0.0.0.0" } }),
        resource: "classic-rule",
      },
      { label: "a custom role definition", change: add(res("authorization:RoleDefinition", "custom-owner", { permissions: [{ actions: ["*"] }], assignableScopes: [RG_ID] })), resource: "custom-owner" },
    ],
  },
  "role-assignments-allowlisted": {
    pass: [
      { label: "scope not known yet (preview), computed from the vault and the secret", change: set("app-key-vault-secrets-user", (i) => delete i.scope) },
      {
        label: "scope id in other letter case",
        change: set("app-key-vault-secrets-user", (i) => (i.scope = `${VAULT_ID}/secrets/jwt-secret-key`.replace("Microsoft.KeyVault", "microsoft.keyvault"))),
      },
    ],
    fail: [
      {
        label: "Key Vault Secrets User on the whole vault (every secret in it, not one)",
        change: set("app-key-vault-secrets-user", (i) => (i.scope = VAULT_ID)),
        resource: "app-key-vault-secrets-user",
      },
      {
        label: "a secret the stack does not hold",
        change: set("app-key-vault-secrets-user", (i) => (i.scope = `${VAULT_ID}/secrets/someone-elses-secret`)),
        resource: "app-key-vault-secrets-user",
      },
      {
        label: "Key Vault Secrets User on the whole resource group to any service principal",
        change: add(assignment("ci-reads-secrets", { principalId: "8b0c2f61-0000-4000-a000-00000000c1c1", roleDefinitionId: role(ROLES.secretsUser), scope: RG_ID }, {})),
        resource: "ci-reads-secrets",
        found: '"8b0c2f61-0000-4000-a000-00000000c1c1"',
      },
      {
        label: "the app's identity as Contributor on its own vault (a role the program does not use)",
        change: add(assignment("app-contributor", { principalId: APP_PRINCIPAL, roleDefinitionId: role(ROLES.contributor), scope: VAULT_ID })),
        resource: "app-contributor",
        found: '"b24988ac-6180-42a0-ab88-20f7382dd24c"',
      },
      {
        label: "a vault of the same name in another resource group",
        change: set("app-key-vault-secrets-user", (i) => (i.scope = VAULT_ID.replace(RG, "rg-someone-else"))),
        resource: "app-key-vault-secrets-user",
        found: "rg-someone-else",
      },
      {
        label: "the subscription as scope",
        change: add(assignment("app-subscription", { principalId: APP_PRINCIPAL, roleDefinitionId: role(ROLES.secretsUser), scope: SUB })),
        resource: "app-subscription",
      },
    ],
  },
  "postgres-parameters-allowlisted": {
    pass: [
      { label: "slow statements from 5 s", change: param("log_min_duration_statement", "5000") },
      { label: "pgaudit ddl and misc", change: param("pgaudit.log", "DDL, misc") },
      { label: "a prefix with time, process, user and database", change: param("log_line_prefix", "%m [%p] %u@%d ") },
      { label: "the extensions the init SQL creates", change: param("azure.extensions", "UUID-OSSP,PGCRYPTO") },
      { label: "dblink in a stack the code owners list as not production", change: param("azure.extensions", "UUID-OSSP,DBLINK"), stack: { production: false } },
    ],
    fail: [
      { label: "log_min_duration_statement 0 (every statement with its text)", change: param("log_min_duration_statement", "0"), resource: "postgres-param-log-min-duration-statement", found: '"0"' },
      { label: "pgaudit.log all", change: param("pgaudit.log", "all"), resource: "postgres-param-pgaudit-log", found: '"all"' },
      { label: "pgaudit role class (ALTER ROLE ... PASSWORD text)", change: param("pgaudit.log", "ddl,role"), resource: "postgres-param-pgaudit-log" },
      { label: "md5 accepted", change: param("azure.accepted_password_auth_method", "md5,SCRAM-SHA-256"), resource: "postgres-param-azure-accepted-password-auth-method" },
      { label: "server logs kept 1 day", change: param("logfiles.retention_days", "1"), resource: "postgres-param-logfiles-retention-days", found: '"1"' },
      { label: "an empty log_line_prefix", change: param("log_line_prefix", ""), resource: "postgres-param-log-line-prefix", found: '""' },
      { label: "a parameter the program does not set (work_mem)", change: param("work_mem", "4GB"), resource: "postgres-param-work-mem", found: '"work_mem"' },
      { label: "an untrusted language among the extensions", change: param("azure.extensions", "UUID-OSSP,PLPYTHON3U"), resource: "postgres-param-azure-extensions" },
      // Code, not only config (config/production.ts refuses them in the init SQL), can set the parameter.
      { label: "dblink in a production stack", change: param("azure.extensions", "UUID-OSSP,DBLINK"), resource: "postgres-param-azure-extensions", found: "in a production stack", stack: { production: true } },
      { label: "postgres_fdw in a stack of unknown production-ness (production)", change: param("azure.extensions", "postgres_fdw"), resource: "postgres-param-azure-extensions", found: "postgres_fdw" },
      { label: "pg_cron preloaded (jobs run as the scheduler's owner)", change: param("shared_preload_libraries", "pg_cron,pg_stat_statements"), resource: "postgres-param-shared-preload-libraries" },
    ],
  },
};
