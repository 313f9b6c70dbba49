/**
 * scripts/app-grants.sql on a real PostgreSQL 15 (never a mock), run as dev runs it (the superuser) and as Azure runs
 * it (an administrator that is not a superuser, in a database another login owns): twice, then the app role works as
 * the spec's app does (tables created at start-up, DML, the trigger) and can do nothing more.
 */
import * as fs from "fs";
import * as path from "path";
import type { Client } from "pg";
import { APP_ROLE, APP_SCHEMA, devAppRoleSql, GRANTS_SQL_PATH, OWNER_ROLE } from "../components/database-roles";
import { PROJECT_DIR } from "../config/stack-files";
import { startPostgres, type TestPostgres } from "./support/postgres";

const GRANTS = fs.readFileSync(path.join(PROJECT_DIR, GRANTS_SQL_PATH), "utf8");
const INIT = fs.readFileSync(path.join(PROJECT_DIR, "scripts/init-dev-db.sql"), "utf8");

/** What the spec's app does at start-up ("auto-create") and per request, with unqualified names. */
const APP_STARTUP = `
  CREATE TABLE IF NOT EXISTS sessions (
    id uuid PRIMARY KEY DEFAULT uuid_generate_v4(),
    title text NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
  );
  CREATE TABLE IF NOT EXISTS events (id serial PRIMARY KEY, session_id uuid REFERENCES sessions (id) ON DELETE CASCADE);
  DROP TRIGGER IF EXISTS sessions_updated_at ON sessions;
  CREATE TRIGGER sessions_updated_at BEFORE UPDATE ON sessions FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
`;

/** The grants' state: role attributes and memberships, schema ACL, default privileges, table ACLs. */
async function snapshot(db: Client): Promise<unknown> {
  const q = async (sql: string) => (await db.query(sql)).rows;
  return {
    roles: await q(`SELECT rolname, rolcanlogin, rolcreaterole, rolcreatedb, rolsuper, rolconfig FROM pg_roles WHERE rolname IN ('${APP_ROLE}', '${OWNER_ROLE}') ORDER BY 1`),
    members: await q(`SELECT r.rolname AS role, m.rolname AS member FROM pg_auth_members a JOIN pg_roles r ON r.oid = a.roleid JOIN pg_roles m ON m.oid = a.member WHERE r.rolname = '${OWNER_ROLE}' ORDER BY 2`),
    schema: await q(`SELECT nspname, pg_get_userbyid(nspowner) AS owner, nspacl::text FROM pg_namespace WHERE nspname = '${APP_SCHEMA}'`),
    defaults: await q("SELECT pg_get_userbyid(defaclrole) AS role, defaclobjtype, defaclacl::text FROM pg_default_acl ORDER BY 1, 2"),
    tables: await q(`SELECT relname, relacl::text FROM pg_class WHERE relnamespace = '${APP_SCHEMA}'::regnamespace ORDER BY 1`),
    database: await q("SELECT datacl::text FROM pg_database WHERE datname = current_database()"),
  };
}

/** The SQLSTATE a statement fails with, or "ok". */
async function outcome(db: Client, sql: string): Promise<string> {
  try {
    await db.query(sql);
    return "ok";
  } catch (err) {
    return (err as { code?: string }).code ?? String(err);
  }
}

