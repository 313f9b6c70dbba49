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

const pg = "postgresql/resource-manager/Microsoft.DBforPostgreSQL/stable/2025-08-01/openapi.json";
const web = (file: string) => `web/resource-manager/Microsoft.Web/AppService/stable/2025-05-01/ (${file})`;
const net = (file: string) => `network/resource-manager/Microsoft.Network/stable/2024-05-01/${file}`;

export const CREATE_ONLY: Record<string, CreateOnly> = {
  "azure-native:resources:ResourceGroup": {
    source: spec("resources/resource-manager/Microsoft.Resources/stable/2024-03-01/resources.json"),
    apiVersion: "2024-03-01",
    path: ["resourceGroupName"],
    body: [...TRACKED],
    read: "path",
  },
  "azure-native:dbforpostgresql:Server": {
    source: `${spec(pg)} (ServerProperties, Backup; Storage, Network and HighAvailability carry no mutability)`,
    apiVersion: "2025-08-01",
    path: ["resourceGroupName", "serverName"],
    body: [...TRACKED, "administratorLogin", "availabilityZone", "backup.geoRedundantBackup", "pointInTimeUTC", "sourceServerResourceId"],
    read: "body",
  },
  "azure-native:dbforpostgresql:Database": {
    source: spec(pg),
    apiVersion: "2025-08-01",
    path: ["resourceGroupName", "serverName", "databaseName"],
    body: [],
    read: "path",
  },
  "azure-native:dbforpostgresql:Configuration": {
    source: `${spec(pg)} (ConfigurationProperties: no mutability)`,
    apiVersion: "2025-08-01",
    path: ["resourceGroupName", "serverName", "configurationName"],
    body: [],
    read: "body",
  },
  "azure-native:dbforpostgresql:FirewallRule": {
    source: spec(pg),
    apiVersion: "2025-08-01",
    path: ["resourceGroupName", "serverName", "firewallRuleName"],
    body: [],
    read: "path",
  },
  "azure-native:dbforpostgresql:AdministratorsMicrosoftEntra": {
    source: `${spec(pg)} (AdministratorMicrosoftEntraPropertiesForAdd: read, update, create)`,
    apiVersion: "2025-08-01",
    path: ["resourceGroupName", "serverName", "objectId"],
    body: [],
    read: "body",
  },
  "azure-native:keyvault:Vault": {
    source: `${spec("keyvault/resource-manager/Microsoft.KeyVault/stable/2024-11-01/keyvault.json")} (VaultCreateOrUpdateParameters, VaultProperties: createMode is create and update)`,
    apiVersion: "2024-11-01",
    path: ["resourceGroupName", "vaultName"],
    body: [...TRACKED],
    read: "body",
  },
  "azure-native:keyvault:Secret": {
    source: spec("keyvault/resource-manager/Microsoft.KeyVault/stable/2024-11-01/secrets.json"),
    apiVersion: "2024-11-01",
    path: ["resourceGroupName", "vaultName", "secretName"],
    body: [],
    read: "path",
  },
  "azure-native:storage:StorageAccount": {
    source: spec("storage/resource-manager/Microsoft.Storage/stable/2024-01-01/storage.json"),
    apiVersion: "2024-01-01",
    path: ["resourceGroupName", "accountName"],
    body: [...TRACKED],
    read: "path",
  },
  "azure-native:storage:FileShare": {
    source: spec("storage/resource-manager/Microsoft.Storage/stable/2024-01-01/file.json"),
    apiVersion: "2024-01-01",
    path: ["resourceGroupName", "accountName", "shareName"],
    body: [],
    read: "path",
  },
  "azure-native:web:AppServicePlan": {
    source: spec(web("AppServicePlans.json")),
    apiVersion: "2025-05-01",
    path: ["resourceGroupName", "name"],
    body: [...TRACKED],
    read: "path",
  },
  "azure-native:web:WebApp": {
    source: spec(web("WebApps.json")),
    apiVersion: "2025-05-01",
    path: ["resourceGroupName", "name"],
    body: [...TRACKED],
    read: "path",
  },
  "azure-native:web:WebAppAzureStorageAccounts": {
    source: spec(web("WebApps.json")),
    apiVersion: "2025-05-01",
    path: ["resourceGroupName", "name"],
    body: [],
    read: "path",
  },
  "azure-native:web:WebAppFtpAllowed": {
    source: spec(web("WebApps.json")),
    apiVersion: "2025-05-01",
    path: ["resourceGroupName", "name"],
    body: [],
    read: "path",
  },
  "azure-native:web:WebAppScmAllowed": {
    source: spec(web("WebApps.json")),
    apiVersion: "2025-05-01",
    path: ["resourceGroupName", "name"],
    body: [],
    read: "path",
  },
  "azure-native:managedidentity:UserAssignedIdentity": {
    source: spec("msi/resource-manager/Microsoft.ManagedIdentity/stable/2023-01-31/ManagedIdentity.json"),
    apiVersion: "2023-01-31",
    path: ["resourceGroupName", "resourceName"],
    body: [...TRACKED],
    read: "path",
  },
  "azure-native:managedidentity:FederatedIdentityCredential": {
    source: spec("msi/resource-manager/Microsoft.ManagedIdentity/stable/2023-01-31/ManagedIdentity.json"),
    apiVersion: "2023-01-31",
    path: ["resourceGroupName", "resourceName", "federatedIdentityCredentialResourceName"],
    body: [],
    read: "path",
  },
  "azure-native:authorization:RoleAssignment": {
    source: spec("authorization/resource-manager/Microsoft.Authorization/stable/2022-04-01/authorization-RoleAssignmentsCalls.json"),
    apiVersion: "2022-04-01",
    path: ["scope", "roleAssignmentName"],
    autoNamed: "roleAssignmentName",
    body: [],
    read: "path",
  },
  "azure-native:authorization:ManagementLockByScope": {
    source: spec("resources/resource-manager/Microsoft.Authorization/stable/2020-05-01/locks.json"),
    apiVersion: "2020-05-01",
    path: ["scope", "lockName"],
    body: [],
    read: "path",
  },
  "azure-native:authorization:ManagementLockAtResourceLevel": {
    source: spec("resources/resource-manager/Microsoft.Authorization/stable/2020-05-01/locks.json"),
    apiVersion: "2020-05-01",
    path: ["resourceGroupName", "resourceProviderNamespace", "parentResourcePath", "resourceType", "resourceName", "lockName"],
    body: [],
    read: "path",
  },
  "azure-native:monitor:ActionGroup": {
    source: spec("monitor/resource-manager/Microsoft.Insights/preview/2024-10-01-preview/actionGroups_API.json"),
    apiVersion: "2024-10-01-preview",
    path: ["resourceGroupName", "actionGroupName"],
    body: [...TRACKED],
    read: "path",
  },
  "azure-native:monitor:MetricAlert": {
    source: spec("monitor/resource-manager/Microsoft.Insights/stable/2018-03-01/metricAlert_API.json"),
    apiVersion: "2018-03-01",
    path: ["resourceGroupName", "ruleName"],
    body: [...TRACKED],
    read: "path",
  },
  "azure-native:monitor:DiagnosticSetting": {
    source: spec("monitor/resource-manager/Microsoft.Insights/preview/2021-05-01-preview/diagnosticsSettings_API.json"),
    apiVersion: "2021-05-01-preview",
    path: ["resourceUri", "name"],
    body: [],
    read: "path",
  },
  "azure-native:network:VirtualNetwork": {
    source: spec(net("virtualNetwork.json")),
    apiVersion: "2024-05-01",
    path: ["resourceGroupName", "virtualNetworkName"],
    body: [...TRACKED],
    read: "path",
  },
  "azure-native:network:Subnet": {
    source: spec(net("virtualNetwork.json")),
    apiVersion: "2024-05-01",
    path: ["resourceGroupName", "virtualNetworkName", "subnetName"],
    body: [],
    read: "path",
  },
  "azure-native:network:PrivateEndpoint": {
    source: spec(net("privateEndpoint.json")),
    apiVersion: "2024-05-01",
    path: ["resourceGroupName", "privateEndpointName"],
    body: [...TRACKED],
    read: "path",
  },
  "azure-native:network:PrivateDnsZoneGroup": {
    source: spec(net("privateEndpoint.json")),
    apiVersion: "2024-05-01",
    path: ["resourceGroupName", "privateEndpointName", "privateDnsZoneGroupName"],
    body: [],
    read: "path",
  },
  "azure-native:privatedns:PrivateZone": {
    source: spec("privatedns/resource-manager/Microsoft.Network/stable/2024-06-01/privatedns.json"),
    apiVersion: "2024-06-01",
    path: ["resourceGroupName", "privateZoneName"],
    body: [...TRACKED],
    read: "path",
  },
  "azure-native:privatedns:VirtualNetworkLink": {
    source: spec("privatedns/resource-manager/Microsoft.Network/stable/2024-06-01/privatedns.json"),
    apiVersion: "2024-06-01",
    path: ["resourceGroupName", "privateZoneName", "virtualNetworkLinkName"],
    body: [...TRACKED],
    read: "path",
  },
  "azure-native:operationalinsights:Workspace": {
    source: spec("operationalinsights/resource-manager/Microsoft.OperationalInsights/stable/2023-09-01/Workspaces.json"),
    apiVersion: "2023-09-01",
    path: ["resourceGroupName", "workspaceName"],
    body: [...TRACKED],
    read: "path",
  },
  "azure-native:applicationinsights:Component": {
    source: spec("applicationinsights/resource-manager/Microsoft.Insights/stable/2020-02-02/components_API.json"),
    apiVersion: "2020-02-02",
    path: ["resourceGroupName", "resourceName"],
    body: [...TRACKED],
    read: "path",
  },
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
};

/** The inputs of a type that cannot change in place (undefined for a type the table does not know). */
export function createOnlyOf(type: string): CreateOnly | undefined {
  return CREATE_ONLY[type];
}
