/**
 * The test harness itself (docs/tests.md, "What keeps it fast"): each `npm test` has its own directory, which holds
 * the temp files of every test and the program runs the files share; a run read back from it is the run, to the
 * last `undefined` key; the SDK's unused start-up modules are lazy stand-ins; what the mock runtime leaves out of a
 * run (azure-native's aliases to older type tokens, each resource's stack trace) and what it keeps; and `npm test`
 * starts jest as package.json says, with the workers jest.config.js asks for.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { types } from "util";
import type * as MockRuntime from "../mock-runtime";
import type * as AliasProbe from "./support/alias-probe";
import type * as SharedRun from "./support/shared-run";
import { at, specStack } from "./support/stacks";

const { RUN_CACHE_ENV, OUTER_TMPDIR_ENV }: { RUN_CACHE_ENV: string; OUTER_TMPDIR_ENV: string } = jest.requireActual("./support/run-cache.cjs");

describe("the run's directory (jest's global setup)", () => {
  test("every temp file a test makes lands in it (TMPDIR), and it is not the machine's temp directory", () => {
    const dir = process.env[RUN_CACHE_ENV]!;
    expect(fs.statSync(dir).isDirectory()).toBe(true);
    expect(os.tmpdir()).toBe(path.join(dir, "tmp"));
    const made = fs.mkdtempSync(path.join(os.tmpdir(), "harness-"));
    expect(made.startsWith(`${dir}${path.sep}`)).toBe(true);
    expect(process.env[OUTER_TMPDIR_ENV]).toBeDefined();
    expect(dir.startsWith(`${process.env[OUTER_TMPDIR_ENV]}${path.sep}`)).toBe(true);
    // The PostgreSQL server's user must traverse it to reach its data directory, and may create in tmp/.
    expect(fs.statSync(dir).mode & 0o777).toBe(0o711);
    expect(fs.statSync(os.tmpdir()).mode & 0o1777).toBe(0o1777);
  });
});

describe("program runs shared across test files", () => {
  const opts = at(specStack("prod"));

  test("a run another file would read from the run's directory equals a fresh run, key for key", async () => {
    const first: typeof SharedRun = jest.requireActual("./support/shared-run");
    const shared = await first.sharedRun(opts);
    const files = fs.readdirSync(process.env[RUN_CACHE_ENV]!).filter((f) => f.endsWith(".json"));
    expect(files.length).toBeGreaterThan(0);
    // Another file's module registry: nothing in memory, so the run comes from the directory.
    let again: typeof SharedRun | undefined;
    jest.isolateModules(() => {
      again = jest.requireActual<typeof SharedRun>("./support/shared-run");
    });
    const fromDisk = await again!.sharedRun(opts);
    const actual: typeof MockRuntime = jest.requireActual("../mock-runtime");
    const fresh = await actual.runProgram(opts);
    // toStrictEqual tells a key holding `undefined` (a root resource's parent) from a missing one.
    expect(fromDisk).toStrictEqual(fresh);
    expect(shared).toStrictEqual(fresh);
    expect(fromDisk.resources.some((r) => Object.hasOwn(r, "parent") && r.parent === undefined)).toBe(true);
  });

  test("each caller gets its own copy: a test changing its records changes no other caller's", async () => {
    const { sharedRun }: typeof SharedRun = jest.requireActual("./support/shared-run");
    const a = await sharedRun(opts);
    a.resources[0].inputs.tampered = true;
    a.outputs.tampered = true;
    const b = await sharedRun(opts);
    expect(b.resources[0].inputs.tampered).toBeUndefined();
    expect(b.outputs.tampered).toBeUndefined();
  });
});

describe("the SDK's start-up in a test file", () => {
  test("the modules the program under mocks never uses (gRPC here) are stand-ins, which load the real one on first use", () => {
    /* eslint-disable @typescript-eslint/no-require-imports -- the file's registry as the SDK sees it */
    require("@pulumi/pulumi");
    const grpc = require("@grpc/grpc-js");
    /* eslint-enable @typescript-eslint/no-require-imports */
    expect(types.isProxy(grpc)).toBe(true);
    expect(grpc.status.UNAVAILABLE).toBe(14);
    expect(typeof grpc.credentials.createInsecure).toBe("function");
  });
});

describe("what the mock runtime leaves out of a run", () => {
  const actual: typeof MockRuntime = jest.requireActual("../mock-runtime");

  /** A run of the probe program, and what its resource's own transformation saw during that run. */
  async function probeRun() {
    const probe: typeof AliasProbe = jest.requireActual("./support/alias-probe");
    const before = probe.seen.length;
    const result = await actual.runProgram({ ...at(specStack("dev")), program: require.resolve("./support/alias-probe") });
    expect(result.error).toBeUndefined();
    return { result, seen: probe.seen.slice(before) };
  }

  test("azure-native's aliases to its older type tokens (state to find under them, of which a mock run has none); the program's own are kept", async () => {
    const { result, seen } = await probeRun();
    // What azure-native gave the resource: one alias per type token it was published under, then the program's.
    const [{ aliases }] = seen;
    const providers = aliases.filter(actual.isProviderTypeAlias);
    expect(providers.length).toBeGreaterThan(5);
    expect(providers).toContainEqual({ type: "azure-native:resources/v20240301:ResourceGroup" });
    expect(aliases.filter((a) => !actual.isProviderTypeAlias(a))).toEqual([{ name: "probe-old" }]);
    // What was registered: only the program's.
    expect(actual.oneOfType(result, "azure-native:resources:ResourceGroup").options.aliases).toEqual(["probe-old"]);
  });

  test("which aliases count as azure-native's: a type token of its own and nothing else", () => {
    const { isProviderTypeAlias } = actual;
    expect(isProviderTypeAlias({ type: "azure-native:web/v20240401:WebApp" })).toBe(true);
    expect(isProviderTypeAlias({ type: "azure-native:insights:ActionGroup" })).toBe(true);
    for (const kept of [{ name: "old" }, { parent: undefined }, { type: "amplifier:app:AppService" }, { type: "azure-native:web:WebApp", name: "old" }, "urn:pulumi:prod::p::t::n"]) {
      expect([kept, isProviderTypeAlias(kept)]).toEqual([kept, false]);
    }
  });

  test("each resource's stack trace (Resource.callsites, for the engine's source positions): empty while a program runs, restored after", async () => {
    const { seen } = await probeRun();
    expect(seen.map((s) => s.callsites)).toEqual([0]);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { Resource } = require("@pulumi/pulumi") as { Resource: unknown };
    expect((Resource as { callsites: () => unknown[] }).callsites().length).toBeGreaterThan(0);
  });
});

describe("how npm test starts jest", () => {
  test("on Node with AsyncContextFrame and a young generation sized for program runs; as many workers as jest.config.js says", () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "package.json"), "utf8"));
    expect(pkg.scripts.test).toMatch(/^node --experimental-async-context-frame .*node_modules\/jest\/bin\/jest\.js$/);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const config = require("../jest.config.js");
    // A number: jest reads a percentage above 100% as a count of workers.
    expect(typeof config.maxWorkers).toBe("number");
    expect(config.maxWorkers).toBeLessThanOrEqual(Math.ceil(os.availableParallelism() * 1.5));
  });
});
