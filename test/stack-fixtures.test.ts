/**
 * The stack files are the only list of environments, so any one may go (docs/lifecycle.md, "Removing an environment
 * for good"). The suite then runs on stand-ins (test/support/stacks.ts): this file proves the stand-ins say what the
 * repository's files say while those exist, and that the documented removal steps leave every stack the suite asks
 * for findable and runnable.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse, stringify } from "yaml";
import { NON_PRODUCTION_FILE, readNonProductionStacks } from "../config/gating";
import { listStacks, parseAllStackFiles, parseStackFile, PROJECT_DIR } from "../config/stack-files";
import { runProgram, userResources } from "../mock-runtime";
import { EXIT } from "../tools/cli";
import { main as docs, staleDocs } from "../tools/docs";
import { captureIo } from "./support/checkout";
import { hasStackFile, PROPERTIES, SPEC_STACKS, specStack, STACK_FIXTURES, stackWith, type ChosenStack, type SpecStack } from "./support/stacks";

describe("the stand-ins under test/fixtures/stacks", () => {
  test("are a project of their own: this project's Pulumi.yaml, the spec's three stacks, test listed as not production", () => {
    expect(fs.readFileSync(path.join(STACK_FIXTURES, "Pulumi.yaml"), "utf8")).toBe(fs.readFileSync(path.join(PROJECT_DIR, "Pulumi.yaml"), "utf8"));
    expect(listStacks(STACK_FIXTURES)).toEqual(["dev", "prod", "test"]);
    const configs = parseAllStackFiles(STACK_FIXTURES);
    expect(configs.map((c) => [c.stack, c.platform, c.environment, c.production])).toEqual([
      ["dev", "docker", "development", false],
      ["prod", "azure", "production", true],
      ["test", "azure", "test", false],
    ]);
  });

  // Compared as the program reads them (comments and layout aside): a stand-in that says anything else would let a
  // test pass on it that fails on the repository's file, or the other way round.
  test.each(SPEC_STACKS)("%s: the stand-in says what the repository's file says, or stands in for it once it is gone", (stack) => {
    const stand = parseStackFile(stack, STACK_FIXTURES);
    const standEntry = readNonProductionStacks(STACK_FIXTURES)[stack];
    if (hasStackFile(stack)) {
      const fix = `copy Pulumi.${stack}.yaml to test/fixtures/stacks/ (keeping its two header lines), and its ${NON_PRODUCTION_FILE} entry`;
      expect({ fix, config: stand, entry: standEntry }).toEqual({ fix, config: parseStackFile(stack), entry: readNonProductionStacks(PROJECT_DIR)[stack] });
      expect(specStack(stack)).toMatchObject({ stack, dir: PROJECT_DIR, fixture: false });
    } else {
      expect(specStack(stack)).toMatchObject({ stack, dir: STACK_FIXTURES, fixture: true, cfg: stand });
    }
  });
});

/**
 * docs/lifecycle.md's steps in a scratch project (Pulumi.yaml, README.md, the list and the stack files): delete
 * `Pulumi.<stack>.yaml`, delete its entry in non-production-stacks.yaml, `npm run docs`.
 */
function withoutStack(removed: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "amplifier-removed-"));
  // The documents `npm run docs` writes or rewrites a section of live in README.md and docs/.
  fs.cpSync(path.join(PROJECT_DIR, "docs"), path.join(dir, "docs"), { recursive: true });
  for (const f of ["Pulumi.yaml", "README.md", ...listStacks().filter((s) => s !== removed).map((s) => `Pulumi.${s}.yaml`)]) {
    fs.copyFileSync(path.join(PROJECT_DIR, f), path.join(dir, f));
  }
  const list = parse(fs.readFileSync(path.join(PROJECT_DIR, NON_PRODUCTION_FILE), "utf8")) ?? {};
  delete list[removed];
  fs.writeFileSync(path.join(dir, NON_PRODUCTION_FILE), Object.keys(list).length ? stringify(list) : "");
  return dir;
}

describe.each(listStacks())("removing Pulumi.%s.yaml as docs/lifecycle.md says", (removed) => {
  let dir: string;
  beforeAll(() => {
    dir = withoutStack(removed);
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test("npm run docs regenerates README without the stack, and every generated file is then current", async () => {
    const io = captureIo();
    expect(await docs(["--write"], io, dir)).toBe(EXIT.ok);
    const readme = fs.readFileSync(path.join(dir, "README.md"), "utf8");
    const table = readme.slice(readme.indexOf("<!-- environments:start"), readme.indexOf("<!-- environments:end"));
    const columns = table.split("\n")[1].split("|").map((c) => c.trim()).filter((c) => c && c !== "Setting");
    expect(columns.sort()).toEqual(listStacks().filter((s) => s !== removed).map((s) => `\`${s}\``));
    expect(await staleDocs(dir)).toEqual([]);
    expect(parseAllStackFiles(dir).map((c) => c.stack)).toEqual(listStacks().filter((s) => s !== removed));
  });

  test("every stack the suite asks for is still found, with its property, and runs under the program", async () => {
    const picks: Array<{ what: string; chosen: ChosenStack }> = [
      ...PROPERTIES.map((p) => ({ what: p.what, chosen: stackWith(p, dir) })),
      ...SPEC_STACKS.map((s) => ({ what: `the spec's ${s}`, chosen: specStack(s, dir) })),
    ];
    for (const { what, chosen } of picks) {
      const property = PROPERTIES.find((p) => p.what === what);
      if (property) expect({ what, has: property.has(chosen.cfg) }).toEqual({ what, has: true });
      // A stand-in only where the project lacks it: never a stand-in for a stack file that is still there.
      expect({ what, fixture: chosen.fixture }).toEqual({ what, fixture: chosen.dir === STACK_FIXTURES });
      if (chosen.dir === dir) expect(chosen.stack).not.toBe(removed);
    }
    if ((SPEC_STACKS as readonly string[]).includes(removed)) expect(specStack(removed as SpecStack, dir).fixture).toBe(true);
    const runs = new Map(picks.map(({ chosen }) => [`${chosen.dir}:${chosen.stack}`, chosen]));
    for (const chosen of runs.values()) {
      const result = await runProgram({ stack: chosen.stack, dir: chosen.dir });
      expect({ stack: chosen.stack, fixture: chosen.fixture, error: result.error?.message }).toEqual({ stack: chosen.stack, fixture: chosen.fixture, error: undefined });
      expect(userResources(result).length).toBeGreaterThan(0);
    }
  });
});
