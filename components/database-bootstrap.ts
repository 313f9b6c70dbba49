import * as crypto from "crypto";
import * as dbforpostgresql from "@pulumi/azure-native/dbforpostgresql";
import * as managedidentity from "@pulumi/azure-native/managedidentity";
import * as pulumi from "@pulumi/pulumi";
import type { AzurePlacement } from "./azure-placement";
import { BootstrapRun, LOGIN_ENDPOINT } from "./bootstrap-run";
import { APP_ROLE, azureAppRoleSql } from "./database-roles";

/** Container Instances REST API version of the run (stable; identity, subnetIds and instanceView exit codes). */
export const CONTAINER_GROUPS_API = "2023-05-01";
const CONTAINER = "bootstrap";

export interface DatabaseBootstrapArgs extends AzurePlacement {
  /** `id-<prefix>-db-bootstrap-<stack>` and `ci-<prefix>-db-bootstrap-<stack>`. */
  namePrefix: string;
  stackSlug: string;
  subscriptionId: pulumi.Input<string>;
  tenantId: pulumi.Input<string>;
  server: {
    id: pulumi.Input<string>;
    name: pulumi.Input<string>;
    fqdn: pulumi.Input<string>;
    /** The server admin login, owner of the app's database (password auth stays on for break-glass). */
    adminLogin: string;
    /** The app's database: the grants run there. */
    databaseName: pulumi.Input<string>;
    /** The server resource: the Entra admin goes with it on teardown (a child of the server, like its other writes). */
    resource: pulumi.Resource;
    /** FlexiblePostgres.serialWrite: the Entra admin is a write to the server. */
    serialWrite: <T extends pulumi.Resource>(create: (dependsOn: pulumi.Resource[]) => T) => T;
  };
  /** The app's user-assigned identity: mapped to the app's role, never an administrator. */
  appPrincipalId: pulumi.Input<string>;
  /** SQL run in the app's database after the role exists: the spec's init SQL, then the grants. */
  initSql: string;
  grantsSql: string;
  /** scripts/db-bootstrap.py, run by python3 in the container. */
  runner: string;
  /** Image with python3 and CA certificates. */
  image: string;
  /** Delegated subnet (Microsoft.ContainerInstance/containerGroups) for a private server; none for a public one. */
  subnetId?: pulumi.Input<string>;
  /** What must exist before the run can reach the server (private endpoint, DNS zone group and links). */
  dependsOn?: pulumi.Resource[];
  timeoutMinutes: number;
}

/**
 * The app's database identity on Azure. A bootstrap user-assigned identity, which the app never holds, is a Microsoft
 * Entra administrator of the server (principalType ServicePrincipal); a container run as that identity, inside the
 * stack's network when the server is private, creates the app's role mapped to the app's own identity
 * (pgaadauth_create_principal_with_oid) and applies the spec's init SQL and the grants. The web app waits for `run`.
 */
export class DatabaseBootstrap extends pulumi.ComponentResource {
  readonly identity: managedidentity.UserAssignedIdentity;
  readonly admin: dbforpostgresql.AdministratorsMicrosoftEntra;
  readonly run: BootstrapRun;
  /** The role the app logs in as. */
  readonly role: string = APP_ROLE;

