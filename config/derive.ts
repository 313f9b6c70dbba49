/**
 * Names each stack derives from `namePrefix` and its stack name (`amplifier-db-test`, `kv-amplifier-prod`,
 * `rg-amplifier-staging`), unless the stack file sets them; schema.ts calls this once the config is valid.
 * Derived names that would break Azure's limits, and tags beyond them, are problems naming the key to set.
 */
import { deriveAppDeploy } from "./app-deploy";
import { appSchema } from "./app-settings";
import {
  appServiceSchema,
  isSiteName,
  isStorageAccountName,
  isVaultName,
  keyVaultSchema,
  monitoringSchema,
  planTier,
  type PlanTier,
  SITE_NAME_RULE,
  STORAGE_NAME_RULE,
  storageSchema,
  tagProblems,
  VAULT_NAME_RULE,
} from "./azure-app";
import { skuTier, type SkuTier } from "./database";
import { DEFAULT_DELIVERY } from "./delivery";
import { ConfigError } from "./errors";
import { azureTags } from "./tags";
import type { Parsed, StackConfig } from "./schema";

/** The validated config with every name the stack derives (from `namePrefix` and the stack's slug) filled in. */
export function deriveNames(stack: string, stackSlug: string, cfg: Parsed, secretPaths: ReadonlySet<string>): StackConfig {
  const p = cfg.namePrefix;
  const { docker, azure, postgres, locks, keyVault, appService, app, appDeploy, storage, network, monitoring, delivery, domains, ...common } = cfg;
  if (cfg.platform === "docker" && docker) {
    return {
      ...common,
      stack,
      stackSlug,
      secretPaths,
      production: false,
      platform: "docker",
      docker: {
        ...docker,
        containerName: docker.containerName ?? `${p}-postgres-${stackSlug}`,
        volumeName: docker.volumeName ?? `postgres_${stackSlug}_data`,
        user: docker.user ?? `${p}_${stackSlug}`,
        database: docker.database ?? `${p}_${stackSlug}`,
        api: docker.api && { ...docker.api, containerName: docker.api.containerName ?? `${p}-api-${stackSlug}` },
      },
    };
  }
  if (cfg.platform === "azure" && azure && postgres) {
    // Absent blocks take their schema defaults; access defaults to private exactly when there is a network.
    const access = network ? "Disabled" : "Enabled";
    const kv = keyVault ?? keyVaultSchema.parse({});
    const web = appService ?? appServiceSchema.parse({});
    const st = storage ?? storageSchema.parse({});
    const mon = monitoring ?? monitoringSchema.parse({});
    const tier = planTier(web.planSku) as PlanTier;
    const appName = web.name ?? `${p}-api-${stackSlug}`;
    const derived = {
      keyVault: { ...kv, name: kv.name ?? `kv-${p}-${stackSlug}`, publicNetworkAccess: kv.publicNetworkAccess ?? access },
      appService: {
        ...web,
        name: appName,
        planName: web.planName ?? `asp-${p}-${stackSlug}`,
        identityName: web.identityName ?? `id-${appName}`,
        alwaysOn: web.alwaysOn ?? (tier !== "Free" && tier !== "Shared"),
        planTier: tier,
      },
      storage: { ...st, accountName: st.accountName ?? `st${p}${stackSlug}`, publicNetworkAccess: st.publicNetworkAccess ?? access },
      appDeploy: appDeploy && deriveAppDeploy(appDeploy, appName),
    };
    // Derived names can outgrow Azure's limits with a long prefix or stack name: say which key to set.
    const tooLong = [
      ["keyVault.name", derived.keyVault.name, isVaultName, VAULT_NAME_RULE],
      ["appService.name", derived.appService.name, isSiteName, SITE_NAME_RULE],
      ["appService.planName", derived.appService.planName, isSiteName, SITE_NAME_RULE],
      ["storage.accountName", derived.storage.accountName, isStorageAccountName, STORAGE_NAME_RULE],
    ] as const;
    const problems = [
      ...tooLong
        .filter(([, name, valid]) => !valid(name))
        .map(([key, name, , rule]) => ({
          path: key.split("."),
          text: `${key} (derived ${JSON.stringify(name)} from namePrefix and stack name): ${rule}; set ${key} explicitly`,
        })),
      ...tagProblems(azureTags(cfg)).map((text) => ({ path: ["tags"], text: `tags: ${text}` })),
      // One resource group, one name: the deploy identity would be the app's own identity.
      ...(derived.appDeploy && derived.appDeploy.identityName.toLowerCase() === derived.appService.identityName.toLowerCase()
        ? [{ path: ["appDeploy", "identityName"], text: `appDeploy.identityName (got ${JSON.stringify(derived.appDeploy.identityName)}): is the app's own identity (appService.identityName); give the deploy identity its own name` }]
        : []),
    ];
    if (problems.length) throw new ConfigError(stack, problems);
    const resourceGroupName = azure.resourceGroupName ?? `rg-${p}-${stackSlug}`;
    const serverName = postgres.serverName ?? `${p}-db-${stackSlug}`;
    const databaseName = postgres.databaseName ?? `${p}_${stackSlug}`;
    return {
      ...common,
      stack,
      stackSlug,
      secretPaths,
      production: cfg.environment === "production",
      platform: "azure",
      azure: { ...azure, resourceGroupName },
      postgres: {
        ...postgres,
        serverName,
        databaseName,
        skuTier: skuTier(postgres.skuName) as SkuTier,
      },
      locks: locks ?? true,
      ...derived,
      app: app ?? appSchema.parse({}),
      network: network ? { ...network, name: `vnet-${p}-${stackSlug}` } : undefined,
      monitoring: {
        ...mon,
        workspaceName: `log-${p}-${stackSlug}`,
        appInsightsName: `appi-${p}-${stackSlug}`,
        actionGroupName: `ag-${p}-${stackSlug}`,
        actionGroupShortName: `${p}-${stackSlug}`.slice(0, 12),
      },
      delivery: delivery ?? DEFAULT_DELIVERY,
      domains: domains ?? [],
    };
  }
  // Unreachable: the schema's superRefine already requires the platform's blocks.
  throw new ConfigError(stack, [`platform (got ${JSON.stringify(cfg.platform)}): its configuration block is missing`]);
}
