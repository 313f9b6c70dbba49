/**
 * README's environments table, generated from the stack files through the same config parser the program uses.
 * `npm run docs` (tools/docs.ts) rewrites README between the markers; test/readme.test.ts fails when README is out of
 * date.
 */
import { ENVIRONMENTS, StackConfig } from "../config/schema";
import { parseAllStackFiles, PROJECT_DIR } from "../config/stack-files";

/** Every stack file, validated and checked for names two stacks would own, in environment order. */
export function loadAllStackConfigs(dir = PROJECT_DIR): StackConfig[] {
  return parseAllStackFiles(dir).sort((a, b) => ENVIRONMENTS.indexOf(a.environment) - ENVIRONMENTS.indexOf(b.environment) || a.stack.localeCompare(b.stack));
}

function rows(cfg: StackConfig): Record<string, string> {
  if (cfg.platform === "docker") {
    const d = cfg.docker;
    return {
      ENVIRONMENT: cfg.environment,
      "Database location": `Local Docker (\`${d.image}\`)`,
      "Server / container": `\`${d.containerName}\``,
      Database: `\`${d.database}\``,
      "Tier / SKU": "n/a",
      Storage: `volume \`${d.volumeName}\``,
      "High availability": "No",
      "Backup retention": "No backups",
      TLS: "No (localhost only)",
      "Public access": `127.0.0.1:${d.hostPort} only`,
      "Web app": "n/a (optional local API container)",
      "Key Vault": "n/a (settings in env vars)",
      Network: "n/a",
      Monitoring: "n/a",
      "Protected (`protect`)": cfg.protect ? "Yes" : "No",
      "Deletion locks": "n/a",
    };
  }
  const pg = cfg.postgres;
  const web = cfg.appService;
  const kv = cfg.keyVault;
  const access =
    pg.publicNetworkAccess === "Disabled"
      ? cfg.network
        ? "None (private endpoint)"
        : "None (no public endpoint)"
      : [pg.allowAzureServices ? "Azure services" : "", pg.firewallRules.length ? `${pg.firewallRules.length} CI/developer address rule(s)` : ""]
          .filter(Boolean)
          .join(" + ") || "Public endpoint, no firewall rules";
  return {
    ENVIRONMENT: cfg.environment,
    "Database location": `Azure PostgreSQL ${pg.version} (${cfg.azure.location}, \`${cfg.azure.resourceGroupName}\`)`,
    "Server / container": `\`${pg.serverName}\``,
    Database: `\`${pg.databaseName}\``,
    "Tier / SKU": `${pg.skuTier} ${pg.skuName.replace("Standard_", "")}`,
    Storage: `${pg.storageSizeGb} GiB`,
    "High availability": pg.highAvailability === "Disabled" ? "No" : pg.highAvailability,
    "Backup retention": `${pg.backupRetentionDays} days${pg.geoRedundantBackup ? ", geo-redundant" : ""}`,
    TLS: `Required (min ${pg.minTlsVersion})`,
    "Public access": access,
    "Web app": `\`${web.name}\` (Linux ${web.planSku} × ${web.capacity}${web.zoneRedundant ? ", zone-redundant" : ""})`,
    "Key Vault": `\`${kv.name}\` (purge protection ${kv.purgeProtection ? "on" : "off"}, ${kv.publicNetworkAccess === "Disabled" ? "private" : "public endpoint"})`,
    Network: cfg.network
      ? `VNet ${cfg.network.addressSpace}; private endpoints for database, vault, sessions share`
      : "Public endpoints (vault and storage: Azure RBAC / account key)",
    Monitoring: `Alerts to ${cfg.monitoring.alertEmails.length} address(es); logs kept ${cfg.monitoring.logRetentionDays} days`,
    "Protected (`protect`)": cfg.protect ? "Yes" : "No",
    "Deletion locks": cfg.locks ? "CanNotDelete on server and vault" : "No",
  };
}

/** A Markdown table, one column per stack, one row per setting. */
export function renderEnvironmentsTable(configs: StackConfig[]): string {
  const columns = configs.map(rows);
  const settings = Object.keys(columns[0] ?? {});
  const lines = [
    `| Setting | ${configs.map((c) => `\`${c.stack}\``).join(" | ")} |`,
    `|---|${configs.map(() => "---").join("|")}|`,
    ...settings.map((s) => `| ${s} | ${columns.map((c) => c[s] ?? "").join(" | ")} |`),
  ];
  return lines.join("\n");
}

/** `text` (the Markdown file `file`) with `body` between `<!-- <name>:start ... -->` and `<!-- <name>:end -->`. */
export function withSection(text: string, name: string, body: string, file = "README.md"): string {
  const start = new RegExp(`<!-- ${name}:start[^>]*-->`).exec(text);
  const end = text.indexOf(`<!-- ${name}:end -->`);
  if (!start || end < start.index) throw new Error(`${file} lacks the ${name}:start/end markers`);
  const head = text.slice(0, start.index + start[0].length);
  return `${head}\n${body}\n${text.slice(end)}`;
}
