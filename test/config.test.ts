/**
 * Bad stack configuration stops the program before any resource is registered, with a message that names the
 * key, the value given and what is allowed. Each case is a small change to a real stack file.
 */
import { ConfigError, parseStackConfig } from "../config/schema";
import { runProgram, userResources } from "./harness";

interface BadCase {
  name: string;
  stack: string;
  overrides: Record<string, unknown>;
  /** Every fragment must appear in the error message. */
  expect: string[];
}

const badCases: BadCase[] = [
  {
    name: "unknown environment name",
    stack: "test",
    overrides: { environment: "qa" },
    expect: ['environment (got "qa")', '"development", "test", "staging", "production"'],
  },
  {
    name: "high availability on a Burstable SKU (the spec's prod Standard_B2s)",
    stack: "prod",
    overrides: { postgres: { skuName: "Standard_B2s" } },
    expect: ['postgres.highAvailability (got "ZoneRedundant")', "Burstable tier (skuName Standard_B2s)", "Standard_D2ds_v5"],
  },
  {
    name: "backup retention below 7 days",
    stack: "test",
    overrides: { postgres: { backupRetentionDays: 3 } },
    expect: ["postgres.backupRetentionDays (got 3)", "7-35 days"],
  },
  {
    name: "backup retention above 35 days",
    stack: "prod",
    overrides: { postgres: { backupRetentionDays: 90 } },
    expect: ["postgres.backupRetentionDays (got 90)", "7-35 days"],
  },
  {
    name: "storage size Azure does not offer",
    stack: "test",
    overrides: { postgres: { storageSizeGb: 50 } },
    expect: ["postgres.storageSizeGb (got 50)", "32, 64, 128, 256, 512, 1024", "32768"],
  },
  {
    name: "server name with upper case and underscore",
    stack: "test",
    overrides: { postgres: { serverName: "Amplifier_DB" } },
    expect: ['postgres.serverName (got "Amplifier_DB")', "3-63 characters of lowercase letters, digits and hyphens"],
  },
  {
    name: "server name ending with a hyphen",
    stack: "prod",
    overrides: { postgres: { serverName: "amplifier-db-" } },
    expect: ['postgres.serverName (got "amplifier-db-")', "not starting or ending with a hyphen"],
  },
  {
    name: "server name too short",
    stack: "test",
    overrides: { postgres: { serverName: "ab" } },
    expect: ['postgres.serverName (got "ab")', "3-63 characters"],
  },
  {
    name: "server name too long (64 characters)",
    stack: "test",
    overrides: { postgres: { serverName: "a".repeat(64) } },
    expect: [`postgres.serverName (got "${"a".repeat(64)}")`, "3-63 characters"],
  },
  {
    name: "firewall address that is not IPv4",
    stack: "test",
    overrides: { postgres: { firewallRules: [{ name: "ci", startIpAddress: "2001:db8::1", endIpAddress: "2001:db8::1" }] } },
    expect: ['postgres.firewallRules[0].startIpAddress (got "2001:db8::1")', "IPv4 address"],
  },
  {
    name: "firewall address with an octet above 255",
    stack: "test",
    overrides: { postgres: { firewallRules: [{ name: "ci", startIpAddress: "203.0.113.10", endIpAddress: "203.0.113.256" }] } },
    expect: ['postgres.firewallRules[0].endIpAddress (got "203.0.113.256")', "IPv4 address"],
  },
  {
    name: "firewall range whose start is after its end",
    stack: "test",
    overrides: { postgres: { firewallRules: [{ name: "ci", startIpAddress: "203.0.113.20", endIpAddress: "203.0.113.10" }] } },
    expect: ['postgres.firewallRules[0].startIpAddress (got "203.0.113.20")', "is after end 203.0.113.10"],
  },
  {
    name: "wide-open firewall range",
    stack: "test",
    overrides: { postgres: { firewallRules: [{ name: "everyone", startIpAddress: "0.0.0.0", endIpAddress: "255.255.255.255" }] } },
    expect: ['postgres.firewallRules[0].endIpAddress (got "255.255.255.255")', "whole internet"],
  },
  {
    name: "firewall rules on a server without a public endpoint",
    stack: "prod",
    overrides: { postgres: { firewallRules: [{ name: "ci", startIpAddress: "203.0.113.10", endIpAddress: "203.0.113.10" }] } },
    expect: ["postgres.firewallRules", "publicNetworkAccess is Disabled"],
  },
  {
    name: "misspelt key",
    stack: "prod",
    overrides: { postgres: { backupRetentionDay: 14 } },
    expect: ['postgres: unknown key "backupRetentionDay"'],
  },
  {
    name: "unknown SKU",
    stack: "test",
    overrides: { postgres: { skuName: "B1ms" } },
    expect: ['postgres.skuName (got "B1ms")', "Standard_B1ms or Standard_D2ds_v5"],
  },
  {
    name: "unknown platform",
    stack: "dev",
    overrides: { platform: "kubernetes" },
    expect: ['platform (got "kubernetes")', '"docker", "azure"'],
  },
  {
    name: "Azure stack without its postgres block",
    stack: "test",
    overrides: { postgres: null },
    expect: ["postgres (missing): is required when platform is azure"],
  },
  {
    name: "password shorter than 24 characters",
    stack: "prod",
    overrides: { postgres: { passwordLength: 16 } },
    expect: ["postgres.passwordLength (got 16)", "at least 24"],
  },
  {
    name: "docker host port out of range",
    stack: "dev",
    overrides: { docker: { hostPort: 70000 } },
    expect: ["docker.hostPort (got 70000)"],
  },
];

