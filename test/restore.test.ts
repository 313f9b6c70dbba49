/**
 * `postgres.restore` on every Azure stack, with and without the block, and on a restore stack (a copy of prod's file
 * restoring prod's server): the server is created as a point-in-time restore; its create-only inputs are ignored
 * afterwards, so adding the block to a running stack or removing it changes nothing; the database the restore brings
 * is adopted (Pulumi `import`) in `up` and never in a preview; everything else is built on the restored server as on
 * any new one. Bad blocks stop before anything is registered, with the fix.
 */
import * as fs from "fs";
import { RESTORE_INPUTS } from "../components/flexible-postgres";
import { futurePointProblem, outsideRetention, parseUtcInstant } from "../config/restore";
import { ConfigError } from "../config/schema";
import { byType, MOCK_CLIENT_CONFIG, oneOfType, type RegisteredResource, runProgram, runStack, type RunResult, userResources } from "../mock-runtime";
import { buildPlan } from "../plan/model";
import { changedStack, checkoutWith, projectStackConfig } from "./support/checkout";
import { applyIgnoreChanges } from "./support/ignore-changes";
import { at, everyStack, projectWith } from "./support/stacks";

const T = {
  server: "azure-native:dbforpostgresql:Server",
  database: "azure-native:dbforpostgresql:Database",
  endpoint: "azure-native:network:PrivateEndpoint",
};
const HOUR = 60 * 60 * 1000;
const SUB = MOCK_CLIENT_CONFIG.subscriptionId;
const serverId = (rg: string, name: string, sub = SUB) => `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.DBforPostgreSQL/flexibleServers/${name}`;
/**
 * A server no stack file deploys (an older environment): only the block's own checks apply. Its subscription is
 * spelt in upper case, as someone may paste it: the stack's own ids never take their spelling from the source.
 */
const LEGACY = serverId("rg-amplifier-legacy", "amplifier-db-legacy", SUB.toUpperCase());
/** A minute before "someone dropped a table", two hours ago; an ISO 8601 UTC instant. */
const POINT = new Date(Math.floor((Date.now() - 2 * HOUR) / 60000) * 60000).toISOString().replace(".000Z", "Z");
const restore = (sourceServerId = LEGACY, pointInTime = POINT) => ({ postgres: { restore: { sourceServerId, pointInTime } } });

// Every Azure stack file, and the spec's test and prod as stand-ins once the repository has no file for one (test/support/stacks.ts).
const CHOSEN = Object.fromEntries(everyStack().filter((c) => c.cfg.platform === "azure").map((c) => [c.stack, c]));
const stacks = Object.keys(CHOSEN);
/** Where test and prod are siblings (a restore of another stack's server is checked against that stack's file). */
const SPEC_DIR = projectWith(["test", "prod"]);
const without: Record<string, RunResult> = {};
const withUp: Record<string, RunResult> = {};
const withPreview: Record<string, RunResult> = {};
let restoreStack: RunResult;
let restoreStackPreview: RunResult;
let checkout: string;

beforeAll(async () => {
  for (const stack of stacks) {
    without[stack] = await runStack(at(CHOSEN[stack]));
    withUp[stack] = await runStack({ ...at(CHOSEN[stack]), overrides: restore() });
    withPreview[stack] = await runStack({ ...at(CHOSEN[stack]), overrides: restore(), preview: true });
  }
  // The runbook's restore stack: prod's file under a new stack name beside prod's, restoring prod's server into a new one.
  const prod = projectStackConfig("prod", SPEC_DIR) as Record<string, any>;
  checkout = checkoutWith(
    {
      prodrestore: changedStack(
        "prod",
        { postgres: { ...prod["amplifier-infra:postgres"], databaseName: "amplifier_prod", restore: { sourceServerId: serverId("rg-amplifier-prod", "amplifier-db-prod"), pointInTime: POINT } } },
        SPEC_DIR,
      ),
    },
    SPEC_DIR,
  );
  // Quoted, as the runbook says: unquoted, YAML 1.1 readers (the Pulumi CLI's) take it for a timestamp.
  const file = `${checkout}/Pulumi.prodrestore.yaml`;
  fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace(`pointInTime: ${POINT}`, `pointInTime: "${POINT}"`));
  restoreStack = await runStack({ stack: "prodrestore", dir: checkout });
  restoreStackPreview = await runStack({ stack: "prodrestore", dir: checkout, preview: true });
});
afterAll(() => fs.rmSync(checkout, { recursive: true, force: true }));

