/**
 * The one typed, validated description of a stack's configuration.
 *
 * Everything that differs between dev, test, staging and prod is data in `Pulumi.<stack>.yaml`, checked here
 * before any resource is registered. Defaults live in config/ and nowhere else (the blocks' schemas are in
 * database.ts, azure-app.ts and app-settings.ts; this file assembles and cross-checks them, derive.ts fills in the names); names the spec gives
 * (`amplifier-db-test`, `amplifier_prod`, ...) are derived from `namePrefix` and the stack name, so a new
 * environment is a new YAML file and nothing else.
 */
import { z } from "zod";
import { RULE_NAMES } from "../policy/rules";
import { appDeploySchema, type AppDeployConfig } from "./app-deploy";
import { appSchema } from "./app-settings";
import { appServiceSchema, keyVaultSchema, monitoringSchema, networkSchema, type PlanTier, storageSchema, TAG_LIMITS } from "./azure-app";
import { dockerSchema, postgresSchema, type SkuTier } from "./database";
import { deriveNames } from "./derive";
import { checkDelivery, type DeliveryConfig, deliverySchema } from "./delivery";
import { ConfigError, describeIssue } from "./errors";
import { citeList, OFFERINGS, offered } from "./azure-offerings";
import { matching, offeredBy } from "./fields";
import { misplacedSecretProblems, secretKeyProblems, secretPathsOf } from "./secrets";
import { settingProblems } from "./settings";

export { ConfigError } from "./errors";

/** Environment names the Amplifier API's Settings class accepts (spec: `validate_environment`). */
export const ENVIRONMENTS = ["development", "test", "staging", "production"] as const;

const azureSchema = z
  .strictObject({
    // Two stacks cannot share a group (destroying either would delete the other's resources), so the default is the
    // stack's own and a new stack file never lands in another stack's group.
    resourceGroupName: matching(/^[-\w._()]{1,89}[-\w_()]$/, "must be 1-90 letters, digits, '-', '_', '.', '(' or ')', not ending in '.'")
      .optional()
      .describe("Resource group for this stack's resources."),
    location: offeredBy(z.string(), offered.region, `an Azure region's programmatic name such as eastus (${citeList(OFFERINGS.regions)}; config/azure-offerings.data.json)`)
      .default("eastus")
      .describe("Azure region of every resource."),
  })
  .describe("Where the stack's Azure resources live.");

/**
 * Documented deviations from the policy pack (policy/rules/): rule name -> why this stack may break it. An
 * excepted rule is advisory for this stack; every other rule is mandatory.
 */
const policySchema = z
  .strictObject({
    exceptions: z
      .record(
        z.string().meta({ rule: "a policy rule name (docs/policy-rules.md)" }),
        z.string().trim().min(1, "must give the reason for the exception").max(500, "must give the reason in at most 500 characters"),
      )
      .superRefine((exceptions, ctx) => {
        for (const name of Object.keys(exceptions)) {
          if (!RULE_NAMES.includes(name)) {
            ctx.addIssue({ code: "custom", path: [name], message: `is not a policy rule; rules are: ${RULE_NAMES.join(", ")}` });
          }
        }
      })
      .default({})
      .describe(
        "Rule name -> the reason this stack may break it: the rule becomes advisory here (a reason starting PENDING marks a gap to close). A production stack cannot waive a critical rule.",
      ),
  })
  .describe("Documented deviations from the policy pack; every rule not listed is mandatory.");

/** Azure tag values: 1-256 characters (Microsoft Learn, "Use tags to organize your Azure resources", Limitations). */
const tagValue = z.string().min(1, "must be 1-256 characters").max(TAG_LIMITS.maxValueLength, "must be 1-256 characters");

