/**
 * App settings by config: `app.settings` (Azure) and dev's `docker.api.settings`, `NAME: value` without code. What a
 * name may be, which names the program or the platform owns, and which values must be `secure:`.
 */
import { z } from "zod";
import { hasSecretValue, isSecretSettingName } from "../policy/rules/app-settings";
import type { Problem } from "./errors";

/** Setting names: upper-case identifiers (the API's Settings class reads environment variables case-insensitively). */
const SETTING_NAME = /^[A-Z][A-Z0-9_]*$/;
/**
 * A secure setting's Key Vault secret is `app-setting-<name>`; Key Vault object names are 1-127 characters (Microsoft
 * Learn, "About Azure Key Vault secrets": secret names), so a name has at most 127 - 12 characters.
 */
export const SETTING_SECRET_PREFIX = "app-setting-";
const MAX_SETTING_NAME = 127 - SETTING_SECRET_PREFIX.length;
const SETTING_NAME_RULE = `an upper-case identifier such as FEATURE_FLAGS (A-Z, 0-9 and _, starting with a letter; at most ${MAX_SETTING_NAME} characters)`;

/** `NAME: value` settings; names are checked by `settingProblems` (zod's own key error would quote the value). */
export function settingsRecord(description: string) {
  return z
    .record(z.string().meta({ rule: SETTING_NAME_RULE }), z.string({ error: 'must be a string (quote numbers and booleans in YAML: "30", "true")' }))
    .default({})
    .describe(description);
}

/** The Key Vault secret that holds a secure `app.settings` value. */
export function settingSecretName(setting: string): string {
  return `${SETTING_SECRET_PREFIX}${setting.toLowerCase().replace(/_/g, "-")}`;
}

/**
 * Every app setting the program sets on the web app (components/app-settings.ts, components/app-service.ts), with
 * where its value comes from: `app.settings` may not set one too (two values for one name, one silently winning).
 * A test runs every Azure stack and fails when the program sets a name missing here.
 */
export const PROGRAM_SETTINGS: Readonly<Record<string, string>> = {
  ENVIRONMENT: "from environment",
  SERVICE_HOST: "always 0.0.0.0",
  SERVICE_PORT: "from appService.port",
  SERVICE_WORKERS: "from appService.workers",
  LOG_LEVEL: "from app.logLevel",
  DATABASE_POOL_MIN_SIZE: "from app.databasePoolMinSize",
  DATABASE_POOL_MAX_SIZE: "from app.databasePoolMaxSize",
  ALGORITHM: "from app.algorithm",
  ACCESS_TOKEN_EXPIRE_MINUTES: "from app.accessTokenExpireMinutes",
  ALLOWED_ORIGINS: "from app.allowedOrigins",
  SESSION_STORAGE_PATH: "from storage.mountPath",
  MAX_SESSION_AGE_DAYS: "from app.maxSessionAgeDays",
  RATE_LIMIT_REQUESTS_PER_MINUTE: "from app.rateLimitRequestsPerMinute",
  AUTH_MODE: "from app.authMode",
  AUTH_REQUIRED: "from app.authRequired",
  API_KEY_HEADER: "from app.apiKeyHeader",
  JWT_ALGORITHM: "from app.jwt.algorithm",
  JWT_PUBLIC_KEY_URL: "from app.jwt.publicKeyUrl",
  JWT_ISSUER: "from app.jwt.issuer",
  JWT_AUDIENCE: "from app.jwt.audience",
  TELEMETRY_ENABLED: "from app.telemetry.enabled",
  TELEMETRY_APP_ID: "from app.telemetry.appId",
  TELEMETRY_ENVIRONMENT: "from environment",
  TELEMETRY_SAMPLE_RATE: "from app.telemetry.sampleRate",
  TELEMETRY_SAMPLE_RATE_ERRORS: "from app.telemetry.sampleRateErrors",
  TELEMETRY_SANITIZE_PII: "from app.telemetry.sanitizePii",
  TELEMETRY_TRUNCATE_LARGE_PAYLOADS: "from app.telemetry.truncateLargePayloads",
  TELEMETRY_MAX_PAYLOAD_SIZE: "from app.telemetry.maxPayloadSize",
  TELEMETRY_FLUSH_INTERVAL_SECONDS: "from app.telemetry.flushIntervalSeconds",
  TELEMETRY_ENABLE_DEV_LOGGER: "from app.telemetry.enableDevLogger",
  TELEMETRY_TRACK_REQUEST_HEADERS: "from app.telemetry.trackRequestHeaders",
  TELEMETRY_TRACK_RESPONSE_HEADERS: "from app.telemetry.trackResponseHeaders",
  TELEMETRY_TRACK_REQUEST_BODY: "from app.telemetry.trackRequestBody",
  TELEMETRY_TRACK_RESPONSE_BODY: "from app.telemetry.trackResponseBody",
  AZURE_KEYVAULT_NAME: "from keyVault.name",
  WEBSITES_PORT: "from appService.port",
  SCM_DO_BUILD_DURING_DEPLOYMENT: "always true",
  AZURE_CLIENT_ID: "the app's user-assigned identity",
  DATABASE_URL: "a Key Vault reference to the database tier's URL",
  DATABASE_AUTH_MODE: "always entra: the app signs in to the database with its identity's token",
  SECRET_KEY: "a Key Vault reference to the current JWT key (rotate with keyVault.secretKeyGeneration)",
  SECRET_KEY_FALLBACKS: "a Key Vault reference to the previous JWT key (rotate with keyVault.secretKeyGeneration)",
  TELEMETRY_APP_INSIGHTS_CONNECTION_STRING: "a Key Vault reference to Application Insights' connection string",
  KEY_VAULT_REFERENCES_DIGEST: "a digest of the referenced secrets' versions, so a new version reaches the app at once",
};

