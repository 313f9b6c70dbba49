/**
 * The dev database's init SQL, run against a real PostgreSQL 15 (never a mock): it installs uuid-ossp and a trigger
 * function that really maintains `updated_at`, and it is safe to run twice.
 */
import * as fs from "fs";
import * as path from "path";
import { Client } from "pg";
import { extensionsIn } from "../config/extensions";
import { PROJECT_DIR } from "../config/stack-files";
import { startPostgres, TestPostgres } from "./support/postgres";

const INIT_SQL = fs.readFileSync(path.join(PROJECT_DIR, "scripts/init-dev-db.sql"), "utf8");

describe("scripts/init-dev-db.sql on PostgreSQL 15", () => {
  let server: TestPostgres;
  let db: Client;

  beforeAll(async () => {
    server = await startPostgres();
    const admin = await server.connect();
    await admin.query("CREATE DATABASE amplifier_dev");
    await admin.end();
    db = await server.connect("amplifier_dev");
  }, 60_000);

  afterAll(async () => {
    await db?.end();
    await server?.stop();
  });

  test("the server is PostgreSQL 15", async () => {
    const { rows } = await db.query("SHOW server_version_num");
    expect(Math.floor(Number(rows[0].server_version_num) / 10000)).toBe(15);
  });

  test("runs twice without error (idempotent)", async () => {
    await db.query(INIT_SQL);
    await db.query(INIT_SQL);
    const ext = await db.query("SELECT count(*)::int AS n FROM pg_extension WHERE extname = 'uuid-ossp'");
    expect(ext.rows[0].n).toBe(1);
    const fn = await db.query("SELECT count(*)::int AS n FROM pg_proc WHERE proname = 'update_updated_at_column'");
    expect(fn.rows[0].n).toBe(1);
  });

  test("the parsed extension list (what Azure allow-lists) is exactly what the SQL installed", async () => {
    await db.query(INIT_SQL);
    const { rows } = await db.query("SELECT extname FROM pg_extension WHERE extname <> 'plpgsql' ORDER BY extname");
    expect(rows.map((r) => r.extname)).toEqual(extensionsIn(INIT_SQL));
  });

  test("uuid-ossp generates v4 UUIDs", async () => {
    const { rows } = await db.query("SELECT uuid_generate_v4()::text AS id");
    expect(rows[0].id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  test("the trigger function moves updated_at forward on UPDATE", async () => {
    await db.query(`
      CREATE TABLE sessions (
        id uuid PRIMARY KEY DEFAULT uuid_generate_v4(),
        title text NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT '2000-01-01T00:00:00Z'
      );
      CREATE TRIGGER sessions_updated_at BEFORE UPDATE ON sessions
        FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
    `);
    const inserted = await db.query("INSERT INTO sessions (title) VALUES ('a') RETURNING id, updated_at");
    expect(inserted.rows[0].updated_at.toISOString()).toBe("2000-01-01T00:00:00.000Z");
    const before = Date.now();
    const updated = await db.query("UPDATE sessions SET title = 'b' WHERE id = $1 RETURNING updated_at", [inserted.rows[0].id]);
    const stamp = updated.rows[0].updated_at.getTime();
    expect(stamp).toBeGreaterThanOrEqual(before - 5_000);
    expect(stamp).toBeLessThanOrEqual(Date.now() + 5_000);
  });
});
