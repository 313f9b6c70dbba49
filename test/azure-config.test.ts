/**
 * The Azure application tier's config: defaults and derived names, and bad values stopped before anything is
 * registered with the key, the value and what is allowed.
 */
import { canonicalCidr, cidrContains, cidrsOverlap, parseCidr, planTier } from "../config/azure-app";
import { ConfigError, parseStackConfig } from "../config/schema";
import { appSettings, startCommand } from "../components/app-settings";
import { runProgram, userResources } from "./harness";

interface BadCase {
  name: string;
  stack: string;
  overrides: Record<string, unknown>;
  expect: string[];
}

const badCases: BadCase[] = [
  {
    name: "vault name with a double hyphen",
    stack: "prod",
    overrides: { keyVault: { name: "kv--amplifier" } },
    expect: ['keyVault.name (got "kv--amplifier")', "3-24 characters", "no '--'"],
  },
  {
    name: "vault name starting with a digit",
    stack: "test",
    overrides: { keyVault: { name: "1-amplifier" } },
    expect: ['keyVault.name (got "1-amplifier")', "start with a letter"],
  },
  {
    name: "vault name longer than 24 characters",
    stack: "test",
    overrides: { keyVault: { name: "kv-amplifier-test-environment" } },
    expect: ['keyVault.name (got "kv-amplifier-test-environment")', "3-24 characters"],
  },
  {
    name: "alert email that is not an address",
    stack: "prod",
    overrides: { monitoring: { alertEmails: ["platform team"] } },
    expect: ['monitoring.alertEmails[0] (got "platform team"): must be an email address'],
  },
  {
    name: "integration subnet outside the VNet",
    stack: "prod",
    overrides: { network: { appSubnetPrefix: "10.30.1.0/26" } },
    expect: ['network.appSubnetPrefix (got "10.30.1.0/26"): is not inside the VNet\'s address space 10.20.0.0/16'],
  },
  {
    name: "overlapping subnets",
    stack: "prod",
    overrides: { network: { privateEndpointSubnetPrefix: "10.20.1.32/27" } },
    expect: ['network.privateEndpointSubnetPrefix (got "10.20.1.32/27"): overlaps appSubnetPrefix 10.20.1.0/26'],
  },
  {
    name: "subnet with host bits set",
    stack: "prod",
    overrides: { network: { privateEndpointSubnetPrefix: "10.20.2.5/27" } },
    expect: ['network.privateEndpointSubnetPrefix (got "10.20.2.5/27")', "network address 10.20.2.0/27"],
  },
  {
    name: "address space that is not CIDR",
    stack: "prod",
    overrides: { network: { addressSpace: "10.20.0.0" } },
    expect: ['network.addressSpace (got "10.20.0.0"): must be an IPv4 CIDR block'],
  },
  {
    name: "integration subnet smaller than /28",
    stack: "prod",
    overrides: { network: { appSubnetPrefix: "10.20.1.0/29" } },
    expect: ['network.appSubnetPrefix (got "10.20.1.0/29")', "between /8 and /28"],
  },
  {
    name: "private-only vault without a network",
    stack: "test",
    overrides: { keyVault: { publicNetworkAccess: "Disabled" } },
    expect: ['keyVault.publicNetworkAccess (got "Disabled")', "add a network block or set Enabled"],
  },
  {
    name: "zone redundancy on a Basic plan",
    stack: "test",
    overrides: { appService: { zoneRedundant: true, capacity: 2 } },
    expect: ["appService.zoneRedundant (got true)", "Premium v2/v3"],
  },
  {
    name: "zone redundancy with one instance",
    stack: "prod",
    overrides: { appService: { capacity: 1 } },
    expect: ["appService.capacity (got 1): a zone-redundant plan needs at least 2 instances"],
  },
  {
    name: "always-on on the Free tier",
    stack: "test",
    overrides: { appService: { planSku: "F1", alwaysOn: true } },
    expect: ["appService.alwaysOn (got true)", "not available on the Free tier"],
  },
  {
    name: "unknown plan SKU",
    stack: "test",
    overrides: { appService: { planSku: "B4" } },
    expect: ['appService.planSku (got "B4"): must be an App Service plan SKU'],
  },
  {
    name: "pool minimum above maximum",
    stack: "test",
    overrides: { app: { databasePoolMinSize: 20 } },
    expect: ["app.databasePoolMinSize (got 20): must not exceed databasePoolMaxSize (10)"],
  },
  {
    name: "wildcard CORS origin",
    stack: "prod",
    overrides: { app: { allowedOrigins: ["*"] } },
    expect: ['app.allowedOrigins[0] (got "*"): must be an https:// origin'],
  },
  {
    name: "sample rate above 1",
    stack: "prod",
    overrides: { app: { telemetry: { sampleRate: 10 } } },
    expect: ["app.telemetry.sampleRate (got 10): must be 0-1"],
  },
  {
    name: "purge protection given as text",
    stack: "prod",
    overrides: { keyVault: { purgeProtection: "yes" } },
    expect: ['keyVault.purgeProtection (got "yes"): must be a boolean'],
  },
  {
    name: "soft-delete retention beyond 90 days",
    stack: "prod",
    overrides: { keyVault: { softDeleteRetentionDays: 120 } },
    expect: ["keyVault.softDeleteRetentionDays (got 120): must be 7-90 days"],
  },
  {
    name: "JWT key shorter than 32 bytes",
    stack: "prod",
    overrides: { keyVault: { jwtSecretBytes: 16 } },
    expect: ["keyVault.jwtSecretBytes (got 16): must be at least 32 bytes"],
  },
  {
    name: "session mount outside /mnt",
    stack: "test",
    overrides: { storage: { mountPath: "/home/sessions" } },
    expect: ['storage.mountPath (got "/home/sessions"): must be a directory under /mnt'],
  },
  {
    name: "misspelt key in the vault block",
    stack: "prod",
    overrides: { keyVault: { purgeProtect: true } },
    expect: ['keyVault: unknown key "purgeProtect"'],
  },
  {
    name: "Entra admin object id that is not a GUID",
    stack: "prod",
    overrides: { postgres: { entraAdmin: { objectId: "admins", principalName: "db-admins", principalType: "Group" } } },
    expect: [`postgres.entraAdmin.objectId (got "admins"): must be the principal's object id, a GUID`],
  },
  {
    name: "an Azure block on the Docker stack",
    stack: "dev",
    overrides: { keyVault: { name: "kv-amplifier-dev" } },
    expect: ["keyVault (got", "is not used when platform is docker; remove it"],
  },
];

describe("bad Azure application config is rejected before anything is registered", () => {
  test.each(badCases)("$name", async ({ stack, overrides, expect: fragments }) => {
    const result = await runProgram({ stack, overrides });
    expect(result.error).toBeInstanceOf(ConfigError);
    for (const fragment of fragments) expect(result.error!.message).toContain(fragment);
    expect(userResources(result)).toEqual([]);
  });
});

describe("defaults and derived names", () => {
  const azure = { environment: "staging", platform: "azure", azure: {}, postgres: {} };
  const parse = (stack: string, raw: Record<string, unknown>) => {
    const cfg = parseStackConfig(stack, raw);
    if (cfg.platform !== "azure") throw new Error("expected azure");
    return cfg;
  };

  test("an Azure stack without the new blocks gets secure, working defaults", () => {
    const cfg = parse("staging", azure);
    expect(cfg.keyVault).toEqual({
      name: "kv-amplifier-staging",
      sku: "standard",
      softDeleteRetentionDays: 90,
      purgeProtection: true,
      publicNetworkAccess: "Enabled",
      jwtSecretBytes: 32,
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
