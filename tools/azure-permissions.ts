// What the program needs from Azure beyond the built-in roles, as the one table `npm run azure-setup` builds its
// custom roles and its role-assignment condition from. test/preview-permissions.test.ts runs every Azure stack under
// the mock runtime and fails when the program makes an invoke, registers a type read with more than `*/read`, or
// assigns a role this table does not cover: the next data source cannot break read-only previews silently.
//
// Previews and the drift check run as a read identity: Reader (`*/read` only; Microsoft Learn, "Azure built-in
// roles", Reader) plus the actions below. azure-native refreshes a resource with `GET {id}` unless the REST API has
// no GET for it; then it reads with `POST {id}/list` (pulumi/pulumi-azure-native provider/pkg/gen/schema.go:
// readPath "/list", readMethod POST; provider/pkg/openapi/discover.go), and the SDK has no `get<Type>` function for
// that type, which is how the test finds such types.
import { ASSIGNABLE_ROLES } from "../policy/rules";

/** Every invoke the program makes: token -> the Azure action it needs, or null when Reader covers it. */
export const INVOKE_ACTIONS: Readonly<Record<string, string | null>> = {
  // Ids from the caller's access token; no ARM request (pulumi-azure-native provider/pkg/provider/auth_getclientconfig.go).
  "azure-native:authorization:getClientConfig": null,
  // POST …/storageAccounts/{name}/listKeys, on every preview once the account exists (components/session-storage.ts;
  // Microsoft Learn, "Storage Accounts - List Keys" and "Azure permissions for Storage").
  "azure-native:storage:listStorageAccountKeys": "Microsoft.Storage/storageAccounts/listkeys/action",
};

/** Registered types whose refresh is a POST: type -> the Azure action of that read. */
export const POST_READ_TYPES: Readonly<Record<string, string>> = {
  // No GET in the API: refresh is POST {site}/config/azurestorageaccounts/list (Microsoft Learn, "Web Apps - List
  // Azure Storage Accounts"; "Azure permissions for Web and Mobile": sites/config/list/Action).
  "azure-native:web:WebAppAzureStorageAccounts": "Microsoft.Web/sites/config/list/action",
};

/** The read identity's custom role: exactly the actions above, nothing else. */
export const PREVIEW_ROLE_ACTIONS: readonly string[] = [
  ...new Set([...Object.values(INVOKE_ACTIONS), ...Object.values(POST_READ_TYPES)].filter((a): a is string => a !== null)),
].sort();

/**
 * Role definitions (GUIDs) the program assigns, from the policy pack's role table (ASSIGNABLE_ROLES in
 * policy/rules/role-assignments.ts: one line per role). The deploy identity's Role Based Access Control Administrator
 * assignment carries a condition that allows these and no others. A condition cannot constrain the scope of an
 * assignment (Microsoft Learn, "Authorization actions and attributes": roleAssignments/write offers only the role
 * definition, principal id and principal type), so where each role may be granted is the policy pack's job:
 * role-assignments-allowlisted, app-role-assignments-scoped-to-vault and app-deploy-role-scoped-to-web-app.
 */
export const ASSIGNED_ROLES: Readonly<Record<string, string>> = Object.fromEntries(Object.entries(ASSIGNABLE_ROLES).map(([name, role]) => [name, role.id]));

/**
 * The "constrain roles and principal types" condition (Microsoft Learn, "Examples to delegate Azure role assignment
 * management with conditions"; attributes in "Azure role assignment condition format and syntax"): the identity may
 * create and delete assignments of these roles, to service principals (managed identities included), and no other.
 */
export function roleAssignmentCondition(roleIds: readonly string[] = Object.values(ASSIGNED_ROLES)): string {
  const branch = (action: "write" | "delete", source: "Request" | "Resource") =>
    `((!(ActionMatches{'Microsoft.Authorization/roleAssignments/${action}'})) OR ` +
    `(@${source}[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {${roleIds.join(", ")}} AND ` +
    `@${source}[Microsoft.Authorization/roleAssignments:PrincipalType] ForAnyOfAnyValues:StringEqualsIgnoreCase {'ServicePrincipal'}))`;
  return `${branch("write", "Request")} AND ${branch("delete", "Resource")}`;
}
