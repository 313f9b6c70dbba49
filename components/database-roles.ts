/**
 * The app's PostgreSQL roles, shared by dev and Azure. The grants live in one SQL file (scripts/app-grants.sql) run
 * unchanged everywhere; only the creation of the app's login role differs per platform, and that is here.
 */

/** The app's login role (dev: a password; Azure: mapped to the app's user-assigned identity). */
export const APP_ROLE = "amplifier_app";
/** NOLOGIN role that owns the app's schema and its tables. */
export const OWNER_ROLE = "amplifier_owner";
/** The app's schema (PostgreSQL 15 lets no ordinary role create in `public`). */
export const APP_SCHEMA = "amplifier";
/** The grants, relative to the project. */
export const GRANTS_SQL_PATH = "scripts/app-grants.sql";

/** A SQL string literal. */
export const sqlLiteral = (s: string) => `'${s.replace(/'/g, "''")}'`;

/** dev: the app's login role with a password (created once; the password follows config on every run). */
export function devAppRoleSql(password: string): string {
  return [
    "DO $$",
    "BEGIN",
    `  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = ${sqlLiteral(APP_ROLE)}) THEN`,
    `    CREATE ROLE ${APP_ROLE} LOGIN;`,
    "  END IF;",
    "END",
    "$$;",
    `ALTER ROLE ${APP_ROLE} LOGIN PASSWORD ${sqlLiteral(password)};`,
    "",
  ].join("\n");
}

/**
 * Azure, run in database `postgres` by a Microsoft Entra administrator: the app's role mapped to its managed
 * identity's object id (pgaadauth_create_principal_with_oid(roleName, objectId, objectType, isAdmin, isMfa), type
 * `service` for a managed identity, not an admin; an existing role whose label names another object id, after the
 * identity was recreated, is re-pointed with the documented SECURITY LABEL form; Microsoft Learn, "Manage Microsoft
 * Entra roles in Azure Database for PostgreSQL"). Then the administrator joins the roles it must act as
 * (ownerMembershipSql).
 */
export function azureAppRoleSql(objectId: string, database: string, adminLogin: string): string {
  if (!/^[0-9a-f-]{36}$/i.test(objectId)) throw new Error(`not an Entra object id: ${JSON.stringify(objectId)}`);
  const label = `aadauth,oid=${objectId},type=service`;
  return [
    "DO $$",
    "DECLARE current_label text;",
    "BEGIN",
    `  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = ${sqlLiteral(APP_ROLE)}) THEN`,
    `    PERFORM pgaadauth_create_principal_with_oid(${sqlLiteral(APP_ROLE)}, ${sqlLiteral(objectId)}, 'service', false, false);`,
    "  ELSE",
    "    SELECT s.label INTO current_label FROM pg_shseclabel s JOIN pg_roles r ON r.oid = s.objoid",
    `      WHERE r.rolname = ${sqlLiteral(APP_ROLE)} AND s.provider = 'pgaadauth';`,
    `    IF current_label IS DISTINCT FROM ${sqlLiteral(label)} THEN`,
    `      EXECUTE ${sqlLiteral(`SECURITY LABEL FOR "pgaadauth" ON ROLE ${APP_ROLE} IS ${sqlLiteral(label)}`)};`,
    "    END IF;",
    "  END IF;",
    "END",
    "$$;",
    ownerMembershipSql(database, adminLogin),
  ].join("\n");
}

/**
 * The administrator running the grants joins (1) the owner of the app's database, whoever that is, since only the
 * owner may grant CONNECT on it and create the app's schema there, and (2) the server's admin login, which owns the
 * tables the app created while it logged in as the admin (the cut-over moves them). Microsoft does not document
 * which role owns a database created through ARM (the admin login, or azure_pg_admin as some emulations model it),
 * so the owner is read from pg_database rather than assumed. Azure's administrators are not superusers; PostgreSQL
 * 15's CREATEROLE may grant any non-superuser role (PostgreSQL 15 docs, "CREATE ROLE"). A role it already belongs to
 * is left alone (no grant that needs ADMIN OPTION). The cut-over test runs it with both owners on PostgreSQL 15.
 */
export function ownerMembershipSql(database: string, adminLogin: string): string {
  return [
    "DO $$",
    "DECLARE r text;",
    "BEGIN",
    `  FOR r IN SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = ${sqlLiteral(database)} UNION SELECT rolname FROM pg_roles WHERE rolname = ${sqlLiteral(adminLogin)} LOOP`,
    "    IF NOT pg_has_role(current_user, r, 'MEMBER') THEN",
    "      EXECUTE format('GRANT %I TO CURRENT_USER', r);",
    "    END IF;",
    "  END LOOP;",
    `  IF NOT EXISTS (SELECT FROM pg_database WHERE datname = ${sqlLiteral(database)}) THEN`,
    `    RAISE EXCEPTION 'database % does not exist', ${sqlLiteral(database)};`,
    "  END IF;",
    "END",
    "$$;",
    "",
  ].join("\n");
}
