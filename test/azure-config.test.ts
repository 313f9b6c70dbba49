/** The Azure application tier's config: defaults, derived names and helpers (bad input: bad-input-catalogue). */
import { planTier } from "../config/azure-app";
import { canonicalCidr, cidrContains, cidrsOverlap, parseCidr } from "../config/cidr";
import { ConfigError, parseStackConfig } from "../config/schema";
import { appSettings, startCommand } from "../components/app-settings";

describe("defaults and derived names", () => {
  // Without a `network` block the database needs its public endpoint, or the web app could not reach it.
  const azure = { environment: "staging", platform: "azure", azure: {}, postgres: { publicNetworkAccess: "Enabled", allowAzureServices: true } };
  const parse = (stack: string, raw: Record<string, unknown>) => {
    const cfg = parseStackConfig(stack, raw);
    if (cfg.platform !== "azure") throw new Error("expected azure");
    return cfg;
  };

  test("an Azure stack without the application blocks (and no network) gets working defaults", () => {
    const cfg = parse("staging", azure);
    expect(cfg.keyVault).toEqual({
      name: "kv-amplifier-staging",
      sku: "standard",
      softDeleteRetentionDays: 90,
      purgeProtection: true,
      publicNetworkAccess: "Enabled",
      jwtSecretBytes: 32,
      secretKeyGeneration: 1,
    });
    expect(cfg.appService).toMatchObject({ name: "amplifier-api-staging", planName: "asp-amplifier-staging", planSku: "B1", planTier: "Basic", alwaysOn: true });
    expect(cfg.storage).toMatchObject({ accountName: "stamplifierstaging", mountPath: "/mnt/sessions", publicNetworkAccess: "Enabled" });
    expect(cfg.monitoring).toMatchObject({ workspaceName: "log-amplifier-staging", appInsightsName: "appi-amplifier-staging", alertEmails: [] });
    expect(cfg.network).toBeUndefined();
    expect(cfg.locks).toBe(true);
  });

  test("a network block makes the vault and the share private by default", () => {
    const cfg = parse("staging", { ...azure, network: {} });
    expect(cfg.network).toMatchObject({ name: "vnet-amplifier-staging", addressSpace: "10.20.0.0/16" });
    expect(cfg.keyVault.publicNetworkAccess).toBe("Disabled");
    expect(cfg.storage.publicNetworkAccess).toBe("Disabled");
  });

  test("a derived name too long for Azure asks for an explicit one", () => {
    const run = () => parse("production-eu-west", azure);
    expect(run).toThrow(ConfigError);
    expect(run).toThrow('keyVault.name (derived "kv-amplifier-productioneuwest" from namePrefix and stack name)');
    expect(run).toThrow("set storage.accountName explicitly");
    const fixed = parse("production-eu-west", { ...azure, keyVault: { name: "kv-amplifier-prod-euw" }, storage: { accountName: "stamplifierprodeuw" } });
    expect(fixed.keyVault.name).toBe("kv-amplifier-prod-euw");
  });

  test("the app's defaults produce the API's settings; unset JWT values are left out", () => {
    const cfg = parse("staging", azure);
    const settings = appSettings({ ...cfg, keyVaultName: cfg.keyVault.name });
    expect(settings).toMatchObject({
      ENVIRONMENT: "staging",
      TELEMETRY_ENVIRONMENT: "staging",
      SERVICE_PORT: "8000",
      WEBSITES_PORT: "8000",
      SERVICE_WORKERS: "4",
      AZURE_KEYVAULT_NAME: "kv-amplifier-staging",
      ALLOWED_ORIGINS: "",
      TELEMETRY_SAMPLE_RATE: "1.0",
    });
    expect(Object.keys(settings).filter((k) => k.startsWith("JWT_"))).toEqual(["JWT_ALGORITHM"]);
    for (const secret of ["DATABASE_URL", "SECRET_KEY", "TELEMETRY_APP_INSIGHTS_CONNECTION_STRING"]) expect(settings).not.toHaveProperty(secret);
    expect(startCommand(cfg.appService)).toBe(
      "gunicorn --workers 4 --worker-class uvicorn.workers.UvicornWorker --bind 0.0.0.0:8000 --timeout 120 amplifier_app_api.main:app",
    );
  });
});

describe("CIDR and SKU helpers", () => {
  test("parse, contain, overlap", () => {
    expect(parseCidr("10.20.0.0/16")).toEqual({ first: 0x0a140000, last: 0x0a14ffff, prefix: 16 });
    expect(parseCidr("10.20.0.0/33")).toBeUndefined();
    expect(parseCidr("300.1.1.1/8")).toBeUndefined();
    expect(canonicalCidr("10.20.1.77/26")).toBe("10.20.1.64/26");
    expect(cidrContains("10.20.0.0/16", "10.20.255.0/24")).toBe(true);
    expect(cidrContains("10.20.0.0/16", "10.21.0.0/24")).toBe(false);
    expect(cidrContains("10.20.0.0/16", "10.0.0.0/8")).toBe(false);
    expect(cidrsOverlap("10.20.1.0/26", "10.20.1.63/32")).toBe(true);
    expect(cidrsOverlap("10.20.1.0/26", "10.20.1.64/26")).toBe(false);
  });

  test("plan tiers", () => {
    expect(["F1", "D1", "B1", "S2", "P1v2", "P0v3", "P1mv3"].map(planTier)).toEqual([
      "Free",
      "Shared",
      "Basic",
      "Standard",
      "PremiumV2",
      "PremiumV3",
      "PremiumV3",
    ]);
    expect(planTier("P1")).toBeUndefined();
  });
});
