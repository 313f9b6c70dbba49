/** README stays true: its environments table is what the stack files say, and CI runs its test command. */
import * as fs from "fs";
import * as path from "path";
import { lockedDeletesTable } from "../tools/docs";
import { loadAllStackConfigs, renderEnvironmentsTable, withEnvironmentsTable, withSection } from "../tools/environments-table";
import { PROJECT_DIR } from "../config/stack-files";

const readme = fs.readFileSync(path.join(PROJECT_DIR, "README.md"), "utf8");

test("the environments table matches the stack files (run `npm run docs` to regenerate)", () => {
  const configs = loadAllStackConfigs();
  const table = renderEnvironmentsTable(configs);
  expect(withEnvironmentsTable(readme, table)).toBe(readme);
  // One column per stack file, whatever the stacks are; the spec's tiers where the stack is the spec's.
  const row = (name: string) => table.split("\n").find((l) => l.startsWith(`| ${name} |`))!.split("|").slice(2, -1).map((c) => c.trim());
  expect(row("Setting")).toEqual(configs.map((c) => `\`${c.stack}\``));
  const tier = Object.fromEntries(configs.map((c, i) => [c.stack, row("Tier / SKU")[i]]));
  expect(tier).toMatchObject({ dev: "n/a", test: "Burstable B1ms", prod: "GeneralPurpose D2ds_v5" });
});

test("Lifecycle's list of what the deletion locks hold is what the program registers (run `npm run docs` to regenerate)", async () => {
  const table = await lockedDeletesTable();
  expect(withSection(readme, "locked-deletes", table)).toBe(readme);
  expect(table).toContain("| `keyvault:Vault` | `authorization:RoleAssignment` (extension) |");
});

test("the quick start's test command is what .ci/run runs", () => {
  const quickStart = readme.slice(readme.indexOf("## Quick start"), readme.indexOf("## Environments"));
  const commands = [...quickStart.matchAll(/^(npm [^#\n]+?)\s+#/gm)].map((m) => m[1].trim());
  expect(commands).toHaveLength(2);
  const ci = fs.readFileSync(path.join(PROJECT_DIR, ".ci/run"), "utf8");
  expect(ci).toMatch(/^npm ci$/m);
  expect(ci).toContain(`\n${commands[1]}\n`);
});
