/**
 * README's environments table, generated from the stack files through the same config parser the program uses.
 * `npm run docs` rewrites README between the markers; test/readme.test.ts fails when README is out of date.
 */
import * as fs from "fs";
import * as path from "path";
import { ConfigError } from "../config/errors";
import { ENVIRONMENTS, StackConfig } from "../config/schema";
import { parseAllStackFiles, PROJECT_DIR } from "../config/stack-files";
import { EXIT, type Io } from "./cli";

const START = /<!-- environments:start[^>]*-->/;
const END = "<!-- environments:end -->";

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

/** README with the generated table between the markers. */
export function withEnvironmentsTable(readme: string, table: string): string {
  const start = START.exec(readme);
  const end = readme.indexOf(END);
  if (!start || end < start.index) throw new Error("README.md lacks the environments:start/end markers");
  const head = readme.slice(0, start.index + start[0].length);
  return `${head}\n${table}\n${readme.slice(end)}`;
}

/** `npm run docs`: prints the table, or with `--write` puts it into README. `dir`: the project (tests pass a copy). */
export function main(argv: string[], io: Io, dir = PROJECT_DIR): number {
  const unknown = argv.filter((a) => a !== "--write");
  if (unknown.length) {
    io.stderr(`docs: unexpected argument ${JSON.stringify(unknown[0])}\nusage: npm run docs (writes README) | node dist/scripts/docs.js [--write]\n`);
    return EXIT.usage;
  }
  const readmePath = path.join(dir, "README.md");
  let table: string;
  try {
    table = renderEnvironmentsTable(loadAllStackConfigs(dir));
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    io.stderr(`docs: ${err.message}\n`);
    return EXIT.config;
  }
  if (argv.includes("--write")) {
    fs.writeFileSync(readmePath, withEnvironmentsTable(fs.readFileSync(readmePath, "utf8"), table));
    io.stdout(`updated ${path.relative(process.cwd(), readmePath) || readmePath}\n`);
  } else {
    io.stdout(`${table}\n`);
  }
  return EXIT.ok;
}
