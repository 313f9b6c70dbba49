/**
 * Rotation by config, with no downtime, on every Azure stack file: `postgres.adminPasswordGeneration` and
 * `keyVault.secretKeyGeneration` generate new values exactly when raised (never on an unrelated deploy), the JWT key
 * rotates through two slots so the previous key stays SECRET_KEY_FALLBACKS, and a new secret version changes the web
 * app's settings in the same deploy, which makes App Service fetch every Key Vault reference again
 * (docs/secrets.md, "Rotate a secret").
 */
import { environments } from "../config/stack-files";
import { adminPasswordKeepers, APP_DATABASE_ACCESS, generationKeepers, jwtKeySlots } from "../components/secret-rotation";
import { REFERENCES_DIGEST_SETTING, referencesDigest } from "../components/app-service";
import { byType, dependsOnTransitively, oneOfType, type RegisteredResource, runStack, type RunResult } from "../mock-runtime";
import { at, specStack } from "./support/stacks";

const T = {
  secret: "azure-native:keyvault:Secret",
  bytes: "random:index/randomBytes:RandomBytes",
  password: "random:index/randomPassword:RandomPassword",
  server: "azure-native:dbforpostgresql:Server",
  webApp: "azure-native:web:WebApp",
};
const AZURE_STACKS = environments().filter((e) => e.platform === "azure").map((e) => e.stack);

const secretValue = (r: RunResult, name: string) => byType(r, T.secret).find((s) => s.inputs.secretName === name)!.inputs.properties.value as string;
const setting = (r: RunResult, name: string) =>
  (oneOfType(r, T.webApp).inputs.siteConfig.appSettings as { name: string; value: string }[]).find((s) => s.name === name)?.value;
const named = (r: RunResult, name: string): RegisteredResource => r.resources.find((x) => x.name === name)!;

describe("the generation counters, as keepers", () => {
  test("generation 1 has no keepers (how every stack stored its password and key before rotation existed); 2 and on do", () => {
    expect(generationKeepers(1)).toBeUndefined();
    expect(generationKeepers(2)).toEqual({ generation: "2" });
    expect(generationKeepers(17)).toEqual({ generation: "17" });
  });

  test("slot = generation mod 2; a rotation gives only the other slot a new key and leaves the current one untouched", () => {
    for (let g = 1; g <= 6; g++) {
      const now = jwtKeySlots(g);
      const next = jwtKeySlots(g + 1);
      expect([g, now.current, now.previous]).toEqual([g, g % 2, 1 - (g % 2)]);
      expect(now.slots[now.current].generation).toBe(g);
      expect(now.slots[now.previous].generation).toBe(g - 1);
      // The slot that was current becomes the previous one with the same keepers: same resource inputs, same key.
      expect(next.previous).toBe(now.current);
      expect(next.slots[next.previous]).toEqual(now.slots[now.current]);
      // The other slot moves two generations on: new keepers, so a new key.
      expect(next.slots[next.current].keepers).not.toEqual(now.slots[next.current].keepers);
    }
  });
});

describe.each(AZURE_STACKS)("%s: rotation by config", (stack) => {
  let before: RunResult;
  let again: RunResult;
  let rotated: RunResult;
  beforeAll(async () => {
    before = await runStack({ stack });
    again = await runStack({ stack });
    rotated = await runStack({ stack, overrides: { keyVault: { secretKeyGeneration: 2 }, postgres: { adminPasswordGeneration: 2 } } });
  });

  test("upgrading a stack that used the admin URL replaces its admin password once; an unchanged deploy never does", () => {
    // pulumi-random replaces a RandomPassword exactly when its keepers change (Pulumi Registry, random.RandomPassword,
    // keepers). What stacks stored before the access mode was a keeper: no keepers at generation 1, the generation
    // after a rotation. Every old version of postgresql-connection-string holds one of those passwords.
    const now = oneOfType(before, T.password).inputs.keepers;
    for (const generation of [1, 2, 3]) {
      const old = generationKeepers(generation);
      expect(adminPasswordKeepers(generation)).not.toEqual(old);
      expect(adminPasswordKeepers(generation)).toEqual({ ...old, appAccess: APP_DATABASE_ACCESS });
    }
    expect(now).not.toEqual(generationKeepers(1));
    // The program's own value stays put from then on.
    expect(oneOfType(again, T.password).inputs).toEqual(oneOfType(before, T.password).inputs);
    expect(oneOfType(again, T.server).inputs.administratorLoginPassword).toBe(oneOfType(before, T.server).inputs.administratorLoginPassword);
  });

  test("a second deploy with no change changes nothing: same keys, same secrets, same settings (digest included)", () => {
    for (const type of [T.bytes, T.password, T.secret, T.webApp]) {
      expect(byType(again, type).map((r) => r.inputs)).toEqual(byType(before, type).map((r) => r.inputs));
    }
    expect(setting(before, REFERENCES_DIGEST_SETTING)).toMatch(/^[0-9a-f]{32}$/);
  });

  test("keyVault.secretKeyGeneration 1 -> 2: SECRET_KEY is a new key and SECRET_KEY_FALLBACKS the old one, so no one is logged out", () => {
    const oldKey = secretValue(before, "jwt-secret-key");
    expect(secretValue(rotated, "jwt-secret-key-fallbacks")).toBe(oldKey);
    expect(secretValue(rotated, "jwt-secret-key")).not.toBe(oldKey);
    expect(secretValue(rotated, "jwt-secret-key")).not.toBe(secretValue(before, "jwt-secret-key-fallbacks"));
    expect(secretValue(rotated, "jwt-secret-key")).toMatch(/^[0-9a-f]{64}$/);
    // The slot that held the current key is untouched (same inputs: no replacement); only the other one is new.
    expect(named(rotated, "key-vault-jwt-secret-key-slot-1").inputs).toEqual(named(before, "key-vault-jwt-secret-key-slot-1").inputs);
    expect(named(rotated, "key-vault-jwt-secret-key-slot-0").inputs.keepers).toEqual({ generation: "2" });
  });

  test("postgres.adminPasswordGeneration 1 -> 2: a new admin password on the server (keepers)", () => {
    expect(oneOfType(before, T.password).inputs.keepers).toEqual({ appAccess: APP_DATABASE_ACCESS });
    expect(oneOfType(rotated, T.password).inputs.keepers).toEqual({ appAccess: APP_DATABASE_ACCESS, generation: "2" });
    const pw = (r: RunResult) => oneOfType(r, T.server).inputs.administratorLoginPassword;
    expect(pw(rotated)).not.toBe(pw(before));
    expect(oneOfType(rotated, T.server).secretInputs).toContain("administratorLoginPassword");
  });

  test("a rotated secret reaches the running app at once: the web app's settings change with its version, in the same deploy", () => {
    expect(setting(rotated, REFERENCES_DIGEST_SETTING)).not.toBe(setting(before, REFERENCES_DIGEST_SETTING));
    // The references themselves stay versionless, so a version written outside Pulumi is still picked up (24 h).
    expect(setting(rotated, "SECRET_KEY")).toBe(setting(before, "SECRET_KEY"));
    // The web app's update waits for the new versions: it is written after every secret.
    const webApp = oneOfType(rotated, T.webApp);
    for (const secret of byType(rotated, T.secret)) expect({ secret: secret.name, after: dependsOnTransitively(rotated, webApp, secret) }).toEqual({ secret: secret.name, after: true });
    // It is the digest of exactly the referenced secrets' versioned URIs.
    expect(setting(rotated, REFERENCES_DIGEST_SETTING)).toBe(referencesDigest(byType(rotated, T.secret).map((s) => s.state.properties.secretUriWithVersion)));
  });
});

