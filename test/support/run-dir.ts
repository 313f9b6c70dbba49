/** The run's directory and the machine's temp directory (test/support/run-cache.cjs), typed for the TypeScript side. */
export const { runDir, machineTmpdir }: { runDir: () => string | undefined; machineTmpdir: () => string } = jest.requireActual("./run-cache.cjs");
