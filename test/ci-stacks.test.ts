// The `delivery` block (config/delivery.ts) and tools/ci-stacks.ts, the list of stacks the workflows' matrices and
// azure-setup take from the stack files: secure by default, production always gated, a new stack file needs nothing else.
import * as fs from "fs";
import * as path from "path";
import { NON_PRODUCTION_FILE } from "../config/gating";
import { ConfigError } from "../config/schema";
import { parseStackFile } from "../config/stack-files";
import { azureStacks, ciStacks, main, SELECTIONS, type Selection } from "../tools/ci-stacks";
import { changedStack as changedIn, projectStackConfig as configIn, tempCheckout as checkoutIn } from "./support/checkout";
import { projectWith } from "./support/stacks";

// The spec's dev, test and prod are the base of every checkout here: the repository's files while it has them all, else
// the stand-in project (test/support/stacks.ts).
const PROJECT = projectWith(["dev", "test", "prod"]);
const projectStackConfig = (stack: string) => configIn(stack, PROJECT);
const changedStack = (stack: string, changes: Record<string, unknown>) => changedIn(stack, changes, PROJECT);
const tempCheckout = (stacks: Parameters<typeof checkoutIn>[0]) => checkoutIn(stacks, PROJECT);

const lists = (dir?: string) => Object.fromEntries((Object.keys(SELECTIONS) as Selection[]).map((s) => [s, ciStacks(s, dir)]));

function withCheckout<T>(dir: string, fn: (dir: string) => T): T {
  try {
    return fn(dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function configErrors(dir: string): string[] {
  try {
    azureStacks(dir);
  } catch (e) {
    if (e instanceof ConfigError) return e.problems.map((p) => p.text);
    throw e;
  }
  throw new Error("no error");
}

// test and prod as they are in the repository, as the base of a checkout with a new stack file.
const ownAzure = () => ({ prod: projectStackConfig("prod"), test: projectStackConfig("test") });

/** Adds stacks to the checkout's non-production-stacks.yaml (the code owners' list; config/gating.ts). */
function listAsNonProduction(dir: string, entries: Record<string, string>): string {
  const lines = Object.entries(entries).map(([stack, body]) => `${stack}:\n${body.replace(/^/gm, "  ")}\n`);
  fs.appendFileSync(path.join(dir, NON_PRODUCTION_FILE), lines.join(""));
  return dir;
}

// Copies keep their own resource group, so no two stack files claim one.
const staging = (from: string, changes: Record<string, unknown> = {}) =>
  changedStack(from, { azure: { resourceGroupName: "rg-amplifier-staging", location: "eastus" }, ...changes });

describe("the stack files' lists", () => {
  test("test is previewed on pull requests and deployed without approval; prod is gated; dev is not on Azure", () => {
    // Whatever the repository's stack files are, every Azure stack is exactly one of gated and ungated.
    const own = lists();
    expect([...own.gated, ...own.ungated].sort()).toEqual(own.azure);
    const l = lists(PROJECT);
    expect(l.azure).toEqual(expect.arrayContaining(["prod", "test"]));
    expect(l.azure).not.toContain("dev");
    expect(l.gated).toContain("prod");
    expect(l.ungated).toContain("test");
    expect(l["pull-request-preview"]).toContain("test");
    expect(l["pull-request-preview"]).not.toContain("prod");
    // Every Azure stack is exactly one of gated and ungated.
    expect([...l.gated, ...l.ungated].sort()).toEqual(l.azure);
  });

  test("a stack copied from test to staging is production (refused as it stands) until the code owners' list names it; listed like test, it is previewed and deployed like test", () => {
    withCheckout(tempCheckout({ ...ownAzure(), staging: staging("test") }), (dir) => {
      expect(configErrors(dir)).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^environment \(got "test"\): stack "staging" is not in non-production-stacks\.yaml .*must say environment: production/),
          expect.stringMatching(/^delivery\.pullRequestPreview \(got true\): non-production-stacks\.yaml .* does not let stack "staging" be previewed/),
          expect.stringMatching(/^delivery\.approval \(got "none"\): non-production-stacks\.yaml .* does not let stack "staging" deploy without a reviewer/),
        ]),
      );
      listAsNonProduction(dir, { staging: "environment: test\npullRequestPreview: true\napproval: none" });
      expect(lists(dir)).toEqual({
        azure: ["prod", "staging", "test"],
        ungated: ["staging", "test"],
        gated: ["prod"],
        "pull-request-preview": ["staging", "test"],
      });
    });
  });

  test("a listed stack may ask for less than the list grants, never more; a stack file cannot change the environment the list gives it", () => {
    withCheckout(tempCheckout({ ...ownAzure(), staging: staging("test", { delivery: { approval: "none" } }) }), (dir) => {
      listAsNonProduction(dir, { staging: "environment: test" });
      expect(configErrors(dir)).toEqual([expect.stringMatching(/^delivery\.approval \(got "none"\): non-production-stacks\.yaml .* does not let stack "staging" deploy without a reviewer/)]);
    });
    withCheckout(tempCheckout({ ...ownAzure(), staging: staging("test", { delivery: undefined }) }), (dir) => {
      listAsNonProduction(dir, { staging: "environment: test\npullRequestPreview: true\napproval: none" });
      expect(lists(dir)).toMatchObject({ gated: ["prod", "staging"], ungated: ["test"] });
    });
    withCheckout(tempCheckout({ ...ownAzure(), staging: staging("test", { environment: "staging" }) }), (dir) => {
      listAsNonProduction(dir, { staging: "environment: test" });
      expect(configErrors(dir)).toContainEqual(expect.stringContaining('environment (got "staging"): non-production-stacks.yaml (owned by the code owners) lists stack "staging" as test'));
    });
  });

  test("a stack copied from prod is gated, and one written without a delivery block is gated too (secure default)", () => {
    const bare = staging("test", { delivery: undefined });
    withCheckout(tempCheckout({ ...ownAzure(), staging: staging("prod"), qa: { ...bare, "amplifier-infra:azure": { resourceGroupName: "rg-amplifier-qa" } } }), (dir) => {
      listAsNonProduction(dir, { qa: "environment: test\npullRequestPreview: true\napproval: none" });
      expect(lists(dir)).toMatchObject({ gated: ["prod", "qa", "staging"], ungated: ["test"], "pull-request-preview": ["test"] });
      expect(parseStackFile("qa", dir)).toMatchObject({ delivery: { pullRequestPreview: false, approval: "required" } });
    });
  });
});

