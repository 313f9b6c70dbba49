/**
 * What a CanNotDelete lock stops a deploy from deleting. A lock covers the resource it is on and everything scoped
 * under it: child resources, extension resources such as role assignments and diagnostic settings ("A cannot-delete
 * lock on a resource or resource group prevents the deletion of Azure RBAC assignments"; "Extension resources
 * inherit locks from the resource they're applied to", https://learn.microsoft.com/en-us/azure/azure-resource-manager/
 * management/lock-resources), and the target's private endpoint connection that deleting a private endpoint removes
 * (hashicorp/terraform-provider-azurerm#17478: ScopeLocked). Any change that deletes one of these fails in a stack
 * with `locks: true` until the locks are off. docs/lifecycle.md's table of them is generated from this (`npm run docs`).
 */
import type { RegisteredResource, RunResult } from "../mock-runtime";

/** The change that deletes each kind of resource found under a locked one (a new kind must be added here). */
export const DELETED_WHEN: Record<string, string> = {
  "azure-native:authorization:RoleAssignment": "the app's identity is replaced (`appService.identityName`), or a secret it reads goes (a secure `app.settings` value removed)",
  "azure-native:monitor:DiagnosticSetting": "the diagnostic setting is removed or renamed",
  "azure-native:network:PrivateEndpoint": "the endpoint is removed or replaced (`network` block removed, `namePrefix` changed)",
  "azure-native:dbforpostgresql:Database": "`postgres.databaseName` changes",
  "azure-native:dbforpostgresql:FirewallRule": "a rule leaves `postgres.firewallRules` (or `allowAzureServices` turns off)",
  "azure-native:dbforpostgresql:AdministratorsMicrosoftEntra": "`postgres.entraAdmin` is removed or its `objectId` changes",
};

/**
 * Under a locked resource, but removing them is no ARM delete: azure-native resets a server parameter to its
 * default with a PUT (pulumi-azure-native provider/pkg/resources/customresources/custom_postgres_config.go), and a
 * resource with `retainOnDelete` (the Key Vault secrets) is only dropped from the state.
 */
const NO_DELETE = ["azure-native:dbforpostgresql:Configuration"];

export interface LockedDelete {
  /** Type of the locked resource, e.g. `azure-native:dbforpostgresql:Server`. */
  locked: string;
  type: string;
  relation: "the locked resource" | "child" | "extension" | "private endpoint connection";
  deletedWhen: string;
}

/** How `r` sits under `target`, if it does. */
function relation(r: RegisteredResource, target: RegisteredResource): LockedDelete["relation"] | undefined {
  const id = target.state.id;
  // On the resource or on a child of it (a role assignment on one secret of a locked vault).
  const on = (v: unknown) => v === id || (typeof v === "string" && v.startsWith(`${id}/`));
  if (on(r.inputs.scope) || r.inputs.resourceUri === id) return "extension";
  if ((r.inputs.privateLinkServiceConnections ?? []).some((c: { privateLinkServiceId?: string }) => c.privateLinkServiceId === id)) {
    return "private endpoint connection";
  }
  // A child names its parent: `serverName` for a Server, `vaultName` for a Vault, in the parent's module.
  const [pkg, module, typeName] = target.type.split(":");
  const nameKey = `${typeName.charAt(0).toLowerCase()}${typeName.slice(1)}Name`;
  if (r.type.startsWith(`${pkg}:${module}:`) && target.inputs[nameKey] !== undefined && r.inputs[nameKey] === target.inputs[nameKey]) return "child";
  return undefined;
}

/** Every resource a CanNotDelete lock in `result` keeps a deploy from deleting, with the change that would. */
export function lockedDeletes(result: RunResult): LockedDelete[] {
  const locks = result.resources.filter((r) => r.type === "azure-native:authorization:ManagementLockByScope" && r.inputs.level === "CanNotDelete");
  return locks.flatMap((lock) => {
    const target = result.resources.find((r) => r.custom && r.state.id === lock.inputs.scope);
    if (!target) throw new Error(`lock ${lock.name}: no resource in the stack has id ${lock.inputs.scope}`);
    const under = result.resources.flatMap((r) => {
      const how = r === lock || r === target || r.options.retainOnDelete || NO_DELETE.includes(r.type) ? undefined : relation(r, target);
      if (!how) return [];
      const deletedWhen = DELETED_WHEN[r.type];
      if (!deletedWhen) throw new Error(`${r.type} "${r.name}" sits under locked ${target.type} "${target.name}": add it to DELETED_WHEN in tools/locked-deletes.ts`);
      return [{ locked: target.type, type: r.type, relation: how, deletedWhen }];
    });
    return [{ locked: target.type, type: target.type, relation: "the locked resource" as const, deletedWhen: "a teardown or a replacement deletes it" }, ...under];
  });
}

const short = (type: string) => `\`${type.replace(/^azure-native:/, "")}\``;

/** One row per kind (locked type, type, relation), from any number of runs; sorted. */
export function renderLockedDeletes(rows: LockedDelete[]): string {
  const unique = new Map(rows.map((r) => [`${r.locked} ${r.relation === "the locked resource" ? "" : r.type} ${r.relation}`, r]));
  const lines = [...unique.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, r]) => `| ${short(r.locked)} | ${r.relation === "the locked resource" ? "the locked resource itself" : `${short(r.type)} (${r.relation})`} | ${r.deletedWhen} |`);
  return ["| Locked | What a deploy cannot delete | Deleted when |", "|---|---|---|", ...lines].join("\n");
}
