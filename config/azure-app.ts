/**
 * Config blocks for the Azure application tier (issue 3): Key Vault, App Service, the app's settings, session
 * storage, private networking and monitoring. Part of the one stack schema (`schema.ts` wires them in and derives
 * their names); defaults live here. Rules that span blocks (private access needs `network`) live in schema.ts.
 */
import { z } from "zod";
import { canonicalCidr, cidrContains, cidrsOverlap, isRfc1918, parseCidr } from "./cidr";

/** Key Vault names: 3-24 letters, digits and hyphens, starting with a letter, ending with a letter or digit, no `--`. */
export const VAULT_NAME_RULE =
  "must be 3-24 characters of letters, digits and hyphens, start with a letter, end with a letter or digit, and contain no '--' (Azure Key Vault naming rules)";
export function isVaultName(name: string): boolean {
  return /^[a-zA-Z][a-zA-Z0-9-]{1,22}[a-zA-Z0-9]$/.test(name) && !name.includes("--");
}
const vaultName = z.string().refine(isVaultName, VAULT_NAME_RULE);

/** Web app / plan names: 2-60 letters, digits and hyphens, not starting or ending with a hyphen (Microsoft.Web naming). */
export const SITE_NAME_RULE = "must be 2-60 letters, digits and hyphens, not starting or ending with a hyphen";
export function isSiteName(name: string): boolean {
  return /^[a-zA-Z0-9][a-zA-Z0-9-]{0,58}[a-zA-Z0-9]$/.test(name);
}
const siteName = z.string().refine(isSiteName, SITE_NAME_RULE);

/** User-assigned identity names: 3-128 letters, digits, hyphens and underscores, starting with a letter or digit. */
const identityName = z
  .string()
  .regex(/^[a-zA-Z0-9][a-zA-Z0-9_-]{2,127}$/, "must be 3-128 letters, digits, '-' or '_', starting with a letter or digit (Microsoft.ManagedIdentity naming rules)");

/** Storage account names: 3-24 lowercase letters and digits (CKV_AZURE_43). */
export const STORAGE_NAME_RULE = "must be 3-24 lowercase letters and digits (Azure storage account naming rules)";
export function isStorageAccountName(name: string): boolean {
  return /^[a-z0-9]{3,24}$/.test(name);
}

/** App Service plan SKUs and the tier each implies. Free and Shared cannot run always-on; only Premium v2/v3 can be zone redundant. */
export const PLAN_SKUS = [
  { pattern: /^F1$/, tier: "Free" },
  { pattern: /^D1$/, tier: "Shared" },
  { pattern: /^B[1-3]$/, tier: "Basic" },
  { pattern: /^S[1-3]$/, tier: "Standard" },
  { pattern: /^P[1-3]v2$/, tier: "PremiumV2" },
  { pattern: /^P[0-3]m?v3$/, tier: "PremiumV3" },
] as const;
export type PlanTier = (typeof PLAN_SKUS)[number]["tier"];
export function planTier(sku: string): PlanTier | undefined {
  return PLAN_SKUS.find((s) => s.pattern.test(sku))?.tier;
}

/** A CIDR block with host bits zero and a prefix length in [min, max]. */
function cidr(min: number, max: number, what: string) {
  return z.string().superRefine((value, ctx) => {
    const r = parseCidr(value);
    if (!r) {
      ctx.addIssue({ code: "custom", message: `must be an IPv4 CIDR block such as 10.20.0.0/16` });
    } else if (r.prefix < min || r.prefix > max) {
      ctx.addIssue({ code: "custom", message: `${what} must be between /${min} and /${max}` });
    } else if (canonicalCidr(value) !== value) {
      ctx.addIssue({ code: "custom", message: `has host bits set; Azure expects the network address ${canonicalCidr(value)}` });
    } else if (!isRfc1918(value)) {
      ctx.addIssue({ code: "custom", message: "must be a private range (RFC 1918: inside 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16)" });
    }
  });
}

/**
 * Azure's tag limits (Microsoft Learn, "Use tags to organize your Azure resources", Limitations:
 * https://learn.microsoft.com/azure/azure-resource-manager/management/tag-resources), tightened to what every resource
 * this program tags accepts: 50 tags in general but 15 on Private DNS zones (private-network.ts tags them), names up
 * to 512 characters but 128 on storage accounts, values up to 256, names without < > % & \ ? / and unique ignoring case.
 */
