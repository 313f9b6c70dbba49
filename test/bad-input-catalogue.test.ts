/**
 * Bad input stops the program before any resource is registered (only Pulumi's root stack exists), with one line per
 * problem: key, value given, what is allowed. Every case is a small change to one of the spec's stack files (its
 * stand-in once the file is gone: test/support/stacks.ts).
 */
import { ConfigError } from "../config/schema";
import { DATABASE_CASES, HOSTILE_CASES, KEY_CASES } from "./bad-config-cases";
import { APPLICATION_CASES } from "./bad-config-cases-app";
import { runProgram, userResources } from "../mock-runtime";
import { RULE_CASES } from "./policy-cases";
import { at, type SpecStack, specStack } from "./support/stacks";

const CATALOGUE = [...DATABASE_CASES, ...APPLICATION_CASES, ...HOSTILE_CASES, ...KEY_CASES];

describe("bad input catalogue", () => {
  test.each(CATALOGUE)("$stack: $name", async ({ stack, overrides, expect: fragments }) => {
    const result = await runProgram({ ...at(specStack(stack as SpecStack)), overrides });
    expect(result.error).toBeInstanceOf(ConfigError);
    expect(result.error!.message).toContain(`Invalid configuration for stack "${stack}"`);
    for (const fragment of fragments) expect(result.error!.message).toContain(fragment);
    expect(userResources(result)).toEqual([]);
  });

  test("covers at least 25 distinct bad configs across the stacks, plus the policy pack's failing cases", () => {
    const distinct = new Set(CATALOGUE.map((c) => `${c.stack} ${JSON.stringify(c.overrides)}`));
    expect(distinct.size).toBe(CATALOGUE.length);
    expect(distinct.size).toBeGreaterThanOrEqual(25);
    expect(new Set(CATALOGUE.map((c) => c.stack))).toEqual(new Set(["dev", "test", "prod"]));
    const policyFailures = Object.values(RULE_CASES).reduce((n, c) => n + c.fail.length, 0);
    expect(policyFailures).toBeGreaterThanOrEqual(Object.keys(RULE_CASES).length);
  });

  test("every problem is reported at once, not just the first", async () => {
    const result = await runProgram({
      ...at(specStack("test")),
      overrides: { environment: "qa", postgres: { backupRetentionDays: 1, storageSizeGb: 33 } },
    });
    const lines = result.error!.message.split("\n").filter((l) => l.startsWith("  - "));
    expect(lines).toHaveLength(3);
  });
});
