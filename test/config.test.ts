/** The config schema on its own: derived names, secure defaults, and cross-key rules (bad input: bad-input-catalogue). */
import { parseStackConfig } from "../config/schema";

describe("parseStackConfig", () => {
  // The smallest valid Azure stack: everything defaulted, private behind the default network.
  const azure = { environment: "staging", platform: "azure", azure: {}, postgres: {}, network: {} };

  test("derives the spec's names from the prefix and the stack", () => {
    const cfg = parseStackConfig("staging", azure);
    if (cfg.platform !== "azure") throw new Error("expected azure");
    expect(cfg.postgres.serverName).toBe("amplifier-db-staging");
    expect(cfg.postgres.databaseName).toBe("amplifier_staging");
    // Its own resource group, so a new stack file never lands in another stack's group.
    expect(cfg.azure).toEqual({ resourceGroupName: "rg-amplifier-staging", location: "eastus" });
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
