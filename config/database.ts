/**
 * The database tier's config blocks: `docker` (dev: PostgreSQL in local Docker) and `postgres` (Azure Flexible
 * Server), with Azure's limits for them. config/schema.ts assembles them with the other blocks into the stack schema.
 */
import { z } from "zod";

/** Azure Database for PostgreSQL Flexible Server storage sizes, in GiB (32 GiB .. 32 TiB, powers of two). */
export const STORAGE_SIZES_GB = [32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768] as const;

/** Compute tier implied by a Flexible Server SKU name: B = Burstable, D = General Purpose, E = Memory Optimized. */
export const SKU_TIERS = [
  { pattern: /^Standard_B\d+[a-z]*$/, tier: "Burstable" },
  { pattern: /^Standard_D\d+[a-z]*_v\d+$/, tier: "GeneralPurpose" },
  { pattern: /^Standard_E\d+[a-z]*_v\d+$/, tier: "MemoryOptimized" },
] as const;
export type SkuTier = (typeof SKU_TIERS)[number]["tier"];

export function skuTier(skuName: string): SkuTier | undefined {
  return SKU_TIERS.find((t) => t.pattern.test(skuName))?.tier;
}

/** The dev init SQL (the spec's scripts/init-dev-db.sql): dev runs it, Azure allows the extensions it creates. */
export const INIT_SQL_PATH = "scripts/init-dev-db.sql";
/** The server parameter that allow-lists extensions on Azure (config/extensions.ts derives its value). */
export const AZURE_EXTENSIONS = "azure.extensions";

/**
 * A project-relative `.sql` file (dev's init SQL; the SQL whose extensions Azure allows). Absolute paths and drive
 * letters are refused here; config/load.ts also resolves `..` and symlinks, so no host file (`/etc/passwd`) is read
 * into a container, a server parameter or the state.
 */
const initSqlPath = z
  .string()
  .regex(/^(?![\\/])(?![A-Za-z]:)[^\0]*\.sql$/, "must be a .sql file given relative to the project, such as scripts/init-dev-db.sql")
  .default(INIT_SQL_PATH);

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

export function ipv4ToNumber(ip: string): number {
  return ip.split(".").reduce((acc, octet) => acc * 256 + Number(octet), 0);
}

const ipv4 = z.string().regex(IPV4, "must be an IPv4 address such as 203.0.113.10");

/**
 * Azure server names: 3-63 chars, lowercase letters, digits and single hyphens, no hyphen at either end (REST API
 * serverName pattern `^[a-zA-Z0-9]+(-[a-zA-Z0-9]+)*`, https://learn.microsoft.com/rest/api/postgresql/servers/update).
 */
const serverName = z
  .string()
  .regex(
    /^(?!.*--)[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/,
    "must be 3-63 characters of lowercase letters, digits and hyphens, not starting or ending with a hyphen, no '--'",
  );

/** PostgreSQL identifiers we create (database and role names): keep them unquoted-safe. */
const pgIdentifier = z
  .string()
  .regex(/^[a-z_][a-z0-9_]{0,62}$/, "must be a lowercase PostgreSQL identifier (letters, digits, underscore; max 63)");

const firewallRule = z
  .strictObject({
    /** Rule name as shown in the portal (Azure allows letters, digits, `-`, `_`, `.`; max 80). */
    name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,79}$/, "must be 1-80 letters, digits, '-', '_' or '.'"),
    startIpAddress: ipv4,
    endIpAddress: ipv4,
  })
  .superRefine((rule, ctx) => {
    if (!IPV4.test(rule.startIpAddress) || !IPV4.test(rule.endIpAddress)) return;
    if (ipv4ToNumber(rule.startIpAddress) > ipv4ToNumber(rule.endIpAddress)) {
      ctx.addIssue({
        code: "custom",
        path: ["startIpAddress"],
        message: `start ${rule.startIpAddress} is after end ${rule.endIpAddress}; a range must run from low to high`,
      });
    }
    if (rule.startIpAddress === "0.0.0.0" && rule.endIpAddress === "255.255.255.255") {
      ctx.addIssue({
        code: "custom",
        path: ["endIpAddress"],
        message:
          "0.0.0.0-255.255.255.255 opens the database to the whole internet; list single CI/developer addresses instead " +
          "(Checkov CKV2_AZURE_26, Trivy AVD-AZU-0029)",
      });
    }
  });

