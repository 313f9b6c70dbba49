/**
 * The one typed, validated description of a stack's configuration.
 *
 * Everything that differs between dev, test, staging and prod is data in `Pulumi.<stack>.yaml`, checked here
 * before any resource is registered. Defaults live in config/ and nowhere else (the blocks' schemas are in
 * database.ts and azure-app.ts; this file assembles them, cross-checks them and derives names); names the spec gives
 * (`amplifier-db-test`, `amplifier_prod`, ...) are derived from `namePrefix` and the stack name, so a new
 * environment is a new YAML file and nothing else.
 */
import { z } from "zod";
import { RULE_NAMES } from "../policy/rules";
import {
  appSchema,
  appServiceSchema,
  isSiteName,
  isStorageAccountName,
  isVaultName,
  keyVaultSchema,
  monitoringSchema,
  networkSchema,
  planTier,
  type PlanTier,
  SITE_NAME_RULE,
  STORAGE_NAME_RULE,
  storageSchema,
  VAULT_NAME_RULE,
} from "./azure-app";
import { dockerSchema, postgresSchema, skuTier, type SkuTier } from "./database";
import { checkDelivery, DEFAULT_DELIVERY, type DeliveryConfig, deliverySchema } from "./delivery";

/** Environment names the Amplifier API's Settings class accepts (spec: `validate_environment`). */
export const ENVIRONMENTS = ["development", "test", "staging", "production"] as const;

const azureSchema = z.strictObject({
  /** Resource group for this stack's resources. */
  resourceGroupName: z
    .string()
    .regex(/^[-\w._()]{1,89}[-\w_()]$/, "must be 1-90 letters, digits, '-', '_', '.', '(' or ')', not ending in '.'")
    .default("rg-amplifier"),
  location: z.string().regex(/^[a-z0-9]+$/, "must be an Azure region name such as eastus").default("eastus"),
});

/**
 * Documented deviations from the policy pack (policy/rules/): rule name -> why this stack may break it. An
 * excepted rule is advisory for this stack; every other rule is mandatory.
 */
const policySchema = z.strictObject({
  exceptions: z
    .record(z.string(), z.string().trim().min(1, "must give the reason for the exception"))
    .superRefine((exceptions, ctx) => {
      for (const name of Object.keys(exceptions)) {
        if (!RULE_NAMES.includes(name)) {
          ctx.addIssue({ code: "custom", path: [name], message: `is not a policy rule; rules are: ${RULE_NAMES.join(", ")}` });
        }
      }
    })
    .default({}),
});

export const stackConfigSchema = z
  .strictObject({
    /** ENVIRONMENT of the API and the `environment` tag. */
    environment: z.enum(ENVIRONMENTS),
    /** Where the database runs: local Docker (no Azure credentials) or Azure. */
    platform: z.enum(["docker", "azure"]),
    /** Prefix of every derived name (`amplifier` -> amplifier-db-test, kv-amplifier-prod). */
    namePrefix: z
      .string()
      .regex(/^[a-z][a-z0-9]{1,14}$/, "must be 2-15 lowercase letters and digits, starting with a letter")
      .default("amplifier"),
    /**
     * Guard stateful resources (resource group, database server; later the vault): Pulumi `protect`, so neither
     * `pulumi destroy` nor a replacement can delete them. On by default; a disposable stack opts out.
     */
    protect: z.boolean().default(true),
    /** Tags on every Azure resource, next to `environment` (spec: managed-by, cost-center). */
    tags: z
      .strictObject({
        managedBy: z.string().min(1).default("amplifier"),
        costCenter: z.string().min(1).default("engineering"),
      })
      .prefault({}),
    /** CanNotDelete management locks on the database server and the vault (Azure stacks; default on, like `protect`). */
    locks: z.boolean().optional(),
    docker: dockerSchema.optional(),
    azure: azureSchema.optional(),
    postgres: postgresSchema.optional(),
    policy: policySchema.prefault({}),
    // Azure application tier (config/azure-app.ts); each block is optional on Azure stacks and takes its defaults.
    keyVault: keyVaultSchema.optional(),
    appService: appServiceSchema.optional(),
    app: appSchema.optional(),
    storage: storageSchema.optional(),
    network: networkSchema.optional(),
    monitoring: monitoringSchema.optional(),
    /** How CI previews and deploys the stack (config/delivery.ts). */
    delivery: deliverySchema.optional(),
  })
  .superRefine((cfg, ctx) => {
    const need = (key: "docker" | "azure" | "postgres") => {
      if (cfg[key] === undefined) {
        ctx.addIssue({ code: "custom", path: [key], message: `is required when platform is ${cfg.platform}` });
      }
    };
    const forbid = (key: (typeof AZURE_ONLY)[number] | "docker") => {
      if (cfg[key] !== undefined) {
        ctx.addIssue({ code: "custom", path: [key], message: `is not used when platform is ${cfg.platform}; remove it` });
      }
    };
    if (cfg.platform === "docker") {
      need("docker");
      for (const key of AZURE_ONLY) forbid(key);
    } else {
      need("azure");
      need("postgres");
      forbid("docker");
      checkDelivery(cfg, ctx);
      // A private-only database, vault or share is reachable by the app only through the private endpoints
      // `network` creates; without them the stack would deploy an API that cannot reach its data.
      for (const key of ["postgres", "keyVault", "storage"] as const) {
        if (cfg[key]?.publicNetworkAccess === "Disabled" && !cfg.network) {
          ctx.addIssue({
            code: "custom",
            path: [key, "publicNetworkAccess"],
            message:
              "Disabled (the secure default) needs private endpoints, which only a `network` block creates; without one the web " +
              "app could not reach it. Add a network block or set publicNetworkAccess: Enabled",
          });
        }
      }
    }
  });

