/* eslint-disable @typescript-eslint/no-require-imports -- plain CommonJS, as run-cache.cjs */
// jest's globalTeardown: removes the shared runs' directory this `npm test` made (run-cache.cjs).
module.exports = require("./run-cache.cjs").teardown;
