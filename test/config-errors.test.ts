/**
 * Errors a person can act on: a YAML mistake names the file, line and column, with no stack
 * trace, in the plan, README's table, the policy config and the program's config path; every command uses the exit
 * codes of tools/cli.ts, and README lists them once.
 */
import * as fs from "fs";
import * as path from "path";
import { ConfigError } from "../config/errors";
import { indentationMistake } from "../config/yaml-indentation";
import { PROJECT_DIR } from "../config/stack-files";
import { runProgram } from "../mock-runtime";
import { main as plan } from "../plan/cli";
import { main as azureSetup } from "../tools/azure-setup";
import { main as bench } from "../tools/bench";
import { EXIT, runMain } from "../tools/cli";
import { main as docs } from "../tools/docs";
import { main as policyConfig } from "../tools/policy-config";
import { main as runStack } from "../tools/run-stack";
import { captureIo, scratchProject } from "./support/checkout";
import { chosenText, DOCKER, specStack, stackWith } from "./support/stacks";

// A stack each command runs on, from the stack files (a stand-in when none fits: test/support/stacks.ts).
const dev = stackWith(DOCKER);
const testText = () => chosenText(specStack("test"));

const nested = (depth: number) => `${"[".repeat(depth)}1${"]".repeat(depth)}`;

const YAML_MISTAKES: [string, string, string][] = [
  ["a syntax error", "config:\n  amplifier-infra:platform: azure: docker\n", "Pulumi.x.yaml:2:29: Nested mappings are not allowed in compact mappings"],
  ["a duplicate key", "config:\n  amplifier-infra:platform: azure\n  amplifier-infra:platform: docker\n", "Pulumi.x.yaml:3:3: Map keys must be unique"],
  ["a tab as indentation", "config:\n\tamplifier-infra:platform: azure\n", "Pulumi.x.yaml:2:1: Tabs are not allowed as indentation: indent with spaces"],
  [
    "a key indented one space too far (the parser reports the line above it)",
    "config:\n  amplifier-infra:postgres:\n    skuName: Standard_B1ms\n     storageSizeGb: 64\n",
    "Pulumi.x.yaml:4:6: `storageSizeGb` is indented 5 spaces, more than `skuName` on line 3 (4 spaces), which already has a value: indent it 4 spaces",
  ],
  [
    "a key indented one space too little",
    "config:\n  amplifier-infra:postgres:\n    skuName: Standard_B1ms\n   storageSizeGb: 64\n    version: \"15\"\n",
    "Pulumi.x.yaml:4:4: `storageSizeGb` is indented 3 spaces, which lines up with nothing above it: indent it 4 spaces like `skuName` on line 3, or 2 spaces like `amplifier-infra:postgres` on line 2",
  ],
  [
    "a key of a list item out of line, after a comment",
    "config:\n  amplifier-infra:postgres:\n    firewallRules:\n      - name: office\n        startIpAddress: 203.0.113.10\n        # the same address\n       endIpAddress: 203.0.113.10\n",
    "Pulumi.x.yaml:7:8: `endIpAddress` is indented 7 spaces, which lines up with nothing above it: indent it 8 spaces like `startIpAddress` on line 5",
  ],
  [
    "an alias bomb",
    `config:\n  amplifier-infra:app: &a ["lol", "lol", "lol"]\n  amplifier-infra:tags: &b [*a, *a, *a, *a]\n  amplifier-infra:docker: [*b, *b, *b, *b]\n`,
    "Pulumi.x.yaml:2:27: anchor &a: anchors and aliases are not allowed in stack files",
  ],
  ["deep nesting", `config:\n  amplifier-infra:app: ${nested(40)}\n`, "Pulumi.x.yaml:2:34: nested more than 12 levels deep"],
  ["very deep nesting (the parser's own limit)", `config:\n  amplifier-infra:app: ${nested(20000)}\n`, "Pulumi.x.yaml:2:"],
  ["a huge file", `config:\n  amplifier-infra:platform: azure\n${"# padding\n".repeat(30000)}`, "Pulumi.x.yaml:1:1: larger than 256 KiB"],
  ["two documents", "config:\n  amplifier-infra:platform: azure\n---\nconfig: {}\n", "Pulumi.x.yaml:3:1: Source contains multiple documents"],
];

