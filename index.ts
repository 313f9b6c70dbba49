/**
 * amplifier-infra: the Amplifier API's environments, one Pulumi program driven by one config file per stack.
 * This file only reads the validated config and wires components; what differs between stacks is data.
 */
import * as resources from "@pulumi/azure-native/resources";
import { loadStackConfig, projectRoot } from "./config/load";
import { FlexiblePostgres } from "./components/flexible-postgres";
import { LocalPostgres } from "./components/local-postgres";

export = () => {
  // Validation throws before anything is registered.
  const cfg = loadStackConfig();

  if (cfg.platform === "docker") {
    const db = new LocalPostgres("postgres", {
      config: cfg.docker,
      projectDir: projectRoot(),
      environment: cfg.environment,
      protect: cfg.protect,
    });
    return {
      DATABASE_URL: db.databaseUrl,
      databaseHost: db.host,
      databasePort: db.port,
      databaseName: db.database,
      databaseUser: db.user,
      ...(db.apiUrl ? { apiUrl: db.apiUrl } : {}),
    };
  }

  const { azure, postgres } = cfg;
  const tags = { environment: cfg.environment, "managed-by": cfg.tags.managedBy, "cost-center": cfg.tags.costCenter };
  const group = new resources.ResourceGroup(
    "resource-group",
    { resourceGroupName: azure.resourceGroupName, location: azure.location, tags },
    { protect: cfg.protect },
  );
  const db = new FlexiblePostgres("postgres", {
    config: postgres,
    resourceGroupName: group.name,
    location: group.location,
    tags,
    protect: cfg.protect,
  });

  return {
    resourceGroupName: group.name,
    serverFqdn: db.fqdn,
    databaseName: db.databaseName,
    adminLogin: db.adminLogin,
    DATABASE_URL: db.databaseUrl,
  };
};