describe("test: rotation over several generations, and unrelated changes", () => {
  test("generation 3: SECRET_KEY_FALLBACKS is generation 2's key, SECRET_KEY a third one; generation 1's key is gone", async () => {
    const run = (g: number) => runStack({ ...at(specStack("test")), overrides: { keyVault: { secretKeyGeneration: g } } });
    const [g1, g2, g3] = [await run(1), await run(2), await run(3)];
    expect(secretValue(g3, "jwt-secret-key-fallbacks")).toBe(secretValue(g2, "jwt-secret-key"));
    const keys = new Set([secretValue(g1, "jwt-secret-key"), secretValue(g2, "jwt-secret-key"), secretValue(g3, "jwt-secret-key")]);
    expect(keys.size).toBe(3);
    expect([secretValue(g3, "jwt-secret-key"), secretValue(g3, "jwt-secret-key-fallbacks")]).not.toContain(secretValue(g1, "jwt-secret-key"));
  });

  test("an unrelated change (log level, the JWT key length written out) rotates nothing and leaves the digest as it is", async () => {
    const base = await runStack(at(specStack("test")));
    const changed = await runStack({ ...at(specStack("test")), overrides: { app: { logLevel: "debug" }, keyVault: { jwtSecretBytes: 32 } } });
    for (const name of ["jwt-secret-key", "jwt-secret-key-fallbacks", "postgresql-connection-string"]) expect(secretValue(changed, name)).toBe(secretValue(base, name));
    expect(setting(changed, REFERENCES_DIGEST_SETTING)).toBe(setting(base, REFERENCES_DIGEST_SETTING));
    expect(setting(changed, "LOG_LEVEL")).toBe("debug");
  });

  test("a new admin password changes nothing the app uses: the same DATABASE_URL secret, the same web app settings", async () => {
    const base = await runStack(at(specStack("test")));
    const rotated = await runStack({ ...at(specStack("test")), overrides: { postgres: { adminPasswordGeneration: 2 } } });
    expect(oneOfType(rotated, T.server).inputs.administratorLoginPassword).not.toBe(oneOfType(base, T.server).inputs.administratorLoginPassword);
    expect(secretValue(rotated, "postgresql-connection-string")).toBe(secretValue(base, "postgresql-connection-string"));
    expect(oneOfType(rotated, T.webApp).inputs.siteConfig.appSettings).toEqual(oneOfType(base, T.webApp).inputs.siteConfig.appSettings);
  });

  test("generations are whole numbers from 1", async () => {
    await expect(runStack({ ...at(specStack("test")), overrides: { keyVault: { secretKeyGeneration: 0 } } })).rejects.toThrow(
      "keyVault.secretKeyGeneration (got 0): must be a whole number of at least 1",
    );
    await expect(runStack({ ...at(specStack("test")), overrides: { postgres: { adminPasswordGeneration: 1.5 } } })).rejects.toThrow(
      "postgres.adminPasswordGeneration (got 1.5): must be a whole number",
    );
  });
});

test("the digest: the same versions give the same value in any order; another version another value", () => {
  const a = "https://kv.vault.azure.net/secrets/a/1";
  const b = "https://kv.vault.azure.net/secrets/b/1";
  expect(referencesDigest([a, b])).toBe(referencesDigest([b, a]));
  expect(referencesDigest([a, b])).not.toBe(referencesDigest([a, "https://kv.vault.azure.net/secrets/b/2"]));
});
