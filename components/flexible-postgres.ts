import * as dbforpostgresql from "@pulumi/azure-native/dbforpostgresql";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { AZURE_SERVICES_RULE, tlsParameters } from "../config/database";
import { extensionsParameter } from "../config/extensions";
import type { ServerConfig } from "../config/schema";
import { flexibleServerDatabaseId } from "./arm-ids";
import { databaseUrl } from "./database-url";
import { APP_ROLE } from "./database-roles";
import { adminPasswordKeepers } from "./secret-rotation";
import { Settle } from "./settle";
import type { AzurePlacement } from "./azure-placement";

const PG_PORT = 5432;

/**
 * A failover swaps the primary and standby zones. The program leaves both to Azure ("", the SDK's default), but a
 * refresh writes the actual zones into the stored inputs (pulumi-azure-native provider/pkg/provider/provider.go, Read),
 * and `availabilityZone` is create-only (azure-rest-api-specs specification/postgresql/resource-manager/
 * Microsoft.DBforPostgreSQL/stable/2025-08-01/openapi.json, ServerProperties.availabilityZone, x-ms-mutability
 * read/create): without this the drift check fails daily and the next plan replaces the server. Ignored whatever the
 * HA mode: zones a refresh stored while HA was on stay stored after HA is turned off, and the program never sets them.
 */
const FAILOVER_ZONES = ["availabilityZone", "highAvailability.standbyAvailabilityZone"];

/**
 * A point-in-time restore's inputs (`postgres.restore`) are create-only: sourceServerResourceId (x-ms-mutability
 * read, create; "returned only when the target server is a read replica") and pointInTimeUTC (create only; never
 * read back) would make a changed or added value replace the server, and createMode would be sent as an update to a
 * running one (openapi.json above, ServerProperties). Always ignored, so the block acts only when the server is
 * created: adding it to a running stack or removing it later changes nothing (an ignored input is reset to the old
 * state's value, or dropped when the old state has none: pulumi/pulumi pkg/resource/deploy/step_generator.go,
 * processIgnoreChanges). The price: a restored server's later updates (a PUT of the whole body: azure-native's
 * generator uses PATCH only without a PUT, provider/pkg/gen/schema.go) still carry them; unverified, with its check
 * and the way out (drop them from the state) in docs/unverified.md and docs/restore.md.
 */
export const RESTORE_INPUTS = ["createMode", "sourceServerResourceId", "pointInTimeUTC"];

/** What a scale operation changes, as the settle step compares it: a change waits again before the next child write. */
export const serverShape = (c: Pick<ServerConfig, "skuName" | "skuTier" | "storageSizeGb" | "highAvailability" | "version">) =>
  `${c.skuName} (${c.skuTier}), ${c.storageSizeGb} GiB, HA ${c.highAvailability}, PostgreSQL ${c.version}`;

export interface FlexiblePostgresArgs extends AzurePlacement {
  /** The validated `postgres` block of the stack config (names and SKU tier already derived). */
  config: ServerConfig;
  /** Pulumi `protect` on the server (stack config `protect`). */
  protect: boolean;
  /** Tenant of the Entra administrators (client config): Entra authentication is always on. */
  tenantId: pulumi.Input<string>;
  /** Extensions the app creates (config/extensions.ts, from the init SQL): allowed through `azure.extensions`. */
  extensions: string[];
  /** The stack's resource group id as the group is adopted by (components/arm-ids.ts): a restored database's import id. */
  groupId: string;
}

/**
 * A restored server already holds the source's database, and azure-native refuses to create one that exists
 * ("cannot create already existing resource": pulumi/pulumi-azure-native provider/pkg/azure/client_azcore.go,
 * CanCreate), so the stack adopts it with Pulumi's `import` option. Only in `up`: an import reads the resource even in
 * a preview (pulumi/pulumi pkg/resource/deploy/step.go, ImportStep.Apply), and before the restore runs the server does
 * not exist. Once imported, the same id is "treated like any other resource" (pulumi/pulumi
 * developer-docs/architecture/import.md). retainOnDelete: should the id ever differ from the state's (an import then
 * replaces), the old resource leaves the state without the database being dropped.
 */