/** Blocks only Azure stacks use. */
const AZURE_ONLY = ["azure", "postgres", "locks", "keyVault", "appService", "app", "storage", "network", "monitoring", "delivery"] as const;

export type RawStackConfig = z.input<typeof stackConfigSchema>;
type Parsed = z.output<typeof stackConfigSchema>;
export type DockerConfig = NonNullable<Parsed["docker"]>;
export type PostgresConfig = NonNullable<Parsed["postgres"]>;
export type AzureConfig = NonNullable<Parsed["azure"]>;
type KeyVaultBlock = z.output<typeof keyVaultSchema>;
type AppServiceBlock = z.output<typeof appServiceSchema>;
type StorageBlock = z.output<typeof storageSchema>;
export type AppConfig = z.output<typeof appSchema>;
export type NetworkConfig = z.output<typeof networkSchema> & { name: string };
export type MonitoringConfig = z.output<typeof monitoringSchema> & {
  workspaceName: string;
  appInsightsName: string;
  actionGroupName: string;
  /** Action group short name (SMS/email sender label, max 12 characters). */
  actionGroupShortName: string;
};
export type KeyVaultConfig = KeyVaultBlock & Required<Pick<KeyVaultBlock, "name" | "publicNetworkAccess">>;
export type AppServiceConfig = AppServiceBlock & Required<Pick<AppServiceBlock, "name" | "planName" | "identityName" | "alwaysOn">> & { planTier: PlanTier };
export type StorageConfig = StorageBlock & Required<Pick<StorageBlock, "accountName" | "publicNetworkAccess">>;

type Common = Omit<Parsed, "platform" | "locks" | (typeof AZURE_ONLY)[number] | "docker"> & {
  stack: string;
  /** The stack name reduced to lowercase letters and digits, as used in derived names. */
  stackSlug: string;
};
export type LocalDatabaseConfig = DockerConfig & Required<Pick<DockerConfig, "containerName" | "volumeName" | "user" | "database">>;
export type ServerConfig = PostgresConfig & Required<Pick<PostgresConfig, "serverName" | "databaseName">> & { skuTier: SkuTier };

/** The validated configuration with every stack-derived name filled in; `platform` tells which blocks exist. */
export type StackConfig =
  | (Common & { platform: "docker"; docker: LocalDatabaseConfig })
  | (Common & {
      platform: "azure";
      azure: AzureConfig;
      postgres: ServerConfig;
      locks: boolean;
      keyVault: KeyVaultConfig;
      appService: AppServiceConfig;
      app: AppConfig;
      storage: StorageConfig;
      /** Present: private endpoints for database, vault and storage, and VNet integration of the web app. */
      network?: NetworkConfig;
      monitoring: MonitoringConfig;
      delivery: DeliveryConfig;
    });