  constructor(name: string, args: DatabaseBootstrapArgs, opts?: pulumi.ComponentResourceOptions) {
    super("amplifier:database:DatabaseBootstrap", name, {}, opts);
    const identityName = `id-${args.namePrefix}-db-bootstrap-${args.stackSlug}`;
    this.identity = new managedidentity.UserAssignedIdentity(
      `${name}-identity`,
      { resourceName: identityName, resourceGroupName: args.resourceGroupName, location: args.location, tags: args.tags },
      { parent: this },
    );
    // The login name of a managed identity administrator is the identity's name (Microsoft Learn, "Microsoft Entra
    // authentication with Azure Database for PostgreSQL", administrators; "Administrators Microsoft Entra - Create Or
    // Update": objectId in the path, principalName/principalType/tenantId in the body).
    this.admin = args.server.serialWrite(
      (dependsOn) =>
        new dbforpostgresql.AdministratorsMicrosoftEntra(
          `${name}-entra-admin`,
          {
            objectId: this.identity.principalId,
            principalName: this.identity.name,
            principalType: "ServicePrincipal",
            tenantId: args.tenantId,
            serverName: args.server.name,
            resourceGroupName: args.resourceGroupName,
          },
          // Deleted with the server: a teardown deletes the server, not its administrators one by one.
          { parent: this, dependsOn, deletedWith: args.server.resource },
        ),
    );

    const groupName = `ci-${args.namePrefix}-db-bootstrap-${args.stackSlug}`;
    const groupId = pulumi.interpolate`/subscriptions/${args.subscriptionId}/resourceGroups/${args.resourceGroupName}/providers/Microsoft.ContainerInstance/containerGroups/${groupName}`;
    const group = pulumi
      .all({
        location: args.location,
        identityId: this.identity.id,
        clientId: this.identity.clientId,
        adminName: this.identity.name,
        appPrincipalId: args.appPrincipalId,
        fqdn: args.server.fqdn,
        database: args.server.databaseName,
        subnetId: args.subnetId ?? "",
      })
      .apply(({ location, identityId, clientId, adminName, appPrincipalId, fqdn, database, subnetId }) => {
        const steps = [
          // pgaadauth only works in database postgres, and only for an Entra administrator (Microsoft Learn, "Manage
          // Microsoft Entra roles"); a new admin or identity can take a while to resolve: that step retries.
          { database: "postgres", sql: azureAppRoleSql(appPrincipalId, database, args.server.adminLogin), retry: true },
          { database, sql: args.initSql },
          { database, sql: args.grantsSql },
        ];
        const env = {
          PGHOST: fqdn,
          PGUSER: adminName,
          AZURE_CLIENT_ID: clientId,
          BOOTSTRAP_STEPS: Buffer.from(JSON.stringify(steps)).toString("base64"),
          BOOTSTRAP_RUNNER: Buffer.from(args.runner).toString("base64"),
        };
        return {
          location,
          tags: args.tags,
          identity: { type: "UserAssigned", userAssignedIdentities: { [identityId]: {} } },
          properties: {
            osType: "Linux",
            sku: "Standard",
            restartPolicy: "Never",
            containers: [
              {
                name: CONTAINER,
                properties: {
                  image: args.image,
                  command: ["python3", "-c", "import base64,os;exec(compile(base64.b64decode(os.environ['BOOTSTRAP_RUNNER']),'db-bootstrap.py','exec'))"],
                  environmentVariables: Object.entries(env).map(([n, value]) => ({ name: n, value })),
                  resources: { requests: { cpu: 1, memoryInGB: 1 } },
                },
              },
            ],
            // A private server: the container joins the stack's VNet, where the private DNS zone resolves the server's
            // name to its private endpoint (Microsoft Learn, "Deploy container instances into an Azure virtual network").
            // A public one: no subnet; the container's Azure address passes the AllowAzureServices rule.
            ...(subnetId ? { subnetIds: [{ id: subnetId }] } : {}),
          },
        } as Record<string, unknown>;
      });
    // What the run does and where: the steps (SQL included), the runner, the image, the identities, the subnet and the
    // server. Not the tags or the location, which change nothing in the database.
    const key = pulumi.all([group, args.server.id]).apply(([g, serverId]) => {
      const what = { ...(g as Record<string, unknown>), tags: undefined, location: undefined };
      return crypto.createHash("sha256").update(JSON.stringify({ what, serverId })).digest("hex");
    });

    this.run = new BootstrapRun(
      `${name}-run`,
      {
        key,
        serverId: args.server.id,
        groupId,
        containerName: CONTAINER,
        group,
        armEndpoint: "https://management.azure.com",
        // The provider signs in to ARM itself when a run is due (components/dynamic/bootstrap-run.js): no token is an
        // input or output of the run, so none lands in the state.
        loginEndpoint: LOGIN_ENDPOINT,
        apiVersion: CONTAINER_GROUPS_API,
        pollSeconds: 10,
        timeoutMinutes: args.timeoutMinutes,
      },
      { parent: this, dependsOn: [this.admin, ...(args.dependsOn ?? [])] },
    );
    this.registerOutputs({ identityName: this.identity.name, role: this.role });
  }
}
