/**
 * The database tier's config blocks: `docker` (dev: PostgreSQL in local Docker) and `postgres` (Azure Flexible
 * Server), with Azure's limits for them. config/schema.ts assembles them with the other blocks into the stack schema.
 */
import { z } from "zod";
import { SERVER_PARAMETERS } from "../policy/rules";
import { IPV4, ipv4ToNumber } from "./cidr";
import { citeList, OFFERINGS, offered, postgresSku, type PostgresSku } from "./azure-offerings";
import { didYouMean } from "./errors";
import { matching, offeredBy } from "./fields";
import { restoreSchema } from "./restore";
import { settingsRecord } from "./settings";

/** The bootstrap run's default image: Microsoft's Azure CLI image (python3, CA certificates), pinned by digest. */
export const BOOTSTRAP_IMAGE = "mcr.microsoft.com/azure-cli:2.67.0@sha256:6d7791e595999664478813ee6da9b340dc087be87cce9f581ded83cc4bf15ca0";

/** Azure Database for PostgreSQL Flexible Server storage sizes, in GiB, from the dated table (config/azure-offerings.data.json). */
export const STORAGE_SIZES_GB: readonly number[] = OFFERINGS.postgresStorageSizesGb.values;

/** Compute tiers of Flexible Server SKUs (Burstable, General Purpose, Memory Optimized). */
export type SkuTier = PostgresSku["tier"];

