-- The app's database privileges: one file, run unchanged in dev (the container's init scripts), in the tests' real
-- PostgreSQL 15 and on Azure (the bootstrap run, as the server's Entra administrator). Idempotent: every run leaves
-- the same grants. Run it in the app's database, after the login role amplifier_app exists: creating that role is
-- the one step that differs per platform (Azure: pgaadauth_create_principal_with_oid, mapping it to the app's
-- managed identity; dev: CREATE ROLE ... LOGIN PASSWORD), the grants below do not.
--
--   amplifier_owner  NOLOGIN; owns schema amplifier and everything in it.
--   amplifier_app    the app's login: CONNECT, USAGE on the schema, DML on its tables and sequences through default
--                    privileges. No CREATEROLE, no CREATEDB, no azure_pg_admin, nothing in another schema.
--
-- PostgreSQL 15 no longer grants CREATE on schema public to every role (PostgreSQL 15 release notes, "Remove
-- PUBLIC creation permission on the public schema"), so the app gets a schema of its own and finds it first on
-- its search_path; public stays on the path for the extensions' functions (uuid_generate_v4) and the spec's
-- trigger function.

DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'amplifier_app') THEN
    RAISE EXCEPTION 'role amplifier_app does not exist: create the login role first (Azure: pgaadauth_create_principal_with_oid; dev: CREATE ROLE amplifier_app LOGIN)';
  END IF;
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'amplifier_owner') THEN
    CREATE ROLE amplifier_owner NOLOGIN;
  END IF;
END
$$;

-- Neither role may create roles or databases (a role that has them loses them here on the next run).
ALTER ROLE amplifier_owner NOLOGIN NOCREATEDB NOCREATEROLE;
ALTER ROLE amplifier_app NOCREATEDB NOCREATEROLE;

-- PostgreSQL 15: a non-superuser needs membership in a role to create a schema it owns or to set default
-- privileges for it (Azure's administrators are not superusers). Harmless for a superuser (dev).
GRANT amplifier_owner TO CURRENT_USER;

CREATE SCHEMA IF NOT EXISTS amplifier AUTHORIZATION amplifier_owner;
ALTER SCHEMA amplifier OWNER TO amplifier_owner;
REVOKE ALL ON SCHEMA amplifier FROM PUBLIC;
GRANT USAGE ON SCHEMA amplifier TO amplifier_app;

-- The database's name differs per stack; the file does not.
DO $$
BEGIN
  EXECUTE format('GRANT CONNECT, TEMPORARY ON DATABASE %I TO amplifier_app', current_database());
END
$$;

-- Tables and sequences the owner creates from now on, and those it already has.
ALTER DEFAULT PRIVILEGES FOR ROLE amplifier_owner IN SCHEMA amplifier GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO amplifier_app;
ALTER DEFAULT PRIVILEGES FOR ROLE amplifier_owner IN SCHEMA amplifier GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO amplifier_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA amplifier TO amplifier_app;
GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA amplifier TO amplifier_app;

-- Unqualified names (the app's CREATE TABLE, its queries) resolve in the app's schema first.
ALTER ROLE amplifier_app SET search_path = amplifier, public;

-- Auto-create phase (the spec's "Application creates tables if they don't exist on first connection"): the app
-- acts as the owner role, so the tables it creates at start-up belong to amplifier_owner, in schema amplifier only
-- (the owner role can create nowhere else). Once migrations run separately (as amplifier_owner), replace these two
-- statements with
--   REVOKE amplifier_owner FROM amplifier_app;
--   ALTER ROLE amplifier_app RESET role;
-- and the app keeps exactly the DML above (docs/database-access.md, "Drop the auto-create right").
GRANT amplifier_owner TO amplifier_app;
ALTER ROLE amplifier_app SET role = 'amplifier_owner';
