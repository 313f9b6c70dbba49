/**
 * amplifier-infra: the Amplifier API's environments, one Pulumi program driven by one config file per stack.
 * This file only reads the validated config and wires components; what differs between stacks is data.
 */
import * as authorization from "@pulumi/azure-native/authorization";
import * as resources from "@pulumi/azure-native/resources";
import { initSqlExtensions } from "./config/extensions";
import { loadStackConfig, projectRoot } from "./config/load";
import { azureTags } from "./config/tags";
import { AppDeployIdentity } from "./components/app-deploy";
import { resourceGroupId } from "./components/arm-ids";
import { AppService } from "./components/app-service";
import { DatabaseBootstrap } from "./components/database-bootstrap";
import { BOOTSTRAP_RUNNER_PATH, readProjectFile } from "./components/project-files";
import { APP_ROLE, GRANTS_SQL_PATH } from "./components/database-roles";
import { appSettings, configuredSettings } from "./components/app-settings";
import { DeletionLocks } from "./components/deletion-locks";
import { FlexiblePostgres } from "./components/flexible-postgres";
import { KeyVault } from "./components/key-vault";
import { LocalPostgres } from "./components/local-postgres";
import { Monitoring } from "./components/monitoring";
import { PrivateNetwork } from "./components/private-network";
import { SessionStorage } from "./components/session-storage";
import { Telemetry } from "./components/telemetry";