/** Raised for any configuration error; the message lists every problem with key, value and what is allowed. */
export class ConfigError extends Error {
  constructor(
    readonly stackName: string,
    readonly problems: string[],
  ) {
    super(`Invalid configuration for stack "${stackName}":\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

/**
 * Validates raw config (keys without the project prefix, structured values already parsed) and derives the
 * default names from the stack name. Throws ConfigError naming every bad key.
 */
export function parseStackConfig(stack: string, raw: Record<string, unknown>): StackConfig {
  const result = stackConfigSchema.safeParse(raw);
  if (!result.success) {
    throw new ConfigError(stack, result.error.issues.map((issue) => describeIssue(issue, raw)));
  }
  const cfg = result.data;
  const stackSlug = stack.toLowerCase().replace(/[^a-z0-9]/g, "");
  if (!/^[a-z0-9]{1,20}$/.test(stackSlug)) {
    throw new ConfigError(stack, [`stack name "${stack}": must contain 1-20 letters or digits to derive resource names`]);
  }
  const p = cfg.namePrefix;
  const { docker, azure, postgres, locks, keyVault, appService, app, storage, network, monitoring, delivery, ...common } = cfg;
  if (cfg.platform === "docker" && docker) {
    return {
      ...common,
      stack,
      stackSlug,
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
    };
    // Derived names can outgrow Azure's limits with a long prefix or stack name: say which key to set.
    const tooLong = [
      ["keyVault.name", derived.keyVault.name, isVaultName, VAULT_NAME_RULE],
      ["appService.name", derived.appService.name, isSiteName, SITE_NAME_RULE],
      ["appService.planName", derived.appService.planName, isSiteName, SITE_NAME_RULE],
      ["storage.accountName", derived.storage.accountName, isStorageAccountName, STORAGE_NAME_RULE],
    ] as const;
    const problems = tooLong
      .filter(([, name, valid]) => !valid(name))
      .map(([key, name, , rule]) => `${key} (derived ${JSON.stringify(name)} from namePrefix and stack name): ${rule}; set ${key} explicitly`);
    if (problems.length) throw new ConfigError(stack, problems);
    return {
      ...common,
      stack,
      stackSlug,
      platform: "azure",
      azure,
      postgres: {
        ...postgres,
        serverName: postgres.serverName ?? `${p}-db-${stackSlug}`,
        databaseName: postgres.databaseName ?? `${p}_${stackSlug}`,
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
    };
  }
  // Unreachable: the schema's superRefine already requires the platform's blocks.
  throw new ConfigError(stack, [`platform (got ${JSON.stringify(cfg.platform)}): its configuration block is missing`]);
}

function valueAt(raw: unknown, path: PropertyKey[]): unknown {
  return path.reduce<unknown>(
    (node, key) => (node !== null && typeof node === "object" ? (node as Record<PropertyKey, unknown>)[key] : undefined),
    raw,
  );
}

function keyPath(path: PropertyKey[]): string {
  return path.reduce<string>(
    (acc, key) => (typeof key === "number" ? `${acc}[${key}]` : acc ? `${acc}.${String(key)}` : String(key)),
    "",
  );
}

/** One line per problem: `key (got <value>): <what is allowed>`. */
function describeIssue(issue: z.core.$ZodIssue, raw: unknown): string {
  const where = keyPath(issue.path) || "(root)";
  if (issue.code === "unrecognized_keys") {
    return `${where}: unknown key${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((k) => `"${k}"`).join(", ")} (check the spelling; unknown keys are rejected so a typo cannot silently fall back to a default)`;
  }
  const value = valueAt(raw, issue.path);
  const got = value === undefined ? "not set" : `got ${JSON.stringify(value)}`;
  if (issue.code === "invalid_value") {
    return `${where} (${got}): must be one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`;
  }
  if (issue.code === "invalid_type") {
    return `${where} (${got}): must be ${issue.expected === "object" ? "a mapping" : `a ${issue.expected}`}`;
  }
  return `${where} (${got}): ${issue.message}`;
}
