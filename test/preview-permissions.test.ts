// tools/azure-permissions.ts against what the program really does: every invoke it makes and every type it registers
// whose refresh is a POST must be in the table (so the read identity's custom role covers previews and drift checks),
// and the roles it assigns must be exactly those the deploy identity's role-assignment condition allows.
import * as fs from "fs";
import * as path from "path";
import { type RunResult, runStack } from "../mock-runtime";
import { ASSIGNED_ROLES, INVOKE_ACTIONS, POST_READ_TYPES, PREVIEW_ROLE_ACTIONS, roleAssignmentCondition } from "../tools/azure-permissions";
import { at, everyStack } from "./support/stacks";

const SDK = path.dirname(require.resolve("@pulumi/azure-native/package.json"));

/** azure-native generates get<Type> only for types whose API has a GET; the others are read with POST {id}/list. */
function hasGetFunction(type: string): boolean {
  const [, module, name] = type.split(":");
  return fs.existsSync(path.join(SDK, module, `get${name}.js`));
}

/** What a read-only identity with Reader plus the table's actions could not do in a preview or refresh of `run`. */
function uncovered(run: RunResult, invokes: Record<string, string | null> = INVOKE_ACTIONS, postReads: Record<string, string> = POST_READ_TYPES): string[] {
  const calls = [...new Set(run.invokes.map((i) => i.token))].filter((t) => !(t in invokes)).map((t) => `invoke ${t}`);
  const types = [...new Set(run.resources.filter((r) => r.custom && r.type.startsWith("azure-native:")).map((r) => r.type))]
    .filter((t) => !hasGetFunction(t) && !(t in postReads))
    .map((t) => `type ${t} (no GET: refresh needs a POST action)`);
  return [...calls, ...types];
}

// Every Azure stack file, and the spec's test and prod as stand-ins once the repository has no file for one (test/support/stacks.ts).
const CHOSEN = Object.fromEntries(everyStack().filter((c) => c.cfg.platform === "azure").map((c) => [c.stack, c]));
const stacks = Object.keys(CHOSEN);
const runs: Record<string, RunResult> = {};
/** Every Azure stack with its optional blocks on (`appDeploy` adds a type and a role). */
const withOptional: Record<string, RunResult> = {};

beforeAll(async () => {
  for (const stack of stacks) {
    runs[stack] = await runStack(at(CHOSEN[stack]));
    withOptional[stack] = await runStack({ ...at(CHOSEN[stack]), overrides: { appDeploy: { repository: "contoso/amplifier-api", environment: "production" } } });
  }
});

describe("the read identity's role covers what the program does", () => {
  test("every invoke and every POST-read type of every Azure stack is in the table", () => {
    expect(stacks).toEqual(expect.arrayContaining(["prod", "test"]));
    for (const stack of stacks) expect([stack, uncovered(runs[stack])]).toEqual([stack, []]);
    for (const stack of stacks) expect([stack, uncovered(withOptional[stack])]).toEqual([stack, []]);
  });

  test("the check sees the program's calls: without the storage-key row or the mount's row, it fails", () => {
    const run = runs.test;
    expect(run.invokes.map((i) => i.token)).toContain("azure-native:storage:listStorageAccountKeys");
    expect(run.invokes.find((i) => i.token === "azure-native:storage:listStorageAccountKeys")?.args).toMatchObject({ accountName: "stamplifiertest" });
    const invokesWithout = Object.fromEntries(Object.entries(INVOKE_ACTIONS).filter(([t]) => t !== "azure-native:storage:listStorageAccountKeys"));
    expect(uncovered(run, invokesWithout)).toEqual(["invoke azure-native:storage:listStorageAccountKeys"]);
    expect(uncovered(run, INVOKE_ACTIONS, {})).toEqual(["type azure-native:web:WebAppAzureStorageAccounts (no GET: refresh needs a POST action)"]);
  });

  test("the table holds nothing the program does not do, and its POST-read types really have no GET", () => {
    const invoked = new Set(stacks.flatMap((s) => runs[s].invokes.map((i) => i.token)));
    const registered = new Set(stacks.flatMap((s) => runs[s].resources.map((r) => r.type)));
    expect(Object.keys(INVOKE_ACTIONS).filter((t) => !invoked.has(t))).toEqual([]);
    expect(Object.keys(POST_READ_TYPES).filter((t) => !registered.has(t) || hasGetFunction(t))).toEqual([]);
    expect(PREVIEW_ROLE_ACTIONS).toEqual(["Microsoft.Storage/storageAccounts/listkeys/action", "Microsoft.Web/sites/config/list/action"]);
  });
});

describe("the deploy identity's role-assignment condition", () => {
  const guid = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

  test("allows exactly the roles the program assigns, optional blocks included", () => {
    const all = stacks.flatMap((s) => [runs[s], withOptional[s]]);
    const assigned = new Set(all.flatMap((run) => run.resources.filter((r) => r.type === "azure-native:authorization:RoleAssignment").map((r) => guid.exec(r.inputs.roleDefinitionId)![0])));
    expect([...assigned].sort()).toEqual(Object.values(ASSIGNED_ROLES).sort());
    // Every assignment the program makes is to a service principal (a managed identity), as the condition requires.
    for (const run of all) {
      for (const r of run.resources.filter((x) => x.type === "azure-native:authorization:RoleAssignment")) expect([r.name, r.inputs.principalType]).toEqual([r.name, "ServicePrincipal"]);
    }
  });

  test("limits both creating and deleting assignments to those roles and to service principals", () => {
    const condition = roleAssignmentCondition();
    const branches = condition.split(") AND ((");
    expect(branches).toHaveLength(2);
    for (const [branch, action, source] of [
      [branches[0], "write", "Request"],
      [branches[1], "delete", "Resource"],
    ]) {
      expect(branch).toContain(`!(ActionMatches{'Microsoft.Authorization/roleAssignments/${action}'})`);
      const roles = new RegExp(`@${source}\\[Microsoft\\.Authorization/roleAssignments:RoleDefinitionId\\] ForAnyOfAnyValues:GuidEquals \\{([^}]*)\\}`).exec(branch);
      expect(roles?.[1].split(", ").sort()).toEqual(Object.values(ASSIGNED_ROLES).sort());
      expect(branch).toContain(`@${source}[Microsoft.Authorization/roleAssignments:PrincipalType] ForAnyOfAnyValues:StringEqualsIgnoreCase {'ServicePrincipal'}`);
    }
  });
});
