/**
 * Production's floors: what a production stack's file may not lower (a stack is production unless
 * non-production-stacks.yaml lists it: config/gating.ts). They are config errors (exit 1), not policy findings:
 * production documents no deviation, so there is nothing to waive, and the file is refused with the key, the value
 * and the floor before anything is registered. docs/threat-model.md lists them with their reasons.
 */
import { CRITICAL_RULES, EXTENSIONS, PINNED_MICROSOFT_IMAGE, STACK_FILE_SETTINGS } from "../policy/rules";
import { keyPath, type Problem } from "./errors";
import type { StackConfig } from "./schema";

type AzureStack = Extract<StackConfig, { platform: "azure" }>;

/** The floors and bounds, in one place (docs/threat-model.md quotes them). */
export const PRODUCTION_FLOORS = {
  /** Zone redundancy needs Premium v2/v3 and at least two instances (Microsoft Learn, "Reliability in Azure App Service"). */
  planTiers: ["PremiumV2", "PremiumV3"],
  minInstances: 2,
  /** Copies in three zones at least (Microsoft Learn, "Azure Storage redundancy": ZRS, GZRS). */
  storageSkus: ["Standard_ZRS", "Standard_GZRS"],
  /** The longest Key Vault keeps a deleted vault or secret recoverable (Microsoft Learn, "Azure Key Vault soft-delete overview"). */
  softDeleteDays: 90,
  /** An alert that fires all the time is ignored; one above 90% warns too late to act. */
  alertPercent: { min: 50, max: 90 },
  http5xxMax: 100,
  windows: ["PT5M", "PT15M"],
  /** OWASP JSON Web Token Cheat Sheet: short-lived access tokens; the spec's 30 minutes fits. */
  accessTokenMaxMinutes: 60,
  /** The spec's production value. */
  sessionMaxDays: 90,
  /** OWASP API Security Top 10 API4:2023 (unrestricted resource consumption); the spec calls test's 100 realistic, prod's 60 strict. */
  rateLimitMax: 100,
} as const;

/** Whether `host` is `domain` or a subdomain of it. */
const within = (host: string, domains: readonly string[]) => domains.some((d) => host === d || host.endsWith(`.${d}`));

