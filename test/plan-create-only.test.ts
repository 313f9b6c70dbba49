/**
 * The create-only table (plan/create-only.ts) covers every custom resource type the program registers in every stack,
 * names the REST API version azure-native uses for each Azure type (its SDK header), and its path inputs are inputs
 * the program sets; the comparison (plan/diff.ts) replaces on those inputs and `location`, honours the program's
 * ignoreChanges (a failover's zones) and compares named lists by name.
 */
import * as fs from "fs";
import * as path from "path";
import { PROJECT_DIR } from "../config/stack-files";
import { runProgram, type RunResult } from "../mock-runtime";
import { CREATE_ONLY } from "../plan/create-only";
import { diffRuns } from "../plan/diff";
import { maskRun } from "../plan/secrets";
import { at, everyStack } from "./support/stacks";

const runs: Record<string, RunResult> = {};
beforeAll(async () => {
  // Every stack file, and the spec's stacks the repository no longer has as their stand-ins (test/support/stacks.ts).
  for (const c of everyStack()) {
    const stack = c.stack;
    runs[stack] = await runProgram(at(c));
    if (runs[stack].error) throw runs[stack].error;
  }
});

const custom = (run: RunResult) => run.resources.filter((r) => r.custom);

test("every custom resource type of every stack is in the table", () => {
  for (const stack of Object.keys(runs)) {
    const missing = [...new Set(custom(runs[stack]).map((r) => r.type))].filter((t) => !Object.hasOwn(CREATE_ONLY, t));
    expect([stack, missing]).toEqual([stack, []]);
  }
});

test("each Azure entry names the REST API version azure-native uses, and its spec file is of that version", () => {
  for (const [type, rule] of Object.entries(CREATE_ONLY).filter(([t]) => t.startsWith("azure-native:"))) {
    const [, module, resource] = type.split(":");
    const sdk = path.join(PROJECT_DIR, "node_modules", "@pulumi", "azure-native", module, `${resource[0].toLowerCase()}${resource.slice(1)}.d.ts`);
    const version = /Uses Azure REST API version ([0-9a-z-]+)/.exec(fs.readFileSync(sdk, "utf8"))?.[1];
    expect([type, rule.apiVersion]).toEqual([type, version]);
    expect([type, rule.source]).toEqual([type, expect.stringMatching(new RegExp(`^Azure/azure-rest-api-specs specification/\\S+/${version}/`))]);
    expect([type, rule.read]).toEqual([type, expect.stringMatching(/^(body|path)$/)]);
  }
});

test("the path inputs are inputs the program sets on every resource of the type", () => {
  for (const run of Object.values(runs)) {
    for (const r of custom(run)) {
      const rule = CREATE_ONLY[r.type];
      for (const p of rule.path) expect([r.type, r.name, p, r.inputs[p] !== undefined || p === rule.autoNamed]).toEqual([r.type, r.name, p, true]);
    }
  }
});

describe("the comparison", () => {
  const prod = () => maskRun(runs.prod);
  const edit = (run: RunResult, name: string, change: (inputs: Record<string, any>) => void) => {
    const copy = structuredClone(run);
    change(copy.resources.find((r) => r.name === name)!.inputs);
    return copy;
  };
  const actionOf = (before: RunResult, after: RunResult, name: string) => diffRuns(before, after).resources.find((r) => r.name === name);

  test("a failover's zones are ignored as the program ignores them: no replacement, no change", () => {
    const failedOver = edit(prod(), "postgres-server", (i) => {
      i.availabilityZone = "2";
      i.highAvailability = { ...i.highAvailability, standbyAvailabilityZone: "1" };
    });
    expect(actionOf(failedOver, prod(), "postgres-server")).toMatchObject({ action: "same", changes: [] });
  });

  test("a new location replaces (ARM cannot move a resource in place); a tag is an update", () => {
    expect(actionOf(prod(), edit(prod(), "postgres-server", (i) => (i.location = "westeurope")), "postgres-server")).toMatchObject({ action: "replace", replaceBecause: ["location"] });
    expect(actionOf(prod(), edit(prod(), "key-vault-vault", (i) => (i.tags = { ...i.tags, owner: "x" })), "key-vault-vault")).toMatchObject({
      action: "update",
      changes: [{ path: "tags.owner", after: "x", createOnly: false }],
    });
  });

  test("a provider without updates replaces on any input; app settings are compared by name", () => {
    expect(actionOf(prod(), edit(prod(), "postgres-admin-password", (i) => (i.length = 40)), "postgres-admin-password")).toMatchObject({ action: "replace", replaceBecause: ["length"] });
    const app = edit(prod(), "app-web-app", (i) => {
      i.siteConfig.appSettings = i.siteConfig.appSettings.map((s: { name: string; value: string }) => (s.name === "LOG_LEVEL" ? { ...s, value: "debug" } : s)).reverse();
    });
    expect(actionOf(prod(), app, "app-web-app")?.changes).toEqual([{ path: "siteConfig.appSettings[LOG_LEVEL].value", before: "warning", after: "debug", createOnly: false }]);
  });

  test("a role assignment for another principal is a replacement (ARM refuses it in place); another role in place is refused", () => {
    const grant = prod().resources.find((r) => r.name.startsWith("app-reads-"))!.name;
    const other = edit(prod(), grant, (i) => (i.principalId = "8b0c2f61-0000-4000-a000-00000000c1c1"));
    expect(actionOf(prod(), other, grant)).toMatchObject({ action: "replace", replaceBecause: ["principalId"] });
    const roleChanged = edit(prod(), grant, (i) => (i.roleDefinitionId = String(i.roleDefinitionId).replace(/[0-9a-f-]{36}$/, "b24988ac-6180-42a0-ab88-20f7382dd24c")));
    expect(actionOf(prod(), roleChanged, grant)).toMatchObject({ action: "update" });
    const refusals = diffRuns(prod(), roleChanged).refusals;
    expect(refusals).toEqual([expect.objectContaining({ name: grant, rule: "role-change-in-place", what: expect.stringContaining("RoleAssignmentUpdateNotPermitted") })]);
  });

  test("the same app settings in another order are an update: azure-native diffs arrays by position and sends them again", () => {
    const names = (r: RunResult) => r.resources.find((x) => x.name === "app-web-app")!.inputs.siteConfig.appSettings.map((s: { name: string }) => s.name);
    const reordered = edit(prod(), "app-web-app", (i) => i.siteConfig.appSettings.reverse());
    const change = actionOf(prod(), reordered, "app-web-app");
    expect(change).toMatchObject({ action: "update", changes: [{ path: "siteConfig.appSettings", createOnly: false }] });
    expect(change?.changes[0].before).toBe(JSON.stringify(names(prod())));
    expect(change?.changes[0].after).toBe(JSON.stringify(names(reordered)));
  });
});
