/**
 * What Azure offers, as dated tables taken from Azure's published lists (config/azure-offerings.data.json, each list with
 * its public source, the commit read and the date): PostgreSQL Flexible Server SKUs, major versions and storage sizes,
 * App Service plan SKUs and regions. The config schemas check values against them, so a value Azure would reject
 * (`Standard_D3ds_v5`, `eastus3`, 100 GiB) stops before anything is registered, naming the closest valid value.
 * `npm run refresh-azure-offerings` (tools/refresh-azure-offerings.ts) rewrites the file from the same sources.
 */
import * as fs from "fs";
import * as path from "path";
import { closest, editDistance } from "./errors";

export interface OfferingList<T> {
  /** The source document's title. */
  title: string;
  /** How the list is read from it. */
  selection: string;
  /** The source file at the commit that was read. */
  source: string;
  /** When it was read. */
  asOf: string;
  values: T[];
}

export interface PostgresSku {
  name: string;
  tier: "Burstable" | "GeneralPurpose" | "MemoryOptimized";
  vCores: number;
}

/** ARM's tier names as the program sends them (`sku.tier` of the plan); P0v3 and Pmv3 bill as PremiumV3. */
export interface PlanSku {
  name: string;
  tier: "Free" | "Shared" | "Basic" | "Standard" | "PremiumV2" | "PremiumV3" | "PremiumV4";
}

export interface Region {
  name: string;
  /** Access to the region is by request (Microsoft Learn, "Azure region access request process"). */
  restricted: boolean;
}

export interface AzureOfferings {
  about: string;
  postgresSkus: OfferingList<PostgresSku>;
  postgresVersions: OfferingList<string>;
  postgresStorageSizesGb: OfferingList<number>;
  appServicePlanSkus: OfferingList<PlanSku>;
  regions: OfferingList<Region>;
}

/** Not `azure-offerings.json`: Node (ts-node under `pulumi up`) would resolve `./azure-offerings` to it before the .ts. */
export const OFFERINGS_FILE = "config/azure-offerings.data.json";

/** Beside Pulumi.yaml, found from here whether this runs from source or compiled into dist/. */
function offeringsPath(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, "Pulumi.yaml"))) return path.join(dir, OFFERINGS_FILE);
    if (path.dirname(dir) === dir) throw new Error(`no Pulumi.yaml above ${__dirname}`);
  }
}

export const OFFERINGS: AzureOfferings = JSON.parse(fs.readFileSync(offeringsPath(), "utf8"));

/** `(Microsoft Learn, "…", read 2026-12-06)`: where a list comes from, for messages and docs. */
export function citeList(list: OfferingList<unknown>): string {
  return `${list.title}, read ${list.asOf}`;
}

const uniq = <T>(xs: T[]): T[] => [...new Set(xs)];

/** The allowed numbers nearest to `n` (both neighbours on a tie). */
export function nearestNumbers(n: number, allowed: readonly number[]): number[] {
  const best = Math.min(...allowed.map((a) => Math.abs(a - n)));
  return allowed.filter((a) => Math.abs(a - n) === best);
}

/**
 * Sized names nearest to a wrong one: the same family and series (`Standard_D…ds_v5`, `P…v3`, `B…`) with the nearest
 * size number (vCores for PostgreSQL), else the closest by spelling.
 */
export function closestSized(name: string, names: readonly string[], size: (n: string) => number = sizeNumber): string[] {
  const key = (n: string) => n.replace(/\d+/, "#").toLowerCase();
  const same = /\d/.test(name) ? names.filter((n) => key(n) === key(name)) : [];
  if (same.length) {
    const near = nearestNumbers(sizeNumber(name), uniq(same.map(size)));
    return same.filter((n) => near.includes(size(n)));
  }
  return closestNames(name, names);
}

const sizeNumber = (n: string): number => Number(/\d+/.exec(n)?.[0] ?? NaN);