const noStackTrace = (s: string) => expect(s).not.toMatch(/\n\s+at .+:\d+:\d+\)?\n/);

describe.each(YAML_MISTAKES)("%s", (_name, text, message) => {
  const dir = scratchProject({ "Pulumi.x.yaml": text });

  test("the plan exits 1 naming file, line and column, no stack trace", async () => {
    const io = captureIo();
    expect(await plan(["x"], io, dir)).toBe(EXIT.config);
    expect(io.err()).toContain(message);
    expect(io.err()).not.toContain("stacks here");
    noStackTrace(io.err());
  });

  test("README's table (`npm run docs`) and the policy config exit 1 with the same message", async () => {
    const io = captureIo();
    expect(await docs([], io, dir)).toBe(EXIT.config);
    expect(io.err()).toContain(message);
    const policyIo = captureIo();
    expect(await policyConfig(["x"], policyIo, dir)).toBe(EXIT.config);
    expect(policyIo.err()).toContain(message);
    noStackTrace(io.err() + policyIo.err());
  });

  test("the program's config path refuses the file as the Pulumi CLI would, registering nothing", async () => {
    const result = await runProgram({ stack: "x", dir });
    expect(result.error).toBeInstanceOf(ConfigError);
    expect(result.error!.message).toContain(message);
    expect(result.resources).toEqual([]);
  });
});

describe("exit codes: one table for every command", () => {
  test("plan: 0 planned, 1 bad config, 2 bad flags", async () => {
    const bad = scratchProject({ "Pulumi.bad.yaml": testText().replace("planSku: B1", "planSku: B9") });
    expect(await plan([dev.stack], captureIo(), dev.dir)).toBe(EXIT.ok);
    expect(await plan(["bad"], captureIo(), bad)).toBe(EXIT.config);
    expect(await plan([dev.stack, "--colour"], captureIo(), dev.dir)).toBe(EXIT.usage);
  });

  test("docs: 0 printed, 1 bad config, 2 bad arguments", async () => {
    const bad = scratchProject({ "Pulumi.bad.yaml": testText().replace("planSku: B1", "planSku: B9") });
    expect(await docs([], captureIo())).toBe(EXIT.ok);
    expect(await docs([], captureIo(), bad)).toBe(EXIT.config);
    expect(await docs(["--wirte"], captureIo())).toBe(EXIT.usage);
  });

  test("policy-config: 0 written, 1 unknown stack, 2 bad arguments", async () => {
    const azure = specStack("test");
    expect(await policyConfig([azure.stack], captureIo(), azure.dir)).toBe(EXIT.ok);
    expect(await policyConfig(["nope"], captureIo(), PROJECT_DIR)).toBe(EXIT.config);
    expect(await policyConfig([azure.stack, "--oops"], captureIo(), azure.dir)).toBe(EXIT.usage);
  });

  test("run-stack: 0 run, 1 bad config or unknown stack, 2 no stack, a second one or an unknown flag", async () => {
    expect(await runStack([dev.stack], captureIo(), dev.dir)).toBe(EXIT.ok);
    expect(await runStack([dev.stack, "--dump"], captureIo(), dev.dir)).toBe(EXIT.ok);
    expect(await runStack(["nope"], captureIo())).toBe(EXIT.config);
    expect(await runStack([], captureIo())).toBe(EXIT.usage);
    const io = captureIo();
    expect(await runStack([dev.stack, "--dupm"], io, dev.dir)).toBe(EXIT.usage);
    expect(io.err()).toBe('run-stack: unknown argument "--dupm"\nusage: node scripts/run.cjs run-stack <stack> [--dump]\n');
    expect(await runStack([dev.stack, "prod"], captureIo(), dev.dir)).toBe(EXIT.usage);
  });

  test("bench and azure-setup: 2 for bad arguments, azure-setup 0 for a script", () => {
    expect(bench(["--fast"], captureIo())).toBe(EXIT.usage);
    const sink = () => undefined;
    expect(azureSetup(["--repo", "contoso/amplifier-infra", "--subscription", "00000000-0000-0000-0000-000000000000"], sink, sink)).toBe(EXIT.ok);
    expect(azureSetup(["--repo", "contoso"], sink, sink)).toBe(EXIT.usage);
  });

  test("an entry point prints a config error's message alone (no stack trace) and exits 1", async () => {
    const previous = process.exitCode;
    const stderr = jest.spyOn(process.stderr, "write").mockImplementation(() => true);
    try {
      runMain("tool", () => Promise.reject(new ConfigError("x", ['platform (got "k8s"): must be one of "docker", "azure"'])));
      await new Promise((resolve) => setTimeout(resolve, 10));
      expect(process.exitCode).toBe(EXIT.config);
      const printed = stderr.mock.calls.map((c) => String(c[0])).join("");
      expect(printed).toBe('tool: Invalid configuration for stack "x" (Pulumi.x.yaml):\n  - platform (got "k8s"): must be one of "docker", "azure"\n');
    } finally {
      stderr.mockRestore();
      process.exitCode = previous;
    }
  });

  test("README lists the codes once, as tools/cli.ts defines them", () => {
    const readme = fs.readFileSync(path.join(PROJECT_DIR, "README.md"), "utf8");
    const section = readme.slice(readme.indexOf("## Exit codes"));
    expect(readme.indexOf("## Exit codes")).toBeGreaterThan(0);
    expect(readme.split("## Exit codes").length).toBe(2);
    const rows = [...section.slice(0, section.indexOf("\n## ", 5) >>> 0).matchAll(/^\| (\d) \| `(\w+)` \|/gm)].map((m) => [m[2], Number(m[1])]);
    expect(Object.fromEntries(rows)).toEqual(EXIT);
  });
});

