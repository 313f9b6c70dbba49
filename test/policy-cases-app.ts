/**
 * Cases for the application tier's later rules: deployment slots held to the site's rules, the
 * SCM site's TLS, CORS, secrets in app settings and connection strings (by name and by value), authentication and
 * telemetry settings, the app's role assignments and placeholder values.
 */
import {
  add,
  APP_PRINCIPAL,
  appSetting,
  type CaseTable,
  drop,
  KV_REF,
  res,
  RG,
  RG_ID,
  role,
  ROLES,
  set,
  setting,
  site,
  slot,
  SLOT_TYPES,
  SUB,
  TAGS,
  urnOf,
  VAULT_ID,
} from "./policy-fixture";

const literal = (name: string, value: string) => ({ label: `${name} literal`, change: appSetting(name, value), resource: "app", found: "not shown" });
/** A role assignment to the app's system-assigned identity, linked as the mock runtime and CrossGuard link it. */
const grant = (name: string, roleGuid: string, scope: string) =>
  res("authorization:RoleAssignment", name, { principalId: APP_PRINCIPAL, roleDefinitionId: role(roleGuid), scope }, false, { principalId: [urnOf("web:WebApp", "app")] });
const UAI_ID = `${RG_ID}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-amplifier-prod`;
const UAI_PRINCIPAL = "0f1e2d3c-0000-4000-a000-000000000001";
/** The app also acts as a user-assigned identity (system + user-assigned), and that identity gets a role on `scope`. */
const userAssigned = (roleGuid: string, scope: string) => (s: any[]) => {
  set("app", (i) => (i.identity = { type: "SystemAssigned, UserAssigned", userAssignedIdentities: [UAI_ID] }))(s);
  s.push(
    // principalId as CrossGuard's stack validation sees the identity's outputs; the assignment matches it by value.
    res("managedidentity:UserAssignedIdentity", "app-identity", { resourceName: "id-amplifier-prod", resourceGroupName: RG, principalId: UAI_PRINCIPAL }),
    res("authorization:RoleAssignment", "app-identity-role", { principalId: UAI_PRINCIPAL, roleDefinitionId: role(roleGuid), scope }),
  );
};

const SITE_ID = `${RG_ID}/providers/Microsoft.Web/sites/amplifier-api-prod`;
const DEPLOY_PRINCIPAL = "0f1e2d3c-0000-4000-a000-000000000002";
const WEBSITE_CONTRIBUTOR = "de139f84-1756-47ae-9be6-808fbbe84772";
/** The app repository's deploy identity (`appDeploy`): its identity, its GitHub credential and one role grant. */
const deployIdentity =
  (roleGuid: string, scope: string | undefined, propertyDependencies?: Record<string, string[]>) =>
  (s: any[]) =>
    s.push(
      res("managedidentity:UserAssignedIdentity", "deploy-identity", { resourceName: "id-amplifier-api-prod-deploy", resourceGroupName: RG, principalId: DEPLOY_PRINCIPAL, tags: TAGS }),
      res("managedidentity:FederatedIdentityCredential", "deploy-credential", {
        federatedIdentityCredentialResourceName: "github-actions",
        resourceName: "id-amplifier-api-prod-deploy",
        resourceGroupName: RG,
        issuer: "https://token.actions.githubusercontent.com",
        subject: "repo:contoso/amplifier-api:environment:production",
        audiences: ["api://AzureADTokenExchange"],
      }),
      res("authorization:RoleAssignment", "deploy-role", { principalId: DEPLOY_PRINCIPAL, principalType: "ServicePrincipal", roleDefinitionId: role(roleGuid), ...(scope ? { scope } : {}) }, false, propertyDependencies),
    );

