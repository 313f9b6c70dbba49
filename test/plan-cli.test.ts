/**
 * The plan command's contract, in-process through `main` (the same function `npm run plan` runs): flag errors
 * exit 2 naming the flag, value and what is allowed; a bad stack or config exits 1 with the program's message
 * and the stacks that exist; a stale policy exception exits 1; a mandatory policy finding exits 3 in every format,
 * after printing the plan; colour only on a TTY without NO_COLOR; --diagram writes the format its extension names, and a
 * bad extension or a missing folder is a usage error before anything runs.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseArgs, UsageError } from "../plan/args";
import { main } from "../plan/cli";
import { EXIT, type Io } from "../tools/cli";
import { listStacks, PROJECT_DIR } from "../config/stack-files";
import { projectWith, SPEC_STACKS, specStack } from "./support/stacks";

/** The project the plan runs in unless a test gives one: this one while it has dev, test and prod, else the stand-ins'. */
const SPEC_DIR = projectWith(SPEC_STACKS);

async function plan(argv: string[], opts: { isTTY?: boolean; env?: NodeJS.ProcessEnv; dir?: string } = {}) {
  let stdout = "";
  let stderr = "";
  const io: Io = { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s), isTTY: opts.isTTY ?? false, columns: 120, env: opts.env ?? {} };
  const code = await main(argv, io, opts.dir ?? SPEC_DIR);
  return { code, stdout, stderr };
}

describe("flags", () => {
  test.each([
    [["prod", "--fromat", "json"], 'unknown option "--fromat": allowed are --base, --diff, --format, --diagram, --diagram-detail, --no-color, --help'],
    [["prod", "--format", "yaml"], '--format (got "yaml"): must be one of text, json, markdown'],
    [["prod", "--format=xml"], '--format (got "xml"): must be one of text, json, markdown'],
    [["prod", "--format"], "--format needs a value: text, json or markdown"],
    [["prod", "--diff"], "--diff needs a value: the name of another stack"],
    [["prod", "--diagram", "--no-color"], "--diagram needs a value: a file name such as prod.svg or prod.mmd"],
    [["prod", "--diff", "prod"], '--diff (got "prod"): must name a stack other than prod'],
    [[], "missing <stack>"],
    [["prod", "test"], 'one stack name expected (got "prod", "test")'],
  ])("%j -> exit 2: %s", async (argv, message) => {
    expect(() => parseArgs(argv)).toThrow(new UsageError(message));
    const r = await plan(argv);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`plan: ${message}`);
    expect(r.stderr).toContain("usage: npm run plan -- <stack>");
    expect(r.stdout).toBe("");
  });

  test("valid flags parse", () => {
    expect(parseArgs(["test", "--diff", "prod", "--format=json", "--diagram", "x.mmd", "--no-color"])).toEqual({
      stack: "test",
      diff: ["prod"],
      format: "json",
      diagram: "x.mmd",
      diagramDetail: "components",
      color: false,
      help: false,
    });
  });
});