describe("bad configuration is rejected before anything is registered", () => {
  test.each(badCases)("$name", async ({ stack, overrides, expect: fragments }) => {
    const result = await runProgram({ stack, overrides });
    expect(result.error).toBeInstanceOf(ConfigError);
    for (const fragment of fragments) expect(result.error!.message).toContain(fragment);
    expect(result.error!.message).toContain(`Invalid configuration for stack "${stack}"`);
    expect(userResources(result)).toEqual([]);
  });

  test("every problem is reported at once, not just the first", async () => {
    const result = await runProgram({
      stack: "test",
      overrides: { environment: "qa", postgres: { backupRetentionDays: 1, storageSizeGb: 33 } },
    });
    const lines = result.error!.message.split("\n").filter((l) => l.startsWith("  - "));
    expect(lines).toHaveLength(3);
  });
});

describe("parseStackConfig", () => {
  const azure = { environment: "staging", platform: "azure", azure: {}, postgres: {} };

  test("derives the spec's names from the prefix and the stack", () => {
    const cfg = parseStackConfig("staging", azure);
    if (cfg.platform !== "azure") throw new Error("expected azure");
    expect(cfg.postgres.serverName).toBe("amplifier-db-staging");
    expect(cfg.postgres.databaseName).toBe("amplifier_staging");
    expect(cfg.azure).toEqual({ resourceGroupName: "rg-amplifier", location: "eastus" });
  });

  test("secure defaults: no public endpoint, TLS 1.2, protected, 7-day backups", () => {
    const cfg = parseStackConfig("staging", azure);
    if (cfg.platform !== "azure") throw new Error("expected azure");
    expect(cfg.postgres.publicNetworkAccess).toBe("Disabled");
    expect(cfg.postgres.minTlsVersion).toBe("TLSv1.2");
    expect(cfg.postgres.backupRetentionDays).toBe(7);
    expect(cfg.protect).toBe(true);
  });

  test("names given in config win over derived ones", () => {
    const cfg = parseStackConfig("qa", { ...azure, postgres: { serverName: "custom-db", databaseName: "custom" } });
    if (cfg.platform !== "azure") throw new Error("expected azure");
    expect(cfg.postgres.serverName).toBe("custom-db");
    expect(cfg.postgres.databaseName).toBe("custom");
  });

  test("a docker stack may not carry Azure blocks", () => {
    expect(() => parseStackConfig("dev", { environment: "development", platform: "docker", docker: {}, azure: {} })).toThrow(
      "azure (got {}): is not used when platform is docker; remove it",
    );
  });

  test("SameZone HA on a GeneralPurpose SKU is accepted", () => {
    const cfg = parseStackConfig("staging", { ...azure, postgres: { skuName: "Standard_D4ds_v5", highAvailability: "SameZone" } });
    if (cfg.platform !== "azure") throw new Error("expected azure");
    expect(cfg.postgres.skuTier).toBe("GeneralPurpose");
  });
});
