// The GitHub workflows are code too: these tests pin the security-relevant shape (triggers, permissions, which job
// may hold which credential for which stack, install without dependency scripts, actions pinned to commits, the
// policy pack from the protected base) so a later edit cannot quietly undo it. actionlint (`npm run lint:workflows`)
// checks syntax and expressions; this checks intent. The deploy and drift jobs: workflows-jobs.test.ts. What the
// environments themselves allow (branch rules, reviewers) is pinned by azure-setup-github.test.ts.
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { listStacks } from "../config/stack-files";
import { ciStacks } from "../tools/ci-stacks";
import { projectWith, SPEC_STACKS } from "./support/stacks";
import {
  all, allJobs, CHECK_STACK_RUN, credentialed, deploy, dir, drift, envName, files, type Job, matrixSource, needsOf, PINS, pr, PULUMI_ACTIONS_V7_INPUTS, pulumiSteps, raw, root, text,
} from "./support/workflows";

const SAME_REPO = "github.event.pull_request.head.repo.full_name == github.repository";
const DEFAULT_BASE = "github.base_ref == github.event.repository.default_branch";
const usesAzure = (job: Job) => job.steps.some((s) => /^(pulumi\/actions|azure\/login)@/.test(s.uses ?? ""));
const runs = (job: Job) => job.steps.map((s) => s.run ?? "").join("\n");

describe("workflow files", () => {
  test("the three workflows exist and are the only ones, beside the manual oidc-subject check", () => {
    // oidc-subject.yml holds no credential and runs no project code (no checkout): its shape is pinned in
    // test/azure-setup-oidc.test.ts, where the set-up that needs it is tested.
    expect(fs.readdirSync(dir).sort()).toEqual([...files, "oidc-subject.yml"].sort());
  });

  test("triggers: pull_request (never pull_request_target / workflow_run), push to main, schedule", () => {
    expect(Object.keys(pr.on)).toEqual(["pull_request"]);
    expect(Object.keys(deploy.on)).toEqual(["push"]);
    expect(deploy.on.push.branches).toEqual(["main"]);
    expect(Object.keys(deploy.on.push)).toEqual(["branches", "paths-ignore"]);
    expect(Object.keys(drift.on).sort()).toEqual(["schedule", "workflow_dispatch"]);
    expect(drift.on.schedule[0].cron).toMatch(/^(\S+\s+){4}\S+$/);
    // Both run with the base repository's secrets on a fork's event: never here.
    for (const [f, wf] of all) expect([f, Object.keys(wf.on).filter((k) => /pull_request_target|workflow_run/.test(k))]).toEqual([f, []]);
  });

  test("every action is pinned to a full commit SHA with its release in a comment, the same pin everywhere", () => {
    const lines = files.flatMap((f) => raw(f).split("\n").filter((l) => /^\s*(-\s+)?uses:/.test(l)).map((l) => [f, l.trim()] as const));
    expect(lines.length).toBeGreaterThan(20);
    for (const [f, line] of lines) {
      const m = /^(?:-\s+)?uses: ([\w.-]+\/[\w.-]+)@([0-9a-f]{40}) # (v\d+\.\d+\.\d+)$/.exec(line);
      expect([f, line, m !== null]).toEqual([f, line, true]);
      expect([f, line, PINS[m![1]]]).toEqual([f, line, { sha: m![2], version: m![3] }]);
    }
  });
});

describe("permissions: least privilege", () => {
  test("every workflow grants nothing by default and every job asks for what it uses", () => {
    for (const [f, wf] of all) expect([f, wf.permissions]).toEqual([f, {}]);
    for (const [id, job] of allJobs) {
      const p = job.permissions ?? {};
      expect([id, p.contents]).toEqual([id, "read"]);
      // id-token: write exactly on the jobs that talk to Azure (OIDC).
      expect([id, p["id-token"] === "write"]).toEqual([id, usesAzure(job)]);
      const commentsOnPr = pulumiSteps(job).some((s) => s.with?.["comment-on-pr"] === true);
      expect([id, p["pull-requests"] === "write"]).toEqual([id, commentsOnPr]);
      const writesIssues = job.steps.some((s) => /\bgh issue (create|comment)\b/.test(s.run ?? ""));
      expect([id, p.issues === "write"]).toEqual([id, writesIssues]);
      const allowed = ["contents", "id-token", "pull-requests", "issues"];
      expect([id, Object.keys(p).filter((k) => !allowed.includes(k))]).toEqual([id, []]);
    }
  });
});

