/**
 * The resource types the program registers, as an allowlist: any other type is a finding, whatever it does. Rules
 * match exact type tokens, so without this an `azure-native:resources:Deployment` whose ARM template opens a firewall,
 * or any type no rule knows, would pass every rule unseen.
 *
 * Adding a type is one line here, in the same change that registers it: the jest suite fails every test file whose
 * program runs register a type missing here (test/support/allowlist-guard.ts), naming the type and this file.
 */
import { fail, type Rule, T } from "../model";

/** Type token -> where the program registers it. */
export const ALLOWED_TYPES: Readonly<Record<string, string>> = {
  "pulumi:pulumi:Stack": "Pulumi's root resource",
  "pulumi:providers:azure-native": "default provider (Azure stacks)",
  "pulumi:providers:random": "default provider (Azure stacks)",
  "pulumi:providers:docker": "default provider (Docker stacks)",
  "pulumi:providers:pulumi-nodejs": "default provider of dynamic resources (components/settle.ts)",
  // Components (components/*.ts).
  "amplifier:app:AppService": "components/app-service.ts",
  "amplifier:app:AppDeployIdentity": "components/app-deploy.ts (appDeploy)",
  "amplifier:database:FlexiblePostgres": "components/flexible-postgres.ts",
  "amplifier:database:LocalPostgres": "components/local-postgres.ts",
  "amplifier:guards:DeletionLocks": "components/deletion-locks.ts",
  "amplifier:monitoring:Monitoring": "components/monitoring.ts",
  "amplifier:monitoring:Telemetry": "components/telemetry.ts",
  "amplifier:network:PrivateNetwork": "components/private-network.ts",
  "amplifier:security:KeyVault": "components/key-vault.ts",
  "amplifier:storage:SessionStorage": "components/session-storage.ts",
  [T.settle]: "components/settle.ts (a dynamic resource; no cloud call; dynamic-provider-known)",
  "amplifier:database:DatabaseBootstrap": "components/database-bootstrap.ts (the app's database role, set up by a bootstrap identity)",
  [T.bootstrapRun]:
    "components/bootstrap-run.ts (a dynamic resource: starts, awaits and deletes one container group through ARM; dynamic-provider-known, bootstrap-run-contained)",
  // Azure.
  "azure-native:resources:ResourceGroup": "index.ts",
  "azure-native:dbforpostgresql:Server": "components/flexible-postgres.ts",
  "azure-native:dbforpostgresql:Database": "components/flexible-postgres.ts",
  "azure-native:dbforpostgresql:Configuration": "components/flexible-postgres.ts (server parameters: postgres-parameters-allowlisted)",
  "azure-native:dbforpostgresql:FirewallRule": "components/flexible-postgres.ts",
  "azure-native:dbforpostgresql:AdministratorsMicrosoftEntra": "components/flexible-postgres.ts (people), components/database-bootstrap.ts (the bootstrap identity; app-not-database-admin)",
  "azure-native:keyvault:Vault": "components/key-vault.ts",
  "azure-native:keyvault:Secret": "components/key-vault.ts",
  "azure-native:authorization:RoleAssignment": "components/app-service.ts, components/app-deploy.ts (every assignment: role-assignments-allowlisted)",
  "azure-native:authorization:ManagementLockByScope": "components/deletion-locks.ts",
  "azure-native:managedidentity:UserAssignedIdentity": "components/app-service.ts, components/app-deploy.ts, components/database-bootstrap.ts",
  "azure-native:managedidentity:FederatedIdentityCredential": "components/app-deploy.ts (the app repository's GitHub OIDC subject)",
  "azure-native:web:AppServicePlan": "components/app-service.ts",
  "azure-native:web:WebApp": "components/app-service.ts",
  "azure-native:web:WebAppAzureStorageAccounts": "components/app-service.ts",
  "azure-native:web:WebAppFtpAllowed": "components/app-service.ts",
  "azure-native:web:WebAppScmAllowed": "components/app-service.ts",
  "azure-native:storage:StorageAccount": "components/session-storage.ts",
  "azure-native:storage:FileShare": "components/session-storage.ts",
  "azure-native:network:VirtualNetwork": "components/private-network.ts",
  "azure-native:network:PrivateEndpoint": "components/private-network.ts",
  "azure-native:network:PrivateDnsZoneGroup": "components/private-network.ts",
  "azure-native:privatedns:PrivateZone": "components/private-network.ts",
  "azure-native:privatedns:VirtualNetworkLink": "components/private-network.ts",
  "azure-native:operationalinsights:Workspace": "components/telemetry.ts",
  "azure-native:applicationinsights:Component": "components/telemetry.ts",
  "azure-native:monitor:ActionGroup": "components/monitoring.ts",
  "azure-native:monitor:MetricAlert": "components/monitoring.ts",
  "azure-native:monitor:DiagnosticSetting": "components/monitoring.ts",
  "random:index/randomPassword:RandomPassword": "components/flexible-postgres.ts",
  "random:index/randomBytes:RandomBytes": "components/key-vault.ts",
  // Docker (dev).
  "docker:index/remoteImage:RemoteImage": "components/local-postgres.ts",
  "docker:index/volume:Volume": "components/local-postgres.ts",
  "docker:index/network:Network": "components/local-postgres.ts",
  "docker:index/container:Container": "components/local-postgres.ts",
  "docker:index/image:Image": "components/local-postgres.ts (the optional API container)",
};

export const RESOURCE_TYPES_FILE = "policy/rules/resource-types.ts";

export const resourceTypeRules: Rule[] = [
  {
    name: "resource-types-allowlisted",
    description:
      "Every resource is of a type the program registers on purpose (an allowlist): an ARM deployment, or any type no rule knows, is refused whatever it contains.",
    source: ["MCSB AM-2 (use only approved services)", "AzPol a08ec900 (Allowed resource types)"],
    severity: "critical",
    resourceTypes: ["*"],
    scope: "resource",
    check: (_props, ctx) =>
      Object.hasOwn(ALLOWED_TYPES, ctx.resource.type)
        ? []
        : fail(
            "is of a type the program does not register, so no rule can judge it",
            ctx.resource.type,
            `remove it; if the program registers it on purpose, add one line for it to ALLOWED_TYPES in ${RESOURCE_TYPES_FILE} (and rules for what it can weaken)`,
          ),
  },
];
