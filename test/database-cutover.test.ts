/**
 * The cut-over from the spec's admin URL on a real PostgreSQL 15: a database where the app, logged in as the server
 * admin, created its tables in `public` (rows, a serial and an identity sequence, indexes, a foreign key, an enum, the
 * spec's updated_at trigger). The bootstrap's steps as Azure runs them (the role step's membership, the init SQL, the
 * grants) move everything into schema `amplifier`, owned by `amplifier_owner`, in one transaction; run twice; the
 * app's next start-up (CREATE TABLE IF NOT EXISTS, unqualified names) then finds its data, not empty tables.
 */
import * as fs from "fs";
import * as path from "path";
import type { Client } from "pg";
import { APP_ROLE, APP_SCHEMA, devAppRoleSql, GRANTS_SQL_PATH, OWNER_ROLE, ownerMembershipSql } from "../components/database-roles";
import { PROJECT_DIR } from "../config/stack-files";
import { startPostgres, type TestPostgres } from "./support/postgres";

const GRANTS = fs.readFileSync(path.join(PROJECT_DIR, GRANTS_SQL_PATH), "utf8");
const INIT = fs.readFileSync(path.join(PROJECT_DIR, "scripts/init-dev-db.sql"), "utf8");

/** The app's start-up, as the spec's app runs it (unqualified names, IF NOT EXISTS), before and after the cut-over. */
const APP_STARTUP = `
  DO $$ BEGIN CREATE TYPE session_state AS ENUM ('open', 'closed'); EXCEPTION WHEN duplicate_object THEN NULL; END $$;
  CREATE TABLE IF NOT EXISTS sessions (
    id uuid PRIMARY KEY DEFAULT uuid_generate_v4(),
    title text NOT NULL,
    state session_state NOT NULL DEFAULT 'open',
    updated_at timestamptz NOT NULL DEFAULT now()
  );
  CREATE INDEX IF NOT EXISTS sessions_title ON sessions (title);
  CREATE TABLE IF NOT EXISTS events (id serial PRIMARY KEY, session_id uuid REFERENCES sessions (id) ON DELETE CASCADE);
  CREATE TABLE IF NOT EXISTS audit_log (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, note text);
  DROP TRIGGER IF EXISTS sessions_updated_at ON sessions;
  CREATE TRIGGER sessions_updated_at BEFORE UPDATE ON sessions FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
`;

async function rows(db: Client, sql: string, params: unknown[] = []) {
  return (await db.query(sql, params)).rows;
}

/** What the app's objects look like: where they live, who owns them, their rows. */
async function layout(db: Client) {
  return {
    relations: await rows(
      db,
      `SELECT n.nspname AS schema, c.relname AS name, c.relkind AS kind, pg_get_userbyid(c.relowner) AS owner
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname IN ('public', '${APP_SCHEMA}') AND c.relkind IN ('r', 'S', 'i') ORDER BY 1, 2`,
    ),
    types: await rows(db, `SELECT typnamespace::regnamespace::text AS schema, typname AS name, pg_get_userbyid(typowner) AS owner FROM pg_type WHERE typname = 'session_state'`),
    triggers: await rows(db, `SELECT tgrelid::regclass::text AS on_table, tgname AS name, tgfoid::regproc::text AS calls FROM pg_trigger WHERE NOT tgisinternal ORDER BY 2`),
    data: {
      sessions: await rows(db, `SELECT title, state FROM ${APP_SCHEMA}.sessions ORDER BY title`).catch(() => "none"),
      events: await rows(db, `SELECT count(*)::int AS n FROM ${APP_SCHEMA}.events`).catch(() => "none"),
    },
  };
}