const server = (run: RunResult) => oneOfType(run, T.server);
const database = (run: RunResult) => oneOfType(run, T.database);
const shape = (r: RegisteredResource) => [r.type, r.name, r.inputs, r.options.protect];

describe("postgres.restore on every Azure stack", () => {
  test("the stacks come from the stack files", () => {
    expect(stacks).toEqual(expect.arrayContaining(["prod", "test"]));
  });

  test("without the block: a plain create, the restore inputs ignored anyway, the database created", () => {
    for (const stack of stacks) {
      const s = server(without[stack]);
      expect([stack, s.inputs.createMode, s.inputs.sourceServerResourceId, s.inputs.pointInTimeUTC]).toEqual([stack, undefined, undefined, undefined]);
      expect(s.options.ignoreChanges).toEqual(expect.arrayContaining(RESTORE_INPUTS));
      expect([stack, database(without[stack]).options.importId, database(without[stack]).options.retainOnDelete]).toEqual([stack, undefined, false]);
    }
  });

  test("with it: the server is created as a point-in-time restore of the source", () => {
    for (const stack of stacks) {
      expect([stack, server(withUp[stack]).inputs]).toMatchObject([stack, { createMode: "PointInTimeRestore", sourceServerResourceId: LEGACY, pointInTimeUTC: POINT }]);
      expect(server(withUp[stack]).options.ignoreChanges).toEqual(expect.arrayContaining(["createMode", "sourceServerResourceId", "pointInTimeUTC"]));
    }
  });

  test("adding the block to a running stack changes nothing: the server's inputs after ignoreChanges are the old ones", () => {
    for (const stack of stacks) {
      const [old, next] = [server(without[stack]), server(withUp[stack])];
      expect(next.inputs).not.toEqual(old.inputs);
      expect([stack, applyIgnoreChanges(next.inputs, old.inputs, next.options.ignoreChanges)]).toEqual([stack, old.inputs]);
    }
  });

  test("removing it later changes nothing either: the stored restore inputs are kept", () => {
    for (const stack of stacks) {
      const [old, next] = [server(withUp[stack]), server(without[stack])];
      expect([stack, applyIgnoreChanges(next.inputs, old.inputs, next.options.ignoreChanges)]).toEqual([stack, old.inputs]);
    }
  });

  test("the way out if Azure refuses an update carrying them: with the three dropped from the state, nothing sends them and nothing changes", () => {
    // docs/restore.md, "Dropping the restore inputs from the state": the stored inputs without them, block present.
    for (const stack of stacks) {
      const next = server(withUp[stack]);
      const stripped = Object.fromEntries(Object.entries(next.inputs).filter(([k]) => !RESTORE_INPUTS.includes(k)));
      const sent = applyIgnoreChanges(next.inputs, stripped, next.options.ignoreChanges);
      expect([stack, RESTORE_INPUTS.filter((k) => k in sent)]).toEqual([stack, []]);
      expect([stack, sent]).toEqual([stack, stripped]);
    }
  });

  test("every other resource is registered exactly as without the block", () => {
    for (const stack of stacks) {
      // Sorted: registration order follows the order outputs resolve in.
      const others = (run: RunResult) => userResources(run).filter((r) => r.type !== T.server).sort((a, b) => a.name.localeCompare(b.name)).map(shape);
      expect([stack, others(withUp[stack])]).toEqual([stack, others(without[stack])]);
    }
  });

  test("up adopts the database the restore brings, by the id it has on this stack's server; a preview never imports", () => {
    for (const stack of stacks) {
      const db = database(withUp[stack]);
      // The id azure-native gives the stack's database (the REST path with the stack's own subscription exactly as the
      // provider has it, names as given; not the source id's spelling): an import with the same id as the state's is
      // treated like any other resource, so in a running stack the block changes nothing here either.
      expect([stack, db.options.importId]).toEqual([
        stack,
        `/subscriptions/${SUB}/resourceGroups/rg-amplifier-${stack}/providers/Microsoft.DBforPostgreSQL/flexibleServers/amplifier-db-${stack}/databases/amplifier_${stack}`,
      ]);
      expect(db.options.importId).toBe(`${oneOfType(withUp[stack], "azure-native:resources:ResourceGroup").options.importId}/providers/Microsoft.DBforPostgreSQL/flexibleServers/amplifier-db-${stack}/databases/amplifier_${stack}`);
      expect(db.options.retainOnDelete).toBe(true);
      expect([stack, database(withPreview[stack]).options.importId]).toEqual([stack, undefined]);
    }
  });

  test("the plan shows the restore mode and the adoption", () => {
    const plan = buildPlan(withUp.prod);
    const settings = (name: string) => Object.fromEntries(plan.resources.find((r) => r.name === name)!.settings);
    expect(settings("postgres-server").restore).toBe(`PointInTimeRestore of flexibleServers/amplifier-db-legacy at ${POINT}`);
    expect(settings("postgres-database")["adopts (import)"]).toBe("databases/amplifier_prod");
    expect(Object.keys(Object.fromEntries(buildPlan(without.prod).resources.find((r) => r.name === "postgres-server")!.settings))).not.toContain("restore");
  });
});

