/**
 * A new environment is one new file, truly: every derived name is the stack's own, two stack
 * files that would own one name (or a stack name that derives another's) stop every tool and the program with an
 * error naming both stacks and the name, and a copied stack file in a fresh checkout plans, documents itself in
 * README and keeps the suite's invariants.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { ownedNames } from "../config/collisions";
import { NON_PRODUCTION_FILE } from "../config/gating";
import { ConfigError } from "../config/errors";
import { environments, listStacks, parseAllStackFiles, parseStackFile } from "../config/stack-files";
import { runProgram, userResources } from "../mock-runtime";
import { main as plan } from "../plan/cli";
import { EXIT } from "../tools/cli";
import { main as docs } from "../tools/docs";
import { main as policyConfig } from "../tools/policy-config";
import { captureIo, scratchCheckout, scratchProject, stackText as projectStackText } from "./support/checkout";
import { machineTmpdir } from "./support/run-dir";
import { addSpecStacks, projectWith, specStack, type SpecStack } from "./support/stacks";

/** The spec's stack file as text: the repository's while it has it, else its stand-in (test/support/stacks.ts). */
const stackText = (stack: SpecStack) => projectStackText(stack, specStack(stack).dir);

describe("the repository's stack files", () => {
  test("each owns its names: no resource group, server, vault, account, app, plan, container, volume or port twice", () => {
    const configs = parseAllStackFiles();
    expect(configs.map((c) => c.stack)).toEqual(listStacks());
    const seen = new Map<string, string>();
    for (const cfg of configs) {
      for (const o of ownedNames({ stack: cfg.stack, cfg })) {
        const id = `${o.what} ${o.name}`;
        expect([id, seen.get(id)]).toEqual([id, undefined]);
        seen.set(id, cfg.stack);
      }
    }
  });

  test("every Azure stack has its own resource group, rg-<prefix>-<stack> unless it sets one", () => {
    for (const cfg of parseAllStackFiles()) {
      if (cfg.platform === "azure") expect(cfg.azure.resourceGroupName).toBe(`rg-${cfg.namePrefix}-${cfg.stackSlug}`);
    }
  });

  test("environments() lists every stack file with its platform: the one list workflows and tools read", () => {
    expect(environments().map((e) => e.stack)).toEqual(listStacks());
    expect(environments(specStack("dev").dir).find((e) => e.stack === "dev")).toEqual({ stack: "dev", platform: "docker", environment: "development" });
  });
});

describe("two stack files that would own one name stop every tool", () => {
  const twin = stackText("prod").replace("amplifier-infra:keyVault:", "amplifier-infra:keyVault:\n    name: KV-Amplifier-Test");
  const files = { "Pulumi.test.yaml": stackText("test"), "Pulumi.staging.yaml": twin };
  const fragment = /keyVault\.name: stacks "staging" and "test" would both own the Key Vault \(a global name\) "kv-amplifier-test" \(test sets it with keyVault\.name\)/;

  test("the plan, README's table and the policy config exit 1 naming both stacks, the name and the line", async () => {
    const dir = scratchProject(files);
    const io = captureIo();
    expect(await plan(["staging"], io, dir)).toBe(EXIT.config);
    expect(io.err()).toMatch(fragment);
    expect(io.err()).toMatch(/Pulumi\.staging\.yaml:\d+:5: keyVault\.name/);
    const docsIo = captureIo();
    expect(await docs([], docsIo, dir)).toBe(EXIT.config);
    expect(docsIo.err()).toMatch(fragment);
    const policyIo = captureIo();
    expect(await policyConfig(["staging"], policyIo, dir)).toBe(EXIT.config);
    expect(policyIo.err()).toMatch(fragment);
  });

  test("a stack name that reduces to another's (pr-od -> prod) is refused", () => {
    const dir = scratchProject({ "Pulumi.prod.yaml": stackText("prod"), "Pulumi.pr-od.yaml": stackText("prod") });
    expect(() => parseStackFile("pr-od", dir)).toThrow('stack name "pr-od" reduces to "prod" like stack "prod", so it would derive prod\'s names');
    expect(() => parseAllStackFiles(dir)).toThrow(ConfigError);
  });

  test("the program itself refuses a name a sibling stack file owns (pulumi up reads the other Pulumi.*.yaml)", async () => {
    const result = await runProgram({ stack: "test", dir: projectWith(["test", "prod"]), overrides: { azure: { resourceGroupName: "RG-amplifier-prod" } } });
    expect(result.error?.message).toContain('azure.resourceGroupName: stacks "test" and "prod" would both own the Azure resource group "rg-amplifier-prod"');
    expect(userResources(result)).toEqual([]);
  });

  test("two Docker stacks on one machine cannot both take 127.0.0.1:5432", async () => {
    const dir = scratchProject({ "Pulumi.dev.yaml": stackText("dev"), "Pulumi.dev2.yaml": stackText("dev") });
    const result = await runProgram({ stack: "dev2", dir });
    expect(result.error?.message).toContain('docker.hostPort: stacks "dev2" and "dev" would both own the host port "127.0.0.1:5432"');
    const moved = await runProgram({ stack: "dev2", dir, overrides: { docker: { hostPort: 5433 } } });
    expect(moved.error).toBeUndefined();
  });

  test("a stack file cannot name its subscription, so no two stacks may share a resource group name; global names never", () => {
    const entry = "  environment: test\n  pullRequestPreview: true\n  approval: none\n";
    const project = (a: string, b: string) => scratchProject({ [NON_PRODUCTION_FILE]: `a:\n${entry}b:\n${entry}`, "Pulumi.a.yaml": a, "Pulumi.b.yaml": b });
    const shared = stackText("test").replace("  amplifier-infra:azure:\n", "  amplifier-infra:azure:\n    resourceGroupName: rg-shared\n");
    expect(() => parseAllStackFiles(project(shared, shared))).toThrow('would both own the Azure resource group "rg-shared"');
    // The subscription comes from the job's environment (ARM_SUBSCRIPTION_ID), never from a stack file.
    const elsewhere = shared.replace("config:\n", "config:\n  azure-native:subscriptionId: 22222222-2222-2222-2222-222222222222\n");
    expect(() => parseStackFile("b", project(shared, elsewhere))).toThrow("azure-native:subscriptionId: the program does not take this azure-native setting from a stack file");
    const sameApp = stackText("test").replace("amplifier-infra:appService:\n", "amplifier-infra:appService:\n    name: amplifier-api-a\n");
    expect(() => parseStackFile("b", project(stackText("test"), sameApp))).toThrow(
      /Pulumi\.b\.yaml:\d+:5: appService\.name: stacks "b" and "a" would both own the web app \(a global name\) "amplifier-api-a"/,
    );
  });
});