describe("cut-over on PostgreSQL 15: the app's tables move from public into its schema with their data", () => {
  let server: TestPostgres;
  let root: Client;

  beforeAll(async () => {
    server = await startPostgres();
    root = await server.connect();
    // As on Azure: the admin login and the bootstrap's Entra administrator have CREATEROLE and CREATEDB, no superuser.
    await root.query("CREATE ROLE amplifier_admin LOGIN CREATEROLE CREATEDB");
    await root.query("CREATE ROLE entra_bootstrap LOGIN CREATEROLE CREATEDB");
    // The other owner an ARM-created database may have: Azure's azure_pg_admin, which the admin login belongs to.
    await root.query("CREATE ROLE azure_pg_admin NOLOGIN; GRANT azure_pg_admin TO amplifier_admin");
  }, 60_000);

  afterAll(async () => {
    await root?.end();
    await server?.stop();
  });

  /** A database as the spec's deploy left it: init SQL and the app's tables and rows, all by the admin login, in public. */
  async function specDatabase(name: string, owner = "amplifier_admin"): Promise<void> {
    await root.query(`CREATE DATABASE ${name} OWNER ${owner}`);
    // The extension needs a superuser here (Azure allows it through azure.extensions); everything else is the admin's.
    const su = await server.connect(name);
    await su.query('CREATE EXTENSION IF NOT EXISTS "uuid-ossp"');
    await su.end();
    const admin = await server.connect(name, "amplifier_admin");
    try {
      await admin.query(INIT);
      await admin.query(APP_STARTUP);
      const s = await admin.query("INSERT INTO sessions (title) VALUES ('first'), ('second') RETURNING id");
      await admin.query("INSERT INTO events (session_id) VALUES ($1), ($1), ($2)", [s.rows[0].id, s.rows[1].id]);
      await admin.query("INSERT INTO audit_log (note) VALUES ('a'), ('b')");
    } finally {
      await admin.end();
    }
  }

  /** The bootstrap's steps as Azure runs them: the role step (its memberships), then in the app's database the init SQL and the grants. */
  async function bootstrap(name: string): Promise<void> {
    const boot = await server.connect("postgres", "entra_bootstrap");
    try {
      await boot.query(`${devAppRoleSql("unused")}${ownerMembershipSql(name, "amplifier_admin")}`);
    } finally {
      await boot.end();
    }
    const db = await server.connect(name, "entra_bootstrap");
    try {
      await db.query(INIT);
      await db.query(GRANTS);
    } finally {
      await db.end();
    }
  }

  test("moved with rows, sequences, indexes, the enum and the trigger; run twice; the app's next start-up keeps using them", async () => {
    await specDatabase("amplifier_cutover");
    await bootstrap("amplifier_cutover");
    const check = await server.connect("amplifier_cutover");
    const first = await layout(check);
    await bootstrap("amplifier_cutover");
    const second = await layout(check);
    expect(second).toEqual(first);
    expect(first.relations.filter((r) => r.schema === "public")).toEqual([]);
    expect(first.relations.filter((r) => r.kind !== "i")).toEqual([
      { schema: APP_SCHEMA, name: "audit_log", kind: "r", owner: OWNER_ROLE },
      { schema: APP_SCHEMA, name: "audit_log_id_seq", kind: "S", owner: OWNER_ROLE },
      { schema: APP_SCHEMA, name: "events", kind: "r", owner: OWNER_ROLE },
      { schema: APP_SCHEMA, name: "events_id_seq", kind: "S", owner: OWNER_ROLE },
      { schema: APP_SCHEMA, name: "sessions", kind: "r", owner: OWNER_ROLE },
    ]);
    expect(first.relations.filter((r) => r.kind === "i").map((r) => `${r.schema}.${r.name}`)).toEqual(
      ["audit_log_pkey", "events_pkey", "sessions_pkey", "sessions_title"].map((i) => `${APP_SCHEMA}.${i}`),
    );
    expect(first.types).toEqual([{ schema: APP_SCHEMA, name: "session_state", owner: OWNER_ROLE }]);
    expect(first.triggers).toEqual([{ on_table: `${APP_SCHEMA}.sessions`, name: "sessions_updated_at", calls: "update_updated_at_column" }]);
    expect(first.data).toEqual({ sessions: [{ title: "first", state: "open" }, { title: "second", state: "open" }], events: [{ n: 3 }] });

    // The app after the switch: its own role, its own schema first; the start-up's IF NOT EXISTS finds the data.
    const app = await server.connect("amplifier_cutover", APP_ROLE);
    try {
      await app.query(APP_STARTUP);
      expect(await rows(app, "SELECT count(*)::int AS n FROM sessions")).toEqual([{ n: 2 }]);
      // The sequences go on where they were (no duplicate key), the trigger still fires, the enum still works.
      expect(await rows(app, "INSERT INTO events (session_id) SELECT id FROM sessions WHERE title = 'first' RETURNING id")).toEqual([{ id: 4 }]);
      expect(await rows(app, "INSERT INTO audit_log (note) VALUES ('c') RETURNING id")).toEqual([{ id: "3" }]);
      const before = await rows(app, "SELECT updated_at FROM sessions WHERE title = 'second'");
      await new Promise((r) => setTimeout(r, 20));
      await app.query("UPDATE sessions SET state = 'closed' WHERE title = 'second'");
      const after = await rows(app, "SELECT updated_at, state FROM sessions WHERE title = 'second'");
      expect(after[0].state).toBe("closed");
      expect(after[0].updated_at.getTime()).toBeGreaterThan(before[0].updated_at.getTime());
      expect((await layout(check)).relations.filter((r) => r.schema === "public")).toEqual([]);
    } finally {
      await app.end();
      await check.end();
    }
  });

  test("a database owned by azure_pg_admin, not the admin login: the bootstrap joins both and the cut-over is the same", async () => {
    await specDatabase("amplifier_pgadmin", "azure_pg_admin");
    await bootstrap("amplifier_pgadmin");
    await bootstrap("amplifier_pgadmin");
    const check = await server.connect("amplifier_pgadmin");
    try {
      const after = await layout(check);
      expect(after.relations.filter((r) => r.schema === "public")).toEqual([]);
      expect(after.data).toEqual({ sessions: [{ title: "first", state: "open" }, { title: "second", state: "open" }], events: [{ n: 3 }] });
      expect(await rows(check, "SELECT pg_has_role('entra_bootstrap', 'azure_pg_admin', 'MEMBER') AS owner, pg_has_role('entra_bootstrap', 'amplifier_admin', 'MEMBER') AS admin")).toEqual([{ owner: true, admin: true }]);
      expect(await rows(check, `SELECT has_database_privilege('${APP_ROLE}', 'amplifier_pgadmin', 'CONNECT') AS connect`)).toEqual([{ connect: true }]);
    } finally {
      await check.end();
    }
  });

  test("later runs leave public alone: a table an administrator adds there stays there, out of the app's reach", async () => {
    const admin = await server.connect("amplifier_cutover", "amplifier_admin");
    try {
      await admin.query("CREATE TABLE public.ops_notes (v text)");
      await bootstrap("amplifier_cutover");
      const check = await server.connect("amplifier_cutover");
      expect(await rows(check, "SELECT to_regclass('public.ops_notes')::text AS t, to_regclass('amplifier.ops_notes')::text AS moved")).toEqual([{ t: "ops_notes", moved: null }]);
      await check.end();
      const app = await server.connect("amplifier_cutover", APP_ROLE);
      const denied = await app.query("SELECT * FROM public.ops_notes").then(
        () => "read",
        (err: { code?: string }) => err.code,
      );
      await app.end();
      expect(denied).toBe("42501");
    } finally {
      await admin.end();
    }
  });

  test("a stack whose app already started on the new schema (empty tables there): the empty ones give way to public's", async () => {
    await specDatabase("amplifier_split");
    // What the previous version of this program did: grants without the move, then the app's start-up in amplifier.
    const boot = await server.connect("amplifier_split", "entra_bootstrap");
    await boot.query(`GRANT "amplifier_admin" TO CURRENT_USER`);
    await boot.query(GRANTS.replace(/^DO \$\$\nDECLARE\n {2}marker[\s\S]*?\n\$\$;\n/m, ""));
    await boot.query("COMMENT ON SCHEMA amplifier IS NULL");
    await boot.end();
    const app = await server.connect("amplifier_split", APP_ROLE);
    await app.query(APP_STARTUP.replace(/DO \$\$ BEGIN CREATE TYPE[^\n]*\n/, "").replace("session_state NOT NULL DEFAULT 'open'", "text NOT NULL DEFAULT 'open'"));
    await app.end();
    await bootstrap("amplifier_split");
    const check = await server.connect("amplifier_split");
    try {
      const after = await layout(check);
      expect(after.relations.filter((r) => r.schema === "public")).toEqual([]);
      expect(after.data).toEqual({ sessions: [{ title: "first", state: "open" }, { title: "second", state: "open" }], events: [{ n: 3 }] });
    } finally {
      await check.end();
    }
  });

  test("a non-empty table on both sides stops the run with what to do, and changes nothing", async () => {
    await specDatabase("amplifier_both");
    const boot = await server.connect("amplifier_both", "entra_bootstrap");
    try {
      await boot.query(`GRANT "amplifier_admin" TO CURRENT_USER`);
      await boot.query(`${devAppRoleSql("unused")}`);
      await boot.query("GRANT amplifier_owner TO CURRENT_USER; CREATE SCHEMA amplifier AUTHORIZATION amplifier_owner; CREATE TABLE amplifier.events (id int); INSERT INTO amplifier.events VALUES (1)");
      const failed = await boot.query(GRANTS).then(
        () => "ran",
        (err: Error) => err.message,
      );
      expect(failed).toMatch(/both public\.events and amplifier\.events exist and amplifier\.events is not an empty table: merge them by hand/);
      expect(await rows(boot, "SELECT to_regclass('public.sessions')::text AS s, obj_description('amplifier'::regnamespace, 'pg_namespace') AS marker")).toEqual([{ s: "sessions", marker: null }]);
    } finally {
      await boot.end();
    }
  });
});