export const TAG_LIMITS = { maxTags: 15, maxNameLength: 128, maxValueLength: 256, forbiddenInName: /[<>%&\\?/]/ } as const;
const hasControlCharacter = (s: string) => [...s].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f);

export function tagProblems(tags: Record<string, string>): string[] {
  const out: string[] = [];
  const names = Object.keys(tags);
  if (names.length > TAG_LIMITS.maxTags) out.push(`${names.length} tags; Azure Private DNS zones accept at most ${TAG_LIMITS.maxTags}`);
  const seen = new Map<string, string>();
  for (const [name, value] of Object.entries(tags)) {
    if (name.length < 1 || name.length > TAG_LIMITS.maxNameLength) out.push(`tag name "${name}": must be 1-${TAG_LIMITS.maxNameLength} characters`);
    if (TAG_LIMITS.forbiddenInName.test(name) || hasControlCharacter(name)) out.push(`tag name "${name}": must not contain < > % & \\ ? / or control characters`);
    if (value.length < 1 || value.length > TAG_LIMITS.maxValueLength) out.push(`tag "${name}": value must be 1-${TAG_LIMITS.maxValueLength} characters`);
    const twin = seen.get(name.toLowerCase());
    if (twin !== undefined) out.push(`tag names "${twin}" and "${name}" are the same to Azure (tag names ignore case)`);
    seen.set(name.toLowerCase(), name);
  }
  return out;
}

// ---- blocks ----

export const keyVaultSchema = z.strictObject({
  /** Default `kv-<prefix>-<stack>` (kv-amplifier-test, kv-amplifier-prod). Vault names are global. */
  name: vaultName.optional(),
  sku: z.enum(["standard", "premium"]).default("standard"),
  /** Days a deleted vault or secret stays recoverable (Azure: 7-90; Trivy AVD-AZU-0016 wants it explicit). */
  softDeleteRetentionDays: z.number().int().min(7, "must be 7-90 days").max(90, "must be 7-90 days").default(90),
  /**
   * Purge protection: irreversible, and it reserves the vault name until the retention period ends. When false the
   * property is omitted (Azure rejects `false`), so a disposable stack can be torn down and redeployed.
   */
  purgeProtection: z.boolean().default(true),
  /** Default: Disabled when the stack has a `network` block (private endpoint), else Enabled. */
  publicNetworkAccess: z.enum(["Enabled", "Disabled"]).optional(),
  /** Length of the generated JWT signing key (spec: `openssl rand -hex 32`). */
  jwtSecretBytes: z.number().int().min(32, "must be at least 32 bytes").max(128, "must be at most 128 bytes").default(32),
});

export const appServiceSchema = z
  .strictObject({
    /** Web app name. Default `<prefix>-api-<stack>` (amplifier-api-test, amplifier-api-prod). */
    name: siteName.optional(),
    /** Plan name. Default `asp-<prefix>-<stack>`. */
    planName: siteName.optional(),
    /**
     * The app's user-assigned identity: it holds Key Vault Secrets User on the vault before the app exists, so the
     * Key Vault references resolve on the first start. Default `id-<web app name>` (id-amplifier-api-test).
     */
    identityName: identityName.optional(),
    /** Linux plan SKU (spec: test B1, prod P1v2). */
    planSku: z
      .string()
      .refine((s) => planTier(s) !== undefined, "must be an App Service plan SKU: F1, D1, B1-B3, S1-S3, P1v2-P3v2 or P0v3-P3v3 (P1mv3...)")
      .default("B1"),
    /** Instances. Zone redundancy needs at least 2. */
    capacity: z.number().int().min(1, "must be 1-30").max(30, "must be 1-30").default(1),
    zoneRedundant: z.boolean().default(false),
    /** Default: on wherever the tier allows it (not Free or Shared). */
    alwaysOn: z.boolean().optional(),
    pythonVersion: z.enum(["3.11", "3.12", "3.13"]).default("3.12"),
    /** SERVICE_WORKERS: gunicorn worker processes (Uvicorn workers). */
    workers: z.number().int().min(1, "must be 1-32").max(32, "must be 1-32").default(4),
    /** SERVICE_PORT: the port gunicorn binds; App Service is told through WEBSITES_PORT. */
    port: z.number().int().min(1024, "must be 1024-65535").max(65535, "must be 1024-65535").default(8000),
    healthCheckPath: z.string().regex(/^\/[A-Za-z0-9/_.-]*$/, "must be a path starting with '/', such as /health").default("/health"),
  })
  .superRefine((a, ctx) => {
    const tier = planTier(a.planSku);
    if (!tier) return;
    if (a.alwaysOn === true && (tier === "Free" || tier === "Shared")) {
      ctx.addIssue({ code: "custom", path: ["alwaysOn"], message: `always-on is not available on the ${tier} tier (planSku ${a.planSku}); use B1 or higher` });
    }
    if (a.zoneRedundant && tier !== "PremiumV2" && tier !== "PremiumV3") {
      ctx.addIssue({ code: "custom", path: ["zoneRedundant"], message: `zone redundancy needs a Premium v2/v3 plan (planSku ${a.planSku}); use P1v2 or P0v3 and up` });
    }
    if (a.zoneRedundant && a.capacity < 2) {
      ctx.addIssue({ code: "custom", path: ["capacity"], message: "a zone-redundant plan needs at least 2 instances" });
    }
  });

