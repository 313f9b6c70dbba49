/**
 * The launcher behind `npm run plan|bench|docs|...` (scripts/run.cjs): dist/ is rebuilt exactly when a source or an
 * output changed (content hashes, so a branch switch, a foreign build or an old mtime cannot leave stale code
 * running), nothing is transpiled and TypeScript is not loaded when nothing changed, and the lazy-module stand-ins
 * degrades safely. Scratch projects, so the suite never races the real dist/.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as ts from "typescript";
import { PROJECT_DIR } from "../config/stack-files";
import { main as bench } from "../tools/bench";
import { EXIT, type Io } from "../tools/cli";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const transpile = require("../scripts/transpile.cjs") as {
  sourceFiles: (tsconfig: unknown, root?: string) => string[];
  ensureBuilt: (opts?: { root?: string; force?: boolean }) => string[];
};

// The outputs cache of this file's scratch projects: their own, so a run never finds the previous run's entries.
const CACHE = fs.mkdtempSync(path.join(os.tmpdir(), "launcher-cache-"));
process.env.AMPLIFIER_TRANSPILE_CACHE = CACHE;
const ENV = { ...process.env, AMPLIFIER_TRANSPILE_CACHE: CACHE };
afterAll(() => fs.rmSync(CACHE, { recursive: true, force: true }));

const TSCONFIG = { compilerOptions: { target: "ES2022", module: "commonjs", isolatedModules: true, outDir: "dist" }, include: ["scripts/*.ts", "lib/**/*.ts"] };

/** A scratch project: the launcher's three scripts, a tsconfig, `files`, and the project's node_modules linked in. */
function scratch(files: Record<string, string>): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "launcher-"));
  fs.mkdirSync(path.join(root, "scripts"));
  for (const s of ["run.cjs", "transpile.cjs", "lazy-modules.cjs"]) fs.copyFileSync(path.join(PROJECT_DIR, "scripts", s), path.join(root, "scripts", s));
  fs.writeFileSync(path.join(root, "tsconfig.json"), JSON.stringify(TSCONFIG));
  fs.symlinkSync(path.join(PROJECT_DIR, "node_modules"), path.join(root, "node_modules"));
  for (const [f, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, f)), { recursive: true });
    fs.writeFileSync(path.join(root, f), text);
  }
  return root;
}

const jsOf = (root: string, source: string) => fs.readFileSync(path.join(root, "dist", source.replace(/\.ts$/, ".js")), "utf8");
const transpiled = (source: string) => ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } }).outputText;

test("the staleness check covers exactly TypeScript's file list for this project", () => {
  const { config } = ts.readConfigFile(path.join(PROJECT_DIR, "tsconfig.json"), ts.sys.readFile);
  const { fileNames } = ts.parseJsonConfigFileContent(config, ts.sys, PROJECT_DIR);
  const expected = fileNames.filter((f) => !f.endsWith(".d.ts")).map((f) => path.relative(PROJECT_DIR, f).split(path.sep).join("/"));
  expect(transpile.sourceFiles(config)).toEqual(expected.sort());
  expect(() => transpile.sourceFiles({ include: ["src/**/*.tsx"] })).toThrow(/include pattern "src\/\*\*\/\*\.tsx" is not understood/);
});

