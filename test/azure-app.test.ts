/**
 * The Azure application tier on the real stack files: Key Vault and its secrets, the App Service with its managed identity and
 * settings, session storage, telemetry, alerts and the data-loss guards, per Azure stack.
 */
import * as fs from "fs";
import * as path from "path";
import { PROJECT_DIR } from "../config/stack-files";
import { byType, MOCK_CLIENT_CONFIG, oneOfType, RegisteredResource, runStack, RunResult } from "../mock-runtime";
import { at, AZURE, NON_PRODUCTION, specStack, stackWith } from "./support/stacks";

/** The app's user-assigned identity (the database bootstrap has one of its own). */
const appIdentity = (result: RunResult): RegisteredResource => {
  const found = byType(result, "azure-native:managedidentity:UserAssignedIdentity").filter((r) => r.name === "app-identity");
  expect(found).toHaveLength(1);
  return found[0];
};

const T = {
  vault: "azure-native:keyvault:Vault",
  secret: "azure-native:keyvault:Secret",
  server: "azure-native:dbforpostgresql:Server",
  database: "azure-native:dbforpostgresql:Database",
  plan: "azure-native:web:AppServicePlan",
  webApp: "azure-native:web:WebApp",
  role: "azure-native:authorization:RoleAssignment",
  lock: "azure-native:authorization:ManagementLockByScope",
  alert: "azure-native:monitor:MetricAlert",
  actionGroup: "azure-native:monitor:ActionGroup",
  diagnostic: "azure-native:monitor:DiagnosticSetting",
  workspace: "azure-native:operationalinsights:Workspace",
  appInsights: "azure-native:applicationinsights:Component",
  account: "azure-native:storage:StorageAccount",
  share: "azure-native:storage:FileShare",
  mount: "azure-native:web:WebAppAzureStorageAccounts",
  identity: "azure-native:managedidentity:UserAssignedIdentity",
  jwt: "random:index/randomBytes:RandomBytes",
};

