/**
 * The PostgreSQL extensions the app's database needs, from one source: the `CREATE EXTENSION` statements of the
 * init SQL the dev container runs (`scripts/init-dev-db.sql`). Azure Database for PostgreSQL refuses `CREATE
 * EXTENSION` for anything missing from the `azure.extensions` server parameter (Azure/azure-postgresql#124;
 * https://learn.microsoft.com/en-us/azure/postgresql/extensions/how-to-allow-extensions), so the Azure servers
 * allow-list exactly this list and dev and Azure cannot drift apart.
 */
import * as fs from "fs";
import { AZURE_EXTENSIONS, INIT_SQL_PATH } from "./database";
import { insideProject } from "./paths";
import { ConfigError } from "./schema";

const CREATE_EXTENSION = /\bCREATE\s+EXTENSION\s+(?:IF\s+NOT\s+EXISTS\s+)?(?:"([^"]+)"|([A-Za-z_][A-Za-z0-9_$]*))/gi;

/** Extension names created by `sql` (comments ignored), lower case, sorted, without duplicates. */
export function extensionsIn(sql: string): string[] {
  const code = sql.replace(/\/\*[\s\S]*?\*\//g, " ").replace(/--[^\n]*/g, " ");
  return [...new Set([...code.matchAll(CREATE_EXTENSION)].map((m) => (m[1] ?? m[2]).toLowerCase()))].sort();
}

/** The `azure.extensions` server parameter for `names`. */
export function extensionsParameter(names: string[]): Record<string, string> {
  return names.length ? { [AZURE_EXTENSIONS]: azureExtensionsValue(names) } : {};
}

/**
 * The `azure.extensions` value: comma-separated, in the upper case of Azure's allowed-values list, the form that
 * reads back unchanged (hashicorp/terraform-provider-azurerm, TestAccFlexibleServerConfiguration_azureExtensions sets
 * and re-reads "CUBE,CITEXT,BTREE_GIST"), so a refresh finds no drift.
 */
export function azureExtensionsValue(names: string[]): string {
  return names.map((n) => n.toUpperCase()).join(",");
}

/** The extensions of the init SQL at `sqlPath` (relative to `projectDir`); a missing file is a config error. */
export function initSqlExtensions(stack: string, projectDir: string, sqlPath: string): string[] {
  // Resolved as config/load.ts checked it: inside the project, symlinks included.
  const file = insideProject(projectDir, sqlPath);
  if (typeof file === "string") {
    throw new ConfigError(stack, [
      `postgres.initSqlPath (got ${JSON.stringify(sqlPath)}): ${file}; it must name the init SQL whose CREATE EXTENSION ` +
        `statements the server allows (default ${INIT_SQL_PATH})`,
    ]);
  }
  return extensionsIn(fs.readFileSync(file.file, "utf8"));
}
