/**
 * The `app` block: the Amplifier API's own settings (spec: .env.test / .env.production), passed to the web app as App
 * Service app settings by components/app-settings.ts. Part of the one stack schema (schema.ts wires it in).
 */
import { z } from "zod";
import { matching } from "./fields";
import { settingsRecord } from "./settings";

const origin = matching(/^https:\/\/[A-Za-z0-9.-]+(:\d{1,5})?$/, "must be an https:// origin (scheme and host, optional port; no path, no wildcard)");

/** The API's settings (spec: .env.test / .env.production). Defaults are the app's own; the stack files carry the spec's values. */
export const appSchema = z
  .strictObject({
    logLevel: z.enum(["debug", "info", "warning", "error", "critical"]).default("info").describe("LOG_LEVEL."),
    databasePoolMinSize: z.number().int().min(1, "must be 1-100").max(100, "must be 1-100").default(10).describe("DATABASE_POOL_MIN_SIZE; at most databasePoolMaxSize."),
    databasePoolMaxSize: z.number().int().min(1, "must be 1-200").max(200, "must be 1-200").default(20).describe("DATABASE_POOL_MAX_SIZE."),
    algorithm: z.enum(["HS256", "HS384", "HS512"]).default("HS256").describe("ALGORITHM: signs the API's own tokens with SECRET_KEY (a symmetric key)."),
    accessTokenExpireMinutes: z.number().int().min(1, "must be 1-10080").max(10080, "must be 1-10080").default(30).describe("ACCESS_TOKEN_EXPIRE_MINUTES."),
    allowedOrigins: z.array(origin).max(50, "must list at most 50 origins").default([]).describe("ALLOWED_ORIGINS (comma-joined): the browser origins CORS admits."),
    maxSessionAgeDays: z.number().int().min(1, "must be 1-3650").max(3650, "must be 1-3650").default(30).describe("MAX_SESSION_AGE_DAYS."),
    rateLimitRequestsPerMinute: z
      .number()
      .int()
      .min(1, "must be at least 1")
      .max(100000, "must be at most 100000")
      .default(60)
      .describe("RATE_LIMIT_REQUESTS_PER_MINUTE."),
    // The modes the API's Settings class knows (spec: "Authentication mode: none, api_key_jwt, jwt_only").
    authMode: z.enum(["api_key_jwt", "jwt_only", "none"]).default("api_key_jwt").describe("AUTH_MODE (not `none`: policy rule webapp-auth-required)."),
    authRequired: z.boolean().default(true).describe("AUTH_REQUIRED (true: policy rule webapp-auth-required)."),
    apiKeyHeader: matching(/^[A-Za-z0-9-]+$/, "must be an HTTP header name such as X-API-Key").default("X-API-Key").describe("API_KEY_HEADER."),
    jwt: z
      .strictObject({
        algorithm: z.enum(["HS256", "RS256", "ES256"]).default("RS256").describe("JWT_ALGORITHM of the tokens the API accepts."),
        publicKeyUrl: z
          .url({ protocol: /^https$/, error: "must be an https:// URL (the JWKS document)" })
          .optional()
          .meta({ rule: "an https:// URL" })
          .describe("JWT_PUBLIC_KEY_URL: the JWKS document; not set, not passed."),
        issuer: z.string().min(1).max(2048).optional().describe("JWT_ISSUER; not set, not passed."),
        audience: z.string().min(1).max(2048).optional().describe("JWT_AUDIENCE; not set, not passed."),
      })
      // An HMAC algorithm next to a public key: a library that takes the key document as the HMAC secret accepts tokens
      // anyone can sign with that public key (algorithm confusion: RFC 8725, "JSON Web Token Best Current Practices", 2.1 and 3.1).
      .refine((j) => !(j.algorithm.startsWith("HS") && j.publicKeyUrl !== undefined), {
        path: ["algorithm"],
        message: "must be RS256 or ES256 when publicKeyUrl is set: an HS* algorithm next to a public key lets anyone who reads the key sign tokens",
      })
      .prefault({})
      .describe("How the API checks tokens issued by an identity provider."),
    telemetry: z
      .strictObject({
        enabled: z.boolean().default(true).describe("TELEMETRY_ENABLED: send telemetry to Application Insights."),
        appId: z.string().min(1).max(128).default("amplifier-app-api").describe("TELEMETRY_APP_ID."),
        sampleRate: z.number().min(0, "must be 0-1").max(1, "must be 0-1").default(1).describe("TELEMETRY_SAMPLE_RATE: share of requests sent."),
        sampleRateErrors: z.number().min(0, "must be 0-1").max(1, "must be 0-1").default(1).describe("TELEMETRY_SAMPLE_RATE_ERRORS: share of errors sent."),
        sanitizePii: z.boolean().default(true).describe("TELEMETRY_SANITIZE_PII (true while telemetry is on: policy rule webapp-telemetry-pii-sanitised)."),
        truncateLargePayloads: z.boolean().default(true).describe("TELEMETRY_TRUNCATE_LARGE_PAYLOADS."),
        // Application Insights keeps trace and exception messages up to 32,768 characters (Azure Monitor service
        // limits, https://learn.microsoft.com/azure/azure-monitor/service-limits#application-insights).
        maxPayloadSize: z
          .number()
          .int()
          .min(100, "must be 100-32768")
          .max(32768, "must be 100-32768")
          .default(10000)
          .describe("TELEMETRY_MAX_PAYLOAD_SIZE, in characters."),
        // A domain bound: beyond 5 minutes a crash loses more telemetry than batching saves.
        flushIntervalSeconds: z.number().int().min(1, "must be 1-300").max(300, "must be 1-300").default(10).describe("TELEMETRY_FLUSH_INTERVAL_SECONDS."),
        enableDevLogger: z.boolean().default(false).describe("TELEMETRY_ENABLE_DEV_LOGGER."),
        trackRequestHeaders: z.boolean().default(false).describe("TELEMETRY_TRACK_REQUEST_HEADERS."),
        trackResponseHeaders: z.boolean().default(false).describe("TELEMETRY_TRACK_RESPONSE_HEADERS."),
        trackRequestBody: z.boolean().default(false).describe("TELEMETRY_TRACK_REQUEST_BODY."),
        trackResponseBody: z.boolean().default(false).describe("TELEMETRY_TRACK_RESPONSE_BODY."),
      })
      .prefault({})
      .describe("The API's Application Insights telemetry (the `TELEMETRY_*` settings)."),
    settings: settingsRecord(
      "More app settings, NAME: value, without code. A name the program sets, or one App Service or the Azure SDK reads, is refused; a value that looks like a credential must be `secure:`. A secure value becomes a Key Vault secret (`app-setting-<name>`) and the setting a Key Vault reference the app's identity alone may read; while any value in `app` is secure, Pulumi does not say which, so every value here becomes one.",
    ),
  })
  .superRefine((a, ctx) => {
    if (a.databasePoolMinSize > a.databasePoolMaxSize) {
      ctx.addIssue({
        code: "custom",
        path: ["databasePoolMinSize"],
        message: `must not exceed databasePoolMaxSize (${a.databasePoolMaxSize})`,
      });
    }
  })
  .describe("The API's own settings, passed as App Service app settings (spec: .env.test / .env.production).");
