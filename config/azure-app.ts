/**
 * Config blocks for the Azure application tier: Key Vault, App Service, session storage, private
 * networking and monitoring (the app's own settings are in app-settings.ts). Part of the one stack schema (`schema.ts` wires them in and derives
 * their names); defaults live here. Rules that span blocks (private access needs `network`) live in schema.ts.
 */
import { z } from "zod";
import { canonicalCidr, cidrContains, cidrsOverlap, isRfc1918, parseCidr } from "./cidr";
import { citeList, OFFERINGS, offered, PLAN_SKU_SUMMARY, planSku, type PlanSku } from "./azure-offerings";
import { checked, matching, offeredBy } from "./fields";

/** Key Vault names: 3-24 letters, digits and hyphens, starting with a letter, ending with a letter or digit, no `--`. */
export const VAULT_NAME_RULE =
  "must be 3-24 characters of letters, digits and hyphens, start with a letter, end with a letter or digit, and contain no '--' (Azure Key Vault naming rules)";
export function isVaultName(name: string): boolean {
  return /^[a-zA-Z][a-zA-Z0-9-]{1,22}[a-zA-Z0-9]$/.test(name) && !name.includes("--");
}
const vaultName = checked(z.string(), isVaultName, VAULT_NAME_RULE);

/** Web app / plan names: 2-60 letters, digits and hyphens, not starting or ending with a hyphen (Microsoft.Web naming). */
export const SITE_NAME_RULE = "must be 2-60 letters, digits and hyphens, not starting or ending with a hyphen";
export function isSiteName(name: string): boolean {
  return /^[a-zA-Z0-9][a-zA-Z0-9-]{0,58}[a-zA-Z0-9]$/.test(name);
}
const siteName = checked(z.string(), isSiteName, SITE_NAME_RULE);

/** User-assigned identity names: 3-128 letters, digits, hyphens and underscores, starting with a letter or digit. */
export const identityName = matching(
  /^[a-zA-Z0-9][a-zA-Z0-9_-]{2,127}$/,
  "must be 3-128 letters, digits, '-' or '_', starting with a letter or digit (Microsoft.ManagedIdentity naming rules)",
);

/** Storage account names: 3-24 lowercase letters and digits (CKV_AZURE_43). */
export const STORAGE_NAME_RULE = "must be 3-24 lowercase letters and digits (Azure storage account naming rules)";
export function isStorageAccountName(name: string): boolean {
  return /^[a-z0-9]{3,24}$/.test(name);
}

/**
 * App Service plan SKUs and the tier each implies, from the dated table (config/azure-offerings.data.json). Free and Shared
 * cannot run always-on; only Premium v2, v3 and v4 can be zone redundant.
 */
export type PlanTier = PlanSku["tier"];
export function planTier(sku: string): PlanTier | undefined {
  return planSku(sku)?.tier;
}

