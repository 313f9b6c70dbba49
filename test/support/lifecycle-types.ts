/** The resource types the lifecycle suites (lifecycle-group, -server, -drift) look at, by short name. */
export const T = {
  server: "azure-native:dbforpostgresql:Server",
  settle: "pulumi-nodejs:dynamic/amplifier:Settle",
  endpoint: "azure-native:network:PrivateEndpoint",
  link: "azure-native:privatedns:VirtualNetworkLink",
  identity: "azure-native:managedidentity:UserAssignedIdentity",
  role: "azure-native:authorization:RoleAssignment",
  webApp: "azure-native:web:WebApp",
  config: "azure-native:dbforpostgresql:Configuration",
  vault: "azure-native:keyvault:Vault",
  secret: "azure-native:keyvault:Secret",
  group: "azure-native:resources:ResourceGroup",
};
