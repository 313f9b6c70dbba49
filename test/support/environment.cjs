/* eslint-disable @typescript-eslint/no-require-imports -- plain CommonJS: jest loads the environment untransformed */
// jest's node environment, less two costs the tests never look at: the global's Proxy (below), and this one.
// @pulumi/pulumi stamps every promise it makes with
// `new Error().stack` (runtime/debuggable.js `debuggablePromise`), a trace it prints only in its promise-leak report
// when a real engine's process exits. Under jest every such trace is rendered by jest's source-map formatter
// (@jest/source-map: each frame cloned and looked up in the source maps), which was about half the CPU of a
// program run in the tests (a prod run ~1.4 s of CPU instead of ~0.6 s in plain Node). Those traces, and only those,
// are rendered here as V8 renders them by default (same frames, unmapped); every other error's stack, a failing
// test's included, still goes through jest's formatter with the TypeScript positions.
const vm = require("vm");
const { TestEnvironment } = require("jest-environment-node");

const PULUMI_PROMISE_STAMP = /[\\/]@pulumi[\\/]pulumi[\\/]runtime[\\/]debuggable\.js$/;

class ProgramTestEnvironment extends TestEnvironment {
  constructor(config, context) {
    // The test file's context with an ordinary global object. jest 30 makes it from a Proxy (to delete, at teardown,
    // what a test left on the global), so Node's contextified global consults that Proxy on every global name the
    // code reads (Promise, Object, Set...): the SDK's promise-heavy code ran about twice as slow as in plain Node. With
    // Node's DONT_CONTEXTIFY (https://nodejs.org/api/vm.html#vmconstantsdont_contextify, Node >= 22.8; made "to speed
    // up the global access" when the interceptors are not needed, nodejs/node#54394) those reads are plain ones; each
    // file still gets its own context, dropped at teardown as before.
    const { createContext } = vm;
    if (vm.constants?.DONT_CONTEXTIFY) vm.createContext = () => createContext(vm.constants.DONT_CONTEXTIFY);
    try {
      super(config, context);
    } finally {
      vm.createContext = createContext;
    }
    // Errors made inside the test file's realm consult that realm's Error.prepareStackTrace first, then the
    // worker's, where jest installs its formatter (Node's lib/internal/errors.js `maybeOverridePrepareStackTrace`).
    this.global.Error.prepareStackTrace = (error, frames) => {
      if (frames.length > 0 && PULUMI_PROMISE_STAMP.test(frames[0].getFileName() ?? "")) {
        return `${error.message ? `${error.name}: ${error.message}` : error.name}${frames.map((f) => `\n    at ${f}`).join("")}`;
      }
      const jestFormatter = Error.prepareStackTrace;
      return typeof jestFormatter === "function" ? jestFormatter(error, frames) : `${error}${frames.map((f) => `\n    at ${f}`).join("")}`;
    };
  }
}

module.exports = ProgramTestEnvironment;