describe("YAML indentation: the line of the mistake and what to change", () => {
  const text = (src: string) => indentationMistake(src)?.text;

  test("a key deeper than the key above it, which has a value, is named with that key's indentation", () => {
    expect(indentationMistake("a:\n  b: 1\n   c: 2\n")).toEqual({ line: 3, col: 4, text: "`c` is indented 3 spaces, more than `b` on line 2 (2 spaces), which already has a value: indent it 2 spaces" });
  });

  test("between two levels, the nearer one is proposed, and both when they are as near", () => {
    expect(text("a:\n  b:\n      c: 1\n     d: 2\n")).toBe("`d` is indented 5 spaces, which lines up with nothing above it: indent it 6 spaces like `c` on line 3");
    expect(text("a:\n  b:\n      c: 1\n    d: 2\n")).toBe("`d` is indented 4 spaces, which lines up with nothing above it: indent it 6 spaces like `c` on line 3, or 2 spaces like `b` on line 2");
  });

  test("list items line up with list items, keys with keys", () => {
    expect(text("a:\n  - x\n - y\n")).toBe("this list item is indented 1 space, which lines up with nothing above it: indent it 2 spaces like the list item on line 2");
    expect(text("a:\n  - name: x\n  start: 1\n")).toBe("`start` is indented 2 spaces, which lines up with nothing above it: indent it 4 spaces like `name` on line 2, or 0 spaces like `a` on line 1");
  });

  test("valid YAML is no mistake: compact lists, block scalars, continued plain scalars, comments", () => {
    for (const src of [
      "a:\n  r:\n  - name: x\n    s: 1\n  b: 2\n",
      "a:\n  b: |\n    text\n      more\n  c: 1\n",
      "a:\n  b: a long\n    plain value\n  c: 1\n",
      "a:\n  b: 1 # note\n# aside\n  c: [1, 2]\n",
    ]) {
      expect([src, indentationMistake(src)]).toEqual([src, undefined]);
    }
  });

  test("what this reader does not follow yields nothing, so the parser's own message stands", () => {
    expect(indentationMistake("a:\n  b: [1,\n     2]\n   c: 3\n")).toBeUndefined();
    expect(indentationMistake("a:\n  - - x\n   - y\n")).toBeUndefined();
  });

  test("the repository's own YAML files are read without a mistake", () => {
    const files = fs.readdirSync(PROJECT_DIR).filter((f) => /^Pulumi\..*\.yaml$|^non-production-stacks\.yaml$/.test(f));
    expect(files.length).toBeGreaterThan(2);
    for (const f of files) expect([f, indentationMistake(fs.readFileSync(path.join(PROJECT_DIR, f), "utf8"))]).toEqual([f, undefined]);
  });
});