const origin = z
  .string()
  .regex(/^https:\/\/[A-Za-z0-9.-]+(:\d{1,5})?$/, "must be an https:// origin (scheme and host, optional port; no path, no wildcard)");

/** The API's settings (spec: .env.test / .env.production). Defaults are the app's own; the stack files carry the spec's values. */
export const appSchema = z
  .strictObject({
    logLevel: z.enum(["debug", "info", "warning", "error", "critical"]).default("info"),
    databasePoolMinSize: z.number().int().min(1, "must be 1-100").max(100, "must be 1-100").default(10),
    databasePoolMaxSize: z.number().int().min(1, "must be 1-200").max(200, "must be 1-200").default(20),
    /** ALGORITHM: signs the API's own tokens with SECRET_KEY (a symmetric key). */
    algorithm: z.enum(["HS256", "HS384", "HS512"]).default("HS256"),
    accessTokenExpireMinutes: z.number().int().min(1, "must be 1-10080").max(10080, "must be 1-10080").default(30),
    /** ALLOWED_ORIGINS (comma-joined). */
    allowedOrigins: z.array(origin).default([]),
    maxSessionAgeDays: z.number().int().min(1, "must be 1-3650").max(3650, "must be 1-3650").default(30),
    rateLimitRequestsPerMinute: z.number().int().min(1, "must be at least 1").max(100000, "must be at most 100000").default(60),
    authMode: z.string().regex(/^[a-z_]+$/, "must be a mode name such as api_key_jwt").default("api_key_jwt"),
    authRequired: z.boolean().default(true),
    apiKeyHeader: z.string().regex(/^[A-Za-z0-9-]+$/, "must be an HTTP header name such as X-API-Key").default("X-API-Key"),
    jwt: z
      .strictObject({
        algorithm: z.enum(["HS256", "RS256", "ES256"]).default("RS256"),
        publicKeyUrl: z.url({ protocol: /^https$/, error: "must be an https:// URL (the JWKS document)" }).optional(),
        issuer: z.string().min(1).optional(),
        audience: z.string().min(1).optional(),
      })
      .prefault({}),
    telemetry: z
      .strictObject({
        enabled: z.boolean().default(true),
        appId: z.string().min(1).default("amplifier-app-api"),
        sampleRate: z.number().min(0, "must be 0-1").max(1, "must be 0-1").default(1),
        sampleRateErrors: z.number().min(0, "must be 0-1").max(1, "must be 0-1").default(1),
        sanitizePii: z.boolean().default(true),
        truncateLargePayloads: z.boolean().default(true),
        // Application Insights keeps trace and exception messages up to 32,768 characters (Azure Monitor service
        // limits, https://learn.microsoft.com/azure/azure-monitor/service-limits#application-insights).
        maxPayloadSize: z.number().int().min(100, "must be 100-32768").max(32768, "must be 100-32768").default(10000),
        // A domain bound: beyond 5 minutes a crash loses more telemetry than batching saves.
        flushIntervalSeconds: z.number().int().min(1, "must be 1-300").max(300, "must be 1-300").default(10),
        enableDevLogger: z.boolean().default(false),
        trackRequestHeaders: z.boolean().default(false),
        trackResponseHeaders: z.boolean().default(false),
        trackRequestBody: z.boolean().default(false),
        trackResponseBody: z.boolean().default(false),
      })
      .prefault({}),
  })
  .superRefine((a, ctx) => {
    if (a.databasePoolMinSize > a.databasePoolMaxSize) {
      ctx.addIssue({
        code: "custom",
        path: ["databasePoolMinSize"],
        message: `must not exceed databasePoolMaxSize (${a.databasePoolMaxSize})`,
      });
    }
  });

