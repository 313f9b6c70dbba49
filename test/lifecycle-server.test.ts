/**
 * The real Azure lifecycle on the real stack files, the database server: extensions allowed from the init SQL, the
 * settle step before its first write (ServerIsBusy) and after a scale, one write at a time (docs/lifecycle.md, "Lifecycle").
 */
import * as fs from "fs";
import * as path from "path";
import { serverShape } from "../components/flexible-postgres";
import { azureExtensionsValue, extensionsIn } from "../config/extensions";
import { PROJECT_DIR } from "../config/stack-files";
import { byType, dependsOnTransitively, oneOfType, runStack, type RunResult } from "../mock-runtime";
import { DIFF, type DynamicHost, startDynamicHost } from "./support/dynamic-host";
import { at, specStack } from "./support/stacks";
import { T } from "./support/lifecycle-types";

describe("extensions: the dev init SQL is the one list, allowed on every Azure server", () => {
  const INIT_SQL = fs.readFileSync(path.join(PROJECT_DIR, "scripts/init-dev-db.sql"), "utf8");

  test("the init SQL creates uuid-ossp", () => {
    expect(extensionsIn(INIT_SQL)).toEqual(["uuid-ossp"]);
  });

  test("parsing: quoted or bare names, IF NOT EXISTS, SCHEMA/VERSION clauses, any case; comments ignored; no duplicates", () => {
    const sql = [
      'CREATE EXTENSION IF NOT EXISTS "uuid-ossp";',
      "create extension pgcrypto with schema public;",
      "CREATE EXTENSION\n  IF NOT EXISTS\tpg_trgm VERSION '1.6';",
      "-- CREATE EXTENSION postgis;",
      "/* CREATE EXTENSION vector;\n CREATE EXTENSION hstore; */",
      'CREATE EXTENSION IF NOT EXISTS "uuid-ossp";',
      "SELECT 'no extension here';",
    ].join("\n");
    expect(extensionsIn(sql)).toEqual(["pg_trgm", "pgcrypto", "uuid-ossp"]);
    expect(extensionsIn("SELECT 1;")).toEqual([]);
  });

  test("the parameter value: Azure's upper-case names, comma-separated", () => {
    expect(azureExtensionsValue(["pgcrypto", "uuid-ossp"])).toBe("PGCRYPTO,UUID-OSSP");
  });

  describe.each(["test", "prod"] as const)("%s", (stack) => {
    let result: RunResult;
    beforeAll(async () => {
      result = await runStack(at(specStack(stack)));
    });

    test("azure.extensions is set from the init SQL, as a user override, inside the server's serialised writes", () => {
      const param = byType(result, T.config).find((c) => c.inputs.configurationName === "azure.extensions");
      expect(param?.inputs).toMatchObject({ value: azureExtensionsValue(extensionsIn(INIT_SQL)), source: "user-override" });
      expect(param!.inputs.value).toBe("UUID-OSSP");
      const server = oneOfType(result, T.server);
      expect(dependsOnTransitively(result, param!, server)).toBe(true);
      // Ordered against every other parameter: one write to the server at a time.
      for (const other of byType(result, T.config).filter((c) => c !== param)) {
        const ordered = dependsOnTransitively(result, param!, other) || dependsOnTransitively(result, other, param!);
        expect({ other: other.name, ordered }).toEqual({ other: other.name, ordered: true });
      }
    });
  });

  test("an extension added to the init SQL is allowed on the next deploy", async () => {
    // Inside the project (in the ignored dist/): the config refuses SQL from anywhere else.
    fs.mkdirSync(path.join(PROJECT_DIR, "dist"), { recursive: true });
    const dir = fs.mkdtempSync(path.join(PROJECT_DIR, "dist", "test-init-sql-"));
    const sql = path.join(dir, "init.sql");
    fs.writeFileSync(sql, `${INIT_SQL}\nCREATE EXTENSION IF NOT EXISTS pgcrypto;\n`);
    try {
      const result = await runStack({ ...at(specStack("prod")), overrides: { postgres: { initSqlPath: path.relative(PROJECT_DIR, sql) } } });
      const param = byType(result, T.config).find((c) => c.inputs.configurationName === "azure.extensions");
      expect(param?.inputs.value).toBe("PGCRYPTO,UUID-OSSP");
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("first deploy: the server settles before its first child is written (ServerIsBusy)", () => {
  const SERVER_WRITES = [
    "azure-native:dbforpostgresql:Database",
    "azure-native:dbforpostgresql:Configuration",
    "azure-native:dbforpostgresql:FirewallRule",
    "azure-native:dbforpostgresql:AdministratorsMicrosoftEntra",
  ];
  const entraAdmin = { objectId: "11111111-2222-3333-4444-555555555555", principalName: "amplifier-db-admins", principalType: "Group" };

  test.each(["test", "prod"] as const)("%s: a settle step on the server heads the write chain; every write waits for it, and goes with the server on teardown", async (stack) => {
    const result = await runStack({ ...at(specStack(stack)), overrides: { postgres: { entraAdmin } } });
    const server = oneOfType(result, T.server);
    const settle = oneOfType(result, T.settle);
    expect(settle.inputs).toMatchObject({ targetId: server.state.id, seconds: 60 });
    expect(settle.dependencies).toContain(server.urn);
    const writes = [
      ...result.resources.filter((r) => SERVER_WRITES.includes(r.type)),
      ...byType(result, T.endpoint).filter((e) => e.inputs.privateLinkServiceConnections[0].privateLinkServiceId === server.state.id),
    ];
    // Database, seven parameters, the Entra admin, and the firewall rule (test) or private endpoint (prod).
    expect(writes.length).toBeGreaterThanOrEqual(10);
    for (const w of writes) expect({ write: w.name, afterSettle: dependsOnTransitively(result, w, settle) }).toEqual({ write: w.name, afterSettle: true });
    // Teardown: the server's children go with it (deletedWith), so a destroy resets no parameter one by one; a private
    // endpoint lives in the network and is deleted on its own.
    const children = result.resources.filter((r) => SERVER_WRITES.includes(r.type));
    expect(new Set(children.map((r) => r.type))).toEqual(new Set(SERVER_WRITES.filter((t) => stack === "test" || !t.endsWith("FirewallRule"))));
    for (const r of children) expect({ child: r.name, deletedWith: r.options.deletedWith }).toEqual({ child: r.name, deletedWith: server.urn });
    for (const r of byType(result, T.endpoint)) expect(r.options.deletedWith).toBeUndefined();
  });

  test("postgres.settleSeconds sets the wait", async () => {
    const result = await runStack({ ...at(specStack("test")), overrides: { postgres: { settleSeconds: 5 } } });
    expect(oneOfType(result, T.settle).inputs.seconds).toBe(5);
  });

  test("day 2: a scale (compute, storage, HA, version) gives the settle step a new shape, so it waits again before the children; other changes do not", async () => {
    const shape = async (postgres: Record<string, unknown>) => oneOfType(await runStack({ ...at(specStack("prod")), overrides: { postgres } }), T.settle).inputs.shape;
    const base = await shape({});
    expect(base).toBe("Standard_D2ds_v5 (GeneralPurpose), 64 GiB, HA ZoneRedundant, PostgreSQL 15");
    expect(await shape({ storageSizeGb: 128, serverParameters: { log_connections: "off" }, settleSeconds: 30 })).toBe(
      "Standard_D2ds_v5 (GeneralPurpose), 128 GiB, HA ZoneRedundant, PostgreSQL 15",
    );
    // Each dimension of a scale counts; a parameter, a firewall rule or the wait itself is not a scale.
    const prod = { skuName: "Standard_D2ds_v5", skuTier: "GeneralPurpose", storageSizeGb: 64, highAvailability: "ZoneRedundant", version: "15" } as const;
    for (const scale of [{ skuName: "Standard_D4ds_v5" }, { skuTier: "MemoryOptimized" }, { storageSizeGb: 128 }, { highAvailability: "SameZone" }, { version: "16" }]) {
      expect({ scale, changed: serverShape({ ...prod, ...scale } as typeof prod) !== serverShape(prod) }).toEqual({ scale, changed: true });
    }
    expect(serverShape({ ...prod, firewallRules: [], settleSeconds: 5 } as typeof prod)).toBe(base);
  });

  describe("Pulumi's own dynamic-provider host runs it through a whole lifecycle", () => {
    let host: DynamicHost;
    let text: string;
    beforeAll(async () => {
      const settle = oneOfType(await runStack(at(specStack("test"))), T.settle);
      text = settle.inputs.__provider as string;
      host = await startDynamicHost(settle.urn);
    });
    afterAll(() => host?.stop());
    const inputs = (targetId: string, seconds: number, provider = text) => ({ targetId, seconds, __provider: provider });

    test("first up: check passes the inputs through (no check method), create waits the given seconds", async () => {
      expect(await host.check({}, inputs("/servers/a", 0.3))).toEqual({ inputs: inputs("/servers/a", 0.3), failures: [] });
      const started = Date.now();
      const created = await host.create(inputs("/servers/a", 0.3));
      expect(Date.now() - started).toBeGreaterThanOrEqual(290);
      expect(created).toEqual({ id: "settled-/servers/a", props: inputs("/servers/a", 0.3) });
    });

    test("a second up, a preview of an unchanged program and a new provider text alone: no change, so no wait", async () => {
      const state = inputs("/servers/a", 60);
      expect(await host.diff("settled-/servers/a", state, inputs("/servers/a", 60))).toEqual({ changes: DIFF.none, replaces: [] });
      // A new build of the program changes the text; the stored one stays (only delete uses it, and does nothing).
      expect(await host.diff("settled-/servers/a", { ...state, __provider: "exports.handler = () => ({});" }, state)).toEqual({ changes: DIFF.none, replaces: [] });
    });

    test("a new duration is an update that does not wait; a new server (new id, or unknown in a preview) replaces it", async () => {
      const state = inputs("/servers/a", 60);
      expect(await host.diff("x", state, inputs("/servers/a", 30))).toEqual({ changes: DIFF.some, replaces: [] });
      const started = Date.now();
      expect(await host.update("x", state, inputs("/servers/a", 30))).toEqual(inputs("/servers/a", 30));
      expect(Date.now() - started).toBeLessThan(1000);
      expect(await host.diff("x", state, inputs("/servers/b", 60))).toEqual({ changes: DIFF.some, replaces: ["targetId"] });
      const unknown = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"; // the engine's unknown value in a preview
      expect(await host.diff("x", state, inputs(unknown, 60))).toEqual({ changes: DIFF.some, replaces: ["targetId"] });
    });

    test("a new shape (the server was scaled earlier in the same deploy) is an update that waits; a step stored without a shape only records it", async () => {
      const state = { ...inputs("/servers/a", 0.3), shape: "B1ms, 32 GiB" };
      const scaled = { ...state, shape: "B2s, 64 GiB" };
      expect(await host.diff("x", state, scaled)).toEqual({ changes: DIFF.some, replaces: [] });
      let started = Date.now();
      expect(await host.update("x", state, scaled)).toEqual(scaled);
      expect(Date.now() - started).toBeGreaterThanOrEqual(290);
      // Deployed before shapes were recorded: the first deploy with this code records it and does not wait.
      started = Date.now();
      expect(await host.update("x", inputs("/servers/a", 30), { ...inputs("/servers/a", 30), shape: "B1ms, 32 GiB" })).toEqual({ ...inputs("/servers/a", 30), shape: "B1ms, 32 GiB" });
      expect(Date.now() - started).toBeLessThan(1000);
      expect(await host.diff("x", state, { ...state })).toEqual({ changes: DIFF.none, replaces: [] });
    });

    test("refresh (after a failover too) keeps the state as it is (no read method); teardown forgets it (no delete)", async () => {
      const state = inputs("/servers/a", 60);
      expect(await host.read("settled-/servers/a", state)).toEqual({ id: "settled-/servers/a", props: state });
      await expect(host.delete("settled-/servers/a", state)).resolves.toBeUndefined();
    });
  });
});