describe("a restore stack (prod's file under a new name, restoring prod's server)", () => {
  test("validates against prod's file and builds a new server from prod's backups", () => {
    expect(server(restoreStack).inputs).toMatchObject({
      serverName: "amplifier-db-prodrestore",
      createMode: "PointInTimeRestore",
      sourceServerResourceId: serverId("rg-amplifier-prod", "amplifier-db-prod"),
      highAvailability: { mode: "ZoneRedundant" },
      backup: { backupRetentionDays: 14, geoRedundantBackup: "Enabled" },
    });
    expect(database(restoreStack).options.importId).toBe(`${serverId("rg-amplifier-prodrestore", "amplifier-db-prodrestore")}/databases/amplifier_prod`);
    expect(database(restoreStackPreview).options.importId).toBeUndefined();
  });

  test("the restored server gets what a restore does not carry: parameters, its private endpoint, the write chain after the wait", () => {
    const names = userResources(restoreStack).map((r) => r.name);
    for (const name of ["postgres-param-require-secure-transport", "postgres-param-ssl-min-protocol-version", "postgres-param-azure-extensions", "postgres-settle"]) expect(names).toContain(name);
    const endpoint = byType(restoreStack, T.endpoint).find((r) => r.name === "network-pe-postgres")!;
    expect(endpoint.inputs.privateLinkServiceConnections[0].privateLinkServiceId).toBe(server(restoreStack).state.id);
    // The same resources as prod's own stack, under the restore stack's names.
    const kinds = (run: RunResult) => userResources(run).map((r) => `${r.type} ${r.name}`).sort();
    expect(kinds(restoreStack)).toEqual(kinds(without.prod));
  });
});

describe("postgres.restore: bad blocks stop before anything is registered", () => {
  const daysAgo = (n: number) => new Date(Date.now() - n * 24 * HOUR).toISOString();
  test.each([
    ["not an ARM id", "test", restore("amplifier-db-prod"), ['postgres.restore.sourceServerId (got "amplifier-db-prod")', "must be the ARM id of a flexible server"]],
    ["a Single Server", "prod", restore(LEGACY.replace("flexibleServers", "servers")), ["is a Single Server", "flexible server"]],
    ["no time zone", "test", restore(LEGACY, "2026-12-01T10:01:00"), ['postgres.restore.pointInTime (got "2026-12-01T10:01:00")', "ISO 8601 UTC instant"]],
    ["a local time", "prod", restore(LEGACY, "2026-12-01T11:01:00+01:00"), ["postgres.restore.pointInTime", "Z or +00:00"]],
    ["not a calendar date", "test", restore(LEGACY, "2026-02-30T10:00:00Z"), ["postgres.restore.pointInTime", "not a calendar date"]],
    ["in the future", "prod", restore(LEGACY, new Date(Date.now() + HOUR).toISOString()), ["postgres.restore.pointInTime", "is in the future", "silently restore"]],
    ["the stack's own server", "prod", restore(serverId("rg-amplifier-prod", "amplifier-db-prod")), ["names this stack's own server (amplifier-db-prod)", "never overwrites the running one", "docs/restore.md"]],
  ])("%s", async (_label, stack, overrides, fragments) => {
    const result = await runProgram({ stack, dir: SPEC_DIR, overrides });
    expect(result.error).toBeInstanceOf(ConfigError);
    for (const fragment of fragments) expect(result.error!.message).toContain(fragment);
    expect(userResources(result)).toEqual([]);
  });

  test("a source another stack file deploys: what a restore cannot change must match", async () => {
    // test restoring prod's server: test's database name and storage differ from prod's.
    const result = await runProgram({ stack: "test", dir: SPEC_DIR, overrides: restore(serverId("rg-amplifier-prod", "amplifier-db-prod"), daysAgo(2)) });
    expect(result.error).toBeInstanceOf(ConfigError);
    const message = result.error!.message;
    expect(message).toContain("postgres.databaseName: amplifier_test is not the source's database amplifier_prod");
    expect(message).toContain("postgres.storageSizeGb: 32 is below the source's 64 GiB");
    expect(userResources(result)).toEqual([]);
  });

  test("a source in another resource group than the stack that deploys it", async () => {
    const result = await runProgram({ stack: "test", dir: SPEC_DIR, overrides: { ...restore(serverId("rg-elsewhere", "amplifier-db-prod")), postgres: { ...restore(serverId("rg-elsewhere", "amplifier-db-prod")).postgres, databaseName: "amplifier_prod", storageSizeGb: 64 } } });
    expect(result.error?.message).toContain('names amplifier-db-prod in resource group rg-elsewhere, but stack "prod" deploys it to rg-amplifier-prod');
  });
});