describe("delivery: validated with the rest of the stack file", () => {
  const errorsFor = (config: Record<string, unknown>) =>
    withCheckout(tempCheckout({ prod: config }), (dir) => configErrors(dir));

  test("a production stack may not be previewed from pull requests or deployed without approval", () => {
    expect(errorsFor(changedStack("prod", { delivery: { pullRequestPreview: true, approval: "none" } }))).toEqual([
      expect.stringMatching(/^delivery\.pullRequestPreview \(got true\): must be false for environment production: .*unreviewed code/),
      expect.stringMatching(/^delivery\.approval \(got "none"\): must be "required" for environment production/),
    ]);
    const explicit = changedStack("prod", { delivery: { pullRequestPreview: false, approval: "required" } });
    expect(withCheckout(tempCheckout({ prod: explicit }), (dir) => ciStacks("gated", dir))).toEqual(["prod"]);
  });

  test("unknown keys and values are rejected; a Docker stack has no delivery", () => {
    expect(errorsFor(changedStack("prod", { delivery: { pullRequestPreviews: true } }))).toEqual([
      expect.stringContaining('delivery: unknown key "pullRequestPreviews"'),
    ]);
    expect(errorsFor(changedStack("prod", { delivery: { approval: "maybe" } }))).toEqual(['delivery.approval (got "maybe"): must be one of "required", "none"']);
    const dev = { ...projectStackConfig("dev"), "amplifier-infra:delivery": { approval: "none" } };
    withCheckout(tempCheckout({ dev }), (dir) => {
      expect(() => parseStackFile("dev", dir)).toThrow(/delivery \(got \{"approval":"none"\}\): is not used when platform is docker/);
    });
  });
});

describe("stack names CI can use as GitHub environment names", () => {
  test.each([
    ["test-preview", 'stack name "test-preview": names ending in "-preview" are reserved'],
    // Names equal but for case reduce to one slug, so the stack file check (config/collisions.ts) refuses them first.
    ["Test", 'stack name "Test" reduces to "test" like stack "test", so it would derive test\'s names'],
  ])("%s is refused", (name, message) => {
    withCheckout(tempCheckout({ test: staging("test"), [name]: changedStack("test", { azure: { resourceGroupName: `rg-${name}` } }) }), (dir) => {
      listAsNonProduction(dir, { [name]: "environment: test\npullRequestPreview: true\napproval: none" });
      expect(configErrors(dir)).toEqual([expect.stringContaining(message)]);
    });
  });
});

describe("npm run ci-stacks", () => {
  const run = (argv: string[], dir?: string) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = main(argv, { stdout: (s) => out.push(s), stderr: (s) => err.push(s) }, dir);
    return { code, stdout: out.join(""), stderr: err.join("") };
  };

  test("prints one JSON array per selection, for a fromJSON matrix", () => {
    expect(run(["gated"])).toEqual({ code: 0, stdout: `${JSON.stringify(ciStacks("gated"))}\n`, stderr: "" });
    expect(JSON.parse(run(["gated"], PROJECT).stdout)).toContain("prod");
    expect(JSON.parse(run(["azure"]).stdout)).toEqual(ciStacks("azure"));
  });

  test("a bad selection exits 2 with the allowed ones; an invalid stack file exits 1 with its error", () => {
    expect(run(["prod"])).toMatchObject({ code: 2, stdout: "", stderr: expect.stringContaining('selection (got "prod"): one of azure, ungated, gated, pull-request-preview') });
    expect(run([])).toMatchObject({ code: 2, stderr: expect.stringContaining("selection (got nothing)") });
    expect(run(["constructor"])).toMatchObject({ code: 2, stdout: "" });
    withCheckout(tempCheckout({ prod: changedStack("prod", { delivery: { approval: "none" } }) }), (dir) => {
      expect(run(["gated"], dir)).toMatchObject({ code: 1, stdout: "", stderr: expect.stringContaining('Invalid configuration for stack "prod"') });
    });
  });
});