function restoredDatabase(c: ServerConfig, groupId: string): pulumi.CustomResourceOptions {
  if (!c.restore) return {};
  // This stack's database in this stack's group, as the provider spells it; never built from the source id's text.
  const id = flexibleServerDatabaseId(groupId, c.serverName, c.databaseName);
  return { retainOnDelete: true, ...(pulumi.runtime.isDryRun() ? {} : { import: id }) };
}

/**
 * Azure Database for PostgreSQL Flexible Server with its database, TLS, extension and logging parameters and
 * firewall rules. Every write to the server after its creation is chained, behind a settle step that waits after
 * the server is created: Azure answers "ServerIsBusy" when two children of one flexible server change at once, or
 * one right after the server's creation (Azure/azure-postgresql#134; AVM serialises them the same way).
 */
export class FlexiblePostgres extends pulumi.ComponentResource {
  readonly server: dbforpostgresql.Server;
  readonly fqdn: pulumi.Output<string>;
  readonly databaseName: pulumi.Output<string>;
  readonly adminLogin: pulumi.Output<string>;
  /**
   * The app's `postgresql+asyncpg://amplifier_app@<fqdn>:5432/<db>?ssl=require`: its own role, no password (the app
   * signs in with a Microsoft Entra token; DatabaseBootstrap creates the role). Secret only as the vault's value.
   */
  readonly databaseUrl: pulumi.Output<string>;
  /** The admin login's generated password: break-glass for people (a secret stack output), never given to the app. */
  readonly adminPassword: pulumi.Output<string>;
  private lastWrite: pulumi.Resource;