describe("stacks and config", () => {
  test("an unknown stack exits 1 and lists the stacks that exist", async () => {
    const r = await plan(["no-such-stack"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`no stack "no-such-stack": Pulumi.no-such-stack.yaml does not exist; stacks here: ${listStacks(SPEC_DIR).join(", ")}`);
  });

  test("a bad config exits 1 with the message pointing at file, line and column, and no list of stacks", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plan-cli-"));
    fs.copyFileSync(path.join(PROJECT_DIR, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
    const prod = fs.readFileSync(path.join(specStack("prod").dir, "Pulumi.prod.yaml"), "utf8");
    fs.writeFileSync(path.join(dir, "Pulumi.bad.yaml"), prod.replace("skuName: Standard_D2ds_v5", "skuName: Standard_B2s"));
    const r = await plan(["bad"], { dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Invalid configuration for stack "bad"');
    expect(r.stderr).toContain("postgres.highAvailability");
    expect(r.stderr).toContain("not available on the Burstable tier");
    const line = prod.split("\n").findIndex((l) => l.includes("highAvailability: ZoneRedundant")) + 1;
    expect(r.stderr).toContain(`- Pulumi.bad.yaml:${line}:5: postgres.highAvailability (got "ZoneRedundant")`);
    // Config errors say what is wrong and nothing else: the stacks that exist are for an unknown stack only.
    expect(r.stderr).not.toContain("stacks here");
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stdout).toBe("");
  });
});

/** A scratch project: Pulumi.yaml and the given stack files, each a real stack file with its edit (if any) applied. */
function stackDir(stacks: Record<string, { from: string; edit?: (text: string) => string }>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plan-gate-"));
  for (const f of ["Pulumi.yaml", "non-production-stacks.yaml"]) fs.copyFileSync(path.join(SPEC_DIR, f), path.join(dir, f));
  for (const [name, { from, edit }] of Object.entries(stacks)) {
    const original = fs.readFileSync(path.join(SPEC_DIR, `Pulumi.${from}.yaml`), "utf8");
    const edited = edit ? edit(original) : original;
    if (edit && edited === original) throw new Error(`edit of Pulumi.${from}.yaml changed nothing`);
    fs.writeFileSync(path.join(dir, `Pulumi.${name}.yaml`), edited);
  }
  return dir;
}

/** prod keeping 30 days of logs: log-retention-minimum is mandatory there (prod documents no exception for it). */
const shortLogs = { from: "prod", edit: (t: string) => t.replace("logRetentionDays: 90", "logRetentionDays: 30") };

describe("policy gate", () => {
  test("a mandatory finding exits 3 after printing the whole plan, naming the stack and the rules", async () => {
    const r = await plan(["weak"], { dir: stackDir({ weak: shortLogs }) });
    expect(r.code).toBe(EXIT.policy);
    expect(r.code).toBe(3);
    expect(r.stdout).toContain("Estimated monthly cost");
    expect(r.stdout).toMatch(/mandatory medium: \[log-retention-minimum\] azure-native:operationalinsights:Workspace "telemetry-workspace"/);
    expect(r.stdout).toContain("1 mandatory policy finding(s): the plan exits 3");
    expect(r.stderr).toBe(
      "plan: stack weak has mandatory policy findings (log-retention-minimum): fix them, or document a deviation under " +
        "policy.exceptions in Pulumi.weak.yaml; exit 3\n",
    );
  });

  test("the plan tells the pack whether the stack is production, from the code owners' list: dblink passes in test", async () => {
    // test's file pointing at an init SQL that creates dblink: allowed outside production (config/production.ts).
    const dblink = { from: "test", edit: (t: string) => t.replace("  amplifier-infra:postgres:\n", "  amplifier-infra:postgres:\n    initSqlPath: test/fixtures/init-with-dblink.sql\n") };
    const r = await plan(["test", "--format", "json"], { dir: stackDir({ test: dblink }) });
    const violations = JSON.parse(r.stdout).plans[0].violations as { rule: string; message: string }[];
    expect(violations.filter((v) => v.rule === "postgres-parameters-allowlisted")).toEqual([]);
    expect(JSON.stringify(JSON.parse(r.stdout).plans[0])).toContain("DBLINK");
    expect(r.code).toBe(EXIT.ok);
  });

  test("--format json: the same exit 3, stdout still only the JSON plan", async () => {
    const r = await plan(["weak", "--format", "json"], { dir: stackDir({ weak: shortLogs }) });
    expect(r.code).toBe(3);
    const violations = JSON.parse(r.stdout).plans[0].violations as { rule: string; enforcement: string }[];
    expect(violations.filter((v) => v.enforcement === "mandatory").map((v) => v.rule)).toEqual(["log-retention-minimum"]);
  });

  test("--diff: a mandatory finding in any planned stack exits 3, whichever is the main one", async () => {
    const dir = stackDir({ prod: { from: "prod" }, weak: shortLogs });
    expect((await plan(["prod", "--diff", "weak"], { dir })).code).toBe(3);
    expect((await plan(["weak", "--diff", "prod", "--format", "json"], { dir })).code).toBe(3);
  });

  test("advisory findings only (documented exceptions, prod's PENDING ones included) keep exit 0", async () => {
    const r = await plan(["prod"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/PENDING \d+ findings — exception: PENDING - [\s\S]*\n {6}- high: \[no-placeholder-values\]/);
    expect(r.stderr).toBe("");
    expect((await plan(["test", "--diff", "prod", "--format", "json"])).code).toBe(0);
  });

  test("an exception whose rule finds nothing is stale: exit 1 naming file, key and rule, nothing printed", async () => {
    const stale = {
      from: "prod",
      edit: (t: string) => t.replace("    exceptions:\n", "    exceptions:\n      webapp-http2: HTTP/2 is not needed behind the front door\n"),
    };
    const r = await plan(["stale"], { dir: stackDir({ stale }) });
    expect(r.code).toBe(EXIT.config);
    expect(r.stderr).toBe(
      "plan: exception for rule webapp-http2 in Pulumi.stale.yaml (key amplifier-infra:policy.exceptions.webapp-http2) " +
        "but the rule finds nothing in this stack: remove the line\n",
    );
    expect(r.stdout).toBe("");
  });

  test("a stale exception in a --diff stack is an error too", async () => {
    // Named test: the program reads its own project's non-production-stacks.yaml, which lists test only.
    const dir = stackDir({ prod: { from: "prod" }, test: { from: "test", edit: (t) => t.replace("      log-retention-minimum: ", "      webapp-http2: x\n      log-retention-minimum: ") } });
    const r = await plan(["prod", "--diff", "test"], { dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("exception for rule webapp-http2 in Pulumi.test.yaml");
  });
});

describe("output", () => {
  test("plain when not a TTY, colour on a TTY, plain again with NO_COLOR or --no-color", async () => {
    expect((await plan(["dev"])).stdout).not.toContain("\u001b[");
    expect((await plan(["dev"], { isTTY: true })).stdout).toContain("\u001b[");
    expect((await plan(["dev"], { isTTY: true, env: { NO_COLOR: "1" } })).stdout).not.toContain("\u001b[");
    expect((await plan(["dev", "--no-color"], { isTTY: true })).stdout).not.toContain("\u001b[");
  });

  test("--format markdown: a job-summary section holding the text plan, plain even on a TTY", async () => {
    const r = await plan(["test", "--diff", "prod", "--format", "markdown"], { isTTY: true });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^### `npm run plan -- test --diff prod`\n\n```text\nOffline plan for stack test/);
    expect(r.stdout).toMatch(/Environment comparison[\s\S]*\n```\n$/);
    expect(r.stdout).not.toContain("\u001b[");
  });

  test("--format json with --diff prints only JSON on stdout, with the comparison", async () => {
    const r = await plan(["test", "--diff", "prod", "--format", "json"]);
    expect(r.code).toBe(0);
    const parsed = JSON.parse(r.stdout);
    expect(parsed.plans.map((p: { stack: string }) => p.stack)).toEqual(["test", "prod"]);
    expect(parsed.comparison.stacks).toEqual(["test", "prod"]);
  });

  const scratch = () => fs.mkdtempSync(path.join(os.tmpdir(), "plan-dia-"));

  test.each([
    ["prod.svg", "SVG picture, components", /^<\?xml[\s\S]*<svg [\s\S]*>FlexiblePostgres postgres<\/text>/],
    ["prod.dot", "Graphviz source, components", /^digraph overview \{\n/],
    ["prod.mmd", "Mermaid, components", /^---\ntitle: "amplifier-infra \/ prod: \d+ resources \(offline plan\)"\n---\nflowchart TB\n/],
  ])("--diagram %s: the extension picks the format; stderr says what was written", async (name, kind, body) => {
    const file = path.join(scratch(), name);
    const r = await plan(["prod", "--diagram", file]);
    expect(r.code).toBe(0);
    expect(fs.readFileSync(file, "utf8")).toMatch(body);
    expect(r.stderr).toBe(`wrote ${file} (${kind})\n`);
  });

  test("--diagram-detail resources draws every resource inside its component", async () => {
    const file = path.join(scratch(), "prod.mmd");
    const r = await plan(["prod", "--diagram", file, "--diagram-detail", "resources"]);
    expect(r.code).toBe(0);
    expect(fs.readFileSync(file, "utf8")).toMatch(/subgraph n0\["amplifier:FlexiblePostgres<br\/>postgres"\]/);
    expect(r.stderr).toBe(`wrote ${file} (Mermaid, resources)\n`);
  });

  test.each([
    [["prod", "--diagram", "prod.png"], '--diagram (got "prod.png"): the extension picks the format; supported are .mmd (Mermaid), .dot (Graphviz source), .svg (SVG picture) (no PNG: it would need a system Graphviz; convert the .svg if you need one)'],
    [["prod", "--diagram", "prod"], '--diagram (got "prod"): the extension picks the format; supported are .mmd (Mermaid), .dot (Graphviz source), .svg (SVG picture)'],
    [["prod", "--diagram", "x.svg", "--diagram-detail", "all"], '--diagram-detail (got "all"): must be one of components, resources'],
    [["prod", "--diagram-detail", "resources"], "--diagram-detail needs --diagram <file>"],
  ])("%j -> exit 2: %s", async (argv, message) => {
    expect(() => parseArgs(argv)).toThrow(new UsageError(message));
    const r = await plan(argv);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`plan: ${message}`);
    expect(fs.existsSync("prod.png")).toBe(false);
  });

  test("--diagram into a missing folder: exit 2 before the program runs (even for an unknown stack), nothing created", async () => {
    const missing = path.join(scratch(), "no-such-folder", "prod.svg");
    const r = await plan(["staging", "--diagram", missing]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`plan: --diagram (got ${JSON.stringify(missing)}): folder ${path.dirname(missing)} does not exist; create it first\n`);
    expect(r.stdout).toBe("");
    expect(fs.existsSync(path.dirname(missing))).toBe(false);
  });
});