export const storageSchema = z.strictObject({
  /** Default `st<prefix><stack>` (stamplifiertest). Storage account names are global. */
  accountName: z.string().refine(isStorageAccountName, STORAGE_NAME_RULE).optional(),
  skuName: z.enum(["Standard_LRS", "Standard_ZRS", "Standard_GRS", "Standard_GZRS"]).default("Standard_LRS"),
  /** Azure Files share holding the sessions. */
  shareName: z
    .string()
    .regex(/^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$/, "must be 3-63 lowercase letters, digits and single hyphens")
    .default("sessions"),
  shareQuotaGb: z.number().int().min(1, "must be 1-102400 GiB").max(102400, "must be 1-102400 GiB").default(100),
  /** Where the share is mounted in the app; also SESSION_STORAGE_PATH. */
  mountPath: z
    .string()
    .regex(/^\/mnt\/[A-Za-z0-9_-]+$/, "must be a directory under /mnt such as /mnt/sessions (App Service reserves / and /home)")
    .default("/mnt/sessions"),
  /** Default: Disabled when the stack has a `network` block (private endpoint), else Enabled. */
  publicNetworkAccess: z.enum(["Enabled", "Disabled"]).optional(),
});

/** Private networking. Its presence puts the database, vault and storage behind private endpoints. */
export const networkSchema = z
  .strictObject({
    addressSpace: cidr(8, 26, "the VNet").default("10.20.0.0/16"),
    /** App Service VNet integration subnet (delegated to Microsoft.Web/serverFarms). Microsoft recommends /26; /28 is the minimum. */
    appSubnetPrefix: cidr(8, 28, "the integration subnet").default("10.20.1.0/26"),
    privateEndpointSubnetPrefix: cidr(8, 29, "the private endpoint subnet").default("10.20.2.0/27"),
  })
  .superRefine((n, ctx) => {
    const subnets = [
      ["appSubnetPrefix", n.appSubnetPrefix],
      ["privateEndpointSubnetPrefix", n.privateEndpointSubnetPrefix],
    ] as const;
    if (!parseCidr(n.addressSpace) || subnets.some(([, v]) => !parseCidr(v))) return;
    for (const [key, value] of subnets) {
      if (!cidrContains(n.addressSpace, value)) {
        ctx.addIssue({ code: "custom", path: [key], message: `is not inside the VNet's address space ${n.addressSpace}` });
      }
    }
    if (cidrsOverlap(n.appSubnetPrefix, n.privateEndpointSubnetPrefix)) {
      ctx.addIssue({
        code: "custom",
        path: ["privateEndpointSubnetPrefix"],
        message: `overlaps appSubnetPrefix ${n.appSubnetPrefix}; subnets must not share addresses`,
      });
    }
  });

export const monitoringSchema = z
  .strictObject({
    /** Email receivers of the action group (at most 1,000 per group: Azure Monitor service limits, action groups). */
    alertEmails: z.array(z.email("must be an email address such as ops@example.com")).max(1000, "must list at most 1000 addresses").default([]),
    /**
     * Log Analytics retention (the workspace's range is 30-730 days). Default 90, the policy pack's floor
     * (LOG_RETENTION_MIN_DAYS); a disposable stack may keep 30 with a documented exception.
     */
    logRetentionDays: z.number().int().min(30, "must be 30-730 days").max(730, "must be 30-730 days").default(90),
    // Percentages, compared with GreaterThan (components/monitoring.ts): at 100 the alert could never fire.
    dbCpuPercent: z.number().min(1, "must be 1-99 (above 99 the alert can never fire)").max(99, "must be 1-99 (above 99 the alert can never fire)").default(80),
    dbStoragePercent: z.number().min(1, "must be 1-99 (above 99 the alert can never fire)").max(99, "must be 1-99 (above 99 the alert can never fire)").default(85),
    /** 5xx responses within one window that raise the alert. */
    http5xxCount: z.number().int().min(1, "must be 1-100000").max(100000, "must be 1-100000").default(10),
    /** Metric window (ISO 8601); alerts are evaluated every 5 minutes. */
    window: z.enum(["PT5M", "PT15M", "PT30M", "PT1H"]).default("PT15M"),
  })
  .superRefine((m, ctx) => {
    const seen = new Set<string>();
    m.alertEmails.forEach((email, i) => {
      if (seen.has(email.toLowerCase())) ctx.addIssue({ code: "custom", path: ["alertEmails", i], message: "is listed twice" });
      seen.add(email.toLowerCase());
    });
  });

