/**
 * The adversarial catalogue's changes that prod's stack file may not make (test/prod-catalogue.ts): each ends
 * `npm run plan -- prod` with exit 1 and the message naming the key, before the program registers anything.
 */
import { EXIT } from "../tools/cli";
import { CONFIG_CHANGES, planChangedProd, POLICY_CHANGES, PROD_CHANGES } from "./prod-catalogue";

test("the catalogue: over 91 single changes to prod's stack file, each distinct, each ending in exit 1 or 3", () => {
  expect(PROD_CHANGES.length).toBeGreaterThanOrEqual(91);
  expect(new Set(PROD_CHANGES.map((c) => c.name)).size).toBe(PROD_CHANGES.length);
  expect(new Set(PROD_CHANGES.map((c) => JSON.stringify(c.change, (k, v) => (k === "__proto__" ? { __proto__key: v } : v)))).size).toBe(PROD_CHANGES.length);
  expect(CONFIG_CHANGES.every((c) => c.exit === EXIT.config) && POLICY_CHANGES.every((c) => c.exit === EXIT.policy)).toBe(true);
});

test.each(CONFIG_CHANGES)("prod: $name -> exit 1", async ({ change, expect: fragment }) => {
  const r = await planChangedProd(change);
  expect({ code: r.code, out: r.out }).toEqual({ code: EXIT.config, out: "" });
  expect(r.err).toContain(fragment);
  // No stack trace: a config error prints its problems only.
  expect(r.err).not.toMatch(/\n\s+at .+:\d+:\d+\)?\n/);
});
