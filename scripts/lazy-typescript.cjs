/* global __dirname */
/* eslint-disable @typescript-eslint/no-require-imports -- plain CommonJS: it runs before anything is compiled */
// @pulumi/pulumi requires TypeScript (~9 MB of JavaScript, ~150 ms) at start-up through its
// `typescript-shim.js`, only for closure serialisation (pulumi.runtime.serializeFunction), which neither the program
// nor the plan uses. `install()` puts a stand-in for that shim in require's cache: a Proxy that loads the real shim
// (and with it TypeScript, or the SDK's vendored copy) on first use, so the SDK behaves the same, only later.
// It depends on an SDK-internal file name, so it must degrade safely, and does (test/transpile.test.ts proves each):
// - the shim moved or was renamed: require.resolve throws, nothing is installed, TypeScript loads eagerly as before;
// - the SDK uses TypeScript after all (serializeFunction): the first property read loads the real module;
// - the SDK reads TypeScript at load time: the same, just no time saved.
const Module = require("module");
const path = require("path");

function install(root = path.resolve(__dirname, "..")) {
  let shim;
  try {
    shim = require.resolve("@pulumi/pulumi/typescript-shim", { paths: [root] });
  } catch {
    return false;
  }
  if (require.cache[shim]) return false; // already loaded for real: nothing to save
  let real;
  const load = () => {
    if (!real) {
      delete require.cache[shim]; // from now on require() gives the real shim, also to whoever asks next
      real = require(shim);
    }
    return real;
  };
  const stand = new Module(shim);
  stand.filename = shim;
  stand.loaded = true;
  stand.exports = new Proxy(
    {},
    {
      get: (_, key) => load()[key],
      has: (_, key) => key in load(),
      ownKeys: () => Reflect.ownKeys(load()),
      // TypeScript's exports are getters that are not configurable; a Proxy over an empty object may only report
      // configurable properties, so the copy says so (reading them still goes through `get`).
      getOwnPropertyDescriptor: (_, key) => {
        const d = Object.getOwnPropertyDescriptor(load(), key);
        return d && { ...d, configurable: true };
      },
    },
  );
  require.cache[shim] = stand;
  return true;
}

module.exports = { install };
