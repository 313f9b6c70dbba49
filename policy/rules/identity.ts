/** Role assignments: what the app's identities may do, and where; what the app repository's deploy identity may do. */
import { at, azureName, dependsOn, type Finding, grantsTo, ofType, type PolicyResource, refersTo, roleGuid, type Rule, scopeTarget, T } from "../model";
import { SITE_TYPES } from "./app-settings";
import { ASSIGNABLE_ROLES } from "./role-assignments";

/** Built-in role "Key Vault Secrets User": read secret contents (Microsoft Learn, "Azure built-in roles"). */
export const KEY_VAULT_SECRETS_USER = ASSIGNABLE_ROLES["Key Vault Secrets User"].id;
/**
 * Built-in role "Website Contributor": Microsoft.Web/sites/* and reads, no role assignments (Microsoft Learn, "Azure
 * built-in roles for Web and Mobile"). It includes Microsoft.Web/sites/publish/Action, which a deploy through the
 * site's Kudu endpoint with a Microsoft Entra token needs (Microsoft Learn, "Kudu service overview", RBAC permissions).
 */
export const WEBSITE_CONTRIBUTOR = ASSIGNABLE_ROLES["Website Contributor"].id;

/**
 * The identities the app acts as: each site (its system-assigned identity) and each user-assigned identity a site
 * lists in `identity.userAssignedIdentities` (by id, or linked by dependency while the id is unknown).
 */
export function appIdentities(resources: readonly PolicyResource[]): PolicyResource[] {
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

/** The stack's vault that `scope` is, or lies under (`.../vaults/<name>` or `.../vaults/<name>/secrets/<secret>`). */
function vaultScope(assignment: PolicyResource, vaults: PolicyResource[]): PolicyResource | undefined {
  const scope = assignment.props.scope;
  // Not known yet (preview): the scope was computed from a vault.
  if (typeof scope !== "string") return vaults.find((v) => dependsOn(assignment, "scope", v));
  const m = /\/providers\/Microsoft\.KeyVault\/vaults\/([^/]+)(\/.*)?$/i.exec(scope);
  return m ? vaults.find((v) => azureName(v)?.toLowerCase() === m[1].toLowerCase()) : undefined;
}

/**
 * Deploy identities: user-assigned identities that hold a federated credential (an outside workload signs in as
 * them) and that no site runs as. The app's own identities are never deploy identities.
 */
function deployIdentities(resources: readonly PolicyResource[]): PolicyResource[] {
  const app = new Set(appIdentities(resources));
  const credentials = ofType(resources, T.federatedIdentityCredential);
  return ofType(resources, T.userAssignedIdentity).filter((uai) => !app.has(uai) && credentials.some((c) => refersTo(c, "resourceName", uai)));
}

const scopeText = (props: Record<string, any>) => (typeof props.scope === "string" ? props.scope : "a scope not known yet");

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
  {
    // A role-assignment condition can test the role and the principal but not the scope (Microsoft Learn,
    // "Authorization actions and attributes": roleAssignments/write offers RoleDefinitionId, PrincipalId and
    // PrincipalType only), so the deploy identity's condition lets it grant Website Contributor anywhere in the
    // stack's group: this rule is where the scope is held to the web app.
    name: "app-deploy-role-scoped-to-web-app",
    description:
      "Website Contributor is granted only to the app repository's deploy identity (a user-assigned identity with a federated credential that no site uses), only on the stack's web app, and that identity holds no other role.",
    source: ["MCSB PA-7 (just enough administration)", "Microsoft Learn: Kudu service overview (RBAC permissions required to access Kudu)", "Microsoft Learn: Authorization actions and attributes"],
    severity: "critical",
    resourceTypes: [T.roleAssignment],
    scope: "stack",
    check: (props, ctx) => {
      const role = roleGuid(props.roleDefinitionId);
      const toDeploy = grantsTo(ctx.resource, deployIdentities(ctx.resources));
      const contributor = role === WEBSITE_CONTRIBUTOR;
      if (!contributor && !toDeploy) return [];
      const fix = `grant the deploy identity only Website Contributor (${WEBSITE_CONTRIBUTOR}) with scope: webApp.id`;
      const findings: Finding[] = [];
      // An unknown role id (preview) is judged at `pulumi up`.
      if (toDeploy && role !== undefined && !contributor) findings.push({ problem: `grants the app's deploy identity role ${role}`, found: `role ${role}`, fix });
      else if (!scopeTarget(ctx.resource, ctx.resources, [T.webApp])) findings.push({ problem: "grants Website Contributor on a scope other than the stack's web app", found: scopeText(props), fix });
      if (contributor && !toDeploy) {
        findings.push({
          problem: "grants Website Contributor to a principal other than the app's deploy identity",
          found: `principal ${typeof props.principalId === "string" ? props.principalId : "not known yet"}`,
          fix: "grant it only to the user-assigned identity `appDeploy` creates (its federated credential names the app repository's environment)",
        });
      }
      return findings;
    },
  },
];
