/**
 * Runs before every test file (jest.config.js setupFilesAfterEnv): the launcher's lazy modules
 * (scripts/lazy-modules.cjs) in the file's own module registry. The SDK's start-up loads TypeScript, gRPC,
 * OpenTelemetry, semver and the Automation API, which the program under mocks never uses, and jest loads them again
 * for every file; each gets the launcher's stand-in instead, which loads the real module (jest.requireActual) on first
 * use.
 */
type LazyFile = { file: string; esModule: boolean; esModuleAnyway: boolean; callable: boolean };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const lazy = require("../../scripts/lazy-modules.cjs") as {
  lazyFiles: () => LazyFile[];
  lazyExports: (load: () => unknown, loaded: () => boolean, how: LazyFile) => object;
};

for (const how of lazy.lazyFiles()) {
  let real: unknown;
  const load = () => (real ??= jest.requireActual(how.file));
  jest.setMock(how.file, lazy.lazyExports(load, () => real !== undefined, how));
}
