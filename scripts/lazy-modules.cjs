/* global __dirname */
/* eslint-disable @typescript-eslint/no-require-imports -- plain CommonJS: it runs before anything is compiled */
// Modules that @pulumi/pulumi and zod load at start-up although nothing the launcher runs (the program under mocks,
// the plan, the tools) uses them. `install()` puts a stand-in for each in require's cache: a Proxy that loads the
// real module on first use, so the libraries behave the same, only later.
// - @pulumi/pulumi's `typescript-shim.js`: TypeScript (~9 MB of JavaScript, ~150 ms) only for closure serialisation
//   (pulumi.runtime.serializeFunction); the dynamic resources here pass their provider as text (components/settle.ts).
// - @pulumi/pulumi's `automation/index.js` (`pulumi.automation`, the Automation API that drives the Pulumi CLI:
//   execa, js-yaml, the language server's protocol; ~70 ms of the SDK's start-up).
// - zod's `v4/locales/index.cjs` (`z.locales`: about 50 translations of its messages; zod loads its default,
//   English, from `locales/en.cjs` by itself, and the config errors are our own words anyway).
// - `@opentelemetry/api` as @pulumi/pulumi finds it (44 files): the SDK's runtime/settings.js uses it only to pass a
//   trace context along a gRPC call to the engine, which the mock runtime never makes.
// - gRPC (`@grpc/grpc-js`, 65 files) and the SDK's generated gRPC service files (`proto/*_grpc_pb.js`): used only to
//   talk to a Pulumi engine, a provider host or a callback server, none of which exists under mocks (the mock
//   monitor answers in-process). The generated files are plain CommonJS, so TypeScript's __importStar in their
//   importers would copy, i.e. read, every export at load: their stand-ins answer `__esModule` as true, so the
//   importer keeps the stand-in itself, and answer `default` with the module itself, which is what __importStar and
//   __importDefault would have put there (test/launcher.test.ts proves both helpers see the same).
// - The SDK's helpers for closure serialisation (pulumi.runtime.serializeFunction, unused here, see TypeScript):
//   `semver` (47 files; plain CommonJS under __importStar, so it answers `__esModule` like the gRPC files) and
//   `normalize-package-data` (28 files with its own dependencies; a function, so its stand-in can be called).
// Each depends on a library-internal file name, so it must degrade safely, and does (test/launcher.test.ts proves it):
// - the file moved or was renamed: nothing is installed for it, the library loads it eagerly as before;
// - the module is used after all: the first property read (or `in`, key listing, assignment) loads the real one;
// - a library reads it at load time: the same, just no time saved.
// Importers compiled from TypeScript first ask `__esModule` (its __importStar helper); the stand-in answers that
// from the real file's text, without loading it, so `import * as` gets the module itself, as it would.
const fs = require("fs");
const Module = require("module");
const path = require("path");

/**
 * Package and file inside it, one per stand-in (see above for why each is safe to defer); `from`: the package whose
 * require() finds it (its own copy wins when it has one), else the project; `esModule`: answer `__esModule` as true
 * (see gRPC above); `callable`: the module is a function (a stand-in over a plain object could not be called).
 */
const GRPC_SERVICES = ["engine", "resource", "callback", "provider"].map((s) => ({ pkg: "@pulumi/pulumi", file: `proto/${s}_grpc_pb.js`, esModule: true }));
const LAZY = [
  { pkg: "@pulumi/pulumi", file: "typescript-shim.js" },
  { pkg: "semver", file: "index.js", from: "@pulumi/pulumi", esModule: true },
  { pkg: "normalize-package-data", file: "lib/normalize.js", from: "@pulumi/pulumi", callable: true },
  { pkg: "@pulumi/pulumi", file: "automation/index.js" },
  { pkg: "zod", file: "v4/locales/index.cjs" },
  { pkg: "@opentelemetry/api", file: "build/src/index.js", from: "@pulumi/pulumi" },
  { pkg: "@grpc/grpc-js", file: "build/src/index.js", from: "@pulumi/pulumi" },
  ...GRPC_SERVICES,
];

