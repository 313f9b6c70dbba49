/**
 * Which inputs of each resource type the program registers cannot change in place: a new value makes the provider
 * replace the resource (delete and create, or create and delete). For Azure this is (1) the names in the resource's
 * ARM path, its own and its parents' (a new name is a new resource id), (2) `location` (ARM refuses a PUT of an
 * existing resource into another region with InvalidResourceLocation; a region move is a new resource: Microsoft
 * Learn, "Move Azure resources across regions"), and (3) the body properties azure-rest-api-specs marks create-only:
 * `x-ms-mutability` without "update", read in the spec of the API version azure-native uses for the type (its SDK
 * header, node_modules/@pulumi/azure-native/<module>/<resource>.d.ts, "Uses Azure REST API version"). Inputs are
 * named as azure-native takes them (`properties` flattened where the spec says x-ms-client-flatten).
 *
 * `read` says how much of the spec was read: "body" (every definition the PUT body uses was checked for
 * x-ms-mutability), or "path" (the ARM path only; body properties were not read, so a create-only body property of
 * such a type would show as an update). test/plan-create-only.test.ts keeps this table covering every custom type
 * the program registers in every stack.
 */

export interface CreateOnly {
  /** Where the rule is read: the spec file (or provider source) and, for Azure, the API version. */
  source: string;
  apiVersion?: string;
  /** Inputs that name the resource or a parent in its ARM path (or identify it for the provider). */
  path: string[];
  /** Body inputs the API marks create-only (x-ms-mutability without "update"), as azure-native input paths. */
  body: string[];
  /** A path input the provider fills in itself when the program leaves it unset (azure-native generates a GUID). */
  autoNamed?: string;
  /** Every input is create-only except these (providers whose resources have no in-place update). */
  allExcept?: string[];
  read: "body" | "path" | "provider";
}

const SPECS = "Azure/azure-rest-api-specs specification";
const spec = (file: string) => `${SPECS}/${file}`;
/** Tracked resources also carry `location` (see above); proxy and extension resources do not. */
const TRACKED = ["location"];

/** An Azure entry: its spec source, the API version, the path inputs, the create-only body inputs, how far it was read. */
const az = (source: string, apiVersion: string, path: string[], body: string[], read: "body" | "path", extra: Partial<CreateOnly> = {}): CreateOnly => ({
  source,
  apiVersion,
  path,
  body,
  read,
  ...extra,
});

const pg = "postgresql/resource-manager/Microsoft.DBforPostgreSQL/stable/2025-08-01/openapi.json";
const web = (file: string) => `web/resource-manager/Microsoft.Web/AppService/stable/2025-05-01/ (${file})`;
const net = (file: string) => `network/resource-manager/Microsoft.Network/stable/2024-05-01/${file}`;

