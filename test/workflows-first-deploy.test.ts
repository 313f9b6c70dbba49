// The workflows' part in a first deploy: a credentialed job whose stack does not exist yet stops with what to do
// (.github/scripts/check-stack.sh, run with a stand-in Pulumi CLI), and a push that changes nothing a deployment
// reads does not run deploy.yml, so it never asks prod's reviewers for an approval.
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { allJobs, CHECK_STACK_RUN, credentialed, deploy, PINS, pulumiSteps, root, STACK_NAME, workflowErrors } from "./support/workflows";

describe("deploy skips a push that changes nothing a deployment reads", () => {
  // GitHub's filter patterns (docs.github.com, "Workflow syntax for GitHub Actions", filter pattern cheat sheet):
  // `*` matches anything but `/`, `**` anything. The list below uses no other special character.
  const matcher = (pattern: string) => {
    expect(pattern).toMatch(/^[\w./*-]+$/);
    const re = pattern.split(/(\*\*|\*)/).map((part) => (part === "**" ? ".*" : part === "*" ? "[^/]*" : part.replace(/[.]/g, "\\."))).join("");
    return new RegExp(`^${re}$`);
  };
  const ignoredBy = (patterns: string[]) => (file: string) => patterns.some((p) => matcher(p).test(file));
  const ignored = ignoredBy(deploy.on.push["paths-ignore"]);
  // What a deploy job reads: the program and its config, the policy pack, the tools the jobs run, the manifests whose
  // installs they run, the init SQL Azure derives its extensions from, and the workflows with their scripts.
  // Markdown is read by no deploy, wherever it sits.
  const DEPLOY_READS = [
    /^Pulumi(\.[^/]+)?\.yaml$/, /^index\.ts$/, /^components\//, /^config\//, /^policy\//, /^package(-lock)?\.json$/, /^tsconfig\.json$/,
    /^scripts\/(init-dev-db\.sql|[^/]+\.(ts|cjs))$/, /^tools\//, /^mock-runtime\//, /^\.github\/(workflows|scripts)\//,
  ];
  const deployReads = (file: string) => !file.endsWith(".md") && DEPLOY_READS.some((re) => re.test(file));
  const tracked = execFileSync("git", ["ls-files"], { cwd: root, encoding: "utf8" }).split("\n").filter(Boolean);

  test("the ignored paths: documentation, tests and repository settings", () => {
    expect(deploy.on.push["paths-ignore"]).toEqual(["**.md", "docs/**", "test/**", ".ci/**", ".github/dependabot.yml", ".github/CODEOWNERS", "eslint.config.mjs", "jest.config.js"]);
    for (const f of ["README.md", "docs/configuration.md", "docs/prod.svg", "test/docs.test.ts", "test/support/checkout.ts", ".ci/run", ".github/CODEOWNERS", ".github/dependabot.yml"]) {
      expect([f, ignored(f)]).toEqual([f, true]);
    }
    // A README-only push to main: nothing runs, so prod's reviewers are not asked.
    expect(tracked.filter(ignored)).toEqual(expect.arrayContaining(["README.md", "docs/configuration.md", "docs/policy-rules.md"]));
  });

  test("no path a deployment reads is ignored, tracked or not yet written", () => {
    const samples = [
      "Pulumi.yaml", "Pulumi.prod.yaml", "Pulumi.staging.yaml", "index.ts", "components/web-app.ts", "config/schema.ts", "policy/rules/postgres.ts",
      "policy/package.json", "policy/package-lock.json", "package.json", "package-lock.json", "scripts/init-dev-db.sql", "scripts/policy-config.ts",
      "scripts/transpile.cjs", "tools/policy-config.ts", "mock-runtime/index.ts", "tsconfig.json", ".github/workflows/deploy.yml", ".github/scripts/check-stack.sh",
    ];
    for (const f of samples) expect([f, deployReads(f), ignored(f)]).toEqual([f, true, false]);
    expect([...tracked, ...samples].filter((f) => deployReads(f) && ignored(f))).toEqual([]);
    // The check above can fail: a pattern that reaches what a deploy reads is caught.
    expect(["Pulumi.*.yaml", "**.ts", ".github/**"].map((p) => [...tracked, ...samples].some((f) => deployReads(f) && ignoredBy([p])(f)))).toEqual([true, true, true]);
  });
});

describe("the stack check: a stack that does not exist yet fails with what to do", () => {
  const script = path.join(root, ".github", "scripts", "check-stack.sh");

  test("every credentialed job installs the CLI and checks its stack, with the Pulumi step's name and backend, before the Pulumi step", () => {
    for (const [id, job] of allJobs.filter(([, j]) => credentialed(j))) {
      const [command] = pulumiSteps(job);
      const c = job.steps.indexOf(command);
      // Only a gated deploy's check that its commit is still the head of main may come between (delivery-guards.test.ts).
      const between = job.steps[c - 1].run === "bash .github/scripts/check-head.sh" ? 1 : 0;
      const [install, check] = [job.steps[c - 2 - between], job.steps[c - 1 - between]];
      expect([id, install.uses, Object.keys(install.with ?? {})]).toEqual([id, `pulumi/actions@${PINS["pulumi/actions"].sha}`, ["pulumi-version"]]);
      expect([id, { ...check, name: undefined }]).toEqual([
        id,
        {
          name: undefined,
          id: "stack",
          env: { STACK: "${{ matrix.stack }}", STACK_NAME, PULUMI_BACKEND_URL: "${{ vars.PULUMI_BACKEND_URL }}", PULUMI_ACCESS_TOKEN: "${{ secrets.PULUMI_ACCESS_TOKEN }}" },
          run: CHECK_STACK_RUN,
        },
      ]);
      expect([id, command.with?.["stack-name"], command.with?.["cloud-url"]]).toEqual([id, STACK_NAME, "${{ vars.PULUMI_BACKEND_URL }}"]);
      // The azblob backend needs the Azure login first.
      expect([id, job.steps.findIndex((s) => s.uses?.startsWith("azure/login@")) < c - 2 - between]).toEqual([id, true]);
    }
  });

  /** Runs the script with a stand-in `pulumi` (and `npm`, `npx`, `node`, which it must never call) that logs its calls. */
  function check(mode: "exists" | "missing" | "login-fails" | "forbidden", env: Record<string, string> = {}) {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "check-stack-"));
    try {
      const log = path.join(tmp, "calls.log");
      const stub = (body: string) => `#!/usr/bin/env bash\necho "$(basename "$0") $*" >> "${log}"\n${body}\n`;
      fs.writeFileSync(
        path.join(tmp, "pulumi"),
        stub(`case "$1 $MODE" in
  "login login-fails") echo "error: PULUMI_ACCESS_TOKEN must be set for login during non-interactive CLI sessions" >&2; exit 255 ;;
  "stack missing") echo "error: no stack named '$5' found" >&2; exit 255 ;;
  "stack forbidden") echo "error: [403] Forbidden: stack $5" >&2; exit 255 ;;
esac
exit 0`),
        { mode: 0o755 },
      );
      for (const tool of ["npm", "npx", "node"]) fs.writeFileSync(path.join(tmp, tool), stub("exit 0"), { mode: 0o755 });
      const run = spawnSync("bash", [script], {
        cwd: root,
        encoding: "utf8",
        env: { PATH: `${tmp}:/usr/bin:/bin`, MODE: mode, STACK: "prod", STACK_NAME: "contoso/prod", PULUMI_ACCESS_TOKEN: "token", PULUMI_BACKEND_URL: "", ...env },
      });
      const calls = fs.existsSync(log) ? fs.readFileSync(log, "utf8").trim().split("\n") : [];
      const { errors, message } = workflowErrors(run.stdout);
      return { status: run.status, stdout: run.stdout, errors, message, calls };
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  }

  test("an existing stack passes, after logging in to Pulumi Cloud or the backend the Pulumi step uses", () => {
    const cloud = check("exists");
    expect({ status: cloud.status, errors: cloud.errors }).toEqual({ status: 0, errors: [] });
    expect(cloud.calls).toEqual(["pulumi login --non-interactive", "pulumi stack select --non-interactive --stack contoso/prod"]);
    const azblob = check("exists", { PULUMI_BACKEND_URL: "azblob://pulumi-state-prod?storage_account=ampstate1", STACK_NAME: "prod" });
    expect(azblob.calls).toEqual(["pulumi login --non-interactive azblob://pulumi-state-prod?storage_account=ampstate1", "pulumi stack select --non-interactive --stack prod"]);
  });

  test("a missing stack fails with one error naming the stack init command, the lines to commit and README's section", () => {
    const r = check("missing");
    expect(r.status).toBe(1);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatch(/^::error title=Pulumi stack contoso\/prod does not exist::/);
    for (const part of ["pulumi stack init contoso/prod", "secretsprovider: and encryptedkey: lines to Pulumi.prod.yaml: commit them", "PULUMI_ORG", 'README, "First deploy"']) {
      expect(r.message).toContain(part);
    }
    // Only the Pulumi CLI ran: the token in this step meets no dependency's code.
    expect(r.calls.map((c) => c.split(" ")[0])).toEqual(["pulumi", "pulumi"]);
    // The section it names exists.
    expect(fs.readFileSync(path.join(root, "README.md"), "utf8")).toMatch(/^#+ First deploy$/m);
  });

  test("a login failure or another error is reported as what it is, with the CLI's own words", () => {
    const login = check("login-fails");
    expect(login.status).toBe(1);
    expect(login.errors[0]).toMatch(/^::error title=Cannot log in to the Pulumi backend::Logging in to Pulumi Cloud failed/);
    expect(login.message).toContain("PULUMI_ACCESS_TOKEN must be set");
    expect(login.calls).toEqual(["pulumi login --non-interactive"]);
    const other = check("forbidden");
    expect(other.status).toBe(1);
    expect(other.errors[0]).toMatch(/^::error title=Cannot select Pulumi stack contoso\/prod::/);
    expect(other.message).toContain("[403] Forbidden");
  });
});