/**
 * Exports that stand in for a module: `load()` gives the real one, on first use; `loaded()` says whether it has been.
 * Before that, `__esModule` is answered from `esModule` (the real file's own flag, or true: see gRPC above).
 */
function lazyExports(load, loaded, { esModule, esModuleAnyway = false, callable = false }) {
  // An arrow function: callable, and with no non-configurable own property (a `function`'s prototype) to trip the
  // Proxy invariants below.
  return new Proxy(callable ? () => undefined : {}, {
    apply: (_, self, args) => Reflect.apply(load(), self, args),
    get: (_, key) => {
      if (key === "__esModule" && !loaded()) return esModule || undefined;
      const m = load();
      return key === "default" && esModuleAnyway && !("default" in m) ? m : m[key];
    },
    has: (_, key) => key in load(),
    ownKeys: () => Reflect.ownKeys(load()),
    set: (_, key, value) => Reflect.set(load(), key, value),
    defineProperty: (_, key, d) => Reflect.defineProperty(load(), key, d),
    deleteProperty: (_, key) => Reflect.deleteProperty(load(), key),
    // A module's exports may be getters that are not configurable; a Proxy over an empty object may only report
    // configurable properties, so the copy says so (reading them still goes through `get`).
    getOwnPropertyDescriptor: (_, key) => {
      const d = Object.getOwnPropertyDescriptor(load(), key);
      return d && { ...d, configurable: true };
    },
  });
}

function standIn({ file, esModule, esModuleAnyway, callable }) {
  if (require.cache[file]) return false; // already loaded for real: nothing to save
  let real;
  const load = () => {
    if (!real) {
      delete require.cache[file]; // from now on require() gives the real module, also to whoever asks next
      real = require(file);
    }
    return real;
  };
  const stand = new Module(file);
  stand.filename = file;
  stand.loaded = true;
  stand.exports = lazyExports(load, () => real !== undefined, { esModule, esModuleAnyway, callable });
  require.cache[file] = stand;
  return true;
}

/**
 * The directory of the copy of `pkg` that require() finds from `base`, or undefined. From its entry point, not its
 * package.json, which a package's `exports` may not expose (@opentelemetry/api's does not).
 */
function packageDir(pkg, base) {
  let entry;
  try {
    entry = require.resolve(pkg, { paths: [base] });
  } catch {
    return undefined;
  }
  const marker = path.join("node_modules", pkg);
  const at = entry.lastIndexOf(marker + path.sep);
  return at < 0 ? undefined : entry.slice(0, at + marker.length);
}

/** The stand-ins' files that exist under `root`'s node_modules, with how each answers (see `lazyExports`). */
function lazyFiles(root = path.resolve(__dirname, "..")) {
  const found = [];
  for (const { pkg, file, from, esModule: esModuleAnyway = false, callable = false } of LAZY) {
    const base = from ? packageDir(from, root) : root;
    const dir = base && packageDir(pkg, base);
    if (!dir) continue;
    const full = path.join(dir, file);
    if (!fs.existsSync(full)) continue;
    const esModule = esModuleAnyway || /Object\.defineProperty\(exports, "__esModule"/.test(fs.readFileSync(full, "utf8"));
    found.push({ file: full, esModule, esModuleAnyway, callable });
  }
  return found;
}

/** Installs every stand-in whose file exists under `root`'s node_modules; whether any was installed. */
function install(root) {
  let any = false;
  for (const lazy of lazyFiles(root)) if (standIn(lazy)) any = true;
  return any;
}

// lazyFiles and lazyExports also serve jest (test/support/lazy-modules.ts), whose module registry is its own.
module.exports = { install, LAZY, lazyFiles, lazyExports };
