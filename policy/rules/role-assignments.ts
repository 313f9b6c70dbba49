/**
 * Role assignments as an allowlist: the one table of roles the program assigns (the policy pack judges every
 * assignment by it, and tools/azure-permissions.ts builds the deploy identity's role-assignment condition from it),
 * and the rule over every assignment: the principal is one of the stack's own identities, the role is in the table,
 * the scope is a resource of the stack of the kind the table names for that role.
 *
 * Adding a role is one line in ASSIGNABLE_ROLES, in the same change that assigns it: test/policy-stacks.test.ts runs
 * this rule over every stack and test/preview-permissions.test.ts checks the condition covers what the program assigns.
 */
import { fail, grantsTo, type PolicyResource, roleGuid, type Rule, scopeTarget, T } from "../model";

/**
 * Built-in roles the program assigns, by name (Microsoft Learn, "Azure built-in roles"): the role definition's GUID
 * and the resource types an assignment may be scoped to, the narrowest the program needs.
 */
export const ASSIGNABLE_ROLES: Readonly<Record<string, { id: string; scopes: readonly string[] }>> = {
  // The RBAC form of the spec's "get" on secrets, for the app's identity on each secret it reads (components/
  // app-service.ts), never the whole vault: the app reads its own secrets and nothing else the vault holds.
  "Key Vault Secrets User": { id: "4633458b-17de-408a-b874-0445c86b69e6", scopes: [T.secret] },
  // The app repository's deploy identity (`appDeploy`), on the web app only.
  "Website Contributor": { id: "de139f84-1756-47ae-9be6-808fbbe84772", scopes: [T.webApp] },
};

export const ROLE_TABLE_FILE = "policy/rules/role-assignments.ts";

/** Resource types whose principal ids are identities the stack owns (a site's system-assigned identity, a user-assigned one). */
const IDENTITY_TYPES: readonly string[] = [T.userAssignedIdentity, T.webApp, T.webAppSlot];

/** Whether the assignment's principal is one of the stack's own identities. */
const ownPrincipal = (assignment: PolicyResource, resources: readonly PolicyResource[]) =>
  grantsTo(assignment, resources.filter((r) => IDENTITY_TYPES.includes(r.type)));

export const roleAssignmentRules: Rule[] = [
  {
    name: "role-assignments-allowlisted",
    description:
      "Every role assignment grants a role the program uses (a table of built-in roles) to one of the stack's own identities, scoped to a resource of the stack of the kind the table names for that role: never a group, a subscription or another principal.",
    source: ["MCSB PA-7 (just enough administration)", "MCSB PA-1", "Microsoft Learn: Azure RBAC best practices (assign at the narrowest scope)"],
    severity: "critical",
    resourceTypes: [T.roleAssignment],
    scope: "stack",
    check: (props, ctx) => {
      const guid = roleGuid(props.roleDefinitionId);
      const entry = Object.entries(ASSIGNABLE_ROLES).find(([, r]) => r.id === guid);
      const problems = [];
      if (!ownPrincipal(ctx.resource, ctx.resources)) {
        problems.push(...fail("grants a role to a principal that is none of the stack's own identities", props.principalId ?? "a principal not known yet", "assign roles only to the stack's user-assigned identities or a site's own identity (principalId: <identity>.principalId)"));
      }
      // An unknown role id (preview) is judged at `pulumi up`.
      if (guid !== undefined && !entry) {
        problems.push(
          ...fail("grants a role the program does not use", guid, `grant one of ${Object.keys(ASSIGNABLE_ROLES).join(", ")}; a role the program needs is one line in ASSIGNABLE_ROLES (${ROLE_TABLE_FILE})`),
        );
      }
      const allowed = entry?.[1].scopes ?? [...new Set(Object.values(ASSIGNABLE_ROLES).flatMap((r) => r.scopes))];
      if (!scopeTarget(ctx.resource, ctx.resources, allowed)) {
        const kinds = allowed.map((t) => t.split(":")[2]).join(" or ");
        problems.push(...fail(`is scoped wider than ${entry ? `a ${kinds} of the stack (${entry[0]})` : `a ${kinds} of the stack`}`, props.scope ?? "a scope not known yet", `set scope: <${kinds}>.id, the narrowest scope the role needs`));
      }
      return problems;
    },
  },
];
