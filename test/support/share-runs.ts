/**
 * Runs before every test file (jest.config.js setupFilesAfterEnv): the mock runtime every test and every tool it calls
 * gets is the shared one (test/support/shared-run.ts), so one config variant is one program run per `npm test`. A test
 * that needs a run of its own (proving two runs alike) takes `jest.requireActual("../mock-runtime")`.
 */
jest.mock("../../mock-runtime", () => jest.requireActual("./shared-run").sharedRuntime());