describe("dist/ is rebuilt exactly when a source or an output changed", () => {
  const A = { "lib/a.ts": "export const a = 1;\n", "lib/b.ts": "export const b = 'branch A';\n", "scripts/x.ts": "export const x = 0;\n" };

  test("first build transpiles everything; a second run nothing", () => {
    const root = scratch(A);
    expect(transpile.ensureBuilt({ root }).sort()).toEqual(Object.keys(A).sort());
    expect(transpile.ensureBuilt({ root })).toEqual([]);
    expect(jsOf(root, "lib/b.ts")).toBe(transpiled(A["lib/b.ts"]));
  });

  test("a branch switch with another build in between: the outputs it left are rebuilt from the current sources", () => {
    const root = scratch(A);
    transpile.ensureBuilt({ root });
    // Branch B changes b.ts and something else (`tsc -p .`, an older checkout's launcher) builds it into dist/,
    // leaving our manifest as it was; then the checkout returns to A, whose sources match the manifest again.
    fs.writeFileSync(path.join(root, "dist/lib/b.js"), transpiled("export const b = 'branch B';\n"));
    expect(transpile.ensureBuilt({ root })).toEqual(["lib/b.ts"]);
    expect(jsOf(root, "lib/b.ts")).toBe(transpiled(A["lib/b.ts"]));
  });

  test("a changed source is rebuilt even with its old mtime restored (cp -p, tar, rsync -t)", () => {
    const root = scratch(A);
    transpile.ensureBuilt({ root });
    const file = path.join(root, "lib/a.ts");
    const { atime, mtime } = fs.statSync(file);
    fs.writeFileSync(file, "export const a = 2;\n");
    fs.utimesSync(file, atime, mtime);
    expect(transpile.ensureBuilt({ root })).toEqual(["lib/a.ts"]);
    expect(jsOf(root, "lib/a.ts")).toContain("a = 2");
  });

  test("files whose times are old enough are trusted by their stat, and a rewrite is still seen (ctime moves)", () => {
    const root = scratch(A);
    transpile.ensureBuilt({ root });
    // As if the build were long ago: every file's times now lie well before the manifest's, so stat is trusted.
    const manifestFile = path.join(root, "dist/.manifest.json");
    const age = (m: { at: number }) => fs.writeFileSync(manifestFile, JSON.stringify({ ...m, at: m.at + 3_600_000 }));
    age(JSON.parse(fs.readFileSync(manifestFile, "utf8")));
    expect(transpile.ensureBuilt({ root })).toEqual([]);
    // Same size, same mtime, new content: only ctime tells, and it does.
    const file = path.join(root, "lib/a.ts");
    const { atime, mtime } = fs.statSync(file);
    fs.writeFileSync(file, "export const a = 7;\n");
    fs.utimesSync(file, atime, mtime);
    expect(transpile.ensureBuilt({ root })).toEqual(["lib/a.ts"]);
    expect(jsOf(root, "lib/a.ts")).toContain("a = 7");
    // An output another build rewrote with the same size is rebuilt too.
    age(JSON.parse(fs.readFileSync(manifestFile, "utf8")));
    fs.writeFileSync(path.join(root, "dist/lib/a.js"), jsOf(root, "lib/a.ts").replace("a = 7", "a = 8"));
    expect(transpile.ensureBuilt({ root })).toEqual(["lib/a.ts"]);
    expect(jsOf(root, "lib/a.ts")).toContain("a = 7");
  });

  test("a deleted source loses its output; a new one gets one", () => {
    const root = scratch(A);
    transpile.ensureBuilt({ root });
    fs.rmSync(path.join(root, "lib/a.ts"));
    fs.mkdirSync(path.join(root, "lib/deep"));
    fs.writeFileSync(path.join(root, "lib/deep/c.ts"), "export const c = 3;\n");
    expect(transpile.ensureBuilt({ root })).toEqual(["lib/deep/c.ts"]);
    expect(fs.existsSync(path.join(root, "dist/lib/a.js"))).toBe(false);
    expect(JSON.parse(fs.readFileSync(path.join(root, "dist/.manifest.json"), "utf8")).files).not.toHaveProperty("lib/a.ts");
  });
});

test("a second checkout sharing the node_modules (plan --base's unpacked base) builds dist/ from the cache, without TypeScript", () => {
  const files = { "scripts/hello.ts": 'console.log(JSON.stringify({ typescript: Object.keys(require.cache).some((f) => /node_modules[\\\\/]typescript[\\\\/]lib[\\\\/]typescript\\.js$/.test(f)) }));\n', "lib/cached.ts": "export const unique = 'cached';\n" };
  const own = fs.mkdtempSync(path.join(os.tmpdir(), "launcher-cache-own-"));
  const env = { ...process.env, AMPLIFIER_TRANSPILE_CACHE: own };
  try {
    const first = scratch(files);
    const built = spawnSync(process.execPath, [path.join(first, "scripts/run.cjs"), "hello"], { cwd: first, encoding: "utf8", env });
    expect(JSON.parse(built.stdout)).toEqual({ typescript: true });
    const second = scratch(files);
    const fromCache = spawnSync(process.execPath, [path.join(second, "scripts/run.cjs"), "hello"], { cwd: second, encoding: "utf8", env });
    expect(JSON.parse(fromCache.stdout)).toEqual({ typescript: false });
    expect(jsOf(second, "lib/cached.ts")).toBe(transpiled(files["lib/cached.ts"]));
    // A changed source misses the cache: transpiled, never an old output.
    fs.writeFileSync(path.join(second, "lib/cached.ts"), "export const unique = 'changed';\n");
    expect(transpile.ensureBuilt({ root: second })).toEqual(["lib/cached.ts"]);
    expect(jsOf(second, "lib/cached.ts")).toContain("'changed'");
  } finally {
    fs.rmSync(own, { recursive: true, force: true });
  }
});