  constructor(name: string, args: FlexiblePostgresArgs, opts?: pulumi.ComponentResourceOptions) {
    super("amplifier:database:FlexiblePostgres", name, {}, opts);
    const c = args.config;

    // RandomPassword keeps `result` secret (a RandomString would leak it through its id). Raising
    // postgres.adminPasswordGeneration changes its keepers, which generates a new one; so did, once, the app's move off
    // the admin URL (the access mode is a keeper too: components/secret-rotation.ts).
    const password = new random.RandomPassword(
      `${name}-admin-password`,
      { length: c.passwordLength, special: true, minUpper: 2, minLower: 2, minNumeric: 2, minSpecial: 2, keepers: adminPasswordKeepers(c.adminPasswordGeneration) },
      { parent: this },
    );

    this.server = new dbforpostgresql.Server(
      `${name}-server`,
      {
        serverName: c.serverName,
        resourceGroupName: args.resourceGroupName,
        location: args.location,
        version: c.version,
        sku: { name: c.skuName, tier: c.skuTier },
        storage: { storageSizeGB: c.storageSizeGb, autoGrow: "Disabled" },
        backup: { backupRetentionDays: c.backupRetentionDays, geoRedundantBackup: c.geoRedundantBackup ? "Enabled" : "Disabled" },
        highAvailability: { mode: c.highAvailability },
        network: { publicNetworkAccess: c.publicNetworkAccess },
        // A flexible server takes the plain user name (no `@server` suffix, unlike Single Server).
        administratorLogin: c.adminLogin,
        administratorLoginPassword: password.result,
        // Entra auth: the app signs in with its managed identity's token, as a role the bootstrap administrator creates
        // (Microsoft Learn, "Microsoft Entra authentication with Azure Database for PostgreSQL"). Password auth stays
        // on for break-glass: the admin login's password is read by people, never by the app. Turning Entra auth on
        // for a running server restarts it (docs/database-access.md, "Cut-over").
        authConfig: { passwordAuth: "Enabled", activeDirectoryAuth: "Enabled", tenantId: args.tenantId },
        tags: args.tags,
        // A restore creates a new server from the source's backups (Microsoft Learn, "Backup and restore in Azure
        // Database for PostgreSQL flexible server": a restore never overwrites an existing server).
        ...(c.restore ? { createMode: "PointInTimeRestore", sourceServerResourceId: c.restore.sourceServerId, pointInTimeUTC: c.restore.pointInTime } : {}),
      },
      // Autogrow stays off: Azure grows storage but never shrinks it, so a grown disk would make every later
      // `pulumi up` try (and fail) to shrink it back to the configured size.
      { parent: this, protect: args.protect, ignoreChanges: [...FAILOVER_ZONES, ...RESTORE_INPUTS] },
    );
    // The chain starts with a wait that runs when the server is created, and again when a deploy scales it (compute,
    // storage, HA, version) before writing its children: ServerIsBusy follows both.
    this.lastWrite = new Settle(
      `${name}-settle`,
      { targetId: this.server.id, seconds: c.settleSeconds, shape: serverShape(c) },
      { parent: this, dependsOn: [this.server] },
    );
    // The server's children go with it: deleting the server deletes them, so a teardown makes no write per child
    // (azure-native "deletes" a parameter by reading its default and writing it back: provider/pkg/resources/
    // customresources/custom_postgres_config.go) against a server that is being deleted
    // (https://www.pulumi.com/docs/iac/concepts/resources/options/deletedwith/).
    const child = { parent: this, deletedWith: this.server };

    const database = this.serialWrite(
      (dependsOn) =>
        new dbforpostgresql.Database(
          `${name}-database`,
          {
            databaseName: c.databaseName,
            serverName: this.server.name,
            resourceGroupName: args.resourceGroupName,
            charset: "UTF8",
            collation: "en_US.utf8",
          },
          // Deleting the database resource drops the data even while the server stays.
          { ...child, dependsOn, protect: args.protect, ...restoredDatabase(c, args.groupId) },
        ),
    );

    // TLS first (spec: "SSL mandatory"), the extensions the app creates, then the logging parameters scanners
    // expect. Each one is a server write, so each goes through the chain.
    const parameters: Record<string, string> = {
      ...tlsParameters(c.minTlsVersion),
      ...extensionsParameter(args.extensions),
      ...c.serverParameters,
    };
    for (const [parameter, value] of Object.entries(parameters)) {
      this.serialWrite(
        (dependsOn) =>
          new dbforpostgresql.Configuration(
            `${name}-param-${parameter.replace(/[^a-z0-9]+/g, "-")}`,
            {
              configurationName: parameter,
              value,
              source: "user-override",
              serverName: this.server.name,
              resourceGroupName: args.resourceGroupName,
            },
            { ...child, dependsOn },
          ),
      );
    }

    const rules = [
      ...(c.allowAzureServices ? [{ name: AZURE_SERVICES_RULE, startIpAddress: "0.0.0.0", endIpAddress: "0.0.0.0" }] : []),
      ...c.firewallRules,
    ];
    for (const rule of rules) {
      this.serialWrite(
        (dependsOn) =>
          new dbforpostgresql.FirewallRule(
            `${name}-fw-${rule.name}`,
            {
              firewallRuleName: rule.name,
              startIpAddress: rule.startIpAddress,
              endIpAddress: rule.endIpAddress,
              serverName: this.server.name,
              resourceGroupName: args.resourceGroupName,
            },
            { ...child, dependsOn },
          ),
      );
    }

    const admin = c.entraAdmin;
    if (admin) {
      this.serialWrite(
        (dependsOn) =>
          new dbforpostgresql.AdministratorsMicrosoftEntra(
            `${name}-entra-admin`,
            {
              objectId: admin.objectId,
              principalName: admin.principalName,
              principalType: admin.principalType,
              tenantId: args.tenantId,
              serverName: this.server.name,
              resourceGroupName: args.resourceGroupName,
            },
            { ...child, dependsOn },
          ),
      );
    }

    this.fqdn = this.server.fullyQualifiedDomainName;
    this.databaseName = database.name;
    this.adminLogin = pulumi.output(c.adminLogin);
    this.adminPassword = password.result;
    this.databaseUrl = databaseUrl({
      user: APP_ROLE,
      host: this.fqdn,
      port: PG_PORT,
      database: database.name,
      requireSsl: true,
    });

    this.registerOutputs({
      fqdn: this.fqdn,
      databaseName: this.databaseName,
      adminLogin: this.adminLogin,
      databaseUrl: this.databaseUrl,
    });
  }

  /**
   * Registers a write to the server (a child such as a private endpoint or an Entra admin) after every earlier
   * one, so no two run at once. Other components call this too, which keeps the chain in one place.
   */
  serialWrite<T extends pulumi.Resource>(create: (dependsOn: pulumi.Resource[]) => T): T {
    const resource = create([this.lastWrite]);
    this.lastWrite = resource;
    return resource;
  }
}
