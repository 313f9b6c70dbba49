/**
 * The GitHub workflows parsed for the tests that pin their shape (test/workflows.test.ts, and
 * test/workflows-first-deploy.test.ts for the stack check and the deploy trigger's path filter).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { SELECTIONS, type Selection } from "../../tools/ci-stacks";

export const root = path.join(__dirname, "..", "..");
export const dir = path.join(root, ".github", "workflows");

export type Step = { name?: string; id?: string; uses?: string; run?: string; if?: string; with?: Record<string, unknown>; env?: Record<string, string> };
export type Job = {
  name?: string;
  if?: string;
  needs?: string | string[];
  environment?: string | { name: string };
  permissions?: Record<string, string>;
  concurrency?: { group: string; "cancel-in-progress"?: boolean };
  strategy?: { matrix?: Record<string, unknown> };
  outputs?: Record<string, string>;
  env?: Record<string, string>;
  steps: Step[];
};
export type Workflow = { on: Record<string, any>; permissions?: unknown; jobs: Record<string, Job> };

export const files = ["pull-request.yml", "deploy.yml", "drift.yml"];
export const raw = (file: string) => fs.readFileSync(path.join(dir, file), "utf8");
export const load = (file: string) => parse(raw(file)) as Workflow;
export const pr = load("pull-request.yml");
export const deploy = load("deploy.yml");
export const drift = load("drift.yml");
export const all: [string, Workflow][] = files.map((f) => [f, load(f)]);
export const allJobs: [string, Job, Workflow][] = all.flatMap(([f, wf]) => Object.entries(wf.jobs).map(([id, j]) => [`${f}:${id}`, j, wf] as [string, Job, Workflow]));

// Action pins: commit -> release, read from each action's tags (github.com/<action>, git tags, 2026-11-30).
export const PINS: Record<string, { sha: string; version: string }> = {
  "actions/checkout": { sha: "3d3c42e5aac5ba805825da76410c181273ba90b1", version: "v7.0.1" },
  "actions/setup-node": { sha: "820762786026740c76f36085b0efc47a31fe5020", version: "v7.0.0" },
  // Azure/login's v3.0.1 is an annotated tag; this is the commit it points at.
  "azure/login": { sha: "f5d393ae46f8fde4be8b75f32e3fc50e654ad0ca", version: "v3.0.1" },
  "pulumi/actions": { sha: "8e5e406f4007fca908480587cb9893c07090f58d", version: "v7.0.0" },
};

// Inputs of pulumi/actions v7.0.0 (commit 8e5e406f), from its action.yml (github.com/pulumi/actions).
export const PULUMI_ACTIONS_V7_INPUTS = new Set([
  "command", "stack-name", "pulumi-version", "pulumi-version-file", "work-dir", "comment-on-pr", "comment-on-pr-number",
  "comment-on-summary", "github-token", "cloud-url", "secrets-provider", "parallel", "message", "config-map",
  "expect-no-changes", "diff", "replace", "exclude", "exclude-dependents", "target", "target-dependents", "policyPacks",
  "policyPackConfigs", "refresh", "upsert", "remove", "edit-pr-comment", "color", "exclude-protected", "plan",
  "suppress-outputs", "suppress-progress", "always-include-summary", "continue-on-error", "log-verbosity", "log-flow",
  "debug",
]);

/** The stack check every credentialed job runs before its Pulumi step (.github/scripts/check-stack.sh). */
export const CHECK_STACK_RUN = "bash .github/scripts/check-stack.sh";
export const STACK_NAME = "${{ vars.PULUMI_ORG && format('{0}/{1}', vars.PULUMI_ORG, matrix.stack) || matrix.stack }}";

/** The steps that run a Pulumi command (pulumi/actions with `command`; without it the action only installs the CLI). */
export const pulumiSteps = (job: Job) => job.steps.filter((s) => s.uses?.startsWith("pulumi/actions@") && s.with?.command !== undefined);
export const text = (v: unknown) => JSON.stringify(v);
/** A job that holds a credential: an OIDC token or any secret. */
export const credentialed = (job: Job) => job.permissions?.["id-token"] === "write" || /secrets\./.test(text(job));

/** A job's `needs` as a list. */
export const needsOf = (job: Job) => (job.needs === undefined ? [] : ([] as string[]).concat(job.needs));
/** The environment a job names. */
export const envName = (job: Job) => (typeof job.environment === "object" ? job.environment.name : job.environment);

/**
 * The stack list a credentialed job's matrix comes from: `fromJSON(needs.stacks.outputs.<name>)`, where the `stacks`
 * job's step sets `<name>="$(npm run --silent ci-stacks -- <selection>)"` and writes `<name>=$<name>` to
 * GITHUB_OUTPUT. Returns the selection and the stacks job.
 */
export function matrixSource(wf: Workflow, job: Job): { selection: Selection; stacksJob: Job } {
  const m = /^\$\{\{ fromJSON\(needs\.stacks\.outputs\.([\w-]+)\) \}\}$/.exec(String(job.strategy?.matrix?.stack));
  if (!m) throw new Error(`matrix ${text(job.strategy?.matrix)} does not come from the stacks job`);
  expect(needsOf(job)).toContain("stacks");
  const stacksJob = wf.jobs.stacks;
  const [, stepId, output] = /^\$\{\{ steps\.([\w-]+)\.outputs\.([\w-]+) \}\}$/.exec(stacksJob.outputs?.[m[1]] ?? "") ?? [];
  const step = stacksJob.steps.find((s) => s.id === stepId);
  const sel = new RegExp(`^${output}="\\$\\(npm run --silent ci-stacks -- ([\\w-]+)\\)"$`, "m").exec(step?.run ?? "");
  const written = new RegExp(`^echo "${output}=\\$${output}" >> "\\$GITHUB_OUTPUT"$`, "m").test(step?.run ?? "");
  if (!sel || !written || !Object.hasOwn(SELECTIONS, sel[1])) throw new Error(`stacks output ${m[1]} is not a ci-stacks selection`);
  return { selection: sel[1] as Selection, stacksJob };
}

/**
 * The `::error` workflow commands a script printed, and their messages decoded: a command is one line, its message
 * escapes %, CR and LF (docs.github.com, "Workflow commands for GitHub Actions").
 */
export function workflowErrors(stdout: string): { errors: string[]; message: string } {
  const errors = stdout.split("\n").filter((l) => l.startsWith("::error"));
  const message = errors.map((l) => l.replace(/^::error title=[^:]*::/, "").replace(/%0A/g, "\n").replace(/%0D/g, "\r").replace(/%25/g, "%")).join("\n");
  return { errors, message };
}
