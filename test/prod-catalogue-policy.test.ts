/**
 * The adversarial catalogue's changes the stack file may make but the policy pack refuses (test/prod-catalogue.ts):
 * each ends `npm run plan -- prod` with exit 3, its rule's finding mandatory, after one program run.
 */
import { EXIT } from "../tools/cli";
import { planChangedProd, POLICY_CHANGES } from "./prod-catalogue";

test.each(POLICY_CHANGES)("prod: $name -> exit 3 ($expect)", async ({ change, expect: rule }) => {
  const r = await planChangedProd(change);
  expect(r.code).toBe(EXIT.policy);
  const plan = JSON.parse(r.out).plans[0];
  const own = plan.violations.filter((v: { rule: string }) => v.rule === rule);
  expect(own.map((v: { enforcement: string }) => v.enforcement)).toContain("mandatory");
  expect(r.err).toContain(`plan: stack prod has mandatory policy findings (`);
});
