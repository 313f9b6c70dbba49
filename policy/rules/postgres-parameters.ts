/**
 * PostgreSQL server parameters and extensions as allowlists: a parameter the table does not name, or a value outside
 * what its entry allows, is a finding. A list of forbidden values would let every value nobody thought of through
 * (`log_min_duration_statement: 0` logs every statement with its text, `pgaudit.log: all` every query).
 * config/database.ts refuses names outside the table before anything is registered (postgres.serverParameters), and
 * config/load.ts extensions outside EXTENSIONS (the init SQL's CREATE EXTENSION statements); this rule judges what the
 * program registers, whatever code or config put it there.
 */
import { type Rule, T, when } from "../model";

export interface ParameterSpec {
  /** What a value must be, in words (the finding's fix). */
  want: string;
  /** Whether `value` is allowed; absent when a rule of its own checks the value (`checkedBy`). */
  allowed?: (value: string) => boolean;
  /** The rule that checks this parameter's value. */
  checkedBy?: string;
}

const int = (v: string) => (/^-?\d+$/.test(v.trim()) ? Number(v) : NaN);
const inRange = (min: number, max: number) => (v: string) => int(v) >= min && int(v) <= max;
/** A comma-separated list whose items (trimmed, lower case) are all in `allowed`. */
const listOf = (allowed: readonly string[]) => (v: string) => {
  const items = v.split(",").map((s) => s.trim().toLowerCase());
  return items.length > 0 && items.every((s) => allowed.includes(s));
};

/**
 * Extensions the init SQL may create, which Azure then allows (`azure.extensions`). `production: false`: refused in a
 * production stack. dblink and postgres_fdw open connections from the database server to any host the SQL names
 * (PostgreSQL docs, "dblink" and "postgres_fdw"): a way to copy data out that no network rule of the stack sees.
 */
export const EXTENSIONS: Readonly<Record<string, { production: boolean }>> = {
  "uuid-ossp": { production: true },
  pgcrypto: { production: true },
  citext: { production: true },
  pg_trgm: { production: true },
  btree_gin: { production: true },
  btree_gist: { production: true },
  hstore: { production: true },
  unaccent: { production: true },
  pg_stat_statements: { production: true },
  pgaudit: { production: true },
  vector: { production: true },
  dblink: { production: false },
  postgres_fdw: { production: false },
};

/** The items of an azure.extensions value that the table refuses in production. */
const productionRefused = (value: string) =>
  value
    .split(",")
    .map((s) => s.trim().toLowerCase())
    .filter((e) => Object.hasOwn(EXTENSIONS, e) && !EXTENSIONS[e].production);

/** pgaudit classes allowed: not ROLE (ALTER ROLE ... PASSWORD text), READ, WRITE, FUNCTION or ALL (query text and data). */
const PGAUDIT_CLASSES = ["none", "ddl", "misc", "misc_set"];

/**
 * Server parameters the program may set, with what each may be (Microsoft Learn, "Server parameters in Azure Database
 * for PostgreSQL", PostgreSQL 15 tables; PostgreSQL docs, "Error Reporting and Logging").
 */
