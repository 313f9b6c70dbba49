/**
 * Changes the plan refuses, because `pulumi up` or Azure would refuse them, or because they would lose data: each
 * says what would happen and what to do instead. The plan against --base exits EXIT.refused when there is one.
 *  - deleting a protected resource: Pulumi refuses a delete of a resource protected in the state (pulumi/pulumi,
 *    pkg/resource/deploy/step.go, DeleteStep: "unable to delete resource … as it is currently marked for protection");
 *  - replacing a protected resource: refused when the state and the program both protect it (pulumi/pulumi,
 *    pkg/resource/deploy/step_generator.go: "unable to replace resource …");
 *  - replacing a stateful resource (server, database, vault, storage account and share, resource group, Docker
 *    volume): protected or not, the replacement deletes its data;
 *  - shrinking a flexible server's storage: "storage can only be scaled up, not down" (Microsoft Learn, "Storage
 *    options in Azure Database for PostgreSQL - Flexible Server");
 *  - a lower PostgreSQL major version: Azure upgrades a major version in place "to any higher supported version", and
 *    offers no way down (Microsoft Learn, "Supported versions of PostgreSQL in Azure Database for PostgreSQL flexible
 *    server", Managing upgrades);
 *  - turning a vault's purge protection off: "Enabling this functionality is irreversible - that is, the property does
 *    not accept false as its value" (azure-rest-api-specs keyvault/…/stable/2024-11-01/keyvault.json, VaultProperties);
 *  - changing a role assignment's role in place: ARM refuses an update of an existing assignment
 *    (RoleAssignmentUpdateNotPermitted; Microsoft Learn, "Troubleshoot Azure RBAC", "ARM template role assignment
 *    returns BadRequest status"), and azure-native replaces an assignment only for a new principalId or scope
 *    (pulumi/pulumi-azure-native provider/pkg/gen/replacement.go, forceNewMap), so it would send that update;
 *  - adding or changing `postgres.restore` with a point outside the source's backup retention: "a point before the
 *    earliest restore point fails with an InternalServerError" (Microsoft Learn, "Restore to custom restore point",
 *    CLI notes). Only where the block is new or changed: left in a running stack it changes nothing (config/restore.ts).
 */
import type { RegisteredResource } from "../mock-runtime";
import type { ResourceChange } from "./diff";
import { displayType } from "./model";

export type RefusalRule = "protected-delete" | "protected-replace" | "stateful-replace" | "storage-shrink" | "version-downgrade" | "purge-protection-off" | "role-change-in-place" | "restore-window";

export interface Refusal {
  urn: string;
  type: string;
  name: string;
  rule: RefusalRule;
  /** What `pulumi up` would do or meet. */
  what: string;
  /** What to do instead. */
  instead: string;
}

/** Types whose replacement or loss takes data with it (policy rule stateful-resources-protected, plus the group and dev's volume). */
export const STATEFUL = new Set([
  "azure-native:resources:ResourceGroup",
  "azure-native:dbforpostgresql:Server",
  "azure-native:dbforpostgresql:Database",
  "azure-native:keyvault:Vault",
  "azure-native:storage:StorageAccount",
  "azure-native:storage:FileShare",
  "docker:index/volume:Volume",
]);

const SERVER = "azure-native:dbforpostgresql:Server";
const VAULT = "azure-native:keyvault:Vault";
const ROLE_ASSIGNMENT = "azure-native:authorization:RoleAssignment";

const label = (c: { type: string; name: string }) => `${displayType(c.type).split(":").pop()} ${c.name}`;

/** What replacing this kind of resource loses, and how to get a new one without losing it. */
function replaceInstead(c: ResourceChange): string {
  const keep = `keep ${c.replaceBecause.join(", ")} as ${c.replaceBecause.length > 1 ? "they are" : "it is"}`;
  if (c.type === SERVER) {
    return `${keep}; for a server with a new name or these settings, create a second one next to it (or a point-in-time restore of it), move the app to it, then remove the old one in a later change`;
  }
  if (c.type === "azure-native:resources:ResourceGroup") return `${keep}; a new group means a new stack: add a new stack file rather than renaming this one's group`;
  return `${keep}; for a new one, add it next to the old one under a new name, move the data, then remove the old one in a later change`;
}