/** What the program sets on dev's API container (components/local-postgres.ts). */
export const DOCKER_PROGRAM_SETTINGS: Readonly<Record<string, string>> = {
  ENVIRONMENT: "from environment",
  DATABASE_URL: "the local database's URL (docker.user, docker.password, docker.database)",
};

/**
 * Names `app.settings` may not set on Azure although the program does not: each would change the platform, how the
 * app signs in to Azure, what code runs or whom it trusts, rather than the app's own behaviour.
 *  - App Service's own settings (Microsoft Learn, "Environment variables and app settings in Azure App Service"):
 *    `WEBSITE_*`, `WEBSITES_*`, `SCM_*`, `APPSETTING_*` (the prefix App Service adds to every setting), `APPSVC_*`.
 *  - The variables azure-identity reads (Azure/azure-sdk-for-python sdk/identity/azure-identity/azure/identity/
 *    _constants.py, EnvironmentVariables): a client secret, another tenant or token file would make the app's
 *    DefaultAzureCredential sign in as someone other than its managed identity; IDENTITY_ENDPOINT/MSI_* redirect the
 *    managed-identity token request itself.
 *  - The process's code and trust: PATH, LD_PRELOAD/LD_LIBRARY_PATH (ld.so(8)), PYTHONPATH/PYTHONHOME/PYTHONSTARTUP
 *    (Python docs, "Command line and environment"), proxies and CA bundles (HTTP_PROXY..., REQUESTS_CA_BUNDLE,
 *    SSL_CERT_FILE/DIR, CURL_CA_BUNDLE), which would route or trust the app's TLS traffic elsewhere.
 */