describe.each([
  { platform: "dev (the container's superuser)", azureLike: false },
  { platform: "Azure-like (a CREATEROLE administrator, not a superuser, in a database the server admin login owns)", azureLike: true },
])("scripts/app-grants.sql on PostgreSQL 15: $platform", ({ azureLike }) => {
  let server: TestPostgres;
  let admin: Client;
  let app: Client | undefined;
  const states: unknown[] = [];

  beforeAll(async () => {
    server = await startPostgres();
    const root = await server.connect();
    if (azureLike) {
      // Azure: the server admin login owns the app's database; administrators have CREATEROLE and CREATEDB only.
      await root.query("CREATE ROLE amplifier_admin LOGIN CREATEROLE CREATEDB");
      await root.query("CREATE ROLE entra_bootstrap LOGIN CREATEROLE CREATEDB");
      await root.query("CREATE DATABASE amplifier_test OWNER amplifier_admin");
      // The extension the init SQL creates is trusted; the trigger function needs nothing.
    } else {
      await root.query("CREATE DATABASE amplifier_test");
    }
    await root.end();
    admin = await server.connect("amplifier_test", azureLike ? "entra_bootstrap" : "postgres");
    // The per-platform role step (Azure: pgaadauth plus joining the owner login's role, here as PostgreSQL allows it).
    if (azureLike) await admin.query('GRANT "amplifier_admin" TO CURRENT_USER');
    await admin.query(devAppRoleSql("dev_password"));
    for (let run = 0; run < 2; run++) {
      await admin.query(INIT);
      await admin.query(GRANTS);
      states.push(await snapshot(admin));
    }
  }, 60_000);

  afterAll(async () => {
    await app?.end();
    await admin?.end();
    await server?.stop();
  });

  test("runs twice and leaves the same grants (idempotent)", () => {
    expect(states).toHaveLength(2);
    expect(states[1]).toEqual(states[0]);
    expect(states[0]).toMatchObject({
      roles: [
        { rolname: APP_ROLE, rolcanlogin: true, rolcreaterole: false, rolcreatedb: false, rolsuper: false },
        { rolname: OWNER_ROLE, rolcanlogin: false, rolcreaterole: false, rolcreatedb: false, rolsuper: false },
      ],
      schema: [{ nspname: APP_SCHEMA, owner: OWNER_ROLE }],
    });
  });

  test("the app role creates and uses its tables at start-up as the spec's app does, owned by the owner role", async () => {
    app = await server.connect("amplifier_test", APP_ROLE);
    const who = await app.query("SELECT current_user, session_user");
    expect(who.rows[0]).toEqual({ current_user: OWNER_ROLE, session_user: APP_ROLE });
    await app.query(APP_STARTUP);
    await app.query(APP_STARTUP); // the next start-up
    const tables = await app.query("SELECT schemaname, tablename, tableowner FROM pg_tables WHERE tablename IN ('sessions', 'events') ORDER BY 2");
    expect(tables.rows).toEqual([
      { schemaname: APP_SCHEMA, tablename: "events", tableowner: OWNER_ROLE },
      { schemaname: APP_SCHEMA, tablename: "sessions", tableowner: OWNER_ROLE },
    ]);
    const row = await app.query("INSERT INTO sessions (title) VALUES ('a') RETURNING id");
    await app.query("INSERT INTO events (session_id) VALUES ($1), ($1)", [row.rows[0].id]);
    await app.query("UPDATE sessions SET title = 'b' WHERE id = $1", [row.rows[0].id]);
    expect((await app.query("SELECT count(*)::int AS n FROM events")).rows[0].n).toBe(2);
    await app.query("DELETE FROM sessions");
    expect((await app.query("SELECT count(*)::int AS n FROM events")).rows[0].n).toBe(0);
  });

  test("the app role cannot create roles or databases, cannot touch another schema or public, cannot become an admin", async () => {
    await admin.query("CREATE SCHEMA IF NOT EXISTS other; CREATE TABLE IF NOT EXISTS other.secrets (v text); CREATE TABLE IF NOT EXISTS public.audit (v text)");
    const c = app ?? (app = await server.connect("amplifier_test", APP_ROLE));
    const denied = "42501"; // insufficient_privilege
    expect(await outcome(c, "CREATE ROLE intruder LOGIN")).toBe(denied);
    expect(await outcome(c, "CREATE DATABASE intruder")).toBe(denied);
    expect(await outcome(c, "SELECT * FROM other.secrets")).toBe(denied);
    expect(await outcome(c, "CREATE TABLE other.t (v text)")).toBe(denied);
    expect(await outcome(c, "CREATE TABLE public.t (v text)")).toBe(denied);
    expect(await outcome(c, "INSERT INTO public.audit VALUES ('x')")).toBe(denied);
    expect(await outcome(c, "CREATE SCHEMA intruder")).toBe(denied);
    expect(await outcome(c, `ALTER ROLE ${APP_ROLE} CREATEROLE`)).toBe(denied);
    expect(await outcome(c, `SET ROLE ${azureLike ? "amplifier_admin" : "postgres"}`)).toBe(denied);
    const memberships = await c.query(`SELECT b.rolname FROM pg_auth_members m JOIN pg_roles b ON b.oid = m.roleid WHERE m.member = '${APP_ROLE}'::regrole`);
    expect(memberships.rows.map((r) => r.rolname)).toEqual([OWNER_ROLE]);
  });

  test("the administrator still can: read the app's tables, create roles", async () => {
    const c = app ?? (app = await server.connect("amplifier_test", APP_ROLE));
    await c.query(APP_STARTUP);
    expect(await outcome(admin, `SELECT count(*) FROM ${APP_SCHEMA}.sessions`)).toBe("ok");
    expect(await outcome(admin, "CREATE ROLE break_glass_check NOLOGIN; DROP ROLE break_glass_check")).toBe("ok");
  });

  test("dropping the auto-create right (docs) keeps the app's DML through default privileges and stops its DDL", async () => {
    const c = app ?? (app = await server.connect("amplifier_test", APP_ROLE));
    await c.query(APP_STARTUP);
    await admin.query(`REVOKE ${OWNER_ROLE} FROM ${APP_ROLE}; ALTER ROLE ${APP_ROLE} RESET role`);
    try {
      const phase2 = await server.connect("amplifier_test", APP_ROLE);
      try {
        expect((await phase2.query("SELECT current_user")).rows[0].current_user).toBe(APP_ROLE);
        const row = await phase2.query("INSERT INTO sessions (title) VALUES ('c') RETURNING id");
        await phase2.query("INSERT INTO events (session_id) VALUES ($1)", [row.rows[0].id]);
        await phase2.query("UPDATE sessions SET title = 'd'");
        await phase2.query("DELETE FROM sessions");
        expect(await outcome(phase2, "CREATE TABLE sessions2 (v text)")).toBe("42501");
        expect(await outcome(phase2, "DROP TABLE sessions")).toBe("42501");
      } finally {
        await phase2.end();
      }
    } finally {
      // Back to the file's state for any later test.
      await admin.query(GRANTS);
    }
  });
});
