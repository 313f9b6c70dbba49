/** Stateful resources (database server, vault): diagnostic logs, Pulumi protect and management locks. */
import { ofType, type PolicyResource, refersTo, type Rule, T, when } from "../model";

/** A diagnostic setting on `target` with at least one enabled log (category or category group). */
function diagnosticLogs(target: PolicyResource, resources: readonly PolicyResource[], accepts: (log: any) => boolean): boolean {
  return ofType(resources, T.diagnosticSetting).some(
    (d) => refersTo(d, "resourceUri", target) && Array.isArray(d.props.logs) && d.props.logs.some((l: any) => l?.enabled === true && accepts(l)),
  );
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
        !diagnosticLogs(ctx.resource, ctx.resources, () => true),
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
        !diagnosticLogs(ctx.resource, ctx.resources, (l) => ["audit", "allLogs"].includes(l.categoryGroup) || l.category === "AuditEvent"),
        "sends no audit logs to a workspace",
        undefined,
        'add a monitor.DiagnosticSetting {resourceUri: vault.id, logs: [{categoryGroup: "audit", enabled: true}]}',
      ),
  },
  {
    name: "stateful-resources-protected",
    description: "The database server and the vault carry Pulumi protect, so no destroy or replacement deletes them.",
    source: ["AVM/APRL data-loss guidance", "spec: prod data-loss guards"],
    severity: "high",
    resourceTypes: [T.server, T.vault],
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
