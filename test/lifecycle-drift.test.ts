/**
 * The real Azure lifecycle on the real stack files, refreshes and failovers: what a refresh after the first deploy
 * and after a zone failover must not turn into a change (docs/lifecycle.md, "Lifecycle"; the drift check runs
 * `pulumi preview --refresh --expect-no-changes`).
 */
import { RESTORE_INPUTS } from "../components/flexible-postgres";
import { oneOfType, runStack, RunResult } from "../mock-runtime";
import { applyIgnoreChanges, ignoreChanges } from "./support/ignore-changes";
import { at, specStack } from "./support/stacks";
import { T } from "./support/lifecycle-types";

describe.each(["test", "prod"] as const)("%s: drift", (stack) => {
  let result: RunResult;
  beforeAll(async () => {
    result = await runStack(at(specStack(stack)));
  });

  test("day 2: a refresh after the storage mount is no change; only the mount's place in the read-back is ignored", () => {
    const webApp = oneOfType(result, T.webApp);
    const mount = oneOfType(result, "azure-native:web:WebAppAzureStorageAccounts");
    // What a refresh stores: GET {site}/config/web lists the mount in siteConfig (azure-native merges that answer
    // into the web app), possibly without its key; the refresh copies it into the stored inputs.
    const listed = Object.fromEntries(Object.entries(mount.inputs.properties.sessions).filter(([k]) => k !== "accessKey"));
    const refreshed = { ...webApp.inputs, siteConfig: { ...webApp.inputs.siteConfig, azureStorageAccounts: { sessions: listed } } };
    const ignore = webApp.options.ignoreChanges;
    expect(ignore).toEqual(["siteConfig.azureStorageAccounts"]);
    // The engine applies the ignore, then diffs: nothing left to change, so no PUT of the site without its mount.
    expect(applyIgnoreChanges(webApp.inputs, refreshed, ignore)).toEqual(refreshed);
    // Without it the next deploy would plan exactly that removal.
    expect(applyIgnoreChanges(webApp.inputs, refreshed, [])).not.toEqual(refreshed);
    // Before any refresh (the first up) the ignore changes nothing, and the settings stay the program's to set.
    expect(applyIgnoreChanges(webApp.inputs, webApp.inputs, ignore)).toEqual(webApp.inputs);
    const drifted = { ...refreshed, siteConfig: { ...refreshed.siteConfig, appSettings: [] } };
    expect(applyIgnoreChanges(webApp.inputs, drifted, ignore).siteConfig.appSettings).toEqual(webApp.inputs.siteConfig.appSettings);
    // A stored level the program no longer sends is left as the program gives it, and only reported (the engine's
    // Reset path error: an info message, not a failed deploy).
    const withoutSiteConfig = Object.fromEntries(Object.entries(webApp.inputs).filter(([k]) => k !== "siteConfig"));
    expect(ignoreChanges(withoutSiteConfig, refreshed, ignore)).toEqual({ inputs: withoutSiteConfig, invalid: ignore });
  });
});

describe("failover: a zone swap is not drift", () => {
  // The failover zones, next to the create-only restore inputs the server always ignores (test/restore.test.ts).
  const ZONES = ["availabilityZone", "highAvailability.standbyAvailabilityZone", ...RESTORE_INPUTS].sort();

  test("prod (zone-redundant HA) ignores the server's primary and standby zones, and never picks them", async () => {
    const server = oneOfType(await runStack(at(specStack("prod"))), T.server);
    // "" is "no preference" (the API's default, which the SDK fills in): Azure picks both zones.
    expect(server.inputs.availabilityZone).toBe("");
    expect(server.inputs.highAvailability).toEqual({ mode: "ZoneRedundant", standbyAvailabilityZone: "" });
    expect([...server.options.ignoreChanges].sort()).toEqual(ZONES);
  });

  test("turning HA off after a failover does not replace the server: the zones a refresh stored stay ignored", async () => {
    // prod after a failover (its stored inputs now hold the swapped zones), then HA off: without the ignore, the
    // stored zone against the program's "" would replace the server (create-only); a protected one would block.
    const server = oneOfType(await runStack({ ...at(specStack("prod")), overrides: { postgres: { highAvailability: "Disabled" } } }), T.server);
    expect(server.inputs.highAvailability.mode).toBe("Disabled");
    expect(server.inputs.availabilityZone).toBe("");
    expect([...server.options.ignoreChanges].sort()).toEqual(ZONES);
  });

  test("test (no HA) never picks a zone either, so ignoring them changes nothing there", async () => {
    const server = oneOfType(await runStack(at(specStack("test"))), T.server);
    expect(server.inputs).toMatchObject({ availabilityZone: "", highAvailability: { mode: "Disabled", standbyAvailabilityZone: "" } });
    expect([...server.options.ignoreChanges].sort()).toEqual(ZONES);
  });

  test("same-zone HA fails over too: handled the same way", async () => {
    const server = oneOfType(await runStack({ ...at(specStack("prod")), overrides: { postgres: { highAvailability: "SameZone" } } }), T.server);
    expect([...server.options.ignoreChanges].sort()).toEqual(ZONES);
  });
});
