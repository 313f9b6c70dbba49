/**
 * Production's app settings, as an allowlist: a name is accepted when this code names it, never because it is missing
 * from a list of dangerous ones (App Service, the runtime, the build and the SDKs read more names than any denylist
 * keeps up with: Microsoft Learn, "Environment variables and app settings in Azure App Service").
 *
 * The rule: in production a site's app setting is one the program sets (PROGRAM_SET_NAMES, kept equal to
 * config/settings.ts PROGRAM_SETTINGS by a test) or one the stack file may set (STACK_FILE_SETTINGS: settings the
 * API's Settings class reads that the program leaves to the stack file). A new one is a line here, reviewed by the code
 * owners; config/production.ts refuses any other `app.settings` name in a production stack file.
 */
import { fail, type Rule, T } from "../model";
import { settingsOf } from "./app-settings";

/** Names the stack file's `app.settings` may set in production -> where the app reads it. */
export const STACK_FILE_SETTINGS: Readonly<Record<string, string>> = {
  // The spec's Settings class (get_api_keys): the model providers' keys, secure values (Key Vault references).
  ANTHROPIC_API_KEY: "the API's Settings.anthropic_api_key",
  OPENAI_API_KEY: "the API's Settings.openai_api_key",
  AZURE_OPENAI_API_KEY: "the API's Settings.azure_openai_api_key",
  GOOGLE_API_KEY: "the API's Settings.google_api_key",
};

/** Every name the program sets on the web app (config/settings.ts PROGRAM_SETTINGS; a test keeps them equal). */
export const PROGRAM_SET_NAMES: readonly string[] = [
  "ENVIRONMENT", "SERVICE_HOST", "SERVICE_PORT", "SERVICE_WORKERS", "LOG_LEVEL", "DATABASE_POOL_MIN_SIZE", "DATABASE_POOL_MAX_SIZE",
  "ALGORITHM", "ACCESS_TOKEN_EXPIRE_MINUTES", "ALLOWED_ORIGINS", "SESSION_STORAGE_PATH", "MAX_SESSION_AGE_DAYS",
  "RATE_LIMIT_REQUESTS_PER_MINUTE", "AUTH_MODE", "AUTH_REQUIRED", "API_KEY_HEADER", "JWT_ALGORITHM", "JWT_PUBLIC_KEY_URL", "JWT_ISSUER",
  "JWT_AUDIENCE", "TELEMETRY_ENABLED", "TELEMETRY_APP_ID", "TELEMETRY_ENVIRONMENT", "TELEMETRY_SAMPLE_RATE", "TELEMETRY_SAMPLE_RATE_ERRORS",
  "TELEMETRY_SANITIZE_PII", "TELEMETRY_TRUNCATE_LARGE_PAYLOADS", "TELEMETRY_MAX_PAYLOAD_SIZE", "TELEMETRY_FLUSH_INTERVAL_SECONDS",
  "TELEMETRY_ENABLE_DEV_LOGGER", "TELEMETRY_TRACK_REQUEST_HEADERS", "TELEMETRY_TRACK_RESPONSE_HEADERS", "TELEMETRY_TRACK_REQUEST_BODY",
  "TELEMETRY_TRACK_RESPONSE_BODY", "AZURE_KEYVAULT_NAME", "WEBSITES_PORT", "SCM_DO_BUILD_DURING_DEPLOYMENT", "AZURE_CLIENT_ID", "DATABASE_URL",
  "DATABASE_AUTH_MODE", "SECRET_KEY", "SECRET_KEY_FALLBACKS", "TELEMETRY_APP_INSIGHTS_CONNECTION_STRING", "KEY_VAULT_REFERENCES_DIGEST",
];

const ALLOWED = new Set([...PROGRAM_SET_NAMES, ...Object.keys(STACK_FILE_SETTINGS)]);

export const APP_SETTINGS_ALLOWLIST_FILE = "policy/rules/app-settings-allowlist.ts";

export const appSettingAllowlistRules: Rule[] = [
  {
    name: "app-settings-allowlisted",
    description:
      "In production every app setting of a site is one the program sets or one on the code-owned list the stack file may set (the API's model-provider keys): no platform, runtime, build or SDK setting can be added from a stack file.",
    source: ["MCSB AM-2 (use only approved services)", "Microsoft Learn: Environment variables and app settings in Azure App Service"],
    severity: "high",
    resourceTypes: [T.webApp, T.webAppSlot, T.appSettings, T.appSettingsSlot],
    scope: "resource",
    readsStackFacts: true,
    check: (props, ctx) => {
      if (!ctx.stack.production) return [];
      const off = settingsOf(props, ctx.resource.type).filter((s) => s.kind === "app setting" && !ALLOWED.has(s.name)).map((s) => s.name);
      return off.length === 0 ? [] : fail("sets app settings no allowlist names, in production", off.join(", "),
        `remove them; a setting the API reads is one line in STACK_FILE_SETTINGS, ${APP_SETTINGS_ALLOWLIST_FILE}`);
    },
  },
];