/** The spec's .env.test / .env.production tables (secrets excepted), plus what App Service itself needs. */
const SPEC_SETTINGS: Record<string, Record<string, string>> = {
  test: {
    ENVIRONMENT: "test",
    SERVICE_HOST: "0.0.0.0",
    SERVICE_PORT: "8765",
    SERVICE_WORKERS: "2",
    LOG_LEVEL: "info",
    DATABASE_POOL_MIN_SIZE: "5",
    DATABASE_POOL_MAX_SIZE: "10",
    ALGORITHM: "HS256",
    ACCESS_TOKEN_EXPIRE_MINUTES: "30",
    ALLOWED_ORIGINS: "https://test-api.azurewebsites.net",
    SESSION_STORAGE_PATH: "/mnt/sessions",
    MAX_SESSION_AGE_DAYS: "14",
    RATE_LIMIT_REQUESTS_PER_MINUTE: "100",
    AUTH_MODE: "api_key_jwt",
    AUTH_REQUIRED: "true",
    API_KEY_HEADER: "X-API-Key",
    JWT_ALGORITHM: "RS256",
    TELEMETRY_ENABLED: "true",
    TELEMETRY_APP_ID: "amplifier-app-api",
    TELEMETRY_ENVIRONMENT: "test",
    TELEMETRY_SAMPLE_RATE: "1.0",
    TELEMETRY_SAMPLE_RATE_ERRORS: "1.0",
    TELEMETRY_SANITIZE_PII: "true",
    TELEMETRY_TRUNCATE_LARGE_PAYLOADS: "true",
    TELEMETRY_MAX_PAYLOAD_SIZE: "10000",
    TELEMETRY_FLUSH_INTERVAL_SECONDS: "10",
    TELEMETRY_ENABLE_DEV_LOGGER: "false",
    TELEMETRY_TRACK_REQUEST_HEADERS: "false",
    TELEMETRY_TRACK_RESPONSE_HEADERS: "false",
    TELEMETRY_TRACK_REQUEST_BODY: "false",
    TELEMETRY_TRACK_RESPONSE_BODY: "false",
    AZURE_KEYVAULT_NAME: "kv-amplifier-test",
    // Not the spec's: DATABASE_URL names the app's role and has no password; the app fetches an Entra token.
    DATABASE_AUTH_MODE: "entra",
    WEBSITES_PORT: "8765",
    SCM_DO_BUILD_DURING_DEPLOYMENT: "true",
  },
  prod: {
    ENVIRONMENT: "production",
    SERVICE_HOST: "0.0.0.0",
    SERVICE_PORT: "8000",
    SERVICE_WORKERS: "4",
    LOG_LEVEL: "warning",
    DATABASE_POOL_MIN_SIZE: "10",
    DATABASE_POOL_MAX_SIZE: "30",
    ALGORITHM: "HS256",
    ACCESS_TOKEN_EXPIRE_MINUTES: "30",
    ALLOWED_ORIGINS: "https://app.yourdomain.com,https://www.yourdomain.com",
    SESSION_STORAGE_PATH: "/mnt/sessions",
    MAX_SESSION_AGE_DAYS: "90",
    RATE_LIMIT_REQUESTS_PER_MINUTE: "60",
    AUTH_MODE: "api_key_jwt",
    AUTH_REQUIRED: "true",
    API_KEY_HEADER: "X-API-Key",
    JWT_ALGORITHM: "RS256",
    JWT_PUBLIC_KEY_URL: "https://yourdomain.auth0.com/.well-known/jwks.json",
    JWT_ISSUER: "https://yourdomain.auth0.com/",
    JWT_AUDIENCE: "https://api.yourdomain.com",
    TELEMETRY_ENABLED: "true",
    TELEMETRY_APP_ID: "amplifier-app-api",
    TELEMETRY_ENVIRONMENT: "production",
    TELEMETRY_SAMPLE_RATE: "0.1",
    TELEMETRY_SAMPLE_RATE_ERRORS: "1.0",
    TELEMETRY_SANITIZE_PII: "true",
    TELEMETRY_TRUNCATE_LARGE_PAYLOADS: "true",
    TELEMETRY_MAX_PAYLOAD_SIZE: "5000",
    TELEMETRY_FLUSH_INTERVAL_SECONDS: "30",
    TELEMETRY_ENABLE_DEV_LOGGER: "false",
    TELEMETRY_TRACK_REQUEST_HEADERS: "false",
    TELEMETRY_TRACK_RESPONSE_HEADERS: "false",
    TELEMETRY_TRACK_REQUEST_BODY: "false",
    TELEMETRY_TRACK_RESPONSE_BODY: "false",
    AZURE_KEYVAULT_NAME: "kv-amplifier-prod",
    // Not the spec's: DATABASE_URL names the app's role and has no password; the app fetches an Entra token.
    DATABASE_AUTH_MODE: "entra",
    WEBSITES_PORT: "8000",
    SCM_DO_BUILD_DURING_DEPLOYMENT: "true",
  },
};

const SECRET_SETTINGS = {
  DATABASE_URL: "postgresql-connection-string",
  SECRET_KEY: "jwt-secret-key",
  SECRET_KEY_FALLBACKS: "jwt-secret-key-fallbacks",
  TELEMETRY_APP_INSIGHTS_CONNECTION_STRING: "app-insights-connection-string",
};

/** Whether the resource's Args in the installed azure-native typings accept `tags` (what "taggable" means). */
function taggable(type: string): boolean {
  const [, module, typeName] = type.split(":");
  const file = path.join(PROJECT_DIR, "node_modules/@pulumi/azure-native", module, `${typeName[0].toLowerCase()}${typeName.slice(1)}.d.ts`);
  const text = fs.readFileSync(file, "utf8");
  const args = text.slice(text.indexOf(`export interface ${typeName}Args {`));
  return /\n {4}tags\?:/.test(args.slice(0, args.indexOf("\n}")));
}

function settingsOf(webApp: RegisteredResource): Record<string, string> {
  return Object.fromEntries((webApp.inputs.siteConfig.appSettings as { name: string; value: string }[]).map((s) => [s.name, s.value]));
}

function secretNamed(result: RunResult, name: string): RegisteredResource {
  const found = byType(result, T.secret).find((s) => s.inputs.secretName === name);
  if (!found) throw new Error(`no secret ${name}`);
  return found;
}