// Pulumi calls the program without arguments; the offline runtime passes the directory of the stack files it runs.
export = async (stackFilesDir?: string) => {
  // Validation throws before anything is registered.
  const cfg = loadStackConfig(stackFilesDir);

  if (cfg.platform === "docker") {
    const db = new LocalPostgres("postgres", {
      config: cfg.docker,
      projectDir: projectRoot(),
      environment: cfg.environment,
      protect: cfg.protect,
      secretPaths: cfg.secretPaths,
    });
    return {
      DATABASE_URL: db.databaseUrl,
      // The superuser, for local admin work (the app's DATABASE_URL is its own role).
      DATABASE_ADMIN_URL: db.adminUrl,
      databaseRole: APP_ROLE,
      databaseHost: db.host,
      databasePort: db.port,
      databaseName: db.database,
      databaseUser: db.user,
      ...(db.apiUrl ? { apiUrl: db.apiUrl } : {}),
    };
  }

  const { azure, postgres } = cfg;
  // Read before anything is registered: a missing init SQL is a config error.
  const extensions = initSqlExtensions(cfg.stack, projectRoot(), postgres.initSqlPath);
  const tags = azureTags(cfg);
  const client = authorization.getClientConfigOutput();
  // The group outlives the stack: `npm run azure-setup` creates it (tagged as here) and scopes CI's role assignments
  // to it, so a destroy keeps it (retainOnDelete), and every deploy whose state lacks it (the first, or the first after
  // a teardown) adopts it by id (import; a stack that holds it already goes on as before: pulumi/pulumi
  // developer-docs/architecture/import.md). The id must be a plain string, hence the awaited client config, and equal
  // byte for byte the id the state holds: the subscription exactly as the provider has it (components/arm-ids.ts).
  const groupId = resourceGroupId((await authorization.getClientConfig()).subscriptionId, azure.resourceGroupName);
  const group = new resources.ResourceGroup(
    "resource-group",
    { resourceGroupName: azure.resourceGroupName, location: azure.location, tags },
    { protect: cfg.protect, retainOnDelete: true, import: groupId },
  );
  const placement = { resourceGroupName: group.name, location: group.location, tags };
  const db = new FlexiblePostgres("postgres", { config: postgres, ...placement, protect: cfg.protect, tenantId: client.tenantId, groupId, extensions });
  const telemetry = new Telemetry("telemetry", { config: cfg.monitoring, ...placement });
  // app.settings: plain ones join the program's settings, secure ones become Key Vault secrets and references.
  const extra = configuredSettings(cfg.app.settings, cfg.secretPaths);
  const vault = new KeyVault("key-vault", {
    config: cfg.keyVault,
    ...placement,
    protect: cfg.protect,
    tenantId: client.tenantId,
    appInsightsConnectionString: telemetry.connectionString,
    settingSecrets: extra.secure,
  });
  const sessions = new SessionStorage("sessions", { config: cfg.storage, ...placement, protect: cfg.protect });

  // Data-driven: a `network` block puts the database, the vault and the share behind private endpoints.
  const net = cfg.network
    ? new PrivateNetwork("network", {
        config: cfg.network,
        namePrefix: cfg.namePrefix,
        stackSlug: cfg.stackSlug,
        ...placement,
        endpoints: [
          { key: "postgres", resourceId: db.server.id, groupId: "postgresqlServer", serialWrite: db.serialWrite.bind(db) },
          { key: "vault", resourceId: vault.vault.id, groupId: "vault" },
          { key: "sessions", resourceId: sessions.account.id, groupId: "file" },
        ],
      })
    : undefined;

  // What the app and its database bootstrap wait for in prod: the private names resolve.
  const privateNames = net ? [...net.endpoints, ...net.zoneGroups, ...net.links] : [];
  const app = new AppService("app", {
    config: cfg.appService,
    ...placement,
    subscriptionId: client.subscriptionId,
    settings: { ...appSettings({ ...cfg, keyVaultName: cfg.keyVault.name }), ...extra.plain },
    references: vault.references,
    sessionShare: { accountName: sessions.accountName, shareName: sessions.shareName, accessKey: sessions.accessKey, mountPath: cfg.storage.mountPath },
    subnetId: net?.appSubnetId,
    dependsOn: privateNames,
    // Inside the app (its role is mapped to the app's identity, which the app component creates): the app's database
    // role, then the URL that names it. The vault gets the passwordless URL only once the role exists, and the web app
    // waits for both, so a failed run leaves the vault and the app as they were.
    beforeWebApp: (identity, app) => {
      const bootstrap = new DatabaseBootstrap("database-bootstrap", {
        ...placement,
        namePrefix: cfg.namePrefix,
        stackSlug: cfg.stackSlug,
        subscriptionId: client.subscriptionId,
        tenantId: client.tenantId,
        server: { resource: db.server, id: db.server.id, name: db.server.name, fqdn: db.fqdn, adminLogin: postgres.adminLogin, databaseName: db.databaseName, serialWrite: db.serialWrite.bind(db) },
        appPrincipalId: identity.principalId,
        initSql: readProjectFile(postgres.initSqlPath),
        grantsSql: readProjectFile(GRANTS_SQL_PATH),
        runner: readProjectFile(BOOTSTRAP_RUNNER_PATH),
        image: postgres.bootstrap.image,
        timeoutMinutes: postgres.bootstrap.timeoutMinutes,
        subnetId: net?.bootstrapSubnetId,
        dependsOn: privateNames,
      }, { parent: app });
      return { waitFor: [bootstrap.run], references: [vault.addDatabaseUrl(db.databaseUrl, { parent: bootstrap, after: [bootstrap.run] })] };
    },
  });
  new Monitoring("monitoring", {
    config: cfg.monitoring,
    resourceGroupName: group.name,
    tags,
    workspaceId: telemetry.workspace.id,
    serverId: db.server.id,
    vaultId: vault.vault.id,
    webAppId: app.webApp.id,
    storageAccountId: sessions.account.id,
  });
  // Data-driven: an `appDeploy` block lets the app's repository deploy to this web app, and nothing else.
  const deploy = cfg.appDeploy
    ? new AppDeployIdentity("app-deploy", { config: cfg.appDeploy, ...placement, subscriptionId: client.subscriptionId, webAppId: app.webApp.id })
    : undefined;
  if (cfg.locks) new DeletionLocks("locks", { targets: { "database-server": db.server.id, "key-vault": vault.vault.id } });

  return {
    resourceGroupName: group.name,
    serverFqdn: db.fqdn,
    databaseName: db.databaseName,
    adminLogin: db.adminLogin,
    // Break-glass for people (docs/database-access.md); the app never gets it.
    databaseAdminPassword: db.adminPassword,
    // The app's role: DATABASE_URL names it and carries no password (a deliberate departure from the spec's admin URL).
    databaseRole: APP_ROLE,
    DATABASE_URL: db.databaseUrl,
    webAppUrl: app.url,
    webAppName: app.webApp.name,
    webAppPrincipalId: app.principalId,
    keyVaultName: vault.vaultName,
    keyVaultUri: vault.vaultUri,
    // What the app's workflow logs in with (azure/login client-id, tenant-id, subscription-id); with webAppName and
    // resourceGroupName above, everything docs/app-deploy.md's workflow needs.
    ...(deploy ? { appDeployClientId: deploy.clientId, appDeployTenantId: deploy.tenantId, appDeploySubscriptionId: client.subscriptionId } : {}),
  };
};