/** A DNS name such as example.com (lower case, at least two labels; RFC 1035 lengths). */
const domainName = matching(
  /^(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/,
  "must be a DNS domain in lower case such as amplifier-api.com",
);

/** Blocks a platform's stacks must have. */
export const REQUIRED_BLOCKS = { docker: ["docker"], azure: ["azure", "postgres"] } as const;

export const stackConfigSchema = z
  .strictObject({
    environment: z.enum(ENVIRONMENTS).describe("ENVIRONMENT of the API and the `environment` tag."),
    platform: z.enum(["docker", "azure"]).describe("Where the database runs: local Docker (no Azure credentials) or Azure."),
    namePrefix: matching(/^[a-z][a-z0-9]{1,14}$/, "must be 2-15 lowercase letters and digits, starting with a letter")
      .default("amplifier")
      .describe("Prefix of every derived name (`amplifier` -> amplifier-db-test, kv-amplifier-prod)."),
    // Pulumi `protect`: neither `pulumi destroy` nor a replacement can delete them.
    protect: z
      .boolean()
      .default(true)
      .describe("Guard stateful resources (resource group, database server and database, vault, storage account and share) against deletion; a disposable stack opts out."),
    // Spec: managed-by, cost-center.
    tags: z
      .strictObject({
        managedBy: tagValue.default("amplifier").describe("Value of the `managed-by` tag."),
        costCenter: tagValue.default("engineering").describe("Value of the `cost-center` tag."),
      })
      .prefault({})
      .describe("Tags on every Azure resource, next to `environment`."),
    locks: z
      .boolean()
      .optional()
      .meta({ derivedDefault: "`true`" })
      .describe("CanNotDelete management locks on the database server and the vault; also stop deletion from the portal or the CLI."),
    docker: dockerSchema.optional(),
    azure: azureSchema.optional(),
    postgres: postgresSchema.optional(),
    policy: policySchema.prefault({}),
    // Azure application tier (config/azure-app.ts, app-settings.ts); each block is optional on Azure stacks and takes its defaults.
    keyVault: keyVaultSchema.optional(),
    appService: appServiceSchema.optional(),
    app: appSchema.optional(),
    /** The app repository's deploy identity (config/app-deploy.ts); absent, the program creates none. */
    appDeploy: appDeploySchema.optional(),
    storage: storageSchema.optional(),
    network: networkSchema.optional(),
    monitoring: monitoringSchema.optional(),
    /** How CI previews and deploys the stack (config/delivery.ts). */
    delivery: deliverySchema.optional(),
    domains: z
      .array(domainName)
      .max(20, "must list at most 20 domains")
      .optional()
      .meta({ derivedDefault: "none" })
      .describe("The organisation's DNS domains: in production, CORS origins and alert addresses must be at one of them or a subdomain."),
  })
  .superRefine((cfg, ctx) => {
    // The API runs production with production's guarantees; a laptop's Docker container has none of them.
    if (cfg.platform === "docker" && cfg.environment === "production") {
      ctx.addIssue({ code: "custom", path: ["environment"], message: "a Docker stack cannot be production (no backups, HA or TLS); use platform: azure" });
    }
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
    for (const key of REQUIRED_BLOCKS[cfg.platform]) need(key);
    if (cfg.platform === "docker") {
      for (const key of AZURE_ONLY) forbid(key);
    } else {
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
export const AZURE_ONLY = ["azure", "postgres", "locks", "keyVault", "appService", "app", "appDeploy", "storage", "network", "monitoring", "delivery", "domains"] as const;

export type RawStackConfig = z.input<typeof stackConfigSchema>;
export type Parsed = z.output<typeof stackConfigSchema>;
export type DockerConfig = NonNullable<Parsed["docker"]>;
export type PostgresConfig = NonNullable<Parsed["postgres"]>;
type AzureBlock = NonNullable<Parsed["azure"]>;
export type AzureConfig = AzureBlock & Required<Pick<AzureBlock, "resourceGroupName">>;
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
  /** Config paths whose values are secret (config/secrets.ts): wrap them with `secretAware` where used. */
  secretPaths: ReadonlySet<string>;
  /**
   * Held to production's guarantees: an Azure stack that non-production-stacks.yaml does not list, or one that says
   * `environment: production` (config/gating.ts). parseStackConfig alone knows no list: production means the latter.
   */
  production: boolean;
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
      /** Present: the app repository's deploy identity, its federated credential and its role on the web app. */
      appDeploy?: AppDeployConfig;
      storage: StorageConfig;
      /** Present: private endpoints for database, vault and storage, and VNet integration of the web app. */
      network?: NetworkConfig;
      monitoring: MonitoringConfig;
      delivery: DeliveryConfig;
      /** The organisation's DNS domains (production: CORS origins and alert addresses are within them). */
      domains: string[];
    });

/** The stack name reduced to lowercase letters and digits, as derived names use it (`pr-od` -> `prod`). */
export function stackSlug(stack: string): string {
  return stack.toLowerCase().replace(/[^a-z0-9]/g, "");
}

/**
 * Validates raw config (keys without the project prefix, structured values already parsed) and derives the
 * default names from the stack name. `secretKeys`: the top-level keys Pulumi marks secret (config/secrets.ts).
 * Throws ConfigError naming every bad key.
 */
export function parseStackConfig(stack: string, raw: Record<string, unknown>, secretKeys: Iterable<string> = []): StackConfig {
  const secret = new Set(secretKeys);
  // A secure: value where nothing can keep it secret is reported by key alone: the schema's messages below quote the
  // values they reject, and the program sees decrypted values.
  const misplaced = secretKeyProblems(secret);
  if (misplaced.length) throw new ConfigError(stack, misplaced);
  const result = stackConfigSchema.safeParse(raw);
  if (!result.success) {
    throw new ConfigError(stack, result.error.issues.flatMap((issue) => describeIssue(issue, raw, stackConfigSchema, secret)));
  }
  const cfg = result.data;
  const slug = stackSlug(stack);
  if (!/^[a-z0-9]{1,20}$/.test(slug)) {
    throw new ConfigError(stack, [`stack name "${stack}": must contain 1-20 letters or digits to derive resource names`]);
  }
  const secretPaths = secretPathsOf(cfg, secret);
  // After the schema, on valid values; never quoting one (the settings may hold credentials).
  const problems = [...misplacedSecretProblems(cfg, secret), ...settingProblems(cfg, secretPaths)];
  if (problems.length) throw new ConfigError(stack, problems);
  return deriveNames(stack, slug, cfg, secretPaths);
}
