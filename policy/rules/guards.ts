/** Data-bearing resources (database, vault, storage): diagnostic logs, Pulumi protect and management locks. */
import { azureName, dependsOn, fail, ofType, type PolicyResource, refersTo, type Rule, T, when } from "../model";

/** A diagnostic setting whose `resourceUri` satisfies `targets`, with at least one enabled log (category or group). */
function diagnosticLogs(targets: (d: PolicyResource) => boolean, resources: readonly PolicyResource[], accepts: (log: any) => boolean = () => true): boolean {
  return ofType(resources, T.diagnosticSetting).some(
    (d) => targets(d) && Array.isArray(d.props.logs) && d.props.logs.some((l: any) => l?.enabled === true && accepts(l)),
  );
}

/**
 * Storage logs live on the account's services, not the account (Microsoft Learn, "Monitor Azure Files": the
 * diagnostic setting's resource is `<account id>/fileServices/default`). The services an account needs logs for
 * are those the stack uses on it (file shares, blob containers); any service counts when it uses none.
 */
const STORAGE_SERVICE_CHILDREN = { file: T.fileShare, blob: T.blobContainer } as const;

function storageServicesInUse(account: PolicyResource, resources: readonly PolicyResource[]): string[] {
  return Object.entries(STORAGE_SERVICE_CHILDREN)
    .filter(([, type]) => ofType(resources, type).some((child) => refersTo(child, "accountName", account)))
    .map(([service]) => service);
}

/** Whether a diagnostic setting targets `<account>/<service>Services/default` (any service when `service` is unset). */
function targetsStorageService(d: PolicyResource, account: PolicyResource, service?: string): boolean {
  const uri = d.props.resourceUri;
  // Not known yet (preview): linked to the account, service unknown.
  if (typeof uri !== "string") return dependsOn(d, "resourceUri", account);
  const m = /\/storageAccounts\/([^/]+)\/(blob|file|queue|table)Services\/default$/i.exec(uri);
  return Boolean(m && m[1].toLowerCase() === azureName(account)?.toLowerCase() && (!service || m[2].toLowerCase() === service));
}

/** Whether a CanNotDelete/ReadOnly lock covers `target` (on it, or on its resource group). */
function locked(target: PolicyResource, resources: readonly PolicyResource[]): boolean {
  const strong = (r: PolicyResource) => ["CanNotDelete", "ReadOnly"].includes(r.props.level);
  return (
    ofType(resources, T.lockByScope).some((l) => strong(l) && refersTo(l, "scope", target)) ||
    ofType(resources, T.lockAtResource).some((l) => strong(l) && refersTo(l, "resourceName", target)) ||
    ofType(resources, T.lockAtGroup).some((l) => strong(l) && l.props.resourceGroupName === target.props.resourceGroupName)
  );
}

export const guardRules: Rule[] = [
  {
    name: "postgres-diagnostic-settings",
    description: "PostgreSQL server logs go to Log Analytics (a diagnostic setting with enabled logs).",
    source: ["AzPol DINE FlexibleServers_DiagnosticSettings_LogAnalytics", "MCSB LT-3"],
    severity: "medium",
    resourceTypes: [T.server],
    scope: "stack",
    check: (_props, ctx) =>
      when(
        !diagnosticLogs((d) => refersTo(d, "resourceUri", ctx.resource), ctx.resources),
        "sends no logs to a workspace",
        undefined,
        'add a monitor.DiagnosticSetting {resourceUri: server.id, logs: [{categoryGroup: "allLogs", enabled: true}]}',
      ),
  },
  {
    name: "keyvault-diagnostic-settings",
    description: "Key Vault audit logs go to Log Analytics.",
    source: ["AzPol cf820ca0 (MCSB)", "PSRule Azure.KeyVault.Logs"],
    severity: "medium",
    resourceTypes: [T.vault],
    scope: "stack",
    check: (_props, ctx) =>
      when(
        !diagnosticLogs((d) => refersTo(d, "resourceUri", ctx.resource), ctx.resources, (l) => ["audit", "allLogs"].includes(l.categoryGroup) || l.category === "AuditEvent"),
        "sends no audit logs to a workspace",
        undefined,
        'add a monitor.DiagnosticSetting {resourceUri: vault.id, logs: [{categoryGroup: "audit", enabled: true}]}',
      ),
  },
  {
    name: "storage-diagnostic-settings",
    description: "Storage accounts send the logs of the services they hold data in (file shares, blob containers) to Log Analytics.",
    source: ["MCSB LT-3", "Azure/azure-policy samples/Storage/storage-monitoring-log-analytics (fileservices, blobservices)"],
    severity: "medium",
    resourceTypes: [T.storageAccount],
    scope: "stack",
    check: (_props, ctx) => {
      const used = storageServicesInUse(ctx.resource, ctx.resources);
      const missing = (used.length ? used : [undefined]).filter(
        (service) => !diagnosticLogs((d) => targetsStorageService(d, ctx.resource, service), ctx.resources),
      );
      return missing.flatMap((service) =>
        fail(
          `sends no ${service ?? "storage service"} logs to a workspace`,
          undefined,
          `add a monitor.DiagnosticSetting {resourceUri: \`\${account.id}/${service ?? "<blob|file|queue|table>"}Services/default\`, logs: [{categoryGroup: "allLogs", enabled: true}]}`,
        ),
      );
    },
  },
  {
    name: "stateful-resources-protected",
    description:
      "Data-bearing resources (database server and database, vault, storage account and file share) carry Pulumi protect, so no destroy or replacement deletes them.",
    source: ["AVM/APRL data-loss guidance", "spec: prod data-loss guards"],
    severity: "high",
    resourceTypes: [T.server, T.database, T.vault, T.storageAccount, T.fileShare],
    scope: "resource",
    check: (_props, ctx) => when(!ctx.resource.protect, "is not protected", ctx.resource.protect, "set protect: true in the stack config (the default)"),
  },
  {
    name: "stateful-resources-locked",
    description: "The database server and the vault carry a CanNotDelete management lock.",
    source: ["AVM/APRL data-loss guidance (no scanner rule exists)", "spec: prod data-loss guards"],
    severity: "high",
    resourceTypes: [T.server, T.vault],
    scope: "stack",
    check: (_props, ctx) =>
      when(
        !locked(ctx.resource, ctx.resources),
        "has no CanNotDelete lock",
        undefined,
        'add an authorization.ManagementLockByScope {scope: <resource>.id, level: "CanNotDelete"}',
      ),
  },
];
