// The GitHub workflows are code too: these tests pin the security-relevant shape (triggers, permissions, the
// fork-safe split, OIDC without a client secret, gated and serialised deploys) so a later edit cannot quietly undo it.
// actionlint (`npm run lint:workflows`) checks syntax and expressions; this checks intent.
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse } from "yaml";

const root = path.join(__dirname, "..");
const dir = path.join(root, ".github", "workflows");

type Step = { name?: string; id?: string; uses?: string; run?: string; if?: string; with?: Record<string, unknown>; env?: Record<string, string> };
type Job = {
  name?: string;
  if?: string;
  needs?: string | string[];
  environment?: string | { name: string };
  permissions?: Record<string, string>;
  concurrency?: { group: string; "cancel-in-progress"?: boolean };
  strategy?: { matrix?: Record<string, unknown> };
  env?: Record<string, string>;
  steps: Step[];
};
type Workflow = { on: Record<string, any>; permissions?: unknown; jobs: Record<string, Job> };

const files = ["pull-request.yml", "deploy.yml", "drift.yml"];
const raw = (file: string) => fs.readFileSync(path.join(dir, file), "utf8");
const load = (file: string) => parse(raw(file)) as Workflow;
const pr = load("pull-request.yml");
const deploy = load("deploy.yml");
const drift = load("drift.yml");
const all: [string, Workflow][] = files.map((f) => [f, load(f)]);
const allJobs: [string, Job][] = all.flatMap(([f, wf]) => Object.entries(wf.jobs).map(([id, j]) => [`${f}:${id}`, j] as [string, Job]));

// Inputs of pulumi/actions at tag v7 (= v7.0.0, commit 8e5e406f), from its action.yml (github.com/pulumi/actions).
const PULUMI_ACTIONS_V7_INPUTS = new Set([
  "command", "stack-name", "pulumi-version", "pulumi-version-file", "work-dir", "comment-on-pr", "comment-on-pr-number",
  "comment-on-summary", "github-token", "cloud-url", "secrets-provider", "parallel", "message", "config-map",
  "expect-no-changes", "diff", "replace", "exclude", "exclude-dependents", "target", "target-dependents", "policyPacks",
  "policyPackConfigs", "refresh", "upsert", "remove", "edit-pr-comment", "color", "exclude-protected", "plan",
  "suppress-outputs", "suppress-progress", "always-include-summary", "continue-on-error", "log-verbosity", "log-flow",
  "debug",
]);

const SAME_REPO = "github.event.pull_request.head.repo.full_name == github.repository";
const pulumiSteps = (job: Job) => job.steps.filter((s) => s.uses?.startsWith("pulumi/actions@"));
const usesAzure = (job: Job) => job.steps.some((s) => /^(pulumi\/actions|azure\/login)@/.test(s.uses ?? ""));
const text = (v: unknown) => JSON.stringify(v);
const envName = (job: Job) => (typeof job.environment === "object" ? job.environment.name : job.environment);
const needs = (job: Job) => (job.needs === undefined ? [] : ([] as string[]).concat(job.needs));

// Azure stacks are read from the stack files, so a new Pulumi.staging.yaml on Azure fails here until CI covers it.
const stackFiles = fs.readdirSync(root).filter((f) => /^Pulumi\.[\w-]+\.yaml$/.test(f));
const stacks = stackFiles.map((f) => f.slice("Pulumi.".length, -".yaml".length)).sort();
const azureStacks = stacks.filter((s) => parse(fs.readFileSync(path.join(root, `Pulumi.${s}.yaml`), "utf8")).config["amplifier-infra:platform"] === "azure");

