/**
 * One stack's column of the spec's "Environment Comparison Table", derived from what the program registered
 * (never from the stack's name), so a new stack such as staging gets a correct column with no code change.
 */
import type { RegisteredResource, RunResult } from "../mock-runtime";
import { formatTotal, PRICES, type CostTotal } from "./cost";

/** Row labels, in the order the table prints them (the spec's aspects first). */
export const FACT_ROWS = [
  "Database location",
  "Server",
  "Database",
  "Tier",
  "PostgreSQL version",
  "Storage",
  "High availability",
  "Backup retention",
  "SSL",
  "Public access",
  "Connection string",
  "Key Vault",
  "App Service plan",
  "Protected",
  "Estimated cost",
] as const;
export type FactRow = (typeof FACT_ROWS)[number];

const NONE = "none";

function ofType(rs: RegisteredResource[], type: string): RegisteredResource[] {
  return rs.filter((r) => r.type === type);
}

/**
 * `raw` is the unmasked run: it is read only to decide whether a Key Vault secret holds the DATABASE_URL value,
 * and only names come out of it. Everything else reads the masked run.
 */
export function environmentFacts(raw: RunResult, masked: RunResult, total: CostTotal): Record<FactRow, string> {
  const rs = masked.resources;
  const container = ofType(rs, "docker:index/container:Container").find((c) => (c.inputs.envs ?? []).some((e: string) => e.startsWith("POSTGRES_DB=")));
  const server = ofType(rs, "azure-native:dbforpostgresql:Server")[0];
  const facts = {} as Record<FactRow, string>;
  const protectedNames = rs.filter((r) => r.options.protect).map((r) => r.name);

  if (container) {
    const env = (name: string) => (container.inputs.envs as string[]).find((e) => e.startsWith(`${name}=`))?.split("=")[1];
    const image = ofType(rs, "docker:index/remoteImage:RemoteImage")[0]?.inputs.name ?? String(container.inputs.image);
    const ports = (container.inputs.ports ?? []) as Array<{ ip?: string; external: number }>;
    const localOnly = ports.length > 0 && ports.every((p) => p.ip === "127.0.0.1" || p.ip === "localhost");
    Object.assign(facts, {
      "Database location": "Local Docker",
      Server: `container ${container.inputs.name}`,
      Database: env("POSTGRES_DB") ?? NONE,
      Tier: image,
      "PostgreSQL version": /:(\d+)/.exec(image)?.[1] ?? "image default",
      Storage: `Docker volume ${(container.inputs.volumes ?? []).map((v: any) => v.volumeName).filter(Boolean).join(", ") || NONE}`,
      "High availability": "No",
      "Backup retention": "No backups",
      SSL: "No",
      "Public access": localOnly ? `localhost only (127.0.0.1:${ports.map((p) => p.external).join(",")})` : `host ports ${ports.map((p) => `${p.ip ?? "0.0.0.0"}:${p.external}`).join(", ")}`,
    });
  } else if (server) {
    const i = server.inputs;
    const params = Object.fromEntries(
      ofType(rs, "azure-native:dbforpostgresql:Configuration").map((c) => [c.inputs.configurationName, String(c.inputs.value)]),
    );
    const spec = PRICES.prices[`postgres.compute.${i.sku?.name}`];
    const rules = ofType(rs, "azure-native:dbforpostgresql:FirewallRule").map((r) =>
      r.inputs.startIpAddress === "0.0.0.0" && r.inputs.endIpAddress === "0.0.0.0" ? "Azure services" : `${r.inputs.firewallRuleName} (${r.inputs.startIpAddress}-${r.inputs.endIpAddress})`,
    );
    const endpoints = ofType(rs, "azure-native:network:PrivateEndpoint").filter((pe) =>
      JSON.stringify(pe.inputs).includes(String(server.state.id ?? "\u0000")),
    );
    const publicAccess =
      i.network?.publicNetworkAccess === "Enabled"
        ? `public, firewall: ${rules.join(", ") || "no rules"}`
        : endpoints.length
          ? "Private endpoint only"
          : "none (public access disabled, no private endpoint)";
    Object.assign(facts, {
      "Database location": `Azure PostgreSQL Flexible Server (${i.location})`,
      Server: i.serverName,
      Database: ofType(rs, "azure-native:dbforpostgresql:Database").map((d) => d.inputs.databaseName).join(", ") || NONE,
      Tier: `${i.sku?.name} (${i.sku?.tier}${spec?.vCores ? `, ${spec.vCores} vCore${spec.vCores > 1 ? "s" : ""}, ${spec.memoryGiB} GiB` : ""})`,
      "PostgreSQL version": String(i.version),
      Storage: `${i.storage?.storageSizeGB} GiB`,
      "High availability": !i.highAvailability?.mode || i.highAvailability.mode === "Disabled" ? "No" : i.highAvailability.mode,
      "Backup retention": `${i.backup?.backupRetentionDays} days${i.backup?.geoRedundantBackup === "Enabled" ? ", geo-redundant" : ""}`,
      SSL: params.require_secure_transport === "on" ? `Required (min ${params.ssl_min_protocol_version ?? "default"})` : "Not enforced",
      "Public access": publicAccess,
    });
  } else {
    for (const row of FACT_ROWS.slice(0, 10)) facts[row] = NONE;
  }

  // Where the app gets its connection string: a Key Vault secret holding the DATABASE_URL value, else the output.
  const url = raw.outputs.DATABASE_URL;
  const rawSecrets = ofType(raw.resources, "azure-native:keyvault:Secret");
  const inVault = rawSecrets.filter((s) => url !== undefined && s.inputs.properties?.value === url).map((s) => s.inputs.secretName ?? s.name);
  facts["Connection string"] = inVault.length
    ? `Key Vault secret ${inVault.join(", ")}`
    : url !== undefined
      ? `stack output DATABASE_URL${raw.secretOutputs.includes("DATABASE_URL") ? " (secret)" : ""}`
      : NONE;
  facts["Key Vault"] = ofType(rs, "azure-native:keyvault:Vault").map((v) => v.inputs.vaultName ?? v.name).join(", ") || NONE;
  facts["App Service plan"] =
    ofType(rs, "azure-native:web:AppServicePlan").map((p) => `${p.inputs.sku?.name ?? "?"} x${p.inputs.sku?.capacity ?? 1}`).join(", ") || NONE;
  facts.Protected = protectedNames.join(", ") || NONE;
  facts["Estimated cost"] = formatTotal(total);
  return facts;
}
