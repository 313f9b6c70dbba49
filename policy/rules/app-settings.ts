/**
 * What a web app or slot is told through its app settings and connection strings: no secret values (by name and by
 * value), authentication on, telemetry PII-sanitised. The setting names are the Amplifier API's (its pydantic
 * Settings class reads them case-insensitively; the defaults quoted below are that class's).
 */
import { at, fail, type Rule, T, when } from "../model";

/** Sites (web apps and their deployment slots): every site rule holds for a slot too. */
export const SITE_TYPES: string[] = [T.webApp, T.webAppSlot];
const SETTINGS_TYPES: string[] = [T.appSettings, T.appSettingsSlot];
const CONNECTION_STRING_TYPES: string[] = [T.connectionStrings, T.connectionStringsSlot];
/** Every resource type that carries app settings. */
export const SETTINGS_CARRIERS: string[] = [...SITE_TYPES, ...SETTINGS_TYPES];

/**
 * Name tokens that mark a secret (`DB_PASS`, `SAS_TOKEN`), endings that mark one inside a glued word (`PGPASSWORD`,
 * `APPINSIGHTS_INSTRUMENTATIONKEY`, `CLIENTSECRET`), and trailing tokens that mark metadata about one
 * (API_KEY_HEADER, ..._MINUTES, JWT_PUBLIC_KEY_URL: where a public key is published is not a secret; a credential
 * inside a URL is caught by value).
 */
const SECRET_TOKENS = ["PASSWORD", "PASSWD", "PWD", "PASS", "PASSPHRASE", "SECRET", "TOKEN", "KEY", "KEYS", "APIKEY", "CREDENTIAL", "CREDENTIALS", "SAS", "SIGNATURE"];
const SECRET_ENDINGS = ["PASSWORD", "PASSWD", "PASSPHRASE", "SECRET", "TOKEN", "KEY", "CREDENTIAL", "CREDENTIALS"];
const METADATA_SUFFIXES = [
  "HEADER", "NAME", "MINUTES", "SECONDS", "HOURS", "DAYS", "ALGORITHM", "PATH", "FILE", "ENABLED", "URI_TEMPLATE", "URL", "URI",
  "ENDPOINT", "ID", "TYPE", "VERSION", "SIZE", "LENGTH",
];

/** Whether an app setting's name says it holds a secret (DATABASE_URL, SECRET_KEY, PGPASSWORD, *_CONNECTION_STRING, ...). */
export function isSecretSettingName(name: string): boolean {
  const upper = name.toUpperCase();
  if (upper === "DATABASE_URL" || upper.endsWith("_DATABASE_URL") || upper.includes("CONNECTION_STRING") || upper.endsWith("CONNSTR")) return true;
  const tokens = upper.split(/[_.-]+/);
  if (METADATA_SUFFIXES.includes(tokens[tokens.length - 1]) || tokens.includes("PUBLIC")) return false;
  return tokens.some(
    // KEY_VAULT_* names the vault, not a key.
    (t, i) => (SECRET_TOKENS.includes(t) || SECRET_ENDINGS.some((e) => t.endsWith(e))) && !(t === "KEY" && tokens[i + 1] === "VAULT"),
  );
}

/**
 * Values that carry a credential whatever the setting is called: user-info in a URL (`scheme://user:pw@`, also an
 * empty user as in `redis://:pw@`), connection-string keys (storage, Service Bus, App Insights, ADO.NET), a SAS
 * signature (`sig=`, `SharedAccessSignature=`) and a PEM private key.
 */
const SECRET_VALUE = [
  /[a-z][a-z0-9+.-]*:\/\/[^/\s:@]*:[^@\s/]+@/i,
  /(AccountKey|SharedAccessKey|AccessKey|InstrumentationKey|Password|Pwd|SharedAccessSignature)=/i,
  /(^|[?&;\s])sig=[^&\s]+/i,
  /-----BEGIN [A-Z ]*PRIVATE KEY-----/,
];
export const hasSecretValue = (value: string) => SECRET_VALUE.some((re) => re.test(value));
export const isKeyVaultReference = (v: string) => /^@Microsoft\.KeyVault\(.+\)$/.test(v.trim());

export interface NamedValue {
  name: string;
  value: unknown;
  kind: "app setting" | "connection string";
}

const entries = (record: unknown) => Object.entries(record !== null && typeof record === "object" ? record : {});

/**
 * The app settings and connection strings a resource carries, as azure-native v3 takes them: a site's
 * `siteConfig.appSettings` ({name, value}) and `siteConfig.connectionStrings` ({name, connectionString, type}); the
 * separate WebAppApplicationSettings(Slot) (`properties: {NAME: value}`) and WebAppConnectionStrings(Slot)
 * (`properties: {NAME: {value, type}}`).
 */
export function settingsOf(props: Record<string, any>, type: string): NamedValue[] {
  if (SETTINGS_TYPES.includes(type)) return entries(props.properties).map(([name, value]) => ({ name, value, kind: "app setting" }));
  if (CONNECTION_STRING_TYPES.includes(type)) {
    return entries(props.properties).map(([name, pair]) => ({ name, value: (pair as any)?.value, kind: "connection string" }));
  }
  const list = (key: string) => (Array.isArray(at(props, key)) ? (at(props, key) as any[]) : []);
  return [
    ...list("siteConfig.appSettings").map((s): NamedValue => ({ name: String(s?.name), value: s?.value, kind: "app setting" })),
    ...list("siteConfig.connectionStrings").map((c): NamedValue => ({ name: String(c?.name), value: c?.connectionString, kind: "connection string" })),
  ];
}

