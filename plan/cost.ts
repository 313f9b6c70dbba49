/**
 * Estimated monthly cost per resource from the one dated price table (pricing/azure-eastus.json). Each line says
 * what it multiplied, so a reviewer can check it against the linked price page; a resource whose SKU is not in the
 * table is reported as unpriced (and the total as incomplete) rather than guessed.
 */
import type { RegisteredResource } from "../mock-runtime";
import * as fs from "fs";
import * as path from "path";
import { projectRoot } from "../config/load";

export interface Price {
  unit: string;
  usd: number;
  source: string;
  /** When this price was read from its source, if not the table's `asOf`. */
  asOf?: string;
  note?: string;
  vCores?: number;
  memoryGiB?: number;
  tier?: string;
}

export interface PriceTable {
  about: string;
  asOf: string;
  currency: string;
  region: string;
  hoursPerMonth: number;
  prices: Record<string, Price>;
  specCostTable: { source: string; stacks: Record<string, { total: number; items: Record<string, string> }> };
}

/** The price table, read from the project root so source (jest) and compiled (dist/) runs read the same file. */
export const PRICES: PriceTable = JSON.parse(fs.readFileSync(path.join(projectRoot(__dirname), "pricing", "azure-eastus.json"), "utf8"));

export interface CostLine {
  what: string;
  usd: number;
  /** Price-table key the figure comes from. */
  price?: string;
  /** The price's own date when it is not the table's (a dated source read on another day). */
  asOf?: string;
}

export interface ResourceCost {
  usd: number;
  lines: CostLine[];
  /** Why no figure: e.g. a SKU missing from the table. */
  unpriced?: string;
  notes: string[];
}

type Estimator = (inputs: Record<string, any>, table: PriceTable) => ResourceCost;

const round = (n: number): number => Math.round(n * 100) / 100;
const hourly = (table: PriceTable, key: string): number | undefined =>
  table.prices[key] ? table.prices[key].usd * table.hoursPerMonth : undefined;

function sum(lines: CostLine[], notes: string[] = []): ResourceCost {
  return { usd: round(lines.reduce((a, l) => a + l.usd, 0)), lines: lines.map((l) => ({ ...l, usd: round(l.usd) })), notes };
}
const unpriced = (why: string): ResourceCost => ({ usd: 0, lines: [], unpriced: why, notes: [] });
const fixed = (table: PriceTable, key: string, what: string): ResourceCost => {
  const p = table.prices[key];
  const monthly = p.unit === "hour" ? p.usd * table.hoursPerMonth : p.usd;
  return sum([{ what, usd: monthly, price: key }], p.note ? [p.note] : []);
};
const perUsage = (table: PriceTable, key: string): ResourceCost => sum([], [`${table.prices[key].note} ($${table.prices[key].usd}/${table.prices[key].unit})`]);

const ESTIMATORS: Record<string, Estimator> = {
  "azure-native:dbforpostgresql:Server": (i, t) => {
    const sku = i.sku?.name;
    const compute = hourly(t, `postgres.compute.${sku}`);
    if (compute === undefined) return unpriced(`SKU ${sku} is not in the price table`);
    const ha = i.highAvailability?.mode && i.highAvailability.mode !== "Disabled";
    const copies = ha ? 2 : 1;
    const gib = Number(i.storage?.storageSizeGB ?? 32);
    const haNote = ha ? ` x2 (${i.highAvailability.mode} HA standby)` : "";
    return sum(
      [
        { what: `${sku} compute${haNote}`, usd: compute * copies, price: `postgres.compute.${sku}` },
        { what: `storage ${gib} GiB${haNote}`, usd: gib * t.prices["postgres.storage"].usd * copies, price: "postgres.storage" },
      ],
      [
        ...(ha ? [`the HA standby adds $${round(compute + gib * t.prices["postgres.storage"].usd).toFixed(2)} (a second server's compute and storage)`] : []),
        `backups (${i.backup?.backupRetentionDays ?? 7} days) free up to ${gib} GiB; beyond: $${t.prices["postgres.backup"].usd}/GiB-month`,
      ],
    );
  },
  "azure-native:web:AppServicePlan": (i, t) => {
    const sku = i.sku?.name;
    const each = hourly(t, `appservice.linux.${sku}`);
    if (each === undefined) return unpriced(`plan SKU ${sku} is not in the price table`);
    const n = Number(i.sku?.capacity ?? 1);
    return sum([{ what: `${sku} x${n} instance${n > 1 ? "s" : ""}`, usd: each * n, price: `appservice.linux.${sku}` }]);
  },
  "azure-native:keyvault:Vault": (_i, t) => fixed(t, "keyvault.operations", "operations (nominal)"),
  "azure-native:network:PrivateEndpoint": (_i, t) => fixed(t, "network.privateEndpoint", "private endpoint"),
  "azure-native:privatedns:PrivateZone": (_i, t) => fixed(t, "privatedns.zone", "hosted zone"),
  "azure-native:monitor:MetricAlert": (i, t) => {
    const series = Math.max(1, (i.scopes ?? []).length) * Math.max(1, (i.criteria?.allOf ?? []).length);
    return sum([{ what: `${series} time series`, usd: series * t.prices["monitor.metricAlert"].usd, price: "monitor.metricAlert" }]);
  },
  "azure-native:operationalinsights:Workspace": (_i, t) => perUsage(t, "loganalytics.ingestion"),
  "azure-native:applicationinsights:Component": (_i, t) => perUsage(t, "loganalytics.ingestion"),
  "azure-native:storage:FileShare": (_i, t) => perUsage(t, "storage.fileShare"),
};