/** The tier of a SKU Azure offers (config/azure-offerings.data.json), undefined for any other name. */
export function skuTier(skuName: string): SkuTier | undefined {
  return postgresSku(skuName)?.tier;
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
const initSqlPath = matching(/^(?![\\/])(?![A-Za-z]:)[^\0]*\.sql$/, "must be a .sql file given relative to the project, such as scripts/init-dev-db.sql").default(
  INIT_SQL_PATH,
);

const ipv4 = matching(IPV4, "must be an IPv4 address such as 203.0.113.10");

/**
 * Azure server names: 3-63 chars, lowercase letters, digits and single hyphens, no hyphen at either end (REST API
 * serverName pattern `^[a-zA-Z0-9]+(-[a-zA-Z0-9]+)*`, https://learn.microsoft.com/rest/api/postgresql/servers/update).
 */
const serverName = matching(
  /^(?!.*--)[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/,
  "must be 3-63 characters of lowercase letters, digits and hyphens, not starting or ending with a hyphen, no '--'",
);

/** PostgreSQL identifiers we create (database and role names): keep them unquoted-safe. */
const pgIdentifier = matching(/^[a-z_][a-z0-9_]{0,62}$/, "must be a lowercase PostgreSQL identifier (letters, digits, underscore; max 63)");
const dockerName = (what: string) => matching(/^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/, `must be a valid Docker ${what} name`);
const duration = matching(/^\d+(ms|s|m)$/, "must be a Docker duration such as 5s");

const firewallRule = z
  .strictObject({
    // Azure allows letters, digits, `-`, `_`, `.`; max 80.
    name: matching(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,79}$/, "must be 1-80 letters, digits, '-', '_' or '.'").describe("Rule name as shown in the portal."),
    startIpAddress: ipv4.describe("First address of the range."),
    endIpAddress: ipv4.describe("Last address of the range (one address: the same as the first)."),
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
export const dockerSchema = z
  .strictObject({
    // keepLocally, so `pulumi destroy` does not delete an image other projects share.
    image: z.string().min(1).default("postgres:15-alpine").describe("PostgreSQL image, pulled and kept locally."),
    containerName: dockerName("container").optional().describe("Database container name (the spec's commands use `docker exec amplifier-postgres-dev ...`)."),
    volumeName: dockerName("volume").optional().describe("Named data volume, so data survives container replacement."),
    hostPort: z.number().int().min(1).max(65535).default(5432).describe("Host port, bound to 127.0.0.1 only (spec: localhost only); the container listens on 5432."),
    user: pgIdentifier.optional().describe("POSTGRES_USER."),
    database: pgIdentifier.optional().describe("POSTGRES_DB."),
    // The spec's local password; weak is acceptable for a localhost-only container.
    password: z.string().min(1).default("dev_password").describe("POSTGRES_PASSWORD, also the app role amplifier_app's password (dev only)."),
    /**
     * Uploaded into /docker-entrypoint-initdb.d/, so it runs once, on an empty data volume; config/load.ts also
     * resolves symlinks before it is read.
     */
    initSqlPath: initSqlPath.describe("Init SQL run on an empty data volume: a .sql file inside this project, relative to it."),
    healthcheck: z
      .strictObject({
        interval: duration.default("5s").describe("Time between checks."),
        timeout: duration.default("5s").describe("Time a check may take."),
        retries: z.number().int().min(1).max(100).default(5).describe("Failed checks before the container is unhealthy."),
      })
      .prefault({})
      .describe("The container's `pg_isready` health check."),
    api: z
      .strictObject({
        context: z.string().min(1).describe("Path to a local checkout of the Amplifier API with a Dockerfile, relative to this project."),
        dockerfile: z.string().min(1).default("Dockerfile").describe("Dockerfile inside the checkout."),
        containerName: dockerName("container").optional().describe("API container name (the spec's amplifier-api-dev)."),
        hostPort: z.number().int().min(1).max(65535).default(8765).describe("Host port of the API, bound to 127.0.0.1."),
        mountSource: z.boolean().default(true).describe("Mount the checkout at /app and run uvicorn with --reload, as the spec's compose file does."),
        settings: settingsRecord(
          "Extra development settings passed as environment variables (the spec's .env.development), checked as `app.settings` is; ENVIRONMENT and DATABASE_URL are the program's.",
        ),
      })
      .optional()
      .describe("Optional API container (the spec's compose `api` service); off unless a local checkout is named."),
  })
  .describe("dev: PostgreSQL 15 in local Docker, as the spec's docker-compose.dev.yml.");

/** The Flexible Server SKUs Azure offers, in words (documented limit; the error names the closest SKU). */
const SKU_NAME_RULE =
  `one of the ${OFFERINGS.postgresSkus.values.length} Flexible Server SKUs in config/azure-offerings.data.json (${citeList(OFFERINGS.postgresSkus)}), ` +
  "e.g. Standard_B1ms (Burstable), Standard_D2ds_v5 (GeneralPurpose), Standard_E2ds_v5 (MemoryOptimized)";

/** The TLS server parameters every Azure server gets first (spec: "SSL mandatory"; the floor from postgres.minTlsVersion). */
export function tlsParameters(minTlsVersion: string): Record<string, string> {
  return { require_secure_transport: "on", ssl_min_protocol_version: minTlsVersion };
}

/**
 * Server parameters the program sets from other keys: `serverParameters` may not set them too, or one value would
 * silently win over the other (the component merges them into one list, where a later entry replaces an earlier one).
 */
const OWNED_PARAMETERS: Record<string, (pg: { initSqlPath: string; minTlsVersion: string }) => string> = {
  require_secure_transport: () => 'is always "on" (the spec\'s "SSL mandatory"); remove it',
  ssl_min_protocol_version: (pg) => `is set from postgres.minTlsVersion (${pg.minTlsVersion}); set that key instead`,
  [AZURE_EXTENSIONS]: (pg) =>
    `is derived from the CREATE EXTENSION statements in ${pg.initSqlPath} (postgres.initSqlPath), so dev and Azure allow the same extensions; add the extension there instead`,
};

/**
 * The major versions the app's database path (the bootstrap's role step and scripts/app-grants.sql, run by an Entra
 * administrator that has CREATEROLE but is no superuser) is proven on, a real server in the tests. Azure offers more
 * (config/azure-offerings.data.json), but from 16 on "Restrict the privileges of CREATEROLE and its ability to modify
 * other roles" (PostgreSQL 16 release notes, https://www.postgresql.org/docs/16/release-16.html): the administrator
 * may no longer GRANT the admin login's role to itself nor ALTER a role another administrator created, so the run
 * fails there. Widen this list only with the path proven on that version.
 */
export const PROVEN_POSTGRES_VERSIONS: readonly string[] = ["15"];

function unprovenPostgresVersion(version: string): string | undefined {
  if (PROVEN_POSTGRES_VERSIONS.includes(version)) return undefined;
  return (
    `is offered by Azure, but the app's database grants (the bootstrap run, scripts/app-grants.sql) are proven only on PostgreSQL ${PROVEN_POSTGRES_VERSIONS.join(", ")}` +
    (Number(version) >= 16 ? " (PostgreSQL 16 restricts what CREATEROLE may grant and alter, PostgreSQL 16 release notes: the run would fail)" : "") +
    `; use ${PROVEN_POSTGRES_VERSIONS.map((v) => `"${v}"`).join(" or ")}`
  );
}

/** test/staging/prod: Azure Database for PostgreSQL Flexible Server. */
export const postgresSchema = z
  .strictObject({
    serverName: serverName.optional().describe("Flexible server name (global in Azure)."),
    version: offeredBy(
      z.string(),
      (v) => offered.postgresVersion(v) ?? unprovenPostgresVersion(v),
      `a major version Azure offers for new servers (${OFFERINGS.postgresVersions.values.join(", ")}; ${citeList(OFFERINGS.postgresVersions)}) on which the app's grants are proven: ${PROVEN_POSTGRES_VERSIONS.join(", ")}`,
    )
      .default("15")
      .describe("PostgreSQL major version (the spec's 15, the only one the app's grants are proven on; an upgrade is in place, a downgrade is refused by Azure)."),
    // Checked with the other SKU rules in the block's superRefine below.
    skuName: z.string().default("Standard_B1ms").meta({ rule: SKU_NAME_RULE }).describe("Compute SKU; its tier (Burstable, GeneralPurpose, MemoryOptimized) follows from the name."),
    storageSizeGb: offeredBy(z.number().int(), offered.storageSizeGb, `one of Azure's sizes in GiB: ${STORAGE_SIZES_GB.join(", ")} (${citeList(OFFERINGS.postgresStorageSizesGb)})`)
      .default(32)
      .describe("Storage in GiB; grown by raising it (no autogrow: Azure never shrinks storage)."),
    backupRetentionDays: z.number().int().min(7, "must be 7-35 days").max(35, "must be 7-35 days").default(7).describe("Days of point-in-time restore."),
    geoRedundantBackup: z.boolean().default(false).describe("Copy backups to the paired region (set at creation)."),
    highAvailability: z.enum(["Disabled", "ZoneRedundant", "SameZone"]).default("Disabled").describe("Standby server mode; not on the Burstable tier."),
    publicNetworkAccess: z
      .enum(["Enabled", "Disabled"])
      .default("Disabled")
      .describe("Public endpoint: Disabled (the secure default) needs a `network` block; Enabled opens it to the firewall rules below."),
    allowAzureServices: z.boolean().default(false).describe("The 0.0.0.0 rule Azure reads as \"allow Azure services\" (spec: AllowAzureServices)."),
    firewallRules: z.array(firewallRule).default([]).describe("Addresses allowed through the public endpoint, one rule each."),
    databaseName: pgIdentifier.optional().describe("The app's database on the server."),
    adminLogin: pgIdentifier.default("amplifier_admin").describe("Administrator login; its password is generated."),
    passwordLength: z
      .number()
      .int()
      .min(24, "must be at least 24")
      .max(128, "must be at most 128")
      .default(32)
      .describe("Length of the generated admin password (spec prod: strong passwords, 20+ characters)."),
    adminPasswordGeneration: z
      .number()
      .int("must be a whole number of at least 1")
      .min(1, "must be a whole number of at least 1")
      .default(1)
      .describe("Raise by one to generate a new admin password on the next deploy (docs/secrets.md, \"Rotate a secret\"); the app does not log in with it."),
    minTlsVersion: z.enum(["TLSv1.2", "TLSv1.3"]).default("TLSv1.2").describe("Oldest TLS version the server accepts."),
    // Entra authentication is always on (the app signs in with a token); passwords stay on for break-glass.
    entraAdmin: z
      .strictObject({
        objectId: z.guid("must be the principal's object id, a GUID such as 00000000-0000-0000-0000-000000000000").describe("Object id of the group, user or service principal."),
        principalName: z.string().min(1).describe("Its display name (for a group) or sign-in name."),
        principalType: z.enum(["Group", "User", "ServicePrincipal"]).default("Group").describe("What the object id is."),
      })
      .optional()
      .describe("Microsoft Entra administrator of the server for people (a group is best): break-glass admin access (policy rule postgres-entra-admin). The app is never one."),
    bootstrap: z
      .strictObject({
        // The Azure CLI image: Microsoft's own registry, with python3 (the azure-cli RPM requires it: Azure/azure-cli
        // scripts/release/rpm/azure-cli.spec) and CA certificates; the runner needs nothing else.
        // Pinned by digest: a tag can be moved to other bytes, and this image runs as the server's Entra administrator
        // (production requires the pin: config/production.ts, policy rule bootstrap-run-contained). The digest of
        // azure-cli 2.67.0 as public repositories pin it; docs/unverified.md has the check against MCR.
        image: matching(
          /^[a-z0-9.-]+\/[a-z0-9._/-]+(?::[A-Za-z0-9._-]+(?:@sha256:[0-9a-f]{64})?|@sha256:[0-9a-f]{64})$/,
          "must be an image reference with a registry and a tag or a digest, such as mcr.microsoft.com/azure-cli:2.67.0@sha256:<64 hex digits>",
        )
          .default(BOOTSTRAP_IMAGE)
          .describe("Container image of the database bootstrap run (needs python3 and CA certificates)."),
        timeoutMinutes: z.number().int().min(5, "must be 5-60 minutes").max(60, "must be 5-60 minutes").default(20).describe("How long `pulumi up` waits for the bootstrap run before failing."),
      })
      .prefault({})
      .describe("The run that creates the app's database role and applies the grants as the server's bootstrap Entra administrator (docs/database-access.md)."),
    // Allowed on the server as `azure.extensions`, set after TLS.
    initSqlPath: initSqlPath.describe("The SQL dev initialises the database with: every extension it creates is allowed on this server. Relative to the project."),
    // Create-only: acts when the server is created, ignored afterwards (config/restore.ts, docs/restore.md).
    restore: restoreSchema.optional(),
    /** Azure answers ServerIsBusy right after creation (Azure/azure-postgresql#134); it waits only when the server is created or replaced. */
    settleSeconds: z
      .number()
      .int()
      .min(0, "must be 0-600 seconds")
      .max(600, "must be 0-600 seconds")
      .default(60)
      .describe("Seconds the first write waits after the server is created."),
    /**
     * Applied after TLS, one at a time (they are server children; see ServerIsBusy). The defaults are what the policy
     * pack asks for: connection logging, throttling, and SCRAM password hashes set explicitly (Azure's PG15 default,
     * but md5 stays selectable on a live server).
     */
    serverParameters: z
      .record(matching(/^[a-z_.]+$/, "must be a server parameter name"), z.string())
      .default({
        log_connections: "on",
        log_disconnections: "on",
        log_checkpoints: "on",
        "connection_throttle.enable": "on",
        password_encryption: "scram-sha-256",
      })
      .describe(
        "Server parameters by name; replaces the defaults as a whole (`require_secure_transport` is always on, `ssl_min_protocol_version` comes from minTlsVersion, `azure.extensions` from initSqlPath).",
      ),
  })
  .superRefine((pg, ctx) => {
    const tier = skuTier(pg.skuName);
    if (!tier) {
      ctx.addIssue({ code: "custom", path: ["skuName"], message: offered.postgresSku(pg.skuName)! });
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
    for (const [parameter, owner] of Object.entries(OWNED_PARAMETERS)) {
      if (parameter in pg.serverParameters) ctx.addIssue({ code: "custom", path: ["serverParameters", parameter], message: owner(pg) });
    }
    // An allowlist (the policy pack's, which also judges the values: postgres-parameters-allowlisted).
    const settable = Object.keys(SERVER_PARAMETERS).filter((p) => !Object.hasOwn(OWNED_PARAMETERS, p));
    for (const parameter of Object.keys(pg.serverParameters).filter((p) => !Object.hasOwn(SERVER_PARAMETERS, p))) {
      ctx.addIssue({
        code: "custom",
        path: ["serverParameters", parameter],
        message: `is not a parameter this program sets${didYouMean(parameter, settable)}; allowed: ${settable.join(", ")} (a new one is a line in SERVER_PARAMETERS, policy/rules/postgres-parameters.ts, with the values it may take)`,
      });
    }
    const seen = new Set<string>();
    pg.firewallRules.forEach((rule, i) => {
      if (seen.has(rule.name) || (pg.allowAzureServices && rule.name === AZURE_SERVICES_RULE)) {
        ctx.addIssue({ code: "custom", path: ["firewallRules", i, "name"], message: "must be unique" });
      }
      seen.add(rule.name);
    });
  })
  .describe("test, staging and prod: Azure Database for PostgreSQL Flexible Server.");

/** Azure's rule name for the 0.0.0.0 "allow Azure services" rule (spec: `--name AllowAzureServices`). */
export const AZURE_SERVICES_RULE = "AllowAzureServices";