describe.each([
  {
    stack: "test" as const,
    environment: "test",
    vault: "kv-amplifier-test",
    purgeProtection: undefined,
    retention: 7,
    app: "amplifier-api-test",
    plan: { name: "B1", tier: "Basic", capacity: 1 },
    zoneRedundant: false,
    command: "gunicorn --workers 2 --worker-class uvicorn.workers.UvicornWorker --bind 0.0.0.0:8765 --timeout 120 amplifier_app_api.main:app",
    storageSku: "Standard_LRS",
    logRetention: 30,
    guarded: false,
  },
  {
    stack: "prod" as const,
    environment: "production",
    vault: "kv-amplifier-prod",
    purgeProtection: true,
    retention: 90,
    app: "amplifier-api-prod",
    plan: { name: "P1v2", tier: "PremiumV2", capacity: 2 },
    zoneRedundant: true,
    command: "gunicorn --workers 4 --worker-class uvicorn.workers.UvicornWorker --bind 0.0.0.0:8000 --timeout 120 amplifier_app_api.main:app",
    storageSku: "Standard_ZRS",
    logRetention: 90,
    guarded: true,
  },
])("$stack: Key Vault, App Service, monitoring", (spec) => {
  let result: RunResult;
  let vault: RegisteredResource;
  let webApp: RegisteredResource;
  beforeAll(async () => {
    result = await runStack(at(specStack(spec.stack)));
    vault = oneOfType(result, T.vault);
    webApp = oneOfType(result, T.webApp);
  });

  test("vault: name, tenant from client config, RBAC, explicit soft delete, purge protection from config", () => {
    expect(vault.inputs.vaultName).toBe(spec.vault);
    const p = vault.inputs.properties;
    expect(p.tenantId).toBe("00000000-0000-0000-0000-0000000000a1");
    expect(p.enableRbacAuthorization).toBe(true);
    expect(p.accessPolicies ?? []).toEqual([]);
    expect(p.enableSoftDelete).toBe(true);
    expect(p.softDeleteRetentionInDays).toBe(spec.retention);
    // Azure rejects `false`: off means the property is absent.
    expect("enablePurgeProtection" in p).toBe(spec.purgeProtection !== undefined);
    expect(p.enablePurgeProtection).toBe(spec.purgeProtection);
  });

  test("the spec's three secrets and the previous JWT key, with content types, values only as secret inputs", () => {
    const secrets = byType(result, T.secret);
    expect(secrets.map((s) => s.inputs.secretName).sort()).toEqual(Object.values(SECRET_SETTINGS).sort());
    for (const s of secrets) {
      expect(s.inputs.vaultName).toBe(spec.vault);
      expect(s.inputs.properties.contentType).toMatch(/\S/);
      expect(s.inputs.properties.value).toMatch(/\S/);
      expect(s.secretInputs).toEqual(["properties.value"]);
      expect(s.state.properties.value).toBeUndefined();
    }
  });

  test("postgresql-connection-string is the database tier's DATABASE_URL", () => {
    expect(secretNamed(result, "postgresql-connection-string").inputs.properties.value).toBe(result.outputs.DATABASE_URL);
  });

  test("jwt-secret-key and jwt-secret-key-fallbacks: two slots of >= 32 random bytes as hex, kept secret; generation 1 in slot 1", () => {
    const slots = byType(result, T.jwt);
    expect(slots.map((s) => s.name).sort()).toEqual(["key-vault-jwt-secret-key-slot-0", "key-vault-jwt-secret-key-slot-1"]);
    for (const slot of slots) {
      expect(slot.inputs.length).toBeGreaterThanOrEqual(32);
      expect(slot.options.additionalSecretOutputs).toContain("hex");
    }
    const [slot0, slot1] = slots.sort((a, b) => a.name.localeCompare(b.name));
    const current = secretNamed(result, "jwt-secret-key").inputs.properties.value as string;
    expect(current).toMatch(/^[0-9a-f]+$/);
    expect(current).toHaveLength(slot1.inputs.length * 2);
    // Generation 1 (the default): the current key is slot 1, the key stacks had before rotation existed, under its
    // old name and with no keepers, so upgrading replaces nothing and logs no one out.
    expect(current).toBe(slot1.state.hex);
    expect(slot1.options.aliases).toEqual(["key-vault-jwt-secret-key"]);
    expect(slot1.inputs.keepers).toBeUndefined();
    expect(secretNamed(result, "jwt-secret-key-fallbacks").inputs.properties.value).toBe(slot0.state.hex);
    expect(slot0.state.hex).not.toBe(slot1.state.hex);
  });

  test("app-insights-connection-string comes from the workspace-based Application Insights", () => {
    const ai = oneOfType(result, T.appInsights);
    const workspace = oneOfType(result, T.workspace);
    expect(ai.inputs).toMatchObject({ kind: "web", applicationType: "web", ingestionMode: "LogAnalytics", workspaceResourceId: workspace.state.id });
    expect(ai.options.additionalSecretOutputs).toEqual(expect.arrayContaining(["connectionString", "instrumentationKey"]));
    expect(secretNamed(result, "app-insights-connection-string").inputs.properties.value).toBe(ai.state.connectionString);
    expect(workspace.inputs.retentionInDays).toBe(spec.logRetention);
  });

  test("the web app's identity gets Key Vault Secrets User on each secret it references, never on the whole vault", () => {
    const roles = byType(result, T.role).filter((r) => r.inputs.principalId === appIdentity(result).state.principalId);
    expect(roles.map((r) => r.inputs.scope).sort()).toEqual(Object.values(SECRET_SETTINGS).map((name) => `${vault.state.id}/secrets/${name}`).sort());
    for (const role of roles) {
      expect(role.inputs.principalType).toBe("ServicePrincipal");
      expect(role.inputs.roleDefinitionId).toBe(
        `/subscriptions/${MOCK_CLIENT_CONFIG.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/4633458b-17de-408a-b874-0445c86b69e6`,
      );
      // Assigned once its secret exists.
      const name = String(role.inputs.scope).split("/").pop();
      expect(role.dependencies).toContain(secretNamed(result, name!).urn);
    }
    // No other grant on the vault or any of its secrets, to anyone.
    const onVault = byType(result, T.role).filter((r) => String(r.inputs.scope).startsWith(vault.state.id));
    expect(onVault).toEqual(roles);
  });

  test("Linux plan and web app from config", () => {
    const plan = oneOfType(result, T.plan);
    expect(plan.inputs).toMatchObject({ name: `asp-amplifier-${spec.stack}`, kind: "linux", reserved: true, sku: spec.plan, zoneRedundant: spec.zoneRedundant });
    expect(webApp.inputs).toMatchObject({ name: spec.app, serverFarmId: plan.state.id, kind: "app,linux", reserved: true });
    expect(webApp.inputs.siteConfig).toMatchObject({ linuxFxVersion: "PYTHON|3.12", appCommandLine: spec.command, healthCheckPath: "/health" });
  });

  test("hardened: managed identity, HTTPS only, TLS 1.2, no FTP or basic-auth publishing, HTTP/2, always-on", () => {
    expect(webApp.inputs.identity).toEqual({ type: "UserAssigned", userAssignedIdentities: [appIdentity(result).state.id] });
    expect(webApp.inputs.httpsOnly).toBe(true);
    expect(webApp.inputs.siteConfig).toMatchObject({
      minTlsVersion: "1.2",
      scmMinTlsVersion: "1.2",
      ftpsState: "Disabled",
      http20Enabled: true,
      alwaysOn: true,
      remoteDebuggingEnabled: false,
    });
    for (const type of ["azure-native:web:WebAppFtpAllowed", "azure-native:web:WebAppScmAllowed"]) {
      expect(oneOfType(result, type).inputs).toMatchObject({ name: spec.app, allow: false });
    }
  });

  test("app settings: the spec's table for this environment, secrets as Key Vault references", () => {
    const settings = settingsOf(webApp);
    const refs = Object.fromEntries(
      Object.entries(SECRET_SETTINGS).map(([setting, secret]) => [
        setting,
        `@Microsoft.KeyVault(SecretUri=${secretNamed(result, secret).state.properties.secretUri})`,
      ]),
    );
    // AZURE_CLIENT_ID: the identity the app's Azure SDK signs in as (the one that may read the vault).
    // KEY_VAULT_REFERENCES_DIGEST: changes with a referenced secret's version (test/secret-rotation.test.ts).
    expect(settings).toEqual({
      ...SPEC_SETTINGS[spec.stack],
      AZURE_CLIENT_ID: appIdentity(result).state.clientId,
      ...refs,
      KEY_VAULT_REFERENCES_DIGEST: expect.stringMatching(/^[0-9a-f]{32}$/),
    });
    expect(refs.DATABASE_URL).toBe(`@Microsoft.KeyVault(SecretUri=https://${spec.vault}.vault.azure.net/secrets/postgresql-connection-string)`);
  });

  test("no app setting (and no plain output) holds a secret value", () => {
    const secretValues = [
      oneOfType(result, T.server).inputs.administratorLoginPassword,
      ...byType(result, T.jwt).map((k) => k.state.hex),
      oneOfType(result, T.appInsights).state.connectionString,
      oneOfType(result, T.appInsights).state.instrumentationKey,
      oneOfType(result, T.mount).inputs.properties.sessions.accessKey,
      ...byType(result, T.secret).map((s) => s.inputs.properties.value),
    ] as string[];
    expect(secretValues.every((v) => typeof v === "string" && v.length >= 16)).toBe(true);
    const plain = [
      ...Object.values(settingsOf(webApp)),
      ...Object.entries(result.outputs).filter(([k]) => !result.secretOutputs.includes(k)).map(([, v]) => JSON.stringify(v)),
    ];
    for (const value of plain) for (const secret of secretValues) expect(value.includes(secret)).toBe(false);
    expect(webApp.secretInputs).toEqual([]);
  });

  test("sessions: hardened storage account, Azure Files share mounted at /mnt/sessions with a secret key", () => {
    const account = oneOfType(result, T.account);
    expect(account.inputs).toMatchObject({
      accountName: `stamplifier${spec.stack}`,
      sku: { name: spec.storageSku },
      minimumTlsVersion: "TLS1_2",
      enableHttpsTrafficOnly: true,
      allowBlobPublicAccess: false,
    });
    const share = oneOfType(result, T.share);
    expect(share.inputs).toMatchObject({ shareName: "sessions", accountName: account.inputs.accountName });
    const mount = oneOfType(result, T.mount);
    expect(mount.inputs.name).toBe(spec.app);
    expect(mount.inputs.properties).toEqual({
      sessions: {
        type: "AzureFiles",
        protocol: "Smb",
        accountName: account.inputs.accountName,
        shareName: "sessions",
        mountPath: "/mnt/sessions",
        accessKey: expect.stringMatching(/\S{40,}/),
      },
    });
    expect(mount.secretInputs).toEqual(["properties.sessions.accessKey"]);
  });

  test("the share is mounted after the role grants, so the restart resolves the Key Vault references", () => {
    const mount = oneOfType(result, T.mount);
    for (const role of byType(result, T.role)) expect(mount.dependencies).toContain(role.urn);
  });

  test("alerts: database CPU and storage on the server, 5xx on the web app, all to the action group", () => {
    const server = oneOfType(result, T.server);
    const group = oneOfType(result, T.actionGroup);
    expect(group.inputs.emailReceivers).toEqual([
      { name: "email-1", emailAddress: "platform-alerts@yourdomain.com", useCommonAlertSchema: true },
    ]);
    const alerts = byType(result, T.alert).map((a) => ({
      scopes: a.inputs.scopes,
      metric: a.inputs.criteria.allOf[0].metricName,
      namespace: a.inputs.criteria.allOf[0].metricNamespace,
      threshold: a.inputs.criteria.allOf[0].threshold,
      actions: a.inputs.actions,
    }));
    const actions = [{ actionGroupId: group.state.id }];
    expect(alerts).toEqual(
      expect.arrayContaining([
        { scopes: [server.state.id], metric: "cpu_percent", namespace: "Microsoft.DBforPostgreSQL/flexibleServers", threshold: 80, actions },
        { scopes: [server.state.id], metric: "storage_percent", namespace: "Microsoft.DBforPostgreSQL/flexibleServers", threshold: 85, actions },
        { scopes: [webApp.state.id], metric: "Http5xx", namespace: "Microsoft.Web/sites", threshold: 10, actions },
      ]),
    );
    expect(alerts).toHaveLength(3);
  });

  test("diagnostic settings send database, vault, web app and sessions-share logs to the workspace", () => {
    const workspace = oneOfType(result, T.workspace);
    const targets = byType(result, T.diagnostic).map((d) => {
      expect(d.inputs.workspaceId).toBe(workspace.state.id);
      expect(d.inputs.logs).toEqual([{ categoryGroup: "allLogs", enabled: true }]);
      return d.inputs.resourceUri;
    });
    // Storage logs are on the account's file service (the share's reads, writes, deletes), not the account.
    const files = `${oneOfType(result, T.account).state.id}/fileServices/default`;
    expect(targets.sort()).toEqual([oneOfType(result, T.server).state.id, vault.state.id, webApp.state.id, files].sort());
    const fileSetting = byType(result, T.diagnostic).find((d) => d.inputs.resourceUri === files)!;
    expect(fileSetting.inputs.metrics).toEqual([{ category: "Transaction", enabled: true }]);
  });

  test(`data-loss guards: protect ${spec.guarded ? "on" : "off"} for every data-bearing resource, CanNotDelete locks for server and vault`, () => {
    for (const type of [T.server, T.database, T.vault, T.account, T.share]) expect([type, oneOfType(result, type).options.protect]).toEqual([type, spec.guarded]);
    const locks = byType(result, T.lock);
    if (spec.guarded) {
      expect(locks.map((l) => l.inputs.scope).sort()).toEqual([oneOfType(result, T.server).state.id, vault.state.id].sort());
      for (const lock of locks) expect(lock.inputs.level).toBe("CanNotDelete");
    } else {
      expect(locks).toEqual([]);
    }
  });

  test("everything taggable carries the stack's tags", () => {
    const tags = { environment: spec.environment, "managed-by": "amplifier", "cost-center": "engineering" };
    const azure = result.resources.filter((r) => r.custom && r.type.startsWith("azure-native:"));
    const tagged = azure.filter((r) => taggable(r.type));
    expect(tagged.length).toBeGreaterThanOrEqual(12);
    for (const r of tagged) expect({ resource: r.name, tags: r.inputs.tags }).toEqual({ resource: r.name, tags });
    // The check can tell: role assignments take no tags, vaults do.
    expect(taggable(T.role)).toBe(false);
    expect(taggable(T.vault)).toBe(true);
  });

  test("outputs: web app URL and principal id, vault name and URI (none of them secret)", () => {
    expect(result.outputs).toMatchObject({
      webAppUrl: `https://${spec.app}.azurewebsites.net`,
      webAppName: spec.app,
      webAppPrincipalId: appIdentity(result).state.principalId,
      keyVaultName: spec.vault,
      keyVaultUri: `https://${spec.vault}.vault.azure.net/`,
    });
    expect([...result.secretOutputs].sort()).toEqual(["DATABASE_URL", "databaseAdminPassword"]);
  });
});

describe("always-on follows the plan tier", () => {
  test("a Free plan runs without always-on (the tier does not offer it)", async () => {
    const result = await runStack({ ...at(stackWith(NON_PRODUCTION)), overrides: { appService: { planSku: "F1" } } });
    expect(oneOfType(result, T.plan).inputs.sku).toMatchObject({ name: "F1", tier: "Free" });
    expect(oneOfType(result, T.webApp).inputs.siteConfig.alwaysOn).toBe(false);
  });
});

describe("a longer JWT key when configured", () => {
  test("jwtSecretBytes: 64 gives 128 hex characters", async () => {
    const result = await runStack({ ...at(stackWith(AZURE)), overrides: { keyVault: { jwtSecretBytes: 64 } } });
    expect(secretNamed(result, "jwt-secret-key").inputs.properties.value).toMatch(/^[0-9a-f]{128}$/);
  });
});