/** Types that cost nothing by themselves (config, identity, grouping) or run locally. */
const FREE = /^(docker:|random:|pulumi:|pulumi-nodejs:dynamic|amplifier:)|^azure-native:(resources:ResourceGroup|dbforpostgresql:(Database|Configuration|FirewallRule|AdministratorsMicrosoftEntra)|keyvault:Secret|authorization:|managedidentity:(UserAssignedIdentity|FederatedIdentityCredential)|web:WebApp(FtpAllowed|ScmAllowed|AzureStorageAccounts)?$|network:(VirtualNetwork|Subnet|PrivateDnsZoneGroup)$|privatedns:VirtualNetworkLink|monitor:(ActionGroup|DiagnosticSetting)|storage:StorageAccount)/;

/**
 * A monthly total over some resources. `usd` is set only when every resource in it is priced; otherwise the total
 * is unknown and `pricedUsd` is a lower bound (prices are never negative). Every figure the plan prints (text
 * total, comparison row, JSON, cost difference) comes from one of these, so an unpriced resource marks all of them.
 */
export interface CostTotal {
  usd: number | null;
  pricedUsd: number;
  /** "Server postgres-server: SKU Standard_D4ds_v5 is not in the price table", one per unpriced resource. */
  unpriced: string[];
}

export function totalOf(items: Array<{ label: string; cost?: ResourceCost }>): CostTotal {
  const pricedUsd = round(items.reduce((a, i) => a + (i.cost?.usd ?? 0), 0));
  const unpriced = items.filter((i) => i.cost?.unpriced).map((i) => `${i.label}: ${i.cost!.unpriced}`);
  return { usd: unpriced.length ? null : pricedUsd, pricedUsd, unpriced };
}

const money = (n: number): string => `${n < 0 ? "-" : ""}$${Math.abs(n).toFixed(2)}`;

/** `$460.39/month`, or `at least $185.79/month (incomplete: 1 unpriced resource)`. */
export function formatTotal(t: CostTotal): string {
  if (t.usd !== null) return `${money(t.usd)}/month`;
  const n = t.unpriced.length;
  return `at least ${money(t.pricedUsd)}/month (incomplete: ${n} unpriced resource${n > 1 ? "s" : ""})`;
}

/** `to` minus `from`: `+$274.60/month`, or unknown when either side has an unpriced resource. */
export function formatDifference(from: CostTotal, to: CostTotal): string {
  if (from.usd === null || to.usd === null) return "unknown (unpriced resources)";
  const d = round(to.usd - from.usd);
  return `${d >= 0 ? "+" : "-"}${money(Math.abs(d))}/month`;
}

/** `eastus`, `East US` and `EASTUS` are one region (ARM compares locations without case or spaces). */
const regionKey = (location: string): string => location.toLowerCase().replace(/\s+/g, "");

/** The estimate for one resource, or undefined for a type that is free (or bills elsewhere). */
export function costOf(r: RegisteredResource, table: PriceTable = PRICES): ResourceCost | undefined {
  const estimate = ESTIMATORS[r.type];
  // Prices differ by region: a resource elsewhere is unpriced, never priced as the table's region.
  const location = r.inputs?.location;
  if (Object.hasOwn(ESTIMATORS, r.type) && typeof location === "string" && regionKey(location) !== "global" && regionKey(location) !== regionKey(table.region)) {
    return unpriced(`region ${location} has no prices in the table (pricing/azure-eastus.json holds ${table.region} prices only)`);
  }
  if (estimate) {
    const cost = estimate(r.inputs ?? {}, table);
    for (const line of cost.lines) {
      const asOf = line.price ? table.prices[line.price]?.asOf : undefined;
      if (asOf && asOf !== table.asOf) line.asOf = asOf;
    }
    return cost;
  }
  if (FREE.test(r.type)) return undefined;
  return unpriced(`no price for ${r.type} in the price table`);
}

/** One price source as the plan's header names it, with the date its prices were read. */
export interface PriceSource {
  source: string;
  asOf: string;
}

/** A readable name for a price's source: Azure's price pages, or the commit-pinned record it was read from. */
export function sourceLabel(url: string): string {
  const gh = /^https:\/\/github\.com\/([^/]+\/[^/]+)\/blob\/([0-9a-f]{7})/.exec(url);
  if (gh) return `${gh[1]}@${gh[2]}, a dated record of the Azure Retail Prices API`;
  const host = /^https:\/\/([^/]+)/.exec(url)?.[1];
  return host === "azure.microsoft.com" ? "Azure's price pages (azure.microsoft.com/pricing)" : (host ?? url);
}

/** The sources of the prices some cost lines used, each once with its date (sorted by label, then date). */
export function priceSources(costs: Array<ResourceCost | undefined>, table: PriceTable = PRICES): PriceSource[] {
  const seen = new Map<string, PriceSource>();
  for (const line of costs.flatMap((c) => c?.lines ?? [])) {
    const price = line.price ? table.prices[line.price] : undefined;
    if (!price) continue;
    const s = { source: sourceLabel(price.source), asOf: price.asOf ?? table.asOf };
    seen.set(`${s.source}\0${s.asOf}`, s);
  }
  return [...seen.values()].sort((a, b) => a.source.localeCompare(b.source) || a.asOf.localeCompare(b.asOf));
}