describe("credentials: only through a stack's GitHub environment, for stacks from the stack files", () => {
  const withCredentials = allJobs.filter(([, j]) => credentialed(j));

  test("every credentialed job names the environment of one stack, deploy (<stack>) or read (<stack>-preview)", () => {
    expect(withCredentials.map(([id]) => id)).toEqual([
      "pull-request.yml:preview", "deploy.yml:up-ungated", "deploy.yml:preview-gated", "deploy.yml:up-gated", "drift.yml:drift",
    ]);
    for (const [id, job] of withCredentials) expect([id, envName(job)]).toEqual([id, expect.stringMatching(/^\$\{\{ matrix\.stack \}\}(-preview)?$/)]);
    // A secret anywhere else would be repository-level, readable by every branch (docs.github.com, "Secure use reference").
    for (const [id, job] of allJobs.filter(([, j]) => !credentialed(j))) expect([id, envName(job), /secrets\.|id-token/.test(text(job))]).toEqual([id, undefined, false]);
  });

  test("each credentialed job's stacks come from the stack files (ci-stacks), never a list in the workflow", () => {
    for (const [id, job, wf] of withCredentials) {
      const { selection } = matrixSource(wf, job);
      // On the spec's stacks (the stand-ins once one is gone): a selection none of this repository's files falls in is empty.
      expect([id, ciStacks(selection, projectWith(SPEC_STACKS)).length > 0]).toEqual([id, true]);
    }
    for (const f of files) expect([f, raw(f).match(/stack: \[/g)]).toEqual([f, null]);
  });

  test("`pulumi up` runs only in a stack's deploy environment, previews only in its read environment", () => {
    for (const [id, job] of withCredentials) {
      const commands = pulumiSteps(job).map((s) => s.with?.command);
      expect([id, commands]).toEqual([id, [envName(job)!.endsWith("-preview") ? "preview" : "up"]]);
    }
  });

  test("Azure login is OIDC with the environment's own AZURE_CLIENT_ID; the Pulumi token is the environment's secret, on the Pulumi CLI's steps only", () => {
    for (const f of files) expect(raw(f)).not.toMatch(/CLIENT_SECRET|client-secret|creds:|AZURE_PREVIEW_CLIENT_ID/i);
    for (const [id, job] of withCredentials) {
      expect([id, job.env]).toEqual([
        id,
        {
          NPM_CONFIG_IGNORE_SCRIPTS: "true",
          ARM_USE_OIDC: "true",
          ARM_CLIENT_ID: "${{ vars.AZURE_CLIENT_ID }}",
          ARM_TENANT_ID: "${{ vars.AZURE_TENANT_ID }}",
          ARM_SUBSCRIPTION_ID: "${{ vars.AZURE_SUBSCRIPTION_ID }}",
        },
      ]);
      // The stack check (the Pulumi CLI only: see "the stack check" below) and the Pulumi step; no npm or project code.
      const withSecrets = job.steps.filter((s) => /secrets\./.test(text(s)));
      expect([id, withSecrets.map((s) => s.uses?.split("@")[0] ?? s.run)]).toEqual([id, [CHECK_STACK_RUN, "pulumi/actions"]]);
      for (const s of withSecrets) expect([id, s.env?.PULUMI_ACCESS_TOKEN, Object.keys(s.with ?? {}).filter((k) => /token|secret/i.test(k))]).toEqual([id, "${{ secrets.PULUMI_ACCESS_TOKEN }}", []]);
      expect([id, withSecrets[1].env]).toEqual([id, { PULUMI_ACCESS_TOKEN: "${{ secrets.PULUMI_ACCESS_TOKEN }}" }]);
      // azblob:// state and azurekeyvault:// secrets authenticate through the Azure SDK, not ARM_*: az login first.
      const login = job.steps.find((s) => s.uses?.startsWith("azure/login@"));
      expect([id, login?.if]).toEqual([id, "startsWith(vars.PULUMI_BACKEND_URL, 'azblob://')"]);
      expect([id, login?.with?.["client-id"]]).toEqual([id, job.env?.ARM_CLIENT_ID]);
    }
  });
});

describe("supply chain in credentialed jobs", () => {
  const installing = allJobs.filter(([, j]) => /npm (ci|install)/.test(runs(j)));

  test("dependencies install without their scripts, then the project's own postinstall runs explicitly", () => {
    for (const [id, job] of allJobs.filter(([, j]) => credentialed(j))) {
      const installs = job.steps.flatMap((s) => (s.run ?? "").split("\n").filter((l) => /\bnpm (ci|install|i)\b/.test(l)));
      expect([id, installs.length > 0]).toEqual([id, true]);
      for (const l of installs) expect([id, l.trim()]).toEqual([id, expect.stringMatching(/^npm ci (--prefix \S+ )?--ignore-scripts --no-audit --no-fund$/)]);
      const i = job.steps.findIndex((s) => s.run === "npm ci --ignore-scripts --no-audit --no-fund");
      expect([id, job.steps[i + 1]?.run]).toEqual([id, "npm run postinstall"]);
      // No cache restore where a credential is: a pull request's job could have written the cache.
      const setup = job.steps.find((s) => s.uses?.startsWith("actions/setup-node@"));
      expect([id, setup?.with]).toEqual([id, { "node-version": 22, "package-manager-cache": false }]);
    }
  });

  test("the project's postinstall itself installs the policy pack without scripts", () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"));
    expect(pkg.scripts.postinstall).toBe("npm ci --prefix policy --ignore-scripts --no-audit --no-fund");
  });

  test("only the credential-free checks job installs with scripts (and uses the npm cache)", () => {
    const plain = installing.filter(([, j]) => /^npm ci$/m.test(runs(j))).map(([id]) => id);
    expect(plain).toEqual(["pull-request.yml:checks"]);
    expect(credentialed(pr.jobs.checks)).toBe(false);
  });
});