/** Every floor a production Azure stack's config lowers, as problems naming the key, the value and the floor. */
export function productionProblems(cfg: AzureStack, extensions: readonly string[]): Problem[] {
  const out: Problem[] = [];
  const add = (path: (string | number)[], got: unknown, text: string) =>
    out.push({ path, text: `${keyPath(path)} (got ${JSON.stringify(got)}): in production ${text}` });
  const F = PRODUCTION_FLOORS;
  const { app, appService, storage, keyVault, monitoring, postgres } = cfg;

  for (const rule of Object.keys(cfg.policy.exceptions).filter((r) => CRITICAL_RULES.includes(r))) {
    add(["policy", "exceptions", rule], "an exception", `critical rule ${rule} cannot be waived; fix what it reports instead`);
  }
  if (postgres.entraAdmin && postgres.entraAdmin.principalType !== "Group") {
    add(["postgres", "entraAdmin", "principalType"], postgres.entraAdmin.principalType, "the server's Entra administrator is a group (one person or one service principal is a single point of failure and of compromise)");
  }
  // An allowlist (policy rule app-settings-allowlisted): what the API reads, never a platform, runtime or build setting.
  for (const name of Object.keys(app.settings).filter((n) => !Object.hasOwn(STACK_FILE_SETTINGS, n))) {
    add(["app", "settings", name], "a setting", `app.settings names only settings the API reads that the program leaves to the stack file (${Object.keys(STACK_FILE_SETTINGS).join(", ")}; a new one is a line in STACK_FILE_SETTINGS, policy/rules/app-settings-allowlist.ts)`);
  }
  // It runs as the server's Entra administrator inside the stack's network (policy rule bootstrap-run-contained).
  if (!PINNED_MICROSOFT_IMAGE.test(postgres.bootstrap.image)) {
    add(["postgres", "bootstrap", "image"], postgres.bootstrap.image, "the bootstrap image comes from mcr.microsoft.com pinned by digest (mcr.microsoft.com/<repository>:<tag>@sha256:<digest>): a tag can be moved to other bytes");
  }
  for (const name of extensions.filter((e) => EXTENSIONS[e]?.production === false)) {
    add(["postgres", "initSqlPath"], postgres.initSqlPath, `the init SQL may not create extension ${name}: it connects from the database server to any host (remove its CREATE EXTENSION)`);
  }
  if (!(F.planTiers as readonly string[]).includes(appService.planTier)) add(["appService", "planSku"], appService.planSku, `the App Service plan is Premium v2 or v3 (P1v2 and up, P0v3 and up): zone redundancy needs it`);
  if (appService.capacity < F.minInstances) add(["appService", "capacity"], appService.capacity, `the plan runs at least ${F.minInstances} instances`);
  if (!appService.zoneRedundant) add(["appService", "zoneRedundant"], appService.zoneRedundant, "the plan is zone-redundant, like the database");
  if (!(F.storageSkus as readonly string[]).includes(storage.skuName)) add(["storage", "skuName"], storage.skuName, `the sessions account is zone-redundant or better (${F.storageSkus.join(" or ")})`);
  if (keyVault.softDeleteRetentionDays !== F.softDeleteDays) add(["keyVault", "softDeleteRetentionDays"], keyVault.softDeleteRetentionDays, `a deleted vault or secret stays recoverable ${F.softDeleteDays} days`);

  for (const key of ["dbCpuPercent", "dbStoragePercent"] as const) {
    const v = monitoring[key];
    if (v < F.alertPercent.min || v > F.alertPercent.max) add(["monitoring", key], v, `the alert threshold is ${F.alertPercent.min}-${F.alertPercent.max}%`);
  }
  if (monitoring.http5xxCount > F.http5xxMax) add(["monitoring", "http5xxCount"], monitoring.http5xxCount, `the 5xx alert fires at ${F.http5xxMax} or fewer errors per window`);
  if (!(F.windows as readonly string[]).includes(monitoring.window)) add(["monitoring", "window"], monitoring.window, `alerts look at ${F.windows.join(" or ")} windows`);
  monitoring.alertEmails.forEach((email, i) => {
    const host = email.split("@").pop()!.toLowerCase();
    if (!within(host, cfg.domains)) add(["monitoring", "alertEmails", i], email, `alerts go to addresses at the organisation's domains (domains: ${cfg.domains.join(", ") || "none set"})`);
  });
  app.allowedOrigins.forEach((origin, i) => {
    const host = new URL(origin).hostname.toLowerCase();
    if (!within(host, cfg.domains)) add(["app", "allowedOrigins", i], origin, `CORS admits only origins at the organisation's domains (domains: ${cfg.domains.join(", ") || "none set"})`);
  });

  // The keys that verify tokens come from the issuer's own host, as OpenID discovery publishes them (OpenID Connect
  // Discovery 1.0, jwks_uri): a key URL elsewhere lets whoever runs that host sign tokens the API accepts.
  const hostOf = (u: string | undefined) => {
    try {
      return u === undefined ? undefined : new URL(u).hostname.toLowerCase();
    } catch {
      return undefined;
    }
  };
  if (app.jwt.publicKeyUrl !== undefined && hostOf(app.jwt.publicKeyUrl) !== hostOf(app.jwt.issuer)) {
    add(["app", "jwt", "publicKeyUrl"], app.jwt.publicKeyUrl, `the token keys come from the issuer's own host (jwt.issuer: ${JSON.stringify(app.jwt.issuer ?? "not set")})`);
  }
  if (app.jwt.publicKeyUrl !== undefined && app.jwt.audience === undefined) {
    add(["app", "jwt", "audience"], "not set", "tokens are checked for this API's audience (without it, a token the issuer made for any other API is accepted)");
  }
  if (app.accessTokenExpireMinutes > F.accessTokenMaxMinutes) add(["app", "accessTokenExpireMinutes"], app.accessTokenExpireMinutes, `access tokens live at most ${F.accessTokenMaxMinutes} minutes`);
  if (app.maxSessionAgeDays > F.sessionMaxDays) add(["app", "maxSessionAgeDays"], app.maxSessionAgeDays, `sessions live at most ${F.sessionMaxDays} days`);
  if (app.rateLimitRequestsPerMinute > F.rateLimitMax) add(["app", "rateLimitRequestsPerMinute"], app.rateLimitRequestsPerMinute, `the rate limit is at most ${F.rateLimitMax} requests per minute`);
  if (app.logLevel === "debug") add(["app", "logLevel"], app.logLevel, "the API does not log at debug level (request details reach the logs)");
  const t = app.telemetry;
  // Detection: production keeps its telemetry, and every error in it (the spec's production values).
  if (!t.enabled) add(["app", "telemetry", "enabled"], false, "telemetry stays on (errors and traces are how an incident is found)");
  if (t.sampleRateErrors < 1) add(["app", "telemetry", "sampleRateErrors"], t.sampleRateErrors, "every error is sent (sampleRateErrors 1)");
  for (const key of ["trackRequestHeaders", "trackRequestBody", "trackResponseHeaders", "trackResponseBody", "enableDevLogger"] as const) {
    if (t[key]) add(["app", "telemetry", key], true, "telemetry copies no request or response headers or bodies and writes no development log (credentials and personal data would reach Application Insights)");
  }
  return out;
}