describe("workflow files", () => {
  test("the three workflows exist and are the only ones", () => {
    expect(fs.readdirSync(dir).sort()).toEqual([...files].sort());
    expect(azureStacks).toEqual(["prod", "test"]);
  });

  test("triggers: pull_request (never pull_request_target / workflow_run), push to main, schedule", () => {
    expect(Object.keys(pr.on)).toEqual(["pull_request"]);
    expect(Object.keys(deploy.on)).toEqual(["push"]);
    expect(deploy.on.push).toEqual({ branches: ["main"] });
    expect(Object.keys(drift.on).sort()).toEqual(["schedule", "workflow_dispatch"]);
    expect(drift.on.schedule[0].cron).toMatch(/^(\S+\s+){4}\S+$/);
    // Both run with the base repository's secrets on a fork's event: never here.
    for (const [f, wf] of all) expect([f, Object.keys(wf.on).filter((k) => /pull_request_target|workflow_run/.test(k))]).toEqual([f, []]);
  });

  test("actions are pinned to current majors: checkout/setup-node v7, pulumi/actions v7, azure/login v3", () => {
    const expected: Record<string, string> = { "actions/checkout": "v7", "actions/setup-node": "v7", "pulumi/actions": "v7", "azure/login": "v3" };
    const used = allJobs.flatMap(([, j]) => j.steps.filter((s) => s.uses).map((s) => s.uses as string));
    expect(used.length).toBeGreaterThan(10);
    for (const u of used) {
      const [action, ref] = u.split("@");
      expect([u, expected[action]]).toEqual([u, ref]);
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

describe("pull request: fork-safe split", () => {
  const checks = pr.jobs.checks;
  const preview = pr.jobs.preview;

  test("the checks job uses no secret, no OIDC and runs install, typecheck, lint, workflow lint and tests", () => {
    expect(text(checks)).not.toMatch(/secrets\./);
    expect(checks.if).toBeUndefined();
    expect(checks.permissions).toEqual({ contents: "read" });
    const runs = checks.steps.map((s) => s.run).filter(Boolean);
    for (const cmd of ["npm ci", "npm run typecheck", "npm run lint", "npm run lint:workflows", "npm test"]) expect(runs).toContain(cmd);
  });

  test("the offline plan runs for every stack file and writes each plan to the job summary", () => {
    const step = checks.steps.find((s) => s.run?.includes("npm run --silent plan"));
    expect(step).toBeDefined();
    // Run the step's own script with a stand-in `npm` that prints its arguments (and fails for prod).
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "wf-plan-"));
    try {
      for (const f of stackFiles) fs.copyFileSync(path.join(root, f), path.join(tmp, f));
      fs.mkdirSync(path.join(tmp, "bin"));
      fs.writeFileSync(path.join(tmp, "bin", "npm"), '#!/bin/sh\necho "npm $*"\n[ "$5" = prod ] && exit 3\nexit 0\n', { mode: 0o755 });
      const summary = path.join(tmp, "summary.md");
      let status = 0;
      try {
        execFileSync("bash", ["-eo", "pipefail", "-c", step!.run!], {
          cwd: tmp,
          env: { PATH: `${path.join(tmp, "bin")}:${process.env.PATH}`, GITHUB_STEP_SUMMARY: summary },
          stdio: "pipe",
        });
      } catch (e: any) {
        status = e.status;
      }
      const out = fs.readFileSync(summary, "utf8");
      for (const s of stacks) expect(out).toContain(`npm run --silent plan -- ${s} --no-color`);
      expect(stacks).toEqual(["dev", "prod", "test"]);
      // A failing plan (prod) fails the job, but only after every stack's plan is in the summary.
      expect(status).toBe(1);
      expect(out.match(/```text/g)?.length).toBe(stacks.length);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });

  test("every job that uses a secret or OIDC runs only for same-repository pull requests, after the checks", () => {
    const privileged = Object.entries(pr.jobs).filter(([, j]) => /secrets\./.test(text(j)) || j.permissions?.["id-token"] === "write");
    expect(privileged.map(([id]) => id)).toEqual(["preview"]);
    for (const [, j] of privileged) {
      expect(j.if).toContain(SAME_REPO);
      expect(needs(j)).toContain("checks");
    }
  });

  test("preview: pulumi/actions v7 preview per Azure stack with PR comment and the policy pack", () => {
    expect(preview.permissions).toEqual({ contents: "read", "id-token": "write", "pull-requests": "write" });
    const [step] = pulumiSteps(preview);
    expect(step.with).toMatchObject({ command: "preview", "comment-on-pr": true, policyPacks: "policy" });
    expect(String(step.with?.["stack-name"])).toContain("matrix.stack");
  });
});

describe("pulumi/actions steps", () => {
  const jobsWithPulumi = allJobs.filter(([, j]) => pulumiSteps(j).length > 0);

  test("run in preview (PR), deploy and drift jobs, only with inputs that v7 defines", () => {
    expect(jobsWithPulumi.map(([id]) => id)).toEqual(["pull-request.yml:preview", "deploy.yml:test", "deploy.yml:prod", "drift.yml:drift"]);
    for (const [id, job] of jobsWithPulumi) {
      for (const step of pulumiSteps(job)) {
        expect([id, step.uses]).toEqual([id, "pulumi/actions@v7"]);
        expect([id, Object.keys(step.with ?? {}).filter((k) => !PULUMI_ACTIONS_V7_INPUTS.has(k))]).toEqual([id, []]);
      }
    }
  });

  test("policy pack on everywhere, with a per-stack config generated just before from the stack file", () => {
    for (const [id, job] of jobsWithPulumi) {
      const i = job.steps.findIndex((s) => s.uses?.startsWith("pulumi/actions@"));
      const step = job.steps[i];
      expect([id, step.with?.policyPacks]).toEqual([id, "policy"]);
      expect([id, step.with?.policyPackConfigs]).toEqual([id, "${{ runner.temp }}/policy-config.json"]);
      const gen = job.steps.slice(0, i).find((s) => s.run?.includes("npm run --silent policy-config -- "));
      expect([id, gen?.run]).toEqual([id, expect.stringMatching(/policy-config -- ("\$STACK"|test|prod) > "\$RUNNER_TEMP\/policy-config\.json"$/)]);
      if (gen?.run?.includes("$STACK")) expect([id, gen.env?.STACK]).toEqual([id, "${{ matrix.stack }}"]);
      // The program and the policy pack need the project's dependencies installed first.
      expect([id, job.steps.slice(0, i).some((s) => s.run === "npm ci")]).toEqual([id, true]);
    }
  });

  test("Azure login is OIDC through ARM_* from repository variables; no client secret anywhere", () => {
    for (const f of files) expect(raw(f)).not.toMatch(/CLIENT_SECRET|client-secret|creds:/i);
    for (const [id, job] of jobsWithPulumi) {
      const env = job.env ?? {};
      expect([id, env.ARM_USE_OIDC]).toEqual([id, "true"]);
      for (const k of ["ARM_CLIENT_ID", "ARM_TENANT_ID", "ARM_SUBSCRIPTION_ID"]) expect([id, env[k]]).toEqual([id, expect.stringMatching(/^\$\{\{ vars\.AZURE_[A-Z_]+ \}\}$/)]);
      expect([id, env.PULUMI_ACCESS_TOKEN]).toEqual([id, "${{ secrets.PULUMI_ACCESS_TOKEN }}"]);
      // azblob:// state and azurekeyvault:// secrets authenticate through the Azure SDK, not ARM_*: az login first.
      const login = job.steps.find((s) => s.uses?.startsWith("azure/login@"));
      expect([id, login?.if]).toEqual([id, "startsWith(vars.PULUMI_BACKEND_URL, 'azblob://')"]);
      expect([id, login?.with?.["client-id"]]).toEqual([id, env.ARM_CLIENT_ID]);
    }
  });

  test("only the deploy jobs use the deploy identity; previews and drift checks use the read-only one", () => {
    for (const [id, job] of jobsWithPulumi) {
      const deploys = pulumiSteps(job).some((s) => s.with?.command === "up");
      expect([id, job.env?.ARM_CLIENT_ID]).toEqual([id, deploys ? "${{ vars.AZURE_CLIENT_ID }}" : "${{ vars.AZURE_PREVIEW_CLIENT_ID }}"]);
    }
  });
});

describe("deploy on push to main", () => {
  test("one `pulumi up` job per Azure stack, each behind the GitHub environment of the same name", () => {
    const byStack = Object.values(deploy.jobs).map((j) => envName(j));
    expect(byStack.sort()).toEqual(azureStacks);
    for (const job of Object.values(deploy.jobs)) {
      const [step] = pulumiSteps(job);
      expect(step.with?.command).toBe("up");
      expect(String(step.with?.["stack-name"])).toContain(`'${envName(job)}'`);
      expect(job.permissions).toEqual({ contents: "read", "id-token": "write" });
    }
  });

  test("every deploy refreshes first, so the stored server zones are current after a failover (README, Lifecycle)", () => {
    for (const job of Object.values(deploy.jobs)) expect([envName(job), pulumiSteps(job)[0].with?.refresh]).toEqual([envName(job), true]);
  });

  test("prod runs after test, behind environment prod", () => {
    expect(envName(deploy.jobs.test)).toBe("test");
    expect(envName(deploy.jobs.prod)).toBe("prod");
    expect(needs(deploy.jobs.prod)).toEqual(["test"]);
    expect(needs(deploy.jobs.test)).toEqual([]);
  });

  test("a concurrency group per stack, never cancelling a running deploy", () => {
    const groups = Object.values(deploy.jobs).map((j) => j.concurrency);
    expect(groups).toEqual([
      { group: "deploy-test", "cancel-in-progress": false },
      { group: "deploy-prod", "cancel-in-progress": false },
    ]);
  });
});

describe("drift check", () => {
  const job = drift.jobs.drift;

  test("refreshes each Azure stack and fails on any change", () => {
    expect([...(job.strategy?.matrix?.stack as string[])].sort()).toEqual(azureStacks);
    const [step] = pulumiSteps(job);
    expect(step.with).toMatchObject({ command: "preview", refresh: true, "expect-no-changes": true });
    expect(job.concurrency).toEqual({ group: "drift-${{ matrix.stack }}", "cancel-in-progress": false });
    // No environment: prod's required reviewers must not hold up a read-only scheduled check.
    expect(job.environment).toBeUndefined();
  });

  test("a failed check opens or updates an issue, and only then", () => {
    const step = job.steps.find((s) => s.run?.includes("gh issue create"));
    expect(step?.if).toBe("failure() && steps.drift.outcome == 'failure'");
    expect(job.steps.find((s) => s.id === "drift")?.uses).toBe("pulumi/actions@v7");
    expect(step?.run).toContain("gh issue comment");
  });
});

describe("stack matrices and concurrency groups are per stack", () => {
  test("preview matrix covers every Azure stack, grouped per stack and pull request", () => {
    expect([...(pr.jobs.preview.strategy?.matrix?.stack as string[])].sort()).toEqual(azureStacks);
    expect(pr.jobs.preview.concurrency).toEqual({
      group: "preview-${{ matrix.stack }}-pr-${{ github.event.pull_request.number }}",
      "cancel-in-progress": false,
    });
  });
});