export function refusalsOf(c: ResourceChange, before: RegisteredResource | undefined, after: RegisteredResource | undefined): Refusal[] {
  const out: Refusal[] = [];
  const refuse = (rule: RefusalRule, what: string, instead: string) => out.push({ urn: c.urn, type: c.type, name: c.name, rule, what, instead });
  if (c.action === "delete" && c.protect.before) {
    refuse(
      "protected-delete",
      `${label(c)} would be deleted, but it is protected: pulumi up stops with "unable to delete resource … as it is currently marked for protection"`,
      'keep it in the program (a renamed Pulumi resource needs an alias to its old name); to really delete it, first deploy protect: false (and locks: false) on their own, then remove it (docs/lifecycle.md, "Teardown and the way back")',
    );
  }
  if (c.action === "replace") {
    const why = `a create-only input changed (${c.replaceBecause.join(", ")}), so ${label(c)} would be replaced: the existing one deleted and a new one created`;
    if (c.protect.before && c.protect.after) refuse("protected-replace", `${why}; it is protected, so pulumi up stops with "unable to replace resource"`, replaceInstead(c));
    else if (STATEFUL.has(c.type)) refuse("stateful-replace", `${why}, and its data with it`, replaceInstead(c));
  }
  if (before && after && c.type === SERVER) {
    const [was, now] = [Number(before.inputs.storage?.storageSizeGB), Number(after.inputs.storage?.storageSizeGB)];
    if (now < was) {
      refuse(
        "storage-shrink",
        `${label(c)} storage would shrink from ${was} to ${now} GiB, which Azure cannot do (storage only grows)`,
        `keep postgres.storageSizeGb at ${was} or more; to get a smaller disk, restore the server into a new one with the smaller size and move the app to it`,
      );
    }
    const [from, to] = [Number(before.inputs.version), Number(after.inputs.version)];
    if (to < from) {
      refuse(
        "version-downgrade",
        `${label(c)} would go from PostgreSQL ${from} down to ${to}; Azure upgrades a major version in place, never down`,
        `keep postgres.version at ${from} or higher; an older version needs a new server and a dump and restore of the data`,
      );
    }
  }
  if (before && after && c.action === "update" && c.type === ROLE_ASSIGNMENT && before.inputs.roleDefinitionId !== after.inputs.roleDefinitionId) {
    refuse(
      "role-change-in-place",
      `${label(c)} would change its role in place, which Azure refuses (RoleAssignmentUpdateNotPermitted); azure-native sends it as an update`,
      "grant the new role as a new assignment (a new Pulumi resource name) and remove the old one in the same change, or give the assignment replaceOnChanges: [\"roleDefinitionId\"]",
    );
  }
  if (before && after && c.type === VAULT && before.inputs.properties?.enablePurgeProtection === true && after.inputs.properties?.enablePurgeProtection !== true) {
    refuse(
      "purge-protection-off",
      `${label(c)} would turn purge protection off, which Azure refuses: once on, it cannot be turned off`,
      "keep keyVault.purgeProtection: true for this vault; a vault without it needs a new vault name",
    );
  }
  return out;
}

/** The inputs `postgres.restore` sets on the server (components/flexible-postgres.ts RESTORE_INPUTS). */
const RESTORE_KEYS = ["createMode", "sourceServerResourceId", "pointInTimeUTC"];

/**
 * A restore block added or changed (the server's restore inputs differ from the base's) whose point has left the
 * source's window (`notes`, config/restore.ts restoreWindowNotes): refused, since the restore it asks for would fail.
 */
export function restoreRefusals(before: RegisteredResource | undefined, after: RegisteredResource | undefined, notes: string[]): Refusal[] {
  if (!after || after.type !== SERVER || notes.length === 0) return [];
  const same = before !== undefined && RESTORE_KEYS.every((k) => JSON.stringify(before.inputs[k]) === JSON.stringify(after.inputs[k]));
  if (same) return [];
  return notes.map((what) => ({
    urn: after.urn,
    type: after.type,
    name: after.name,
    rule: "restore-window" as const,
    what,
    instead: "give a point in time within the source's backup retention (az postgres flexible-server show --query backup.earliestRestoreDate); for a server that already exists, leave postgres.restore as it was or remove it",
  }));
}