export const CREATE_ONLY: Record<string, CreateOnly> = {
  "azure-native:resources:ResourceGroup": az(spec("resources/resource-manager/Microsoft.Resources/stable/2024-03-01/resources.json"), "2024-03-01", ["resourceGroupName"], [...TRACKED], "path"),
  "azure-native:dbforpostgresql:Server": az(`${spec(pg)} (ServerProperties, Backup; Storage, Network and HighAvailability carry no mutability)`, "2025-08-01", ["resourceGroupName", "serverName"], [...TRACKED, "administratorLogin", "availabilityZone", "backup.geoRedundantBackup", "pointInTimeUTC", "sourceServerResourceId"], "body"),
  "azure-native:dbforpostgresql:Database": az(spec(pg), "2025-08-01", ["resourceGroupName", "serverName", "databaseName"], [], "path"),
  "azure-native:dbforpostgresql:Configuration": az(`${spec(pg)} (ConfigurationProperties: no mutability)`, "2025-08-01", ["resourceGroupName", "serverName", "configurationName"], [], "body"),
  "azure-native:dbforpostgresql:FirewallRule": az(spec(pg), "2025-08-01", ["resourceGroupName", "serverName", "firewallRuleName"], [], "path"),
  "azure-native:dbforpostgresql:AdministratorsMicrosoftEntra": az(`${spec(pg)} (AdministratorMicrosoftEntraPropertiesForAdd: read, update, create)`, "2025-08-01", ["resourceGroupName", "serverName", "objectId"], [], "body"),
  "azure-native:keyvault:Vault": az(`${spec("keyvault/resource-manager/Microsoft.KeyVault/stable/2024-11-01/keyvault.json")} (VaultCreateOrUpdateParameters, VaultProperties: createMode is create and update)`, "2024-11-01", ["resourceGroupName", "vaultName"], [...TRACKED], "body"),
  "azure-native:keyvault:Secret": az(spec("keyvault/resource-manager/Microsoft.KeyVault/stable/2024-11-01/secrets.json"), "2024-11-01", ["resourceGroupName", "vaultName", "secretName"], [], "path"),
  "azure-native:storage:StorageAccount": az(spec("storage/resource-manager/Microsoft.Storage/stable/2024-01-01/storage.json"), "2024-01-01", ["resourceGroupName", "accountName"], [...TRACKED], "path"),
  "azure-native:storage:FileShare": az(spec("storage/resource-manager/Microsoft.Storage/stable/2024-01-01/file.json"), "2024-01-01", ["resourceGroupName", "accountName", "shareName"], [], "path"),
  "azure-native:web:AppServicePlan": az(spec(web("AppServicePlans.json")), "2025-05-01", ["resourceGroupName", "name"], [...TRACKED], "path"),
  "azure-native:web:WebApp": az(spec(web("WebApps.json")), "2025-05-01", ["resourceGroupName", "name"], [...TRACKED], "path"),
  "azure-native:web:WebAppAzureStorageAccounts": az(spec(web("WebApps.json")), "2025-05-01", ["resourceGroupName", "name"], [], "path"),
  "azure-native:web:WebAppFtpAllowed": az(spec(web("WebApps.json")), "2025-05-01", ["resourceGroupName", "name"], [], "path"),
  "azure-native:web:WebAppScmAllowed": az(spec(web("WebApps.json")), "2025-05-01", ["resourceGroupName", "name"], [], "path"),
  "azure-native:managedidentity:UserAssignedIdentity": az(spec("msi/resource-manager/Microsoft.ManagedIdentity/stable/2023-01-31/ManagedIdentity.json"), "2023-01-31", ["resourceGroupName", "resourceName"], [...TRACKED], "path"),
  "azure-native:managedidentity:FederatedIdentityCredential": az(spec("msi/resource-manager/Microsoft.ManagedIdentity/stable/2023-01-31/ManagedIdentity.json"), "2023-01-31", ["resourceGroupName", "resourceName", "federatedIdentityCredentialResourceName"], [], "path"),
  // principalId: ARM refuses to change it in place (RoleAssignmentUpdateNotPermitted: "Tenant ID, application ID,
  // principal ID, and scope are not allowed to be updated"), and azure-native replaces the assignment for it
  // (pulumi/pulumi-azure-native provider/pkg/gen/replacement.go, forceNewMap: principalId, scope;
  // pulumi/pulumi-azure-native#771). A new roleDefinitionId is not on that map: plan/refusals.ts refuses it.
  "azure-native:authorization:RoleAssignment": az(
    `${spec("authorization/resource-manager/Microsoft.Authorization/stable/2022-04-01/authorization-RoleAssignmentsCalls.json")} (no mutability); principalId from azure-native's forceNewMap`,
    "2022-04-01",
    ["scope", "roleAssignmentName"],
    ["principalId"],
    "path",
    { autoNamed: "roleAssignmentName" },
  ),
  "azure-native:authorization:ManagementLockByScope": az(spec("resources/resource-manager/Microsoft.Authorization/stable/2020-05-01/locks.json"), "2020-05-01", ["scope", "lockName"], [], "path"),
  "azure-native:authorization:ManagementLockAtResourceLevel": az(spec("resources/resource-manager/Microsoft.Authorization/stable/2020-05-01/locks.json"), "2020-05-01", ["resourceGroupName", "resourceProviderNamespace", "parentResourcePath", "resourceType", "resourceName", "lockName"], [], "path"),
  "azure-native:monitor:ActionGroup": az(spec("monitor/resource-manager/Microsoft.Insights/preview/2024-10-01-preview/actionGroups_API.json"), "2024-10-01-preview", ["resourceGroupName", "actionGroupName"], [...TRACKED], "path"),
  "azure-native:monitor:MetricAlert": az(spec("monitor/resource-manager/Microsoft.Insights/stable/2018-03-01/metricAlert_API.json"), "2018-03-01", ["resourceGroupName", "ruleName"], [...TRACKED], "path"),
  "azure-native:monitor:DiagnosticSetting": az(spec("monitor/resource-manager/Microsoft.Insights/preview/2021-05-01-preview/diagnosticsSettings_API.json"), "2021-05-01-preview", ["resourceUri", "name"], [], "path"),
  "azure-native:network:VirtualNetwork": az(spec(net("virtualNetwork.json")), "2024-05-01", ["resourceGroupName", "virtualNetworkName"], [...TRACKED], "path"),
  "azure-native:network:Subnet": az(spec(net("virtualNetwork.json")), "2024-05-01", ["resourceGroupName", "virtualNetworkName", "subnetName"], [], "path"),
  "azure-native:network:PrivateEndpoint": az(spec(net("privateEndpoint.json")), "2024-05-01", ["resourceGroupName", "privateEndpointName"], [...TRACKED], "path"),
  "azure-native:network:PrivateDnsZoneGroup": az(spec(net("privateEndpoint.json")), "2024-05-01", ["resourceGroupName", "privateEndpointName", "privateDnsZoneGroupName"], [], "path"),
  "azure-native:privatedns:PrivateZone": az(spec("privatedns/resource-manager/Microsoft.Network/stable/2024-06-01/privatedns.json"), "2024-06-01", ["resourceGroupName", "privateZoneName"], [...TRACKED], "path"),
  "azure-native:privatedns:VirtualNetworkLink": az(spec("privatedns/resource-manager/Microsoft.Network/stable/2024-06-01/privatedns.json"), "2024-06-01", ["resourceGroupName", "privateZoneName", "virtualNetworkLinkName"], [...TRACKED], "path"),
  "azure-native:operationalinsights:Workspace": az(spec("operationalinsights/resource-manager/Microsoft.OperationalInsights/stable/2023-09-01/Workspaces.json"), "2023-09-01", ["resourceGroupName", "workspaceName"], [...TRACKED], "path"),
  "azure-native:applicationinsights:Component": az(spec("applicationinsights/resource-manager/Microsoft.Insights/stable/2020-02-02/components_API.json"), "2020-02-02", ["resourceGroupName", "resourceName"], [...TRACKED], "path"),
  // Providers bridged from Terraform: a resource without an update replaces on any change.
  "random:index/randomPassword:RandomPassword": {
    source: "hashicorp/terraform-provider-random internal/provider/resource_password.go (every attribute RequiresReplace; bridged by @pulumi/random)",
    path: [],
    body: [],
    allExcept: [],
    read: "provider",
  },
  "random:index/randomBytes:RandomBytes": {
    source: "hashicorp/terraform-provider-random internal/provider/resource_bytes.go (length and keepers RequiresReplace; bridged by @pulumi/random)",
    path: [],
    body: [],
    allExcept: [],
    read: "provider",
  },
  "docker:index/container:Container": {
    source: "kreuzwerker/terraform-provider-docker internal/provider/resource_docker_container.go (ForceNew on the container's settings; bridged by @pulumi/docker)",
    path: ["name"],
    body: [],
    allExcept: [],
    read: "provider",
  },
  "docker:index/volume:Volume": {
    source: "kreuzwerker/terraform-provider-docker internal/provider/resource_docker_volume.go (ForceNew on every attribute; bridged by @pulumi/docker)",
    path: ["name"],
    body: [],
    allExcept: [],
    read: "provider",
  },
  "docker:index/remoteImage:RemoteImage": {
    source: "kreuzwerker/terraform-provider-docker internal/provider/resource_docker_image.go (name and triggers ForceNew; bridged by @pulumi/docker)",
    path: ["name"],
    body: ["pullTriggers", "triggers"],
    read: "provider",
  },
  // The program's own dynamic provider (components/settle.ts `diff`): a new target is a new wait.
  "pulumi-nodejs:dynamic/amplifier:Settle": {
    source: "components/settle.ts (the provider's diff replaces on targetId)",
    path: [],
    body: ["targetId"],
    read: "provider",
  },
  // The database bootstrap run (components/bootstrap-run.ts `diff`): a new key is an update that runs again, never
  // a replacement.
  "pulumi-nodejs:dynamic/amplifier:BootstrapRun": {
    source: "components/bootstrap-run.ts (the provider's diff never replaces)",
    path: [],
    body: [],
    read: "provider",
  },
};

/** The inputs of a type that cannot change in place (undefined for a type the table does not know). */
export function createOnlyOf(type: string): CreateOnly | undefined {
  return CREATE_ONLY[type];
}
