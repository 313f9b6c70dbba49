/**
 * scripts/db-bootstrap.py, the bootstrap container's runner, against a real PostgreSQL 15 over TLS with password
 * authentication (cleartext inside TLS, as Azure takes an Entra token): the steps as the program builds them (the
 * role step in `postgres`, the init SQL and the grants in the app's database) run twice; a failing step fails the
 * run with the server's SQLSTATE and changes nothing; the token comes from the managed identity endpoint.
 */
import { execFile } from "child_process";
import * as fs from "fs";
import * as http from "http";
import type { AddressInfo } from "net";
import * as path from "path";
import type { Client } from "pg";
import { APP_ROLE, devAppRoleSql, GRANTS_SQL_PATH } from "../components/database-roles";
import { PROJECT_DIR } from "../config/stack-files";
import { startPostgres, type TestPostgres } from "./support/postgres";

const RUNNER = path.join(PROJECT_DIR, "scripts/db-bootstrap.py");
const GRANTS = fs.readFileSync(path.join(PROJECT_DIR, GRANTS_SQL_PATH), "utf8");
const INIT = fs.readFileSync(path.join(PROJECT_DIR, "scripts/init-dev-db.sql"), "utf8");
const TOKEN = "eyJ0eXAiOiJKV1Qi.token-as-password";

interface Step {
  database: string;
  sql: string;
  retry?: boolean;
}

/** Runs the runner as the container does (python3, its environment), asynchronously so stand-in servers can answer. */
function runRunner(server: TestPostgres, steps: Step[], extra: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = {
    PATH: process.env.PATH ?? "",
    HOME: process.env.HOME ?? "/tmp",
    PGHOST: "localhost",
    PGPORT: String(server.port),
    PGUSER: "id-amplifier-db-bootstrap-test",
    PGSSLROOTCERT: server.caFile!,
    BOOTSTRAP_STEPS: Buffer.from(JSON.stringify(steps)).toString("base64"),
    BOOTSTRAP_ATTEMPTS: "2",
    BOOTSTRAP_RETRY_SECONDS: "0.1",
    ...extra,
  };
  return new Promise((resolve) => {
    execFile("python3", [RUNNER], { env, timeout: 60_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe("scripts/db-bootstrap.py against PostgreSQL 15 over TLS", () => {
  let server: TestPostgres;
  let root: Client;
  const steps: Step[] = [
    // dev's form of the role step (pgaadauth exists only on Azure), run as a CREATEROLE administrator.
    { database: "postgres", sql: `${devAppRoleSql("unused")}GRANT "amplifier_admin" TO CURRENT_USER;`, retry: true },
    { database: "amplifier_test", sql: INIT },
    { database: "amplifier_test", sql: GRANTS },
  ];

  beforeAll(async () => {
    server = await startPostgres({ tls: true });
    root = await server.connect();
    // As on Azure: the admin login owns the app's database; the Entra administrator is no superuser.
    await root.query("CREATE ROLE amplifier_admin LOGIN CREATEROLE CREATEDB");
    await root.query(`CREATE ROLE "id-amplifier-db-bootstrap-test" LOGIN CREATEROLE CREATEDB PASSWORD '${TOKEN}'`);
    await root.query("CREATE DATABASE amplifier_test OWNER amplifier_admin");
  }, 60_000);

  afterAll(async () => {
    await root?.end();
    await server?.stop();
  });

  test("runs every step twice (idempotent) and exits 0; the app role then exists with its grants", async () => {
    for (let i = 0; i < 2; i++) {
      const result = await runRunner(server, steps, { PGPASSWORD: TOKEN });
      expect([result.code, result.stderr]).toEqual([0, ""]);
      expect(result.stdout).toContain("step 3/3 in database amplifier_test as id-amplifier-db-bootstrap-test");
      expect(result.stdout).toContain("database bootstrap succeeded");
      expect(result.stdout).not.toContain(TOKEN);
    }
    const app = await server.connect("amplifier_test", APP_ROLE);
    try {
      expect((await app.query("SELECT current_user")).rows[0].current_user).toBe("amplifier_owner");
    } finally {
      await app.end();
    }
  });

  test("a failing step fails the run with the server's SQLSTATE, and its statements are rolled back together", async () => {
    const broken: Step[] = [{ database: "amplifier_test", sql: "CREATE TABLE half_done (v text); GRAN SELECT ON half_done TO PUBLIC;" }];
    const result = await runRunner(server, broken, { PGPASSWORD: TOKEN });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/database bootstrap FAILED at step 1: ERROR 42601: syntax error at or near "GRAN"/);
    const exists = await root.query("SELECT to_regclass('public.half_done') IS NOT NULL AS present");
    expect(exists.rows[0].present).toBe(false);
  });

  test("a wrong password (a token the server rejects) is retried, then fails the run", async () => {
    const result = await runRunner(server, steps.slice(0, 1), { PGPASSWORD: "expired" });
    expect(result.code).toBe(1);
    expect(result.stdout.match(/attempt \d/g)).toEqual(["attempt 1", "attempt 2"]);
    expect(result.stderr).toContain("28P01");
  });

  test("without PGPASSWORD the password is the managed identity's token for ossrdbms-aad, for the configured client id", async () => {
    const requests: { url: string; metadata?: string }[] = [];
    const imds = http.createServer((req, res) => {
      requests.push({ url: req.url!, metadata: req.headers.metadata as string | undefined });
      res.writeHead(200, { "Content-Type": "application/json" });
      res.end(JSON.stringify({ access_token: TOKEN, token_type: "Bearer" }));
    });
    await new Promise<void>((resolve) => imds.listen(0, "127.0.0.1", resolve));
    try {
      const endpoint = `http://127.0.0.1:${(imds.address() as AddressInfo).port}/metadata/identity/oauth2/token`;
      const result = await runRunner(server, steps, { IMDS_ENDPOINT: endpoint, AZURE_CLIENT_ID: "c1d2e3f4-0000-0000-0000-000000000001" });
      expect([result.code, result.stderr]).toEqual([0, ""]);
      expect(requests).toHaveLength(steps.length);
      const query = new URL(requests[0].url, "http://x").searchParams;
      expect([query.get("resource"), query.get("client_id"), requests[0].metadata]).toEqual(["https://ossrdbms-aad.database.windows.net", "c1d2e3f4-0000-0000-0000-000000000001", "true"]);
    } finally {
      imds.close();
    }
  });
});