describe("scripts/run.cjs", () => {
  const hello = {
    // Reports its arguments and whether TypeScript is loaded once @pulumi/pulumi is.
    "scripts/hello.ts": [
      'import * as pulumi from "@pulumi/pulumi";',
      "const loaded = Object.keys(require.cache).some((f) => /node_modules[\\\\/]typescript[\\\\/]lib[\\\\/]typescript\\.js$/.test(f));",
      "console.log(JSON.stringify({ args: process.argv.slice(2), typescript: loaded, sdk: typeof pulumi.Config }));",
    ].join("\n"),
  };
  const run = (root: string, ...args: string[]) => spawnSync(process.execPath, [path.join(root, "scripts/run.cjs"), ...args], { cwd: root, encoding: "utf8", env: ENV });

  test("runs dist/scripts/<entry>.js in one process; TypeScript is loaded only when something had to be transpiled", () => {
    const root = scratch(hello);
    const first = run(root, "hello", "prod", "--flag");
    expect(first.status).toBe(0);
    expect(JSON.parse(first.stdout)).toEqual({ args: ["prod", "--flag"], typescript: true, sdk: "function" });
    const second = run(root, "hello", "prod");
    expect(JSON.parse(second.stdout)).toEqual({ args: ["prod"], typescript: false, sdk: "function" });
  });

  test("an entry ends once its output is written (runMain), whole and with its exit code, not when its timers run out", () => {
    const root = scratch({
      "tools/cli.ts": fs.readFileSync(path.join(PROJECT_DIR, "tools/cli.ts"), "utf8"),
      "config/errors.ts": fs.readFileSync(path.join(PROJECT_DIR, "config/errors.ts"), "utf8"),
      "scripts/loud.ts": [
        'import { runMain } from "../tools/cli";',
        "setTimeout(() => undefined, 60_000); // would hold the process for a minute",
        'runMain("loud", (_argv, io) => { io.stdout("x".repeat(1 << 20) + "\\n"); io.stderr("done\\n"); return 3; });',
      ].join("\n"),
    });
    fs.writeFileSync(path.join(root, "tsconfig.json"), JSON.stringify({ ...TSCONFIG, include: ["scripts/*.ts", "tools/*.ts", "config/*.ts"] }));
    const r = spawnSync(process.execPath, [path.join(root, "scripts/run.cjs"), "loud"], { cwd: root, encoding: "utf8", env: ENV, timeout: 30_000, maxBuffer: 4 << 20 });
    expect([r.status, r.signal, r.stderr]).toEqual([3, null, "done\n"]);
    expect(r.stdout).toBe(`${"x".repeat(1 << 20)}\n`);
  });

  test("an entry with no source is refused, even when another checkout left its dist/ file", () => {
    const root = scratch(hello);
    fs.mkdirSync(path.join(root, "dist/scripts"), { recursive: true });
    fs.writeFileSync(path.join(root, "dist/scripts/ghost.js"), "console.log('stale code ran')");
    const r = run(root, "ghost");
    expect(r.status).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain('entries: hello (got "ghost")');
  });
});

