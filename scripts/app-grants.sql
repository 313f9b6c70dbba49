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

-- Cut-over from the spec's admin URL: while the app logged in as the server admin, the tables it created at start-up
-- went to schema public, owned by the admin. The app now finds its own schema first on its search_path, so left there
-- its next start-up would create empty tables in amplifier and split the data. The first run of this file on a
-- database (schema amplifier has no marker comment yet) moves everything the app may have created in public (tables,
-- partitions, views, materialized views, sequences of their own, enum, domain and composite types; not what an
-- extension owns) into amplifier and gives it to amplifier_owner; the grants below then cover it. A table moves with
-- its rows, indexes, constraints, triggers and the sequences its columns own (PostgreSQL 15 docs, "ALTER TABLE": SET
-- SCHEMA "associated indexes, constraints, and sequences owned by table columns are moved as well"); triggers keep
-- calling public.update_updated_at_column. An empty amplifier table of the same name (an app start-up on the new
-- schema before this ran) is dropped in favour of public's; a non-empty one stops the run: the data must be merged by
-- hand. Later runs leave public alone (a table an administrator adds there stays there). Same transaction as the
-- grants: all of it or nothing.
DO $$
DECLARE
  marker constant text := 'amplifier: the app''s schema; tables the app created in public before it moved here';
  obj record;
  rows_there bigint;
BEGIN
  IF obj_description('amplifier'::regnamespace, 'pg_namespace') IS NOT DISTINCT FROM marker THEN
    RETURN;
  END IF;
  FOR obj IN
    SELECT c.relname AS name, c.relkind AS kind, pg_get_userbyid(c.relowner) AS owner,
           CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'S' THEN 'SEQUENCE' ELSE 'TABLE' END AS command
      FROM pg_class c
     WHERE c.relnamespace = 'public'::regnamespace
       AND c.relkind IN ('r', 'p', 'v', 'm', 'S')
       -- not an extension's (pg_depend deptype e), not a sequence a column owns (it moves with its table)
       AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                         AND (d.deptype = 'e' OR (c.relkind = 'S' AND d.deptype IN ('a', 'i'))))
     ORDER BY c.relkind = 'S', c.relname
  LOOP
    IF NOT pg_has_role(current_user, obj.owner, 'USAGE') THEN
      RAISE EXCEPTION 'public.% is owned by %, which % cannot act as; move it to schema amplifier as %, then run this again', obj.name, obj.owner, current_user, obj.owner;
    END IF;
    IF to_regclass(format('amplifier.%I', obj.name)) IS NOT NULL THEN
      EXECUTE format('SELECT count(*) FROM (SELECT FROM amplifier.%I LIMIT 1) AS any_row', obj.name) INTO rows_there;
      IF rows_there > 0 OR obj.kind NOT IN ('r', 'p') THEN
        RAISE EXCEPTION 'both public.% and amplifier.% exist and amplifier.% is not an empty table: merge them by hand (docs/database-access.md, "Cut-over from the admin URL")', obj.name, obj.name, obj.name;
      END IF;
      RAISE NOTICE 'amplifier.% is empty: replaced by public.% and its rows', obj.name, obj.name;
      -- RESTRICT: a view or a foreign key of another table on it stops the run instead of going with it.
      EXECUTE format('DROP TABLE amplifier.%I RESTRICT', obj.name);
    END IF;
    EXECUTE format('ALTER %s public.%I SET SCHEMA amplifier', obj.command, obj.name);
    EXECUTE format('ALTER %s amplifier.%I OWNER TO amplifier_owner', obj.command, obj.name);
    RAISE NOTICE 'moved public.% (%) to schema amplifier, owned by amplifier_owner', obj.name, lower(obj.command);
  END LOOP;
  FOR obj IN
    SELECT t.typname AS name, pg_get_userbyid(t.typowner) AS owner, CASE t.typtype WHEN 'd' THEN 'DOMAIN' ELSE 'TYPE' END AS command
      FROM pg_type t
     WHERE t.typnamespace = 'public'::regnamespace
       AND (t.typtype IN ('e', 'd') OR (t.typtype = 'c' AND (SELECT relkind FROM pg_class WHERE oid = t.typrelid) = 'c'))
       AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_type'::regclass AND d.objid = t.oid AND d.deptype = 'e')
  LOOP
    IF NOT pg_has_role(current_user, obj.owner, 'USAGE') THEN
      RAISE EXCEPTION 'type public.% is owned by %, which % cannot act as', obj.name, obj.owner, current_user;
    END IF;
    IF to_regtype(format('amplifier.%I', obj.name)) IS NOT NULL THEN
      RAISE EXCEPTION 'both public.% and amplifier.% exist: merge them by hand', obj.name, obj.name;
    END IF;
    EXECUTE format('ALTER %s public.%I SET SCHEMA amplifier', obj.command, obj.name);
    EXECUTE format('ALTER %s amplifier.%I OWNER TO amplifier_owner', obj.command, obj.name);
    RAISE NOTICE 'moved type public.% to schema amplifier, owned by amplifier_owner', obj.name;
  END LOOP;
  EXECUTE format('COMMENT ON SCHEMA amplifier IS %L', marker);
END
$$;

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