describe("time never turns a stack file invalid: a point that has left the window is a warning", () => {
  // The block written when the point was fresh, read again weeks later (previously a config error on every preview,
  // deploy and drift check of the running stack, and in the pull request removing the block: review finding M1).
  const days = (n: number) => new Date(Date.now() - n * 24 * HOUR).toISOString();

  test("beyond any server's backups (35 days): the program runs and registers as before, and warns", async () => {
    const old = await runProgram({ ...at(CHOSEN.test), overrides: restore(LEGACY, days(36)) });
    expect(old.error).toBeUndefined();
    const kinds = (run: RunResult) => userResources(run).map((r) => `${r.type} ${r.name}`).sort();
    expect(kinds(old)).toEqual(kinds(withUp.test));
    expect(old.warnings).toEqual([expect.stringMatching(/^stack test: postgres\.restore\.pointInTime \S+ is more than 35 days ago, before the earliest restore point of any server .*once this stack's server exists this changes nothing/)]);
    expect(withUp.test.warnings).toEqual([]);
  });

  test("beyond the source stack's own retention (prod keeps 14 days): a warning naming it, not an error", async () => {
    const result = await runStack({ stack: "prodrestore", dir: checkout, overrides: { postgres: { restore: { pointInTime: days(20) } } } });
    expect(result.warnings).toEqual([expect.stringContaining('is more than 14 days ago, before the earliest restore point of amplifier-db-prod (stack "prod" keeps 14 days)')]);
    expect(restoreStack.warnings).toEqual([]);
  });
});

describe("restore points", () => {
  const at = Date.parse("2026-12-06T12:00:00Z");
  test("UTC instants only, real calendar dates", () => {
    expect(parseUtcInstant("2026-12-06T10:01:00Z")).toBe(Date.parse("2026-12-06T10:01:00Z"));
    expect(parseUtcInstant("2026-12-06T10:01Z")).toBe(Date.parse("2026-12-06T10:01:00Z"));
    expect(parseUtcInstant("2026-12-06T10:01:00.250+00:00")).toBe(Date.parse("2026-12-06T10:01:00.250Z"));
    for (const bad of ["2026-12-06 10:01:00Z", "2026-12-06T10:01:00", "2026-12-06T10:01:00+01:00", "2026-13-01T00:00:00Z", "2026-02-29T00:00:00Z", "yesterday"]) {
      expect([bad, parseUtcInstant(bad)]).toEqual([bad, undefined]);
    }
  });

  test("bounded by now (an error) and by the source's retention (a warning)", () => {
    expect(futurePointProblem(at - HOUR, at)).toBeUndefined();
    expect(futurePointProblem(at + 60000, at)).toContain("is in the future (now is 2026-12-06T12:00:00.000Z)");
    expect(outsideRetention(at - HOUR, 7, at)).toBeUndefined();
    expect(outsideRetention(at - 7 * 24 * HOUR + 60000, 7, at)).toBeUndefined();
    expect(outsideRetention(at - 7 * 24 * HOUR - 60000, 7, at)).toContain("more than 7 days ago");
  });
});