describe("copying a stack file to staging in a fresh checkout", () => {
  let dir: string;
  beforeAll(() => {
    // At the same path every run: the nested jest below finds the copy's files already transformed.
    dir = scratchCheckout("staging");
    addSpecStacks(dir);
    fs.copyFileSync(path.join(dir, "Pulumi.test.yaml"), path.join(dir, "Pulumi.staging.yaml"));
    // Like test, staging is not production: the code owners' list says so (README, "Day 2"), not the copied file.
    fs.appendFileSync(path.join(dir, NON_PRODUCTION_FILE), "staging:\n  environment: test\n  pullRequestPreview: true\n  approval: none\n");
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  // The checkout's own tools: they run the checkout's program, which reads the checkout's non-production-stacks.yaml
  // (this repository's program reads this repository's, where staging is not listed).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const own = (module: string): typeof plan => require(path.join(dir, module)).main;
  // `npm run docs` in the checkout, once: its own test checks its exit code and README, the nested suites need it done.
  let docsWrite: Promise<number> | undefined;
  const writeDocs = () => (docsWrite ??= own("tools/docs")(["--write"], captureIo(), dir));

  test("plans with its own names, in its own resource group", async () => {
    const io = captureIo();
    expect(await own("plan/cli")(["staging", "--no-color"], io, dir)).toBe(EXIT.ok);
    for (const name of ["rg-amplifier-staging", "amplifier-db-staging", "kv-amplifier-staging", "stamplifierstaging", "amplifier-api-staging"]) {
      expect(io.out()).toContain(name);
    }
    expect(io.out()).not.toMatch(/rg-amplifier-test|amplifier-db-test|kv-amplifier-test/);
  });

  test("README's environments table gains its column from `npm run docs`", async () => {
    expect(await writeDocs()).toBe(EXIT.ok);
    expect(fs.readFileSync(path.join(dir, "README.md"), "utf8")).toMatch(/\| Setting \|.*`staging`.*\|/);
  });

  test("the suite's invariants hold there: generated docs in sync, plans for every stack, policy per Azure stack, the CLI's stack lists", async () => {
    await writeDocs();
    const suites = ["test/readme.test.ts", "test/docs.test.ts", "test/plan.test.ts", "test/plan-cli.test.ts", "test/policy-stacks.test.ts"];
    const jest = require.resolve("jest/bin/jest");
    // In band: this file's worker is otherwise idle while it waits, so the nested suites run there instead of in two
    // more workers competing with this run's on the same cores.
    const run = spawnSync(process.execPath, [...process.execArgv, jest, "--ci", "--silent", "--runInBand", ...suites], {
      cwd: dir,
      encoding: "utf8",
      // Started from the machine's temp directory, it finds jest's cache where this run's is (its own global set-up then
      // puts its tests' temporary files in this run's directory: test/support/run-cache.cjs).
      env: { ...process.env, FORCE_COLOR: "0", TMPDIR: machineTmpdir() },
    });
    expect({ status: run.status, output: run.status === 0 ? "" : run.stderr.slice(-4000) }).toEqual({ status: 0, output: "" });
    expect(run.stderr).toMatch(new RegExp(`Test Suites: ${suites.length} passed`));
  }, 240_000);

  test("the checkout's own program sees staging among its siblings and refuses its names to another stack", async () => {
    expect(listStacks(dir)).toEqual(["dev", "prod", "staging", "test"]);
    const program = path.join(dir, "index");
    const result = await runProgram({ stack: "test", dir, program, overrides: { keyVault: { name: "kv-amplifier-staging" } } });
    expect(result.error?.message).toContain('keyVault.name: stacks "test" and "staging" would both own the Key Vault (a global name) "kv-amplifier-staging"');
    expect((await runProgram({ stack: "staging", dir, program })).error).toBeUndefined();
  });
});
