/**
 * `npm run refresh-azure-offerings`: rewrites config/azure-offerings.data.json (what Azure offers: PostgreSQL SKUs,
 * versions and storage sizes, App Service plan SKUs, regions) from the published sources it names, each read at its
 * newest commit (GitHub's commits API for the commit, raw.githubusercontent.com for the text). It needs the internet;
 * review the diff before committing it. The parsers below are pure and tested on small synthetic pages.
 */
import * as fs from "fs";
import * as path from "path";
import { projectRoot } from "../config/load";
import { type AzureOfferings, OFFERINGS_FILE, type OfferingList, type PlanSku, type PostgresSku, type Region } from "../config/azure-offerings";
import { EXIT, type Io, tokenize } from "./cli";

interface Source {
  repo: string;
  path: string;
  title: string;
  selection: string;
}

const SOURCES = {
  postgresSkus: {
    repo: "MicrosoftDocs/azure-databases-docs",
    path: "articles/postgresql/flexible-server/concepts-compute.md",
    title: 'Microsoft Learn, "Compute options in Azure Database for PostgreSQL - Flexible Server"',
    selection:
      "the SKU table's names with the Standard_ prefix; a ds_v5 size also exists as ads_v5 where the tier lists the Dadsv5/Eadsv5 series; names outside the tier's series are dropped",
  },
  postgresVersions: {
    repo: "MicrosoftDocs/azure-databases-docs",
    path: "articles/postgresql/flexible-server/concepts-supported-versions.md",
    title: 'Microsoft Learn, "Supported versions of PostgreSQL in Azure Database for PostgreSQL flexible server"',
    selection: "the major versions not marked retired or extended support",
  },
  postgresStorageSizesGb: {
    repo: "MicrosoftDocs/azure-databases-docs",
    path: "articles/postgresql/flexible-server/concepts-storage.md",
    title: 'Microsoft Learn, "Storage options in Azure Database for PostgreSQL - Flexible Server"',
    selection: "the disk sizes with a Premium SSD figure, in GiB",
  },
  appServicePlanSkus: {
    repo: "Azure/azure-cli",
    path: "src/azure-cli/azure/cli/command_modules/appservice/utils.py",
    title: "Azure CLI, appservice module, get_sku_tier",
    selection:
      "the SKU names az appservice plan create accepts, multi-tenant web app tiers only: Free, Shared, Basic, Standard, Premium v2, v3 (P0v3 and Pmv3 bill as PremiumV3) and v4 (Pmv4 as PremiumV4)",
  },
  regions: {
    repo: "MicrosoftDocs/reliability-docs",
    path: "articles/reliability/regions-list.md",
    title: 'Microsoft Learn, "Azure regions list"',
    selection:
      "the programmatic names of the All tab; regions marked coming soon are left out, restricted ones are kept and flagged (they need an access request)",
  },
} satisfies Record<Exclude<keyof AzureOfferings, "about">, Source>;

const ABOUT =
  "What Azure offers, for the config checks: values outside these lists stop before anything is registered, with the closest valid value. Each list names its public source, the commit read and the date it was read. Refresh with `npm run refresh-azure-offerings` (needs the internet; it rewrites this file, review the diff). Hand edits are overwritten.";

const cells = (line: string): string[] => line.trim().replace(/^\||\|$/g, "").split("|").map((c) => c.trim());

/** `Ddsv5-series` -> `ds_v5`; `B-series` -> "" (any Burstable size). */
function seriesSuffix(series: string): string {
  const m = /^[A-Z]([a-z]*)v(\d+)-series$/.exec(series.trim());
  return m ? `${m[1]}_v${m[2]}` : "";
}