/** dev: PostgreSQL 15 in local Docker, as the spec's docker-compose.dev.yml. */
export const dockerSchema = z.strictObject({
  /** Image pulled and kept locally (`keepLocally`) so `pulumi destroy` does not delete a shared image. */
  image: z.string().min(1).default("postgres:15-alpine"),
  /** Container name the spec's commands use (`docker exec amplifier-postgres-dev ...`). Default `<prefix>-postgres-<stack>`. */
  containerName: z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/, "must be a valid Docker container name").optional(),
  /** Named data volume, so data survives container replacement. Default `postgres_<stack>_data`. */
  volumeName: z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/, "must be a valid Docker volume name").optional(),
  /** Host port; the container listens on 5432. Bound to 127.0.0.1 only (spec: "localhost only"). */
  hostPort: z.number().int().min(1).max(65535).default(5432),
  /** POSTGRES_USER / POSTGRES_DB. Default `<prefix>_<stack>` (amplifier_dev). */
  user: pgIdentifier.optional(),
  database: pgIdentifier.optional(),
  /** POSTGRES_PASSWORD. The spec's local password; weak is acceptable for a localhost-only container. */
  password: z.string().min(1).default("dev_password"),
  /**
   * Init SQL uploaded into /docker-entrypoint-initdb.d/ (runs once, on an empty data volume): a `.sql` file inside
   * this project, given relative to it (config/load.ts also resolves symlinks before it is read).
   */
  initSqlPath,
  healthcheck: z
    .strictObject({
      interval: z.string().regex(/^\d+(ms|s|m)$/, "must be a Docker duration such as 5s").default("5s"),
      timeout: z.string().regex(/^\d+(ms|s|m)$/, "must be a Docker duration such as 5s").default("5s"),
      retries: z.number().int().min(1).max(100).default(5),
    })
    .prefault({}),
  /** Optional API container (spec compose `api` service). Off unless a local checkout is named. */
  api: z
    .strictObject({
      /** Path to a local checkout of the Amplifier API with a Dockerfile (relative to this project). */
      context: z.string().min(1),
      dockerfile: z.string().min(1).default("Dockerfile"),
      /** Default `<prefix>-api-<stack>` (amplifier-api-dev, the spec's container name). */
      containerName: z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/, "must be a valid Docker container name").optional(),
      hostPort: z.number().int().min(1).max(65535).default(8765),
      /** Mount the checkout at /app and run uvicorn with --reload, as the spec's compose file does. */
      mountSource: z.boolean().default(true),
      /** Extra development settings passed as environment variables (the spec's .env.development). */
      settings: z.record(z.string().regex(/^[A-Z][A-Z0-9_]*$/, "must be an UPPER_SNAKE_CASE name"), z.string()).default({}),
    })
    .optional(),
});

