/**
 * Issue 9, the real Azure lifecycle on the real stack files: what a first deploy, a read-only preview, a second
 * `up`, a zone failover and a teardown need from the program (README, "Lifecycle").
 */
import { byType, oneOfType, runStack, RunResult } from "../mock-runtime";

const T = {
  vault: "azure-native:keyvault:Vault",
  secret: "azure-native:keyvault:Secret",
};

describe.each(["test", "prod"])("%s: lifecycle", (stack) => {
  let result: RunResult;
  beforeAll(async () => {
    result = await runStack({ stack });
  });

  test("teardown/rename: Pulumi never deletes a Key Vault secret (only the vault's own deletion takes them)", () => {
    const secrets = byType(result, T.secret);
    expect(secrets).toHaveLength(3);
    for (const s of secrets) expect({ secret: s.name, retainOnDelete: s.options.retainOnDelete }).toEqual({ secret: s.name, retainOnDelete: true });
    // Only the secrets: a retained vault would survive `pulumi destroy`.
    expect(oneOfType(result, T.vault).options.retainOnDelete).toBe(false);
  });
});