describe("pull request: unreviewed code gets credentials only for stacks that allow it", () => {
  const checks = pr.jobs.checks;
  const preview = pr.jobs.preview;

  test("the checks job uses no secret, no OIDC and runs install, typecheck, lint, workflow lint and tests", () => {
    expect(text(checks)).not.toMatch(/secrets\./);
    expect(checks.if).toBeUndefined();
    expect(checks.permissions).toEqual({ contents: "read" });
    const r = checks.steps.map((s) => s.run).filter(Boolean);
    for (const cmd of ["npm ci", "npm run typecheck", "npm run lint", "npm run lint:workflows", "npm test"]) expect(r).toContain(cmd);
  });

  test("the offline plan compares every stack of the merge commit and its base (HEAD^1) and writes each to the job summary", () => {
    const step = checks.steps.find((s) => s.run?.includes("npm run --silent plan"));
    expect(step).toBeDefined();
    // HEAD^1 must be there: the checkout fetches the merge commit and its first parent, without keeping a credential.
    expect(checks.steps.find((s) => s.uses?.startsWith("actions/checkout@"))?.with).toEqual({ "persist-credentials": false, "fetch-depth": 2 });
    // Run the step's own script in a repository whose base has a stack file the head deleted and whose head adds one,
    // with a stand-in `npm` that prints its arguments (and fails for prod, as a refused change would).
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "wf-plan-"));
    const sh = (cmd: string, args: string[]) => execFileSync(cmd, args, { cwd: tmp, stdio: "pipe", env: { ...process.env, GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@example.invalid", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@example.invalid" } });
    try {
      // The spec's stack names (whichever of them this repository still has), each a copy of one of its stack files.
      const stacks = [...SPEC_STACKS].sort();
      for (const s of [...stacks, "retired"]) fs.copyFileSync(path.join(root, `Pulumi.${listStacks()[0]}.yaml`), path.join(tmp, `Pulumi.${s}.yaml`));
      fs.copyFileSync(path.join(root, "Pulumi.yaml"), path.join(tmp, "Pulumi.yaml"));
      sh("git", ["init", "-q"]);
      sh("git", ["add", "-A"]);
      sh("git", ["commit", "-qm", "base"]);
      fs.rmSync(path.join(tmp, "Pulumi.retired.yaml"));
      fs.copyFileSync(path.join(tmp, "Pulumi.yaml"), path.join(tmp, "Pulumi.added.yaml"));
      sh("git", ["add", "-A"]);
      sh("git", ["commit", "-qm", "merge"]);
      fs.mkdirSync(path.join(tmp, "bin"));
      fs.writeFileSync(path.join(tmp, "bin", "npm"), '#!/bin/sh\necho "npm $*"\n[ "$5" = prod ] && exit 6\nexit 0\n', { mode: 0o755 });
      const summary = path.join(tmp, "summary.md");
      let status = 0;
      try {
        execFileSync("bash", ["--noprofile", "--norc", "-eo", "pipefail", "-c", step!.run!], {
          cwd: tmp,
          env: { PATH: `${path.join(tmp, "bin")}:${process.env.PATH}`, GITHUB_STEP_SUMMARY: summary },
          stdio: "pipe",
        });
      } catch (e: any) {
        status = e.status;
      }
      const out = fs.readFileSync(summary, "utf8");
      const planned = [...out.matchAll(/^npm run --silent plan -- (\S+) --base HEAD\^1 --format markdown$/gm)].map((m) => m[1]);
      expect(planned).toEqual([...stacks, "added", "retired"].sort());
      expect(stacks).toEqual(expect.arrayContaining(["dev", "prod", "test"]));
      // A failing plan (prod) fails the job, but only after every stack's plan is in the summary.
      expect(status).toBe(1);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });

  test("the only credentialed job previews the base commit's pull-request-previewable stacks, never a gated one", () => {
    const privileged = Object.entries(pr.jobs).filter(([, j]) => credentialed(j));
    expect(privileged.map(([id]) => id)).toEqual(["preview"]);
    const { selection, stacksJob } = matrixSource(pr, preview);
    expect(selection).toBe("pull-request-preview");
    expect(credentialed(stacksJob)).toBe(false);
    // The list is read from the base commit, so a pull request cannot make its own stack previewable.
    expect(stacksJob.steps.find((s) => s.uses?.startsWith("actions/checkout@"))?.with).toEqual({
      "persist-credentials": false,
      ref: "${{ github.event.pull_request.base.sha }}",
    });
    expect(envName(preview)).toBe("${{ matrix.stack }}-preview");
    const previewable = ciStacks("pull-request-preview");
    for (const gated of ciStacks("gated")) expect(previewable).not.toContain(gated);
    expect(previewable).not.toContain("prod");
  });

  test("same-repository pull requests into the default branch only, not Dependabot's, after the checks", () => {
    for (const clause of [SAME_REPO, DEFAULT_BASE, "github.actor != 'dependabot[bot]'", "needs.stacks.outputs.preview != '[]'"]) expect(preview.if).toContain(clause);
    expect(needsOf(preview)).toEqual(["checks", "stacks"]);
    expect(preview.permissions).toEqual({ contents: "read", "id-token": "write", "pull-requests": "write" });
    expect(preview.concurrency).toEqual({ group: "preview-${{ matrix.stack }}-pr-${{ github.event.pull_request.number }}", "cancel-in-progress": false });
  });

  test("the policy pack and its config come from the base commit, generated before any of the pull request's code runs", () => {
    const steps = preview.steps;
    const base = steps.findIndex((s) => s.uses?.startsWith("actions/checkout@") && s.with?.path === ".base");
    expect(steps[base].with).toEqual({ "persist-credentials": false, ref: "${{ github.event.pull_request.base.sha }}", path: ".base" });
    const config = steps.findIndex((s) => s.run?.includes("policy-config"));
    expect(steps[config].run!.trim().split("\n")).toEqual([
      "npm ci --prefix .base --ignore-scripts --no-audit --no-fund",
      "npm ci --prefix .base/policy --ignore-scripts --no-audit --no-fund",
      'npm --prefix .base run --silent policy-config -- "$STACK" > "$RUNNER_TEMP/policy-config.json"',
    ]);
    expect(steps[config].env).toEqual({ STACK: "${{ matrix.stack }}" });
    const prCode = steps.findIndex((s) => s.run === "npm ci --ignore-scripts --no-audit --no-fund");
    expect(base).toBeLessThan(config);
    expect(config).toBeLessThan(prCode);
    const [step] = pulumiSteps(preview);
    expect(step.with).toMatchObject({ command: "preview", "comment-on-pr": true, policyPacks: "${{ github.workspace }}/.base/policy" });
  });
});