const RESERVED_PREFIXES: Readonly<Record<string, string>> = {
  WEBSITE_: "App Service's own",
  WEBSITES_: "App Service's own",
  SCM_: "App Service's own (deployment)",
  APPSETTING_: "App Service's own (the prefix it adds to every setting)",
  APPSVC_: "App Service's own",
  AZURE_CLIENT_: "read by the Azure SDK's DefaultAzureCredential (it would sign in as someone other than the app's identity)",
  LD_: "read by the dynamic loader (it changes what code runs)",
  // Build automation: SCM_DO_BUILD_DURING_DEPLOYMENT=true makes Oryx build the app on deploy and run these hooks as
  // shell commands (Microsoft Learn, "Configure a Linux Python app for Azure App Service", Customize build automation:
  // PRE_BUILD_COMMAND, POST_BUILD_COMMAND; microsoft/Oryx doc/configuration.md: ENABLE_ORYX_BUILD, ORYX_*).
  PRE_BUILD_: "a build hook Oryx runs as a shell command on deploy (it changes what code runs)",
  POST_BUILD_: "a build hook Oryx runs as a shell command on deploy (it changes what code runs)",
  ORYX_: "an Oryx build setting (it changes how the deployed code is built)",
  // pip reads every option from PIP_<OPTION> (pip docs, "Configuration", Environment Variables): PIP_INDEX_URL and
  // PIP_EXTRA_INDEX_URL would install the app's dependencies from another index during Oryx's build.
  PIP_: "read by pip during the build (another package index changes what code runs)",
  // Every variable the interpreter reads starts with PYTHON (Python docs, "Command line and environment").
  PYTHON: "read by the shell or the Python interpreter (it changes what code runs or how)",
  // GUNICORN_CMD_ARGS adds command-line options to the app's server (Gunicorn docs, "Settings"); uvicorn reads
  // UVICORN_* the same way (uvicorn docs, "Settings").
  GUNICORN_: "read by the app's server as extra options (it changes what runs)",
  UVICORN_: "read by the app's server as extra options (it changes what runs)",
  // DOCKER_REGISTRY_SERVER_URL/USERNAME/PASSWORD, DOCKER_CUSTOM_IMAGE_NAME: where App Service pulls a container from
  // (Microsoft Learn, "Configure a custom container for Azure App Service").
  DOCKER_: "an App Service container registry setting (it changes what image runs)",
};
const RESERVED_NAMES: Readonly<Record<string, string>> = {
  ...Object.fromEntries(
    ["AZURE_TENANT_ID", "AZURE_USERNAME", "AZURE_PASSWORD", "AZURE_AUTHORITY_HOST", "AZURE_FEDERATED_TOKEN_FILE", "AZURE_TOKEN_CREDENTIALS",
      "AZURE_REGIONAL_AUTHORITY_NAME", "AZURE_IDENTITY_DISABLE_MULTITENANTAUTH", "AZURE_ADDITIONALLY_ALLOWED_TENANTS", "AZURE_POD_IDENTITY_AUTHORITY_HOST"]
      .map((n) => [n, "read by the Azure SDK's DefaultAzureCredential (it would sign in as someone other than the app's identity)"]),
  ),
  ...Object.fromEntries(
    ["IDENTITY_ENDPOINT", "IDENTITY_HEADER", "IDENTITY_SERVER_THUMBPRINT", "IMDS_ENDPOINT", "MSI_ENDPOINT", "MSI_SECRET"].map((n) => [
      n,
      "where the managed identity's tokens come from (App Service sets it)",
    ]),
  ),
  PATH: "read by the shell (it changes what code runs)",
  ...Object.fromEntries(
    ["ENABLE_ORYX_BUILD", "CUSTOM_BUILD_COMMAND", "DISABLE_COLLECTSTATIC"].map((n) => [n, "an Oryx build setting (it changes how the deployed code is built)"]),
  ),
  HOME: "set by the platform",
  ...Object.fromEntries(
    ["HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY", "REQUESTS_CA_BUNDLE", "SSL_CERT_FILE", "SSL_CERT_DIR", "CURL_CA_BUNDLE"].map((n) => [
      n,
      "a proxy or CA setting (it routes or changes the trust of the app's TLS traffic)",
    ]),
  ),
};

/** Why `name` is not the stack file's to set on Azure, or undefined. */
export function reservedSetting(name: string): string | undefined {
  if (RESERVED_NAMES[name]) return RESERVED_NAMES[name];
  const prefix = Object.keys(RESERVED_PREFIXES).find((p) => name.startsWith(p));
  return prefix && RESERVED_PREFIXES[prefix];
}

interface SettingsInput {
  platform: "docker" | "azure";
  app?: { settings: Record<string, string> };
  docker?: { api?: { settings: Record<string, string> } };
}

/**
 * Problems with `app.settings` (Azure) and `docker.api.settings` (dev), never quoting a value: names, names the
 * program or the platform owns, and (Azure) a credential-looking value that is not `secure:`, which would sit in
 * plain text in the stack file, the state and the site's configuration. `secretPaths`: config/secrets.ts.
 */
export function settingProblems(cfg: SettingsInput, secretPaths: ReadonlySet<string>): Problem[] {
  const azure = cfg.platform === "azure";
  const [block, settings, owned] = azure
    ? (["app.settings", cfg.app?.settings ?? {}, PROGRAM_SETTINGS] as const)
    : (["docker.api.settings", cfg.docker?.api?.settings ?? {}, DOCKER_PROGRAM_SETTINGS] as const);
  return Object.entries(settings).flatMap(([name, value]): Problem[] => {
    const at = `${block}.${name}`;
    const path = [...block.split("."), name];
    const problem = (text: string) => [{ path, text: `${at}: ${text}` }];
    if (!SETTING_NAME.test(name) || name.length > MAX_SETTING_NAME) return problem(`the name must be ${SETTING_NAME_RULE}`);
    if (owned[name]) return problem(`the program sets ${name} (${owned[name]}); remove it here`);
    if (!azure) return [];
    const reserved = reservedSetting(name);
    if (reserved) return problem(`${name} is ${reserved}; app.settings may not set it`);
    if (!secretPaths.has(at) && (isSecretSettingName(name) || hasSecretValue(value))) {
      return problem(
        `${isSecretSettingName(name) ? "the name says it holds a secret" : "the value contains a credential"} (value not shown), but it is plain text in the stack file; ` +
          `make it a secure: value (pulumi config set --secret --path '${at}' <value>), which becomes a Key Vault secret`,
      );
    }
    return [];
  });
}
