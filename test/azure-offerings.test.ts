/**
 * What Azure offers (config/azure-offerings.data.json): every list names a commit-pinned public source and the date it
 * was read; the stacks, the price table and the program's defaults only use offered values; wrong values name the
 * closest valid one; the refresh script's parsers read the sources' formats (synthetic pages, not copies) and write
 * the file exactly as committed.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { closestNames, closestPostgresSkus, closestSized, OFFERINGS, OFFERINGS_FILE, offered, rangeSummary } from "../config/azure-offerings";
import { PROJECT_DIR, parseAllStackFiles } from "../config/stack-files";
import { PRICES } from "../plan/cost";
import {
  formatOfferings, main, parsePlanSkus, parsePostgresSkus, parsePostgresVersions, parseRegions, parseStorageSizes, refreshOfferings,
} from "../tools/refresh-azure-offerings";
import { captureIo } from "./support/checkout";

const LISTS = ["postgresSkus", "postgresVersions", "postgresStorageSizesGb", "appServicePlanSkus", "regions"] as const;

describe("the committed tables", () => {
  test.each(LISTS)("%s names its source at a commit, how the list is read from it, and the date it was read", (key) => {
    const l = OFFERINGS[key];
    expect(l.source).toMatch(/^https:\/\/github\.com\/[^/]+\/[^/]+\/blob\/[0-9a-f]{40}\/\S+$/);
    expect(l.asOf).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(l.title.length).toBeGreaterThan(10);
    expect(l.selection.length).toBeGreaterThan(10);
    expect(l.values.length).toBeGreaterThan(4);
  });

  test("the file is exactly what the refresh script would write for the same content", () => {
    expect(fs.readFileSync(path.join(PROJECT_DIR, OFFERINGS_FILE), "utf8")).toBe(formatOfferings(OFFERINGS));
  });

  test("every stack file, every priced SKU and the price table's region are offered", () => {
    for (const cfg of parseAllStackFiles()) {
      if (cfg.platform !== "azure") continue;
      expect([cfg.stack, offered.region(cfg.azure.location)]).toEqual([cfg.stack, undefined]);
      expect([cfg.stack, offered.postgresSku(cfg.postgres.skuName), offered.planSku(cfg.appService.planSku)]).toEqual([cfg.stack, undefined, undefined]);
    }
    for (const key of Object.keys(PRICES.prices)) {
      const pg = /^postgres\.compute\.(.+)$/.exec(key)?.[1];
      const plan = /^appservice\.linux\.(.+)$/.exec(key)?.[1];
      if (pg) expect([key, offered.postgresSku(pg)]).toEqual([key, undefined]);
      if (plan) expect([key, offered.planSku(plan)]).toEqual([key, undefined]);
    }
    expect(offered.region(PRICES.region)).toBeUndefined();
  });

  test("tiers follow the names: B Burstable, D GeneralPurpose, E MemoryOptimized; Premium plans as ARM bills them", () => {
    for (const s of OFFERINGS.postgresSkus.values) expect([s.name, s.tier]).toEqual([s.name, { B: "Burstable", D: "GeneralPurpose", E: "MemoryOptimized" }[s.name[9]]]);
    const tier = (n: string) => OFFERINGS.appServicePlanSkus.values.find((s) => s.name === n)?.tier;
    expect(["F1", "B1", "S3", "P1v2", "P0v3", "P3mv3", "P1v4", "P5mv4"].map(tier)).toEqual(["Free", "Basic", "Standard", "PremiumV2", "PremiumV3", "PremiumV3", "PremiumV4", "PremiumV4"]);
    expect(tier("P1")).toBeUndefined(); // classic Premium: no longer sold
  });
});

describe("the closest valid value", () => {
  test.each([
    ["Standard_D3ds_v5", ["Standard_D2ds_v5", "Standard_D4ds_v5"]],
    ["Standard_D128ds_v5", ["Standard_D96ds_v5"]],
    ["D2ds_v5", ["Standard_D2ds_v5"]],
    ["Standard_E20s_v3", ["Standard_E16s_v3"]],
    ["Standard_X2ds_v5", ["Standard_D2ds_v5", "Standard_E2ds_v5"]],
  ])("PostgreSQL SKU %s -> %j", (name, expected) => {
    expect(closestPostgresSkus(name)).toEqual(expected);
  });

  test("plan SKUs by size within their series, regions and others by spelling", () => {
    const plans = OFFERINGS.appServicePlanSkus.values.map((s) => s.name);
    expect(closestSized("B4", plans)).toEqual(["B3"]);
    expect(closestSized("P4v2", plans)).toEqual(["P3v2"]);
    expect(closestNames("eastus3", OFFERINGS.regions.values.map((r) => r.name))).toEqual(["eastus", "eastus2"]);
    expect(offered.planSku("p1V2")).toContain('closest: "P1v2"');
    expect(offered.storageSizeGb(100)).toContain("closest: 128");
    expect(offered.storageSizeGb(96)).toContain("closest: 64 or 128");
    expect(offered.postgresVersion("12")).toContain('closest: "13"');
    expect(rangeSummary(plans)).toBe("F1, D1, B1-B3, S1-S3, P1v2-P3v2, P0v3-P3v3, P1mv3-P5mv3, P0v4-P3v4, P1mv4-P5mv4");
  });
});

// Synthetic pages in each source's format (their structure, none of their text).
const COMPUTE = `
| Resource/Tier | Burstable | General Purpose | Memory Optimized |
| :--- | :--- | :--- | :--- |
| VM-series | B-series | Ddsv5-series,<br />Dadsv5-series,<br />Dsv3-series | Edsv5-series,<br />Esv3-series |
| vCores | 1, 2 | 2, 4 | 2, 4 |

| SKU name | vCores | Memory size |
| --- | --- | --- |
| **Burstable** | | |
| B1ms | 1 | 2 GiB |
| **General Purpose** | | |
| D2s_v3 / D2ds_v4 | 2 | 8 GiB |
| D2ds_v5 / D2ads_v5 | 2 | 8 GiB |
| D4ds_v5 / D4ds_v5 | 4 | 16 GiB |
| **Memory Optimized** | | |
| E2ds_v5 / D2ads_v5 | 2 | 16 GiB |
| E4s_v3 / E4ads_v4 | 4 | 32 GiB |
`;

test("parsePostgresSkus: tier sections, the tier's series only, the ads_v5 twin of a ds_v5 size", () => {
  expect(parsePostgresSkus(COMPUTE).map((s) => `${s.name} ${s.tier} ${s.vCores}`)).toEqual([
    "Standard_B1ms Burstable 1",
    "Standard_D2ads_v5 GeneralPurpose 2",
    "Standard_D2ds_v5 GeneralPurpose 2",
    "Standard_D2s_v3 GeneralPurpose 2",
    "Standard_D4ads_v5 GeneralPurpose 4",
    "Standard_D4ds_v5 GeneralPurpose 4",
    "Standard_E2ds_v5 MemoryOptimized 2",
    "Standard_E4s_v3 MemoryOptimized 4",
  ]);
  expect(() => parsePostgresSkus("# nothing")).toThrow("no VM-series row");
});

test("parsePostgresVersions, parseStorageSizes, parsePlanSkus, parseRegions", () => {
  expect(parsePostgresVersions("## PostgreSQL version 17\n\n## PostgreSQL version 16\n## PostgreSQL version 12 (retired)\n## PostgreSQL version 11 (extended support)\n## PostgreSQL version 10 and older\n")).toEqual(["16", "17"]);
  expect(parseStorageSizes("| Disk size | Premium SSD IOPS | v2 |\n| :--- | :--- | :--- |\n| 32 GiB | 120 | x |\n| 2 TiB | 7,500 | x |\n| 64 TiB | N/A | x |\n")).toEqual([32, 2048]);
  const py = "def get_sku_tier(name):\n    if name in ['F1', 'FREE']:\n        return 'FREE'\n    if name in ['P1', 'P2']:\n        return 'PREMIUM'\n    if name in ['P1MV3', 'P2MV3']:\n        return 'PREMIUMMV3'\n    if name in ['EP1']:\n        return 'ElasticPremium'\n\ndef other():\n    if name in ['B1']:\n        return 'BASIC'\n";
  expect(parsePlanSkus(py)).toEqual([{ name: "F1", tier: "Free" }, { name: "P1mv3", tier: "PremiumV3" }, { name: "P2mv3", tier: "PremiumV3" }]);
  const regions = [
    "#### [All](#tab/all)",
    "| Region | Zones | Pair | Place | Geography | Programmatic name |",
    "|---|---|---|---|---|---|",
    "| East US | yes | West US | Virginia | United States | eastus |",
    '| :::image source="media/icon-region-restricted.svg"::: Somewhere South | | x | y | z | somewheresouth |',
    '| :::image source="media/icon-region-coming-soon.svg"::: New Place | | x | y | z | newplace |',
    "#### [Americas](#tab/americas)",
    "| West US | | East US | California | United States | westus |",
  ].join("\n");
  expect(parseRegions(regions)).toEqual([{ name: "eastus", restricted: false }, { name: "somewheresouth", restricted: true }]);
});

describe("npm run refresh-azure-offerings", () => {
  const pages: Record<string, string> = {
    "concepts-compute.md": COMPUTE,
    "concepts-supported-versions.md": "## PostgreSQL version 15\n",
    "concepts-storage.md": "| 32 GiB | 120 | x |\n",
    "utils.py": "def get_sku_tier(name):\n    if name in ['B1']:\n        return 'BASIC'\n\ndef x():\n    pass\n",
    "regions-list.md": "#### [All](#tab/all)\n| East US | | | | | eastus |\n",
  };
  const fake = async (url: string) => {
    if (url.startsWith("https://api.github.com/")) return JSON.stringify([{ sha: "a".repeat(40) }]);
    const file = url.split("/").pop()!;
    if (!(file in pages)) throw new Error(`unexpected ${url}`);
    return pages[file];
  };

  test("reads each source at its newest commit and pins that commit in the file", async () => {
    const fresh = await refreshOfferings(fake, "2030-01-02");
    expect(fresh.postgresVersions).toMatchObject({ asOf: "2030-01-02", values: ["15"], source: expect.stringContaining(`/blob/${"a".repeat(40)}/articles/`) });
    expect(fresh.regions.values).toEqual([{ name: "eastus", restricted: false }]);
  });

  test("writes the file in a scratch project; a fetch failure writes nothing and exits 1; arguments are refused", async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "offerings-"));
    fs.mkdirSync(path.join(root, "config"));
    const io = captureIo();
    expect(await main([], io, fake, root)).toBe(0);
    expect(io.out()).toMatch(/^wrote config\/azure-offerings\.data\.json \(postgresSkus 8, postgresVersions 1/);
    expect(JSON.parse(fs.readFileSync(path.join(root, OFFERINGS_FILE), "utf8")).appServicePlanSkus.values).toEqual([{ name: "B1", tier: "Basic" }]);
    const offline = captureIo();
    fs.rmSync(path.join(root, OFFERINGS_FILE));
    expect(await main([], offline, async () => Promise.reject(new Error("getaddrinfo ENOTFOUND api.github.com")), root)).toBe(1);
    expect(offline.err()).toContain("ENOTFOUND api.github.com (nothing written; this needs the internet)");
    expect(fs.existsSync(path.join(root, OFFERINGS_FILE))).toBe(false);
    expect(await main(["--check"], captureIo(), fake, root)).toBe(2);
    fs.rmSync(root, { recursive: true, force: true });
  });
});
