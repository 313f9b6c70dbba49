/**
 * Issue 9, the real Azure lifecycle on the real stack files: what a first deploy, a read-only preview, a second
 * `up`, a zone failover and a teardown need from the program (README, "Lifecycle").
 */
import { byType, oneOfType, runStack, RunResult } from "../mock-runtime";

const T = {
  server: "azure-native:dbforpostgresql:Server",
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

describe("failover: a zone swap is not drift", () => {
  const ZONES = ["availabilityZone", "highAvailability.standbyAvailabilityZone"];

  test("prod (zone-redundant HA) ignores the server's primary and standby zones, and never picks them", async () => {
    const server = oneOfType(await runStack({ stack: "prod" }), T.server);
    // "" is "no preference" (the API's default, which the SDK fills in): Azure picks both zones.
    expect(server.inputs.availabilityZone).toBe("");
    expect(server.inputs.highAvailability).toEqual({ mode: "ZoneRedundant", standbyAvailabilityZone: "" });
    expect([...server.options.ignoreChanges].sort()).toEqual(ZONES);
  });

  test("test (no HA) has nothing to fail over, so it ignores nothing", async () => {
    const server = oneOfType(await runStack({ stack: "test" }), T.server);
    expect(server.inputs.highAvailability.mode).toBe("Disabled");
    expect(server.options.ignoreChanges).toEqual([]);
  });

  test("same-zone HA swaps primary and standby too: ignored as well", async () => {
    const server = oneOfType(await runStack({ stack: "prod", overrides: { postgres: { highAvailability: "SameZone" } } }), T.server);
    expect([...server.options.ignoreChanges].sort()).toEqual(ZONES);
  });
});