/** test/staging/prod: Azure Database for PostgreSQL Flexible Server. */
export const postgresSchema = z
  .strictObject({
    /** Default `<prefix>-db-<stack>` (amplifier-db-test, amplifier-db-prod). */
    serverName: serverName.optional(),
    version: z.enum(["15"]).default("15"),
    /** SKU name; its tier is derived from it (Standard_B* Burstable, Standard_D*_v* GeneralPurpose, Standard_E*_v* MemoryOptimized). */
    skuName: z.string().default("Standard_B1ms"),
    storageSizeGb: z
      .number()
      .int()
      .refine((n) => (STORAGE_SIZES_GB as readonly number[]).includes(n), {
        message: `must be one of Azure's sizes in GiB: ${STORAGE_SIZES_GB.join(", ")}`,
      })
      .default(32),
    backupRetentionDays: z.number().int().min(7, "must be 7-35 days").max(35, "must be 7-35 days").default(7),
    geoRedundantBackup: z.boolean().default(false),
    highAvailability: z.enum(["Disabled", "ZoneRedundant", "SameZone"]).default("Disabled"),
    /** Secure default: no public endpoint. test opts in, with firewall rules. */
    publicNetworkAccess: z.enum(["Enabled", "Disabled"]).default("Disabled"),
    /** The 0.0.0.0-0.0.0.0 rule Azure reads as "allow Azure services" (spec: AllowAzureServices). */
    allowAzureServices: z.boolean().default(false),
    firewallRules: z.array(firewallRule).default([]),
    /** Default `<prefix>_<stack>` (amplifier_test, amplifier_prod). */
    databaseName: pgIdentifier.optional(),
    adminLogin: pgIdentifier.default("amplifier_admin"),
    /** Generated admin password length (spec prod: "Strong passwords (20+ chars)"). */
    passwordLength: z.number().int().min(24, "must be at least 24").max(128, "must be at most 128").default(32),
    minTlsVersion: z.enum(["TLSv1.2", "TLSv1.3"]).default("TLSv1.2"),
    /**
     * Microsoft Entra administrator of the server (a group is best). When set, Entra authentication is enabled next
     * to password authentication (the spec's DATABASE_URL uses a password). Policy rule postgres-entra-admin.
     */
    entraAdmin: z
      .strictObject({
        objectId: z.guid("must be the principal's object id, a GUID such as 00000000-0000-0000-0000-000000000000"),
        principalName: z.string().min(1),
        principalType: z.enum(["Group", "User", "ServicePrincipal"]).default("Group"),
      })
      .optional(),
    /**
     * The SQL the app's database is initialised with in dev: every extension it creates is allowed on this server
     * (`azure.extensions`, set after TLS). Relative to the project.
     */
    initSqlPath,
    /**
     * Seconds the first write waits after the server is created (Azure answers ServerIsBusy right after creation;
     * Azure/azure-postgresql#134). Waits only when the server is created or replaced, never on later deploys.
     */
    settleSeconds: z.number().int().min(0, "must be 0-600 seconds").max(600, "must be 0-600 seconds").default(60),
    /**
     * Server parameters applied after TLS, one at a time (they are server children; see ServerIsBusy). The defaults
     * are what the policy pack asks for: connection logging, throttling, and SCRAM password hashes set explicitly
     * (Azure's PG15 default, but md5 stays selectable on a live server).
     */
    serverParameters: z.record(z.string().regex(/^[a-z_.]+$/, "must be a server parameter name"), z.string()).default({
      log_connections: "on",
      log_disconnections: "on",
      log_checkpoints: "on",
      "connection_throttle.enable": "on",
      password_encryption: "scram-sha-256",
    }),
  })
  .superRefine((pg, ctx) => {
    const tier = skuTier(pg.skuName);
    if (!tier) {
      ctx.addIssue({
        code: "custom",
        path: ["skuName"],
        message:
          "must be a Flexible Server SKU: Standard_B<n><suffix> (Burstable), Standard_D<n>ds_v<k> (GeneralPurpose) " +
          "or Standard_E<n>ds_v<k> (MemoryOptimized), e.g. Standard_B1ms or Standard_D2ds_v5",
      });
    } else if (tier === "Burstable" && pg.highAvailability !== "Disabled") {
      ctx.addIssue({
        code: "custom",
        path: ["highAvailability"],
        message:
          `high availability is not available on the Burstable tier (skuName ${pg.skuName}); Azure supports it only on ` +
          "GeneralPurpose or MemoryOptimized. Use skuName Standard_D2ds_v5 (the smallest GeneralPurpose SKU) or set highAvailability: Disabled",
      });
    }
    if (pg.publicNetworkAccess === "Disabled" && (pg.allowAzureServices || pg.firewallRules.length > 0)) {
      ctx.addIssue({
        code: "custom",
        path: [pg.allowAzureServices ? "allowAzureServices" : "firewallRules"],
        message:
          "firewall rules need a public endpoint, but publicNetworkAccess is Disabled; remove the rules or set publicNetworkAccess: Enabled",
      });
    }
    if (AZURE_EXTENSIONS in pg.serverParameters) {
      ctx.addIssue({
        code: "custom",
        path: ["serverParameters", AZURE_EXTENSIONS],
        message: `is derived from the CREATE EXTENSION statements in ${pg.initSqlPath} (postgres.initSqlPath), so dev and Azure allow the same extensions; add the extension there instead`,
      });
    }
    const seen = new Set<string>();
    pg.firewallRules.forEach((rule, i) => {
      if (seen.has(rule.name) || (pg.allowAzureServices && rule.name === AZURE_SERVICES_RULE)) {
        ctx.addIssue({ code: "custom", path: ["firewallRules", i, "name"], message: "must be unique" });
      }
      seen.add(rule.name);
    });
  });

/** Azure's rule name for the 0.0.0.0 "allow Azure services" rule (spec: `--name AllowAzureServices`). */
export const AZURE_SERVICES_RULE = "AllowAzureServices";
