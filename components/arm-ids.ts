/**
 * ARM ids the program passes to Pulumi's `import` option. The engine treats a resource as an import whenever the
 * import id differs, byte for byte, from the id the state holds for it (its importID, or its id when it was created):
 * `isImport := goal.Custom && goal.ID != "" && (old == nil || old.External || oldImportID != goal.ID)`, and with an
 * old resource that is an ImportReplacementStep plus a ReplaceStep (pulumi/pulumi pkg/resource/deploy/
 * step_generator.go). So each id is built exactly as azure-native builds the request path of a create: the
 * subscription exactly as the provider is configured with it (what getClientConfig answers), the names exactly as the
 * program's inputs give them; nothing is lower-cased (pulumi/pulumi-azure-native provider/pkg/provider/provider.go,
 * Create: PrepareAzureRESTIdAndQuery with the configured subscriptionID). What ARM itself answers for a created
 * resource, and a hand import typed in another spelling, cannot be seen offline: docs/unverified.md.
 */

/** `/subscriptions/<sub>/resourceGroups/<group>`. */
export function resourceGroupId(subscriptionId: string, resourceGroupName: string): string {
  return `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroupName}`;
}

/** A flexible server's database, under the group id above (`groupId`). */
export function flexibleServerDatabaseId(groupId: string, serverName: string, databaseName: string): string {
  return `${groupId}/providers/Microsoft.DBforPostgreSQL/flexibleServers/${serverName}/databases/${databaseName}`;
}
