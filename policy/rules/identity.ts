/** Role assignments: what the app's identities may do, and where. */
import { at, azureName, dependsOn, ofType, type PolicyResource, type Rule, T } from "../model";
import { SITE_TYPES } from "./app-settings";

/** Built-in role "Key Vault Secrets User": read secret contents (Microsoft Learn, "Azure built-in roles"). */
export const KEY_VAULT_SECRETS_USER = "4633458b-17de-408a-b874-0445c86b69e6";

/**
 * The identities the app acts as: each site (its system-assigned identity) and each user-assigned identity a site
 * lists in `identity.userAssignedIdentities` (by id, or linked by dependency while the id is unknown).
 */
function appIdentities(resources: readonly PolicyResource[]): PolicyResource[] {
  const sites = resources.filter((r) => SITE_TYPES.includes(r.type));
  const used = ofType(resources, T.userAssignedIdentity).filter((uai) =>
    sites.some((site) => {
      const ids = at(site.props, "identity.userAssignedIdentities");
      const listed = Array.isArray(ids) ? ids : Object.keys(ids ?? {});
      const name = azureName(uai)?.toLowerCase();
      return dependsOn(site, "identity", uai) || listed.some((id: unknown) => typeof id === "string" && id.split("/").pop()?.toLowerCase() === name);
    }),
  );
  return [...sites, ...used];
}

/** Whether a role assignment's principal is one of `identities`: linked by dependency, or the same principal id. */
function grantsTo(assignment: PolicyResource, identities: PolicyResource[]): boolean {
  const principal = assignment.props.principalId;
  return identities.some(
    (id) =>
      dependsOn(assignment, "principalId", id) ||
      (typeof principal === "string" && principal !== "" && [at(id.props, "identity.principalId"), id.props.principalId].includes(principal)),
  );
}

/** The stack's vault that `scope` is, or lies under (`.../vaults/<name>` or `.../vaults/<name>/secrets/<secret>`). */
function vaultScope(assignment: PolicyResource, vaults: PolicyResource[]): PolicyResource | undefined {
  const scope = assignment.props.scope;
  // Not known yet (preview): the scope was computed from a vault.
  if (typeof scope !== "string") return vaults.find((v) => dependsOn(assignment, "scope", v));
  const m = /\/providers\/Microsoft\.KeyVault\/vaults\/([^/]+)(\/.*)?$/i.exec(scope);
  return m ? vaults.find((v) => azureName(v)?.toLowerCase() === m[1].toLowerCase()) : undefined;
}

const roleGuid = (id: unknown) => (typeof id === "string" ? id.split("/").pop()?.toLowerCase() : undefined);

export const identityRules: Rule[] = [
  {
    // Written over role assignments generally, so a second identity (a user-assigned one the app also uses) or a
    // second assignment cannot widen what the app reaches: the app needs to read its own secrets, nothing more.
    name: "app-role-assignments-scoped-to-vault",
    description:
      "Every role assignment to the app's identities (a site's system-assigned identity, or a user-assigned identity it uses) is Key Vault Secrets User on a vault of the stack, or narrower.",
    source: ["MCSB PA-7 (just enough administration)", "MCSB IM-3", "Microsoft Learn: Key Vault RBAC guide (assign at vault scope or narrower)"],
    severity: "critical",
    resourceTypes: [T.roleAssignment],
    scope: "stack",
    check: (props, ctx) => {
      if (!grantsTo(ctx.resource, appIdentities(ctx.resources))) return [];
      const role = roleGuid(props.roleDefinitionId);
      const vault = vaultScope(ctx.resource, ofType(ctx.resources, T.vault));
      // An unknown role id (preview) is judged at `pulumi up`.
      const wrongRole = role !== undefined && role !== KEY_VAULT_SECRETS_USER;
      if (vault && !wrongRole) return [];
      return [
        {
          problem: `grants the app's identity ${wrongRole ? `role ${role}` : "its role"} on ${vault ? `vault ${azureName(vault)}` : "a scope wider than its vault"}`,
          found: `role ${role ?? "not known yet"} at ${typeof props.scope === "string" ? props.scope : "a scope not known yet"}`,
          fix: `grant only Key Vault Secrets User (${KEY_VAULT_SECRETS_USER}) with scope: vault.id (or one secret under it)`,
        },
      ];
    },
  },
];