/** A CIDR block with host bits zero and a prefix length in [min, max]. */
function cidr(min: number, max: number, what: string) {
  const rule = `a private IPv4 CIDR block (RFC 1918) from /${min} to /${max}, host bits zero`;
  return z
    .string()
    .superRefine((value, ctx) => {
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
    })
    .meta({ rule });
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

/** Where a stack's vault and storage are reachable by default: privately exactly when the stack has a `network`. */
const ACCESS_DEFAULT = "`Disabled` with a `network` block (private endpoint), else `Enabled`";

export const keyVaultSchema = z
  .strictObject({
    name: vaultName.optional().describe("Vault name (global in Azure)."),
    sku: z.enum(["standard", "premium"]).default("standard").describe("Vault pricing tier."),
    // Trivy AVD-AZU-0016 wants the retention explicit.
    softDeleteRetentionDays: z
      .number()
      .int()
      .min(7, "must be 7-90 days")
      .max(90, "must be 7-90 days")
      .default(90)
      .describe("Days a deleted vault or secret stays recoverable."),
    /** When false the property is omitted (Azure rejects `false`), so a disposable stack can be torn down and redeployed. */
    purgeProtection: z
      .boolean()
      .default(true)
      .describe("Purge protection: irreversible, and it reserves the vault name until the retention period ends."),
    publicNetworkAccess: z.enum(["Enabled", "Disabled"]).optional().meta({ derivedDefault: ACCESS_DEFAULT }).describe("Public endpoint of the vault."),
    // Spec: `openssl rand -hex 32`.
    jwtSecretBytes: z
      .number()
      .int()
      .min(32, "must be at least 32 bytes")
      .max(128, "must be at most 128 bytes")
      .default(32)
      .describe("Length in bytes of the generated JWT signing key (SECRET_KEY)."),
    secretKeyGeneration: z
      .number()
      .int("must be a whole number of at least 1")
      .min(1, "must be a whole number of at least 1")
      .default(1)
      .describe(
        "Raise by one to rotate the JWT signing key on the next deploy: SECRET_KEY becomes a new key and SECRET_KEY_FALLBACKS the previous one, so no one is logged out (docs/secrets.md, \"Rotate a secret\").",
      ),
  })
  .describe("The stack's Key Vault: the app's secrets, read through Key Vault references.");

/** The plan SKUs Azure offers a web app, in words (documented limit; the error names the closest SKU). */
const PLAN_SKU_RULE = `an App Service plan SKU for a web app: ${PLAN_SKU_SUMMARY} (${citeList(OFFERINGS.appServicePlanSkus)})`;

export const appServiceSchema = z
  .strictObject({
    name: siteName.optional().describe("Web app name (global in Azure: `<name>.azurewebsites.net`)."),
    planName: siteName.optional().describe("App Service plan name."),
    /** It holds Key Vault Secrets User on the vault before the app exists, so the Key Vault references resolve on the first start. */
    identityName: identityName.optional().describe("The app's user-assigned identity."),
    planSku: offeredBy(z.string(), offered.planSku, PLAN_SKU_RULE).default("B1").describe("Linux plan SKU (spec: test B1, prod P1v2)."),
    capacity: z.number().int().min(1, "must be 1-30").max(30, "must be 1-30").default(1).describe("Instances; zone redundancy needs at least 2."),
    zoneRedundant: z.boolean().default(false).describe("Spread the instances over availability zones (Premium v2/v3 plans)."),
    alwaysOn: z
      .boolean()
      .optional()
      .meta({ derivedDefault: "`true` where the plan's tier allows it (not F1 or D1)" })
      .describe("Keep the app loaded between requests."),
    pythonVersion: z.enum(["3.11", "3.12", "3.13"]).default("3.12").describe("Python runtime of the Linux app."),
    workers: z.number().int().min(1, "must be 1-32").max(32, "must be 1-32").default(4).describe("SERVICE_WORKERS: gunicorn worker processes (Uvicorn workers)."),
    port: z
      .number()
      .int()
      .min(1024, "must be 1024-65535")
      .max(65535, "must be 1024-65535")
      .default(8000)
      .describe("SERVICE_PORT: the port gunicorn binds; App Service is told through WEBSITES_PORT."),
    healthCheckPath: matching(/^\/[A-Za-z0-9/_.-]*$/, "must be a path starting with '/', such as /health")
      .default("/health")
      .describe("Path App Service probes; unhealthy instances are replaced."),
  })
  .superRefine((a, ctx) => {
    const tier = planTier(a.planSku);
    if (!tier) return;
    if (a.alwaysOn === true && (tier === "Free" || tier === "Shared")) {
      ctx.addIssue({ code: "custom", path: ["alwaysOn"], message: `always-on is not available on the ${tier} tier (planSku ${a.planSku}); use B1 or higher` });
    }
    if (a.zoneRedundant && !tier.startsWith("Premium")) {
      ctx.addIssue({ code: "custom", path: ["zoneRedundant"], message: `zone redundancy needs a Premium v2/v3/v4 plan (planSku ${a.planSku}); use P1v2 or P0v3 and up` });
    }
    if (a.zoneRedundant && a.capacity < 2) {
      ctx.addIssue({ code: "custom", path: ["capacity"], message: "a zone-redundant plan needs at least 2 instances" });
    }
  })
  .describe("The API's Linux App Service plan and web app.");

export const storageSchema = z
  .strictObject({
    accountName: checked(z.string(), isStorageAccountName, STORAGE_NAME_RULE).optional().describe("Storage account name (global in Azure)."),
    skuName: z.enum(["Standard_LRS", "Standard_ZRS", "Standard_GRS", "Standard_GZRS"]).default("Standard_LRS").describe("Redundancy of the account."),
    shareName: matching(/^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$/, "must be 3-63 lowercase letters, digits and single hyphens")
      .default("sessions")
      .describe("Azure Files share holding the sessions."),
    shareQuotaGb: z.number().int().min(1, "must be 1-102400 GiB").max(102400, "must be 1-102400 GiB").default(100).describe("Share quota in GiB."),
    mountPath: matching(/^\/mnt\/[A-Za-z0-9_-]+$/, "must be a directory under /mnt such as /mnt/sessions (App Service reserves / and /home)")
      .default("/mnt/sessions")
      .describe("Where the share is mounted in the app; also SESSION_STORAGE_PATH."),
    publicNetworkAccess: z.enum(["Enabled", "Disabled"]).optional().meta({ derivedDefault: ACCESS_DEFAULT }).describe("Public endpoint of the account."),
  })
  .describe("The storage account and Azure Files share that hold the API's sessions.");

/** Private networking. Its presence puts the database, vault and storage behind private endpoints. */
export const networkSchema = z
  .strictObject({
    addressSpace: cidr(8, 26, "the VNet").default("10.20.0.0/16").describe("Address space of the VNet."),
    // Microsoft recommends /26 for the integration subnet; /28 is the minimum.
    appSubnetPrefix: cidr(8, 28, "the integration subnet")
      .default("10.20.1.0/26")
      .describe("App Service VNet integration subnet (delegated to Microsoft.Web/serverFarms), inside the address space."),
    privateEndpointSubnetPrefix: cidr(8, 29, "the private endpoint subnet")
      .default("10.20.2.0/27")
      .describe("Subnet of the private endpoints, inside the address space, apart from the app's."),
    // Container Instances needs /29 or larger, delegated to Microsoft.ContainerInstance/containerGroups (Microsoft
    // Learn, "Deploy container instances into an Azure virtual network").
    bootstrapSubnetPrefix: cidr(8, 29, "the database bootstrap subnet")
      .default("10.20.3.0/28")
      .describe("Subnet of the database bootstrap run (delegated to Microsoft.ContainerInstance/containerGroups), inside the address space, apart from the others."),
  })
  .superRefine((n, ctx) => {
    const subnets = [
      ["appSubnetPrefix", n.appSubnetPrefix],
      ["privateEndpointSubnetPrefix", n.privateEndpointSubnetPrefix],
      ["bootstrapSubnetPrefix", n.bootstrapSubnetPrefix],
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
    for (const [key, value] of subnets.slice(0, 2)) {
      if (cidrsOverlap(n.bootstrapSubnetPrefix, value)) {
        ctx.addIssue({ code: "custom", path: ["bootstrapSubnetPrefix"], message: `overlaps ${key} ${value}; subnets must not share addresses` });
      }
    }
  })
  .describe("Private networking: its presence puts the database, vault and storage behind private endpoints and the web app into the VNet.");

/** An alert threshold in percent: compared with GreaterThan (components/monitoring.ts), so at 100 it could never fire. */
const percent = z.number().min(1, "must be 1-99 (above 99 the alert can never fire)").max(99, "must be 1-99 (above 99 the alert can never fire)");

export const monitoringSchema = z
  .strictObject({
    // At most 1,000 per group: Azure Monitor service limits, action groups.
    alertEmails: z
      .array(z.email("must be an email address such as ops@example.com"))
      .max(1000, "must list at most 1000 addresses")
      .default([])
      .describe("Email receivers of the stack's action group, each listed once."),
    /** The workspace's range is 30-730 days; 90 is the policy pack's floor (LOG_RETENTION_MIN_DAYS). */
    logRetentionDays: z
      .number()
      .int()
      .min(30, "must be 30-730 days")
      .max(730, "must be 30-730 days")
      .default(90)
      .describe("Log Analytics retention in days; below 90 needs a documented policy exception."),
    dbCpuPercent: percent.default(80).describe("Database CPU percentage that raises the alert."),
    dbStoragePercent: percent.default(85).describe("Database storage percentage that raises the alert."),
    http5xxCount: z.number().int().min(1, "must be 1-100000").max(100000, "must be 1-100000").default(10).describe("5xx responses within one window that raise the alert."),
    window: z.enum(["PT5M", "PT15M", "PT30M", "PT1H"]).default("PT15M").describe("Metric window (ISO 8601); alerts are evaluated every 5 minutes."),
  })
  .superRefine((m, ctx) => {
    const seen = new Set<string>();
    m.alertEmails.forEach((email, i) => {
      if (seen.has(email.toLowerCase())) ctx.addIssue({ code: "custom", path: ["alertEmails", i], message: "is listed twice" });
      seen.add(email.toLowerCase());
    });
  })
  .describe("Log Analytics, Application Insights and the alerts on the database and the web app.");