export const SERVER_PARAMETERS: Readonly<Record<string, ParameterSpec>> = {
  require_secure_transport: { want: "on", checkedBy: "postgres-require-secure-transport" },
  ssl_min_protocol_version: { want: "TLSv1.2 or TLSv1.3", checkedBy: "postgres-tls-minimum-1-2" },
  log_connections: { want: "on", checkedBy: "postgres-log-connections" },
  log_disconnections: { want: "on", checkedBy: "postgres-log-disconnections" },
  log_checkpoints: { want: "on", checkedBy: "postgres-log-checkpoints" },
  "connection_throttle.enable": { want: "on", checkedBy: "postgres-connection-throttling" },
  password_encryption: { want: "scram-sha-256", checkedBy: "postgres-password-encryption-scram" },
  log_statement: { want: "none", checkedBy: "postgres-log-statement-none" },
  "azure.extensions": {
    want: `a comma-separated list of ${Object.keys(EXTENSIONS).join(", ")} (upper or lower case)`,
    allowed: listOf(Object.keys(EXTENSIONS)),
  },
  // md5 hashes are crackable and replayable; Azure accepts "md5", "SCRAM-SHA-256" or both (Microsoft Learn, "SCRAM
  // authentication in Azure Database for PostgreSQL flexible server").
  "azure.accepted_password_auth_method": { want: "SCRAM-SHA-256", allowed: (v) => v.trim().toLowerCase() === "scram-sha-256" },
  // 0 logs every statement with its text and duration, as log_statement all does: -1 (off) or a slow-query floor.
  log_min_duration_statement: { want: "-1 (off) or 1000-3600000 (ms)", allowed: (v) => int(v) === -1 || inRange(1000, 3_600_000)(v) },
  // Without a time and a process or session the server log cannot be read as an audit trail (Azure's default %t-%c-).
  log_line_prefix: {
    want: "1-128 printable characters with a time (%t, %m or %n) and a process or session (%p or %c)",
    allowed: (v) => v.length <= 128 && /^[\x20-\x7e]+$/.test(v) && /%[tmn]/.test(v) && /%[pc]/.test(v),
  },
  // Azure keeps server log files 1-7 days; CIS Microsoft Azure Foundations 5.2.4 wants more than 3.
  "logfiles.retention_days": { want: "4-7 (days)", allowed: inRange(4, 7) },
  "pgaudit.log": { want: `none, or a list of ${PGAUDIT_CLASSES.slice(1).join(", ")}`, allowed: listOf(PGAUDIT_CLASSES) },
  shared_preload_libraries: { want: "a list of pg_stat_statements, pgaudit", allowed: listOf(["pg_stat_statements", "pgaudit"]) },
  statement_timeout: { want: "0-86400000 (ms)", allowed: inRange(0, 86_400_000) },
  idle_in_transaction_session_timeout: { want: "0-86400000 (ms)", allowed: inRange(0, 86_400_000) },
};

export const postgresParameterRules: Rule[] = [
  {
    name: "postgres-parameters-allowlisted",
    description:
      "Every server parameter the stack sets is on the program's allowlist with a value it allows (log durations, prefixes, retention, pgaudit classes, preload libraries, password methods, extensions), and a production stack allows no extension the table keeps out of production (dblink, postgres_fdw).",
    source: ["MCSB LT-3 (no sensitive data in logs)", "MCSB IM-6", "CIS Microsoft Azure Foundations 5.2.4 (logfiles.retention_days > 3)", "AzPol DINE FlexibleServers_LogLinePrefix"],
    severity: "critical",
    resourceTypes: [T.configuration],
    scope: "resource",
    readsStackFacts: true,
    check: (props, ctx) => {
      const name = props.configurationName ?? props.name;
      const spec = typeof name === "string" && Object.hasOwn(SERVER_PARAMETERS, name) ? SERVER_PARAMETERS[name] : undefined;
      if (!spec) {
        return when(true, "sets a server parameter the program does not allow", name, `remove it (postgres.serverParameters); allowed: ${Object.keys(SERVER_PARAMETERS).join(", ")}`);
      }
      const value = props.value;
      if (spec.allowed !== undefined && !(typeof value === "string" && spec.allowed(value))) {
        return when(true, `sets ${name} to a value its allowlist does not have`, value, `set ${name} to ${spec.want}`);
      }
      // In production, only the extensions the table allows there (the stack's production-ness: model.ts StackFacts).
      const notInProduction = name === "azure.extensions" && ctx.stack.production ? productionRefused(String(value)) : [];
      return when(
        notInProduction.length > 0,
        `allows extension(s) ${notInProduction.join(", ")} in a production stack`,
        value,
        `remove ${notInProduction.join(", ")} from the init SQL (postgres.initSqlPath): allowed in production: ${Object.keys(EXTENSIONS).filter((e) => EXTENSIONS[e].production).join(", ")}`,
      );
    },
  },
];
