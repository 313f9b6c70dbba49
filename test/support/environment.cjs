/* eslint-disable @typescript-eslint/no-require-imports -- plain CommonJS: jest loads the environment untransformed */
// jest's node environment with an ordinary global object (below). The SDK's per-promise leak-report traces, which jest's
// source-map formatter used to render at half a program run's CPU, are no longer made while a program runs: the mock
// runtime leaves out the wrapper that made them (mock-runtime/index.ts).
const vm = require("vm");
const { TestEnvironment } = require("jest-environment-node");

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
  }
}

module.exports = ProgramTestEnvironment;