describe("pulumi/actions steps", () => {
  const jobsWithPulumi = allJobs.filter(([, j]) => pulumiSteps(j).length > 0);

  test("only inputs that v7 defines, with the pinned commit", () => {
    for (const [id, job] of jobsWithPulumi) {
      for (const step of pulumiSteps(job)) {
        expect([id, step.uses]).toEqual([id, `pulumi/actions@${PINS["pulumi/actions"].sha}`]);
        expect([id, Object.keys(step.with ?? {}).filter((k) => !PULUMI_ACTIONS_V7_INPUTS.has(k))]).toEqual([id, []]);
        expect([id, String(step.with?.["stack-name"])]).toEqual([id, expect.stringContaining("matrix.stack")]);
      }
    }
  });

  test("policy pack on everywhere, with a per-stack config generated just before from the stack file", () => {
    for (const [id, job] of jobsWithPulumi) {
      const [step] = pulumiSteps(job);
      const i = job.steps.indexOf(step);
      // Pushed to main or scheduled on the default branch: the checkout is the protected branch's.
      const pack = id === "pull-request.yml:preview" ? "${{ github.workspace }}/.base/policy" : "${{ github.workspace }}/policy";
      expect([id, step.with?.policyPacks]).toEqual([id, pack]);
      expect([id, step.with?.policyPackConfigs]).toEqual([id, "${{ runner.temp }}/policy-config.json"]);
      const gen = job.steps.slice(0, i).find((s) => s.run?.includes("run --silent policy-config -- "));
      expect([id, gen?.run?.trim()]).toEqual([id, expect.stringMatching(/policy-config -- "\$STACK" > "\$RUNNER_TEMP\/policy-config\.json"$/)]);
      expect([id, gen?.env?.STACK]).toEqual([id, "${{ matrix.stack }}"]);
      if (id !== "pull-request.yml:preview") expect([id, job.steps.filter((s) => s.uses?.startsWith("actions/checkout@")).map((s) => s.with)]).toEqual([id, [{ "persist-credentials": false }]]);
    }
  });
});