/** Names summarised per family and series, in table order: `B1-B3, S1-S3, P1v2-P3v2` (a lone size stays as it is). */
export function rangeSummary(names: readonly string[]): string {
  const groups = new Map<string, string[]>();
  for (const n of names) {
    const key = n.replace(/\d+/, "#");
    groups.set(key, [...(groups.get(key) ?? []), n]);
  }
  return [...groups.values()]
    .map((g) => [...g].sort((a, b) => sizeNumber(a) - sizeNumber(b)))
    .map((g) => (g.length === 1 ? g[0] : `${g[0]}-${g[g.length - 1]}`))
    .join(", ");
}

/** The plan SKUs as a short list (messages and the configuration reference). */
export const PLAN_SKU_SUMMARY = rangeSummary(OFFERINGS.appServicePlanSkus.values.map((s) => s.name));

export function closestPostgresSkus(name: string): string[] {
  const full = /^Standard_/i.test(name) ? name : `Standard_${name}`;
  return closestSized(full, OFFERINGS.postgresSkus.values.map((s) => s.name));
}

/** The closest names by spelling: every candidate at the smallest edit distance (eastus3 -> eastus, eastus2). */
export function closestNames(word: string, candidates: readonly string[]): string[] {
  const best = closest(word, candidates);
  if (best === undefined) return [];
  const d = editDistance(word.toLowerCase(), best.toLowerCase());
  return candidates.filter((c) => editDistance(word.toLowerCase(), c.toLowerCase()) === d).slice(0, 3);
}

/** `; closest: a or b` (nothing when there is no likely candidate). */
export function closestText(values: readonly (string | number)[]): string {
  return values.length ? `; closest: ${values.map((v) => JSON.stringify(v)).join(" or ")}` : "";
}

export function postgresSku(name: string): PostgresSku | undefined {
  return OFFERINGS.postgresSkus.values.find((s) => s.name === name);
}

export function planSku(name: string): PlanSku | undefined {
  return OFFERINGS.appServicePlanSkus.values.find((s) => s.name === name);
}

export function region(name: string): Region | undefined {
  return OFFERINGS.regions.values.find((r) => r.name === name);
}

/** Problem texts (or undefined) for the checks the schemas run; the schema prefixes the key and the value. */
export const offered = {
  postgresSku(name: string): string | undefined {
    if (postgresSku(name)) return undefined;
    const l = OFFERINGS.postgresSkus;
    return `is not a Flexible Server SKU Azure offers (${citeList(l)}: ${l.values.length} sizes from Standard_B1ms to Standard_E96ads_v5)${closestText(closestPostgresSkus(name))}`;
  },
  postgresVersion(version: string): string | undefined {
    const l = OFFERINGS.postgresVersions;
    if (l.values.includes(version)) return undefined;
    const n = Number(version);
    const near = Number.isFinite(n) ? nearestNumbers(n, l.values.map(Number)).map(String) : [];
    return `is not a PostgreSQL major version Azure offers for new servers (${citeList(l)}: ${l.values.join(", ")})${closestText(near)}`;
  },
  storageSizeGb(gib: number): string | undefined {
    const l = OFFERINGS.postgresStorageSizesGb;
    if (l.values.includes(gib)) return undefined;
    return `is not a storage size Azure offers in GiB (${citeList(l)}: ${l.values.join(", ")})${closestText(nearestNumbers(gib, l.values))}`;
  },
  planSku(name: string): string | undefined {
    if (planSku(name)) return undefined;
    const l = OFFERINGS.appServicePlanSkus;
    const exact = l.values.find((s) => s.name.toLowerCase() === name.toLowerCase());
    const near = exact ? [exact.name] : closestSized(name, l.values.map((s) => s.name));
    return `is not an App Service plan SKU for a web app (${citeList(l)}: ${PLAN_SKU_SUMMARY})${closestText(near)}`;
  },
  region(name: string): string | undefined {
    if (region(name)) return undefined;
    const l = OFFERINGS.regions;
    return `is not an Azure region (${citeList(l)}: programmatic names such as eastus, westeurope)${closestText(closestNames(name, l.values.map((r) => r.name)))}`;
  },
};