/**
 * The API's own settings on a resource, upper-cased (the Settings class is case-insensitive), or undefined when the
 * resource sets none: a site whose settings live in a separate WebAppApplicationSettings resource is judged there.
 */
export function apiSettings(props: Record<string, any>, type: string): Map<string, string> | undefined {
  if (SITE_TYPES.includes(type) && !Array.isArray(at(props, "siteConfig.appSettings"))) return undefined;
  const settings = settingsOf(props, type).filter((s) => s.kind === "app setting" && typeof s.value === "string");
  return new Map(settings.map((s) => [s.name.toUpperCase(), s.value as string]));
}

/** pydantic's boolean parsing: these strings are false, these true; anything else fails the app's start-up. */
const FALSE = ["0", "off", "f", "false", "n", "no"];
const TRUE = ["1", "on", "t", "true", "y", "yes"];
const isFalse = (v: string | undefined) => v !== undefined && FALSE.includes(v.trim().toLowerCase());
const isTrue = (v: string | undefined) => v !== undefined && TRUE.includes(v.trim().toLowerCase());

/** Telemetry settings that copy request or response content into Application Insights. */
const TRACKED_CONTENT = ["TELEMETRY_TRACK_REQUEST_HEADERS", "TELEMETRY_TRACK_REQUEST_BODY", "TELEMETRY_TRACK_RESPONSE_HEADERS", "TELEMETRY_TRACK_RESPONSE_BODY"];

export const appSettingRules: Rule[] = [
  {
    name: "webapp-no-secret-app-settings",
    description:
      "App settings and connection strings hold no secret values: secret-named settings, credential-bearing values and every connection string are Key Vault references (spec: Key Vault only).",
    source: ["MCSB IM-8", "MCSB DP-7", "spec: secrets only in Key Vault"],
    severity: "critical",
    resourceTypes: [...SETTINGS_CARRIERS, ...CONNECTION_STRING_TYPES],
    scope: "resource",
    check: (props, ctx) =>
      settingsOf(props, ctx.resource.type).flatMap(({ name, value, kind }) => {
        if (typeof value === "string" && isKeyVaultReference(value)) return [];
        const literal = typeof value === "string" ? `a literal value of ${value.length} characters (not shown)` : value;
        const fix = `store it in Key Vault and set ${name} to @Microsoft.KeyVault(SecretUri=<secret uri>)`;
        if (kind === "connection string") return fail(`has connection string ${name} holding a value instead of a Key Vault reference`, literal, fix);
        if (isSecretSettingName(name)) return fail(`has app setting ${name} holding a value instead of a Key Vault reference`, literal, fix);
        if (typeof value === "string" && hasSecretValue(value)) return fail(`has app setting ${name} whose value contains a credential`, literal, fix);
        return [];
      }),
  },
  {
    name: "webapp-auth-required",
    description:
      "The API requires authentication: AUTH_REQUIRED is set and true (the Settings class defaults to false) and AUTH_MODE is not none.",
    source: ["OWASP API Security Top 10 API2:2023 (broken authentication)", "spec: AUTH_REQUIRED=true in test and production"],
    severity: "critical",
    resourceTypes: SETTINGS_CARRIERS,
    scope: "resource",
    check: (props, ctx) => {
      const settings = apiSettings(props, ctx.resource.type);
      if (!settings) return [];
      const required = settings.get("AUTH_REQUIRED");
      const mode = settings.get("AUTH_MODE");
      return [
        ...when(!isTrue(required), "lets requests through unauthenticated (AUTH_REQUIRED not true; unset means false)", required, 'set app.authRequired: true (AUTH_REQUIRED "true")'),
        ...when(mode?.trim().toLowerCase() === "none", "turns authentication off (AUTH_MODE none)", mode, "set app.authMode to api_key_jwt or jwt_only"),
      ];
    },
  },
  {
    name: "webapp-telemetry-pii-sanitised",
    description:
      "Telemetry the API sends to Application Insights is PII-sanitised (TELEMETRY_SANITIZE_PII not false while telemetry is on), whatever headers or bodies it tracks.",
    source: ["MCSB DP-2 (protect sensitive data)", "GDPR Art. 25 (data protection by default)", "spec: TELEMETRY_SANITIZE_PII=true in test and production"],
    severity: "high",
    resourceTypes: SETTINGS_CARRIERS,
    scope: "resource",
    check: (props, ctx) => {
      const settings = apiSettings(props, ctx.resource.type);
      // Defaults: telemetry on, sanitising on.
      if (!settings || isFalse(settings.get("TELEMETRY_ENABLED")) || !isFalse(settings.get("TELEMETRY_SANITIZE_PII"))) return [];
      const tracked = TRACKED_CONTENT.filter((name) => isTrue(settings.get(name)));
      return fail(
        `sends telemetry without PII sanitising${tracked.length ? `, including ${tracked.join(", ")}` : ""}`,
        settings.get("TELEMETRY_SANITIZE_PII"),
        "set app.telemetry.sanitizePii: true (TELEMETRY_SANITIZE_PII \"true\")",
      );
    },
  },
];