export const APP_CASES: CaseTable = {
  "app-deploy-role-scoped-to-web-app": {
    pass: [
      { label: "the deploy identity, Website Contributor on the web app", change: deployIdentity(WEBSITE_CONTRIBUTOR, SITE_ID) },
      { label: "scope not known yet (preview), computed from the web app", change: deployIdentity(WEBSITE_CONTRIBUTOR, undefined, { scope: [urnOf("web:WebApp", "app")] }) },
      { label: "other roles of other principals are not this rule's", change: add(res("authorization:RoleAssignment", "ci-reader", { principalId: "ci-principal", roleDefinitionId: role(ROLES.contributor), scope: RG_ID })) },
    ],
    fail: [
      { label: "Website Contributor on the resource group", change: deployIdentity(WEBSITE_CONTRIBUTOR, RG_ID), resource: "deploy-role", found: "resourceGroups/rg-amplifier-prod\"" },
      { label: "Website Contributor on a slot, not the site", change: deployIdentity(WEBSITE_CONTRIBUTOR, `${SITE_ID}/slots/staging`), resource: "deploy-role" },
      { label: "a web app of that name in another group", change: deployIdentity(WEBSITE_CONTRIBUTOR, SITE_ID.replace(RG, "rg-other")), resource: "deploy-role" },
      { label: "the deploy identity holds Contributor on the web app", change: deployIdentity(ROLES.contributor, SITE_ID), resource: "deploy-role", found: "role b24988ac" },
      {
        label: "Website Contributor to a principal that is not the deploy identity",
        change: add(res("authorization:RoleAssignment", "ci-website", { principalId: "ci-principal", roleDefinitionId: role(WEBSITE_CONTRIBUTOR), scope: SITE_ID })),
        resource: "ci-website",
        found: "ci-principal",
      },
    ],
  },
  "webapp-https-only": {
    pass: [{ label: "a compliant deployment slot", change: slot() }],
    fail: [{ label: "slot accepts plain HTTP", offAllowlist: SLOT_TYPES, change: slot((i) => (i.httpsOnly = false)), resource: "app-staging", found: "false" }],
  },
  "webapp-min-tls-1-2": {
    pass: [],
    fail: [{ label: "slot TLS 1.0", offAllowlist: SLOT_TYPES, change: slot((i) => (i.siteConfig.minTlsVersion = "1.0")), resource: "app-staging", found: '"1.0"' }],
  },
  "webapp-basic-publishing-credentials-disabled": {
    pass: [],
    fail: [
      { label: "slot without WebAppScmAllowedSlot", offAllowlist: SLOT_TYPES, change: (s) => (slot()(s), drop("app-staging-scm")(s)), resource: "app-staging", found: "missing" },
      // The site's own policy does not cover its slot's SCM endpoint.
      { label: "slot's FTP basic auth allowed", offAllowlist: SLOT_TYPES, change: (s) => (slot()(s), set("app-staging-ftp", (i) => (i.allow = true))(s)), resource: "app-staging", found: "true" },
    ],
  },
  "webapp-remote-debugging-off": {
    pass: [],
    fail: [{ label: "slot with remote debugging", offAllowlist: SLOT_TYPES, change: slot((i) => (i.siteConfig.remoteDebuggingEnabled = true)), resource: "app-staging", found: "true" }],
  },
  "webapp-scm-min-tls-1-2": {
    pass: [{ label: "SCM TLS 1.3", change: site((c) => (c.scmMinTlsVersion = "1.3")) }],
    fail: [
      { label: "SCM TLS 1.0", change: site((c) => (c.scmMinTlsVersion = "1.0")), resource: "app", found: '"1.0"' },
      { label: "SCM TLS left to the default", change: site((c) => delete c.scmMinTlsVersion), resource: "app", found: "missing" },
      { label: "slot SCM TLS 1.1", offAllowlist: SLOT_TYPES, change: slot((i) => (i.siteConfig.scmMinTlsVersion = "1.1")), resource: "app-staging", found: '"1.1"' },
    ],
  },
  "webapp-cors-no-wildcard": {
    pass: [{ label: "App Service CORS with listed origins", change: site((c) => (c.cors = { allowedOrigins: ["https://app.amplifier-api.com"] })) }],
    fail: [
      { label: "siteConfig.cors.allowedOrigins *", change: site((c) => (c.cors = { allowedOrigins: ["*"] })), resource: "app", found: '["*"]' },
      { label: "ALLOWED_ORIGINS with *", change: setting("ALLOWED_ORIGINS", "https://app.amplifier-api.com, *"), resource: "app", found: "*" },
      { label: "slot CORS *", offAllowlist: SLOT_TYPES, change: slot((i) => (i.siteConfig.cors = { allowedOrigins: ["*"] })), resource: "app-staging" },
    ],
  },
  "webapp-no-secret-app-settings": {
    pass: [
      { label: "metadata names: KEY_VAULT_URI, SECRET_NAME, TOKEN_ENDPOINT", change: (s) => ["KEY_VAULT_URI", "SECRET_NAME", "TOKEN_ENDPOINT"].forEach((n) => appSetting(n, "https://login.amplifier-api.com/x")(s)) },
      { label: "connection string as a Key Vault reference", change: site((c) => (c.connectionStrings = [{ name: "sessions", connectionString: KV_REF, type: "Custom" }])) },
      { label: "a URL with a port and an @ in its path", change: appSetting("DOCS_URL", "https://docs.amplifier-api.com:8443/users/@me") },
    ],
    fail: [
      literal("PGPASSWORD", "hunter2-pg"),
      literal("DB_PASS", "hunter2-db"),
      literal("AZURE_CLIENT_CREDENTIAL", "c2VjcmV0"),
      literal("OPENAI_APIKEY", "sk-0000"),
      literal("APPINSIGHTS_INSTRUMENTATIONKEY", "00000000-0000-0000-0000-000000000000"),
      literal("SIGNING_PASSPHRASE", "correct horse"),
      literal("SLACK_BOT_TOKEN", "xoxb-0000"),
      literal("STORAGE_SAS", "sv=2022-11-02&ss=f&sp=rl"),
      { label: "SAS signature in an innocent name", change: appSetting("EXPORT_LOCATION", "https://st.blob.core.windows.net/x?sv=2022-11-02&sig=abc%3D"), resource: "app", found: "not shown" },
      { label: "empty user with a password in a URL", change: appSetting("CACHE", "rediss://:hunter2@cache.amplifier-api.com:6380/0"), resource: "app", found: "not shown" },
      { label: "PEM private key", change: appSetting("TLS_MATERIAL", "-----BEGIN RSA PRIVATE KEY-----\nMIIB...\n-----END RSA PRIVATE KEY-----"), resource: "app", found: "not shown" },
      {
        label: "siteConfig.connectionStrings literal",
        change: site((c) => (c.connectionStrings = [{ name: "sessions", connectionString: "Server=db;Database=x;User Id=u", type: "PostgreSQL" }])),
        resource: "app",
        found: "not shown",
      },
      {
        label: "separate WebAppConnectionStrings with a literal", offAllowlist: ["azure-native:web:WebAppConnectionStrings"],
        change: add(res("web:WebAppConnectionStrings", "app-connection-strings", { name: "amplifier-api-prod", resourceGroupName: RG, properties: { db: { value: "Host=db;Password=x", type: "PostgreSQL" } } })),
        resource: "app-connection-strings",
      },
      {
        label: "slot app settings with a literal secret", offAllowlist: ["azure-native:web:WebAppApplicationSettingsSlot"],
        change: add(res("web:WebAppApplicationSettingsSlot", "app-staging-settings", { name: "amplifier-api-prod", slot: "staging", properties: { AUTH_REQUIRED: "true", SECRET_KEY: "s3cr3t-value" } })),
        resource: "app-staging-settings",
      },
    ],
  },
  "webapp-auth-required": {
    pass: [
      { label: "AUTH_REQUIRED True (pydantic reads it case-insensitively)", change: setting("AUTH_REQUIRED", "True") },
      { label: "settings in a separate resource are judged there", change: site((c) => delete c.appSettings) },
    ],
    fail: [
      { label: "AUTH_REQUIRED false", change: setting("AUTH_REQUIRED", "false"), resource: "app", found: '"false"' },
      { label: "AUTH_REQUIRED unset (the Settings default is false)", change: setting("AUTH_REQUIRED", undefined), resource: "app", found: "missing" },
      { label: "AUTH_MODE none", change: setting("AUTH_MODE", "none"), resource: "app", found: '"none"' },
      {
        label: "auth off in a separate WebAppApplicationSettings", offAllowlist: ["azure-native:web:WebAppApplicationSettings"],
        change: add(res("web:WebAppApplicationSettings", "app-settings", { name: "amplifier-api-prod", resourceGroupName: RG, properties: { auth_required: "0" } })),
        resource: "app-settings",
        found: '"0"',
      },
    ],
  },
  "webapp-telemetry-pii-sanitised": {
    pass: [
      { label: "telemetry off, sanitising off", change: (s) => (setting("TELEMETRY_ENABLED", "false")(s), setting("TELEMETRY_SANITIZE_PII", "false")(s)) },
      { label: "request bodies tracked, sanitised", change: setting("TELEMETRY_TRACK_REQUEST_BODY", "true") },
    ],
    fail: [
      {
        label: "request headers tracked without sanitising",
        change: (s) => (setting("TELEMETRY_TRACK_REQUEST_HEADERS", "true")(s), setting("TELEMETRY_SANITIZE_PII", "false")(s)),
        resource: "app",
        found: '"false"',
      },
      { label: "sanitising off (telemetry on by default)", change: (s) => (setting("TELEMETRY_ENABLED", undefined)(s), setting("TELEMETRY_SANITIZE_PII", "no")(s)), resource: "app", found: '"no"' },
      {
        label: "slot tracking response bodies unsanitised", offAllowlist: SLOT_TYPES,
        change: slot((i) => i.siteConfig.appSettings.push({ name: "TELEMETRY_TRACK_RESPONSE_BODY", value: "1" }, { name: "telemetry_sanitize_pii", value: "0" })),
        resource: "app-staging",
      },
    ],
  },
  "app-role-assignments-scoped-to-vault": {
    pass: [
      { label: "one secret under the vault", change: set("app-key-vault-secrets-user", (i) => (i.scope = `${VAULT_ID}/secrets/jwt-secret-key`)) },
      { label: "another principal's role is not the app's", change: add(res("authorization:RoleAssignment", "ci-contributor", { principalId: "ci-principal", roleDefinitionId: role(ROLES.contributor), scope: RG_ID })) },
      { label: "a user-assigned identity the app uses, Secrets User on the vault", change: userAssigned(ROLES.secretsUser, VAULT_ID) },
      {
        label: "scope not known yet (preview), computed from the vault",
        change: set("app-key-vault-secrets-user", (i, r) => (delete i.scope, (r.propertyDependencies = { ...r.propertyDependencies, scope: [urnOf("keyvault:Vault", "vault")] }))),
      },
    ],
    fail: [
      { label: "Secrets User on the resource group", change: add(grant("app-rg", ROLES.secretsUser, RG_ID)), resource: "app-rg", found: "role 4633458b" },
      { label: "Secrets User on the subscription", change: add(grant("app-sub", ROLES.secretsUser, SUB)), resource: "app-sub" },
      { label: "Contributor on the vault", change: add(grant("app-contributor", ROLES.contributor, VAULT_ID)), resource: "app-contributor", found: "role b24988ac" },
      {
        label: "scope named like the vault in another group",
        change: add(grant("app-other-vault", ROLES.secretsUser, VAULT_ID.replace("kv-amplifier-prod", "kv-amplifier-prod2"))),
        resource: "app-other-vault",
      },
      { label: "a user-assigned identity the app uses, Owner on the resource group", change: userAssigned(ROLES.owner, RG_ID), resource: "app-identity-role", found: "role 8e3af657" },
      {
        label: "matched by principal id alone (stack outputs)",
        change: (s) => (set("app", (i) => (i.identity.principalId = APP_PRINCIPAL))(s), add(res("authorization:RoleAssignment", "app-owner", { principalId: APP_PRINCIPAL, roleDefinitionId: role(ROLES.owner), scope: RG_ID }))(s)),
        resource: "app-owner",
      },
    ],
  },
  "required-tags": {
    pass: [],
    fail: [{ label: "slot without tags", offAllowlist: SLOT_TYPES, change: slot((i) => delete i.tags), resource: "app-staging", found: "missing" }],
  },
  "no-placeholder-values": {
    pass: [
      { label: "words that merely contain 'example' or 'test'", change: (s) => (setting("ALLOWED_ORIGINS", "https://examples.amplifier-api.com,https://test-api.azurewebsites.net")(s), appSetting("LOG_LEVEL", "test")(s)) },
      { label: "Key Vault references are not read", change: appSetting("SECRET_KEY", "@Microsoft.KeyVault(SecretUri=https://kv.example.com/secrets/x/)") },
    ],
    fail: [
      { label: "alert e-mail at example.com", change: set("action-group", (i) => (i.emailReceivers[0].emailAddress = "ops@example.com")), resource: "action-group", found: '"example.com"' },
      { label: "the spec's yourdomain.com origin", change: setting("ALLOWED_ORIGINS", "https://app.yourdomain.com"), resource: "app", found: "app.yourdomain.com" },
      { label: "JWT issuer at yourdomain.auth0.com", change: appSetting("JWT_ISSUER", "https://yourdomain.auth0.com/"), resource: "app", found: "yourdomain.auth0.com" },
      { label: "JWT audience host under .test", change: appSetting("JWT_AUDIENCE", "api.amplifier.test"), resource: "app", found: "api.amplifier.test" },
      { label: "localhost", change: setting("JWT_PUBLIC_KEY_URL", "http://localhost:8080/jwks.json"), resource: "app", found: "localhost" },
      { label: "CORS origin under .example", change: site((c) => (c.cors = { allowedOrigins: ["https://app.example"] })), resource: "app", found: "app.example" },
      { label: "alert webhook under .invalid", change: set("action-group", (i) => (i.webhookReceivers = [{ name: "hook", serviceUri: "https://hooks.invalid/x" }])), resource: "action-group" },
      { label: "slot settings with the placeholder", offAllowlist: SLOT_TYPES, change: slot((i) => i.siteConfig.appSettings.push({ name: "JWT_ISSUER", value: "https://yourdomain.auth0.com/" })), resource: "app-staging" },
    ],
  },
};
