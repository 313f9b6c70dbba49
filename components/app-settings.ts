/**
 * The API's App Service settings from config (pure, so tests can check them without a run). Secret settings are
 * not here: they are Key Vault references (components/key-vault.ts SECRET_SETTINGS, and secure `app.settings`
 * values), added by the AppService component. config/app-settings.ts PROGRAM_SETTINGS lists every name set here.
 */
import * as pulumi from "@pulumi/pulumi";
import type { AppConfig, AppServiceConfig, StackConfig, StorageConfig } from "../config/schema";
import { secretAware } from "../config/secrets";

export interface AppSettingsInput {
  environment: StackConfig["environment"];
  app: AppConfig;
  appService: AppServiceConfig;
  storage: StorageConfig;
  keyVaultName: string;
}

/** Tells the app to sign in to PostgreSQL with a Microsoft Entra token (its managed identity), not a password. */
export const DATABASE_AUTH_MODE_ENTRA = "entra";

const bool = (b: boolean) => (b ? "true" : "false");
/** Rates as the spec writes them (1.0, 0.1): pydantic reads either form, people read this one. */
const rate = (n: number) => (Number.isInteger(n) ? n.toFixed(1) : String(n));

/** Plain (non-secret) settings, named as the API's Settings class reads them (spec: .env.test / .env.production). */
export function appSettings({ environment, app, appService, storage, keyVaultName }: AppSettingsInput): Record<string, string> {
  const t = app.telemetry;
  const optional = (name: string, value: string | undefined) => (value === undefined ? {} : { [name]: value });
  return {
    ENVIRONMENT: environment,
    SERVICE_HOST: "0.0.0.0",
    SERVICE_PORT: String(appService.port),
    SERVICE_WORKERS: String(appService.workers),
    LOG_LEVEL: app.logLevel,
    DATABASE_POOL_MIN_SIZE: String(app.databasePoolMinSize),
    DATABASE_POOL_MAX_SIZE: String(app.databasePoolMaxSize),
    ALGORITHM: app.algorithm,
    ACCESS_TOKEN_EXPIRE_MINUTES: String(app.accessTokenExpireMinutes),
    ALLOWED_ORIGINS: app.allowedOrigins.join(","),
    SESSION_STORAGE_PATH: storage.mountPath,
    MAX_SESSION_AGE_DAYS: String(app.maxSessionAgeDays),
    RATE_LIMIT_REQUESTS_PER_MINUTE: String(app.rateLimitRequestsPerMinute),
    AUTH_MODE: app.authMode,
    AUTH_REQUIRED: bool(app.authRequired),
    API_KEY_HEADER: app.apiKeyHeader,
    JWT_ALGORITHM: app.jwt.algorithm,
    ...optional("JWT_PUBLIC_KEY_URL", app.jwt.publicKeyUrl),
    ...optional("JWT_ISSUER", app.jwt.issuer),
    ...optional("JWT_AUDIENCE", app.jwt.audience),
    TELEMETRY_ENABLED: bool(t.enabled),
    TELEMETRY_APP_ID: t.appId,
    TELEMETRY_ENVIRONMENT: environment,
    TELEMETRY_SAMPLE_RATE: rate(t.sampleRate),
    TELEMETRY_SAMPLE_RATE_ERRORS: rate(t.sampleRateErrors),
    TELEMETRY_SANITIZE_PII: bool(t.sanitizePii),
    TELEMETRY_TRUNCATE_LARGE_PAYLOADS: bool(t.truncateLargePayloads),
    TELEMETRY_MAX_PAYLOAD_SIZE: String(t.maxPayloadSize),
    TELEMETRY_FLUSH_INTERVAL_SECONDS: String(t.flushIntervalSeconds),
    TELEMETRY_ENABLE_DEV_LOGGER: bool(t.enableDevLogger),
    TELEMETRY_TRACK_REQUEST_HEADERS: bool(t.trackRequestHeaders),
    TELEMETRY_TRACK_RESPONSE_HEADERS: bool(t.trackResponseHeaders),
    TELEMETRY_TRACK_REQUEST_BODY: bool(t.trackRequestBody),
    TELEMETRY_TRACK_RESPONSE_BODY: bool(t.trackResponseBody),
    AZURE_KEYVAULT_NAME: keyVaultName,
    // DATABASE_URL names the app's own role and carries no password: the app fetches a Microsoft Entra token for
    // each new connection (docs/database-access.md, "The app's side").
    DATABASE_AUTH_MODE: DATABASE_AUTH_MODE_ENTRA,
    // App Service forwards requests to this port (its default for Python is 8000).
    WEBSITES_PORT: String(appService.port),
    // Oryx installs requirements.txt on deployment.
    SCM_DO_BUILD_DURING_DEPLOYMENT: "true",
  };
}

/** The start command: gunicorn with Uvicorn workers serving the API on the configured port. */
export function startCommand(appService: AppServiceConfig): string {
  return [
    "gunicorn",
    `--workers ${appService.workers}`,
    "--worker-class uvicorn.workers.UvicornWorker",
    `--bind 0.0.0.0:${appService.port}`,
    "--timeout 120",
    "amplifier_app_api.main:app",
  ].join(" ");
}

/**
 * `app.settings` split by what becomes of each: plain values are app settings as they are; a secret one (a path
 * Pulumi marks secret, config/secrets.ts) becomes a Key Vault secret, kept a secret Output on its way there.
 */
export function configuredSettings(settings: Readonly<Record<string, string>>, secretPaths: ReadonlySet<string>) {
  const plain: Record<string, string> = {};
  const secure: Record<string, pulumi.Input<string>> = {};
  for (const [name, value] of Object.entries(settings)) {
    const path = `app.settings.${name}`;
    if (secretPaths.has(path)) secure[name] = secretAware(secretPaths, path, value);
    else plain[name] = value;
  }
  return { plain, secure };
}