describe("lazy modules (scripts/lazy-modules.cjs) degrade safely", () => {
  const node = (code: string) => spawnSync(process.execPath, ["-e", code], { cwd: PROJECT_DIR, encoding: "utf8" });
  const LOADED = "Object.keys(require.cache).some((f) => /node_modules[\\\\/]typescript[\\\\/]lib[\\\\/]typescript\\.js$/.test(f))";

  test("the SDK loads without TypeScript, and closure serialisation (its only user) still works, loading it then", () => {
    const r = node(`
      const installed = require("./scripts/lazy-modules.cjs").install();
      const pulumi = require("@pulumi/pulumi");
      const before = ${LOADED};
      const x = 41;
      pulumi.runtime.serializeFunction(() => x + 1).then((f) => console.log(JSON.stringify({ installed, before, after: ${LOADED}, text: f.text })));
    `);
    expect(r.status).toBe(0); // stderr has Node's warnings for the `-e` globals the serialiser walks, stand-in or not
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ installed: true, before: false, after: true });
    expect(out.text).toContain("x: 41");
  });

  test("an SDK without the shim (moved or renamed) gets nothing installed and loads TypeScript as before", () => {
    const elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), "no-sdk-"));
    const r = node(`console.log(require("./scripts/lazy-modules.cjs").install(${JSON.stringify(elsewhere)}))`);
    expect(r.stdout.trim()).toBe("false");
  });

  test("Pulumi's Automation API and zod's translations load on first use, and work then as without the stand-ins", () => {
    const r = node(`
      const real = (f) => { const m = Object.keys(require.cache).find((k) => k.endsWith(f)); return m ? require.cache[m] : undefined; };
      const isReal = (f) => { const m = real(f); return Boolean(m) && !require("util").types.isProxy(m.exports); };
      const installed = require("./scripts/lazy-modules.cjs").install();
      const pulumi = require("@pulumi/pulumi");
      const z = require("zod");
      const before = { automation: isReal("automation/index.js"), locales: isReal("v4/locales/index.cjs") };
      // Used: each loads for real, and gives what the library would (an Automation API class, a locale that works).
      const automation = typeof pulumi.automation.LocalWorkspace.create;
      const de = z.locales.de;
      z.config(de());
      const message = z.string().safeParse(1).error.issues[0].message;
      const after = { automation: isReal("automation/index.js"), locales: isReal("v4/locales/index.cjs") };
      console.log(JSON.stringify({ installed, before, after, automation, message, esModule: pulumi.automation.__esModule }));
    `);
    expect(r.stderr).toBe("");
    expect(JSON.parse(r.stdout)).toEqual({
      installed: true,
      before: { automation: false, locales: false },
      after: { automation: true, locales: true },
      automation: "function",
      message: expect.stringMatching(/^Ungültige Eingabe/),
      esModule: true,
    });
  });

  test("OpenTelemetry's API, as the SDK finds it, loads on first use and works then", () => {
    const r = node(`
      const isReal = () => { const m = Object.keys(require.cache).find((k) => /@opentelemetry[\\\\/]api[\\\\/]build[\\\\/]src[\\\\/]index\\.js$/.test(k)); return Boolean(m) && !require("util").types.isProxy(require.cache[m].exports); };
      require("./scripts/lazy-modules.cjs").install();
      require("@pulumi/pulumi");
      const before = isReal();
      const api = require(require.resolve("@opentelemetry/api", { paths: [require.resolve("@pulumi/pulumi")] }));
      const carrier = {};
      api.propagation.inject(api.context.active(), carrier);
      console.log(JSON.stringify({ before, after: isReal(), tracer: typeof api.trace.getTracer("x").startSpan, carrier }));
    `);
    expect(r.stderr).toBe("");
    expect(JSON.parse(r.stdout)).toEqual({ before: false, after: true, tracer: "function", carrier: {} });
  });

  test("gRPC and the SDK's generated gRPC services load on first use, and work then", () => {
    const r = node(`
      const isReal = (re) => Object.keys(require.cache).some((k) => re.test(k) && !require("util").types.isProxy(require.cache[k].exports));
      const GRPC = /@grpc[\\\\/]grpc-js[\\\\/]build[\\\\/]src[\\\\/]index\\.js$/;
      const SERVICES = /proto[\\\\/]\\w+_grpc_pb\\.js$/;
      require("./scripts/lazy-modules.cjs").install();
      const pulumi = require("@pulumi/pulumi");
      const before = { grpc: isReal(GRPC), services: isReal(SERVICES) };
      const engine = require(require.resolve("@pulumi/pulumi/proto/engine_grpc_pb"));
      const grpc = require(require.resolve("@grpc/grpc-js", { paths: [require.resolve("@pulumi/pulumi")] }));
      const client = new engine.EngineClient("127.0.0.1:1", grpc.credentials.createInsecure());
      client.close();
      console.log(JSON.stringify({ before, after: { grpc: isReal(GRPC), services: isReal(SERVICES) }, status: grpc.status.UNAVAILABLE, sdk: typeof pulumi.runtime.registerResource }));
    `);
    expect(r.stderr).toBe("");
    expect(JSON.parse(r.stdout)).toEqual({ before: { grpc: false, services: false }, after: { grpc: true, services: true }, status: 14, sdk: "function" });
  });

  test("stand-ins that answer __esModule give TypeScript's import helpers what the real module would", () => {
    const r = node(`
      // TypeScript's CommonJS interop helpers, as the SDK's compiled files (and other libraries) define them.
      const importStar = (mod) => { if (mod && mod.__esModule) return mod; const r = {}; for (const k in mod) if (Object.hasOwnProperty.call(mod, k)) r[k] = mod[k]; r.default = mod; return r; };
      const importDefault = (mod) => (mod && mod.__esModule ? mod : { default: mod });
      const { LAZY, install } = require("./scripts/lazy-modules.cjs");
      install();
      const sdk = require.resolve("@pulumi/pulumi");
      const semver = () => require(require.resolve("semver", { paths: [sdk] }));
      const star = importStar(semver());
      const loadedByImport = Object.keys(require.cache).some((k) => /[\\\\/]semver[\\\\/]functions[\\\\/]/.test(k));
      const normalize = require(require.resolve("normalize-package-data", { paths: [sdk] }));
      const data = { name: "x", version: "1.0.0" };
      normalize(data);
      console.log(JSON.stringify({
        forced: LAZY.filter((l) => l.esModule).map((l) => l.pkg + "/" + l.file),
        loadedByImport,
        star: star.gt("2.0.0", "1.0.0"),
        starDefault: star.default.gt("2.0.0", "1.0.0"),
        viaDefault: importDefault(semver()).default.satisfies("1.2.3", "^1.0.0"),
        normalized: data._id,
      }));
    `);
    expect(r.stderr).toBe("");
    expect(JSON.parse(r.stdout)).toEqual({
      forced: ["semver/index.js", ...["engine", "resource", "callback", "provider"].map((s) => `@pulumi/pulumi/proto/${s}_grpc_pb.js`)],
      loadedByImport: false,
      star: true,
      starDefault: true,
      viaDefault: true,
      normalized: "x@1.0.0",
    });
  });

  test("a library without one of the files (moved or renamed) gets no stand-in for it", () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "moved-"));
    // A zod whose translations moved: the other stand-ins still install, zod's is left out and zod loads as before.
    fs.mkdirSync(path.join(root, "node_modules"));
    fs.symlinkSync(path.join(PROJECT_DIR, "node_modules", "@pulumi"), path.join(root, "node_modules", "@pulumi"));
    fs.mkdirSync(path.join(root, "node_modules", "zod"));
    fs.writeFileSync(path.join(root, "node_modules", "zod", "package.json"), JSON.stringify({ name: "zod", main: "index.js" }));
    fs.writeFileSync(path.join(root, "node_modules", "zod", "index.js"), "exports.locales = require('./locales'); exports.ok = true;");
    fs.writeFileSync(path.join(root, "node_modules", "zod", "locales.js"), "exports.de = 1;");
    const r = node(`
      const installed = require("./scripts/lazy-modules.cjs").install(${JSON.stringify(root)});
      const z = require(${JSON.stringify(path.join(root, "node_modules", "zod"))});
      console.log(JSON.stringify({ installed, de: z.locales.de, proxied: require("util").types.isProxy(z.locales) }));
    `);
    expect(JSON.parse(r.stdout)).toEqual({ installed: true, de: 1, proxied: false });
  });
});

describe("npm run bench (a measurement: only its usage is tested, no timing is)", () => {
  test.each([[["--fast"]], [["--rounds", "0"]], [["--check=yes"]], [["--test-rounds", "0"]], [["--only", "lint"]]])("%j -> exit 2 with the usage, before measuring anything", (argv) => {
    let stderr = "";
    const io: Io = { stdout: () => undefined, stderr: (s) => (stderr += s), isTTY: false, env: {} };
    expect(bench(argv, io)).toBe(EXIT.usage);
    expect(stderr).toMatch(/^bench: bad argument .*\nusage: npm run bench \[-- --check\] \[-- --rounds N\]/);
  });
});
