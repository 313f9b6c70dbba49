/**
 * Why the policy pack's server-parameter rules ask what they ask, shown on a real PostgreSQL 15:
 * - postgres-log-statement-none: with log_statement ddl (and so mod and all) an ALTER ROLE ... PASSWORD lands in the
 *   server log with the password in clear; Azure ships that log to Log Analytics. With none it does not.
 * - postgres-password-encryption-scram: md5 stores a hash an attacker can replay as the password (md5 auth), SCRAM
 *   stores a salted verifier.
 */
import { Client } from "pg";
import { startPostgres, TestPostgres } from "./support/postgres";

describe("server parameters on PostgreSQL 15", () => {
  let server: TestPostgres;
  let db: Client;

  beforeAll(async () => {
    server = await startPostgres();
    db = await server.connect();
    await db.query("CREATE ROLE app_user LOGIN");
  }, 60_000);

  afterAll(async () => {
    await db?.end();
    await server?.stop();
  });

  /** Changes app_user's password with `log_statement` set for this session; true when the password reached the log. */
  async function passwordLogged(logStatement: string, password: string): Promise<boolean> {
    await db.query(`SET log_statement = '${logStatement}'`);
    await db.query(`ALTER ROLE app_user PASSWORD '${password}'`);
    // The server writes its log asynchronously; a marker statement after it shows the log has caught up.
    await db.query("SET log_statement = 'all'");
    await db.query(`SELECT 'marker-${password}'`);
    for (let i = 0; i < 50 && !server.log().includes(`marker-${password}`); i++) await new Promise((r) => setTimeout(r, 20));
    expect(server.log()).toContain(`marker-${password}`);
    return server.log().includes(`PASSWORD '${password}'`);
  }

  test.each([
    ["none", false],
    ["ddl", true],
    ["mod", true],
    ["all", true],
  ])("log_statement %s: ALTER ROLE ... PASSWORD in the log: %s", async (value, logged) => {
    expect(await passwordLogged(value, `pw-${value}-5f2a`)).toBe(logged);
  });

  test.each([
    ["md5", /^md5[0-9a-f]{32}$/],
    ["scram-sha-256", /^SCRAM-SHA-256\$4096:/],
  ])("password_encryption %s stores %s", async (method, stored) => {
    await db.query(`SET password_encryption = '${method}'`);
    await db.query("ALTER ROLE app_user PASSWORD 'hash-me'");
    const { rows } = await db.query("SELECT rolpassword FROM pg_authid WHERE rolname = 'app_user'");
    expect(rows[0].rolpassword).toMatch(stored);
  });
});