/** The SKU table of "Compute options": per tier section, every listed name in the tier's VM series. */
export function parsePostgresSkus(markdown: string): PostgresSku[] {
  const lines = markdown.split("\n");
  const seriesRow = lines.find((l) => /^\|\s*VM-series\s*\|/.test(l));
  if (!seriesRow) throw new Error("compute page: no VM-series row");
  const tiers: PostgresSku["tier"][] = ["Burstable", "GeneralPurpose", "MemoryOptimized"];
  const series = new Map(tiers.map((t, i) => [t, cells(seriesRow)[i + 1].split(/,|<br\s*\/?>/).map(seriesSuffix).filter((s) => s !== "" || t === "Burstable")]));
  const sections: Record<string, PostgresSku["tier"]> = { Burstable: "Burstable", "General Purpose": "GeneralPurpose", "Memory Optimized": "MemoryOptimized" };
  const out = new Map<string, PostgresSku>();
  let tier: PostgresSku["tier"] | undefined;
  for (const line of lines) {
    if (!line.startsWith("|")) continue;
    const [first, second] = cells(line);
    const heading = /^\*\*(.+)\*\*$/.exec(first ?? "");
    if (heading) {
      tier = sections[heading[1]];
      continue;
    }
    if (!tier || !/^\d+$/.test(second ?? "")) continue;
    const letter = tier[0] === "B" ? "B" : tier === "GeneralPurpose" ? "D" : "E";
    const allowed = series.get(tier)!;
    for (const raw of first.split("/").map((n) => n.trim())) {
      const m = /^([BDE])(\d+)([a-z_0-9]*)$/.exec(raw);
      if (!m || m[1] !== letter) continue;
      if (tier !== "Burstable" && !allowed.includes(m[3])) continue;
      const add = (suffix: string) => out.set(`Standard_${letter}${m[2]}${suffix}`, { name: `Standard_${letter}${m[2]}${suffix}`, tier: tier!, vCores: Number(second) });
      add(m[3]);
      if (m[3] === "ds_v5" && allowed.includes("ads_v5")) add("ads_v5");
    }
  }
  if (!out.size) throw new Error("compute page: no SKUs found");
  return [...out.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/** The `## PostgreSQL version N` headings not marked retired or extended support. */
export function parsePostgresVersions(markdown: string): string[] {
  // `## PostgreSQL version 12 (retired)` is out; `## PostgreSQL version 10 and older` is no version heading at all.
  const versions = [...markdown.matchAll(/^## PostgreSQL version (\d+)[ \t]*(\(.*\))?[ \t]*$/gm)].filter((m) => !/retired|extended support/i.test(m[2] ?? "")).map((m) => m[1]);
  if (!versions.length) throw new Error("versions page: no supported versions found");
  return versions.sort((a, b) => Number(a) - Number(b));
}

/** The disk sizes whose Premium SSD column has a figure (not N/A), in GiB. */
export function parseStorageSizes(markdown: string): number[] {
  const sizes: number[] = [];
  for (const line of markdown.split("\n")) {
    const [size, premium] = cells(line);
    const m = /^(\d+) (GiB|TiB)$/.exec(size ?? "");
    if (!m || !premium || /^N\/A$/i.test(premium)) continue;
    sizes.push(Number(m[1]) * (m[2] === "TiB" ? 1024 : 1));
  }
  if (!sizes.length) throw new Error("storage page: no sizes found");
  return [...new Set(sizes)].sort((a, b) => a - b);
}

/** The Azure CLI's tier names -> ARM's tier for the plan's `sku.tier` (multi-tenant web app plans only). */
const CLI_TIERS: Record<string, PlanSku["tier"]> = {
  FREE: "Free",
  SHARED: "Shared",
  BASIC: "Basic",
  STANDARD: "Standard",
  PREMIUMV2: "PremiumV2",
  PREMIUM0V3: "PremiumV3",
  PREMIUMV3: "PremiumV3",
  PREMIUMMV3: "PremiumV3",
  PREMIUMV4: "PremiumV4",
  PREMIUMMV4: "PremiumV4",
};

/** `if name in ['P1V2', ...]: return 'PREMIUMV2'` in get_sku_tier; SKU-shaped names only, in Azure's casing (P1mv3). */
export function parsePlanSkus(python: string): PlanSku[] {
  const body = /def get_sku_tier\([\s\S]*?(?=\ndef )/.exec(python)?.[0];
  if (!body) throw new Error("azure-cli utils.py: no get_sku_tier");
  const out: PlanSku[] = [];
  for (const m of body.matchAll(/if name in \[([^\]]*)\]:\s*return '([A-Za-z0-9]+)'/g)) {
    const tier = CLI_TIERS[m[2].toUpperCase()];
    if (!tier) continue;
    for (const quoted of m[1].split(",")) {
      const name = quoted.trim().replace(/^['"]|['"]$/g, "");
      if (!/^[A-Z]+\d/.test(name)) continue;
      out.push({ name: name.replace(/MV(\d)$/, "mv$1").replace(/V(\d)$/, "v$1"), tier });
    }
  }
  if (!out.length) throw new Error("azure-cli utils.py: no SKUs found");
  return out;
}

/** The All tab's rows: the programmatic name (last column); coming-soon regions left out, restricted ones flagged. */
export function parseRegions(markdown: string): Region[] {
  const all = /#### \[All\][^\n]*\n([\s\S]*?)(?=\n#### |$)/.exec(markdown)?.[1];
  if (!all) throw new Error("regions page: no All tab");
  const out: Region[] = [];
  for (const line of all.split("\n")) {
    const row = cells(line);
    const name = row[row.length - 1];
    if (!line.startsWith("|") || !/^[a-z0-9]+$/.test(name ?? "")) continue;
    if (/icon-region-coming-soon/.test(row[0])) continue;
    out.push({ name, restricted: /icon-region-restricted/.test(row[0]) });
  }
  if (!out.length) throw new Error("regions page: no regions found");
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

/** The file as committed: one value per line inside each list, so a refresh's diff reads row by row. */
export function formatOfferings(o: AzureOfferings): string {
  const text = JSON.stringify(o, null, 2).replace(/\{\n\s+("name"[^}]*?)\n\s+\}/g, (_m, body: string) => `{ ${body.replace(/\n\s+/g, " ")} }`);
  return `${text}\n`;
}

type Fetch = (url: string) => Promise<string>;

async function read(source: Source, get: Fetch): Promise<{ commit: string; text: string }> {
  const commits = JSON.parse(await get(`https://api.github.com/repos/${source.repo}/commits?path=${encodeURIComponent(source.path)}&per_page=1`));
  const commit = commits?.[0]?.sha;
  if (typeof commit !== "string") throw new Error(`${source.repo}/${source.path}: no commit found`);
  return { commit, text: await get(`https://raw.githubusercontent.com/${source.repo}/${commit}/${source.path}`) };
}

export async function refreshOfferings(get: Fetch, today: string): Promise<AzureOfferings> {
  const list = async <T>(source: Source, parse: (text: string) => T[]): Promise<OfferingList<T>> => {
    const { commit, text } = await read(source, get);
    return { title: source.title, selection: source.selection, source: `https://github.com/${source.repo}/blob/${commit}/${source.path}`, asOf: today, values: parse(text) };
  };
  return {
    about: ABOUT,
    postgresSkus: await list(SOURCES.postgresSkus, parsePostgresSkus),
    postgresVersions: await list(SOURCES.postgresVersions, parsePostgresVersions),
    postgresStorageSizesGb: await list(SOURCES.postgresStorageSizesGb, parseStorageSizes),
    appServicePlanSkus: await list(SOURCES.appServicePlanSkus, parsePlanSkus),
    regions: await list(SOURCES.regions, parseRegions),
  };
}

async function httpGet(url: string): Promise<string> {
  const res = await fetch(url, { headers: { "user-agent": "amplifier-infra refresh-azure-offerings" } });
  if (!res.ok) throw new Error(`GET ${url}: HTTP ${res.status}`);
  return res.text();
}

export async function main(argv: string[], io: Io, get: Fetch = httpGet, root = projectRoot(__dirname)): Promise<number> {
  const bad = tokenize(argv, {}).find(() => true);
  if (bad) {
    io.stderr(`refresh-azure-offerings: unknown argument ${JSON.stringify(bad.kind === "flag" ? bad.raw : bad.value)}\nusage: npm run refresh-azure-offerings\n`);
    return EXIT.usage;
  }
  let fresh: AzureOfferings;
  try {
    fresh = await refreshOfferings(get, new Date().toISOString().slice(0, 10));
  } catch (err) {
    io.stderr(`refresh-azure-offerings: ${(err as Error).message} (nothing written; this needs the internet)\n`);
    return EXIT.config;
  }
  const file = path.join(root, OFFERINGS_FILE);
  fs.writeFileSync(file, formatOfferings(fresh));
  const counts = (Object.keys(SOURCES) as (keyof typeof SOURCES)[]).map((k) => `${k} ${fresh[k].values.length}`).join(", ");
  io.stdout(`wrote ${OFFERINGS_FILE} (${counts}); review the diff before committing\n`);
  return EXIT.ok;
}
