// deploy.yml and drift.yml: their jobs' shape (gated deploys behind their preview, one deploy per stack at a time, the
// drift issue) and which jobs run for each shape of the stack files, with the job conditions evaluated as GitHub
// evaluates them (test/support/job-graph.ts), so a condition that reads right but skips a deploy is caught.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ciStacks } from "../tools/ci-stacks";
import { projectWith, SPEC_STACKS } from "./support/stacks";
import { evaluate, runJobs, type Scenario } from "./support/job-graph";
import { all, CHECK_STACK_RUN, credentialed, deploy, drift, envName, matrixSource, needsOf, PINS, pulumiSteps } from "./support/workflows";

const lists = (ungated: string[], gated: string[]): Scenario => ({
  outputs: { stacks: { ungated: JSON.stringify(ungated), gated: JSON.stringify(gated) } },
});

describe("the job model reads GitHub's expressions", () => {
  test("operators, functions and the implicit success() of a job", () => {
    const fns = { format: (f: unknown, ...a: unknown[]) => String(f).replace(/\{(\d+)\}/g, (_, n) => String(a[Number(n)])), cancelled: () => false };
    const ctx = { needs: { "up-ungated": { result: "skipped" }, stacks: { outputs: { gated: "[]" } } }, github: { ref: "refs/heads/main" } };
    expect(evaluate("!cancelled() && (needs.up-ungated.result == 'success' || needs.up-ungated.result == 'skipped')", ctx, fns)).toBe(true);
    expect(evaluate("needs.stacks.outputs.gated != '[]'", ctx, fns)).toBe(false);
    expect(evaluate("github.ref == format('refs/heads/{0}', 'MAIN')", ctx, fns)).toBe(true);
    // A skipped grandparent skips a job whose direct needs succeeded (actions/runner#2205).
    const chain = { on: {}, jobs: { a: { if: "false", steps: [] }, b: { needs: "a", if: "always()", steps: [] }, c: { needs: "b", steps: [] } } };
    expect(runJobs(chain, {})).toEqual({ a: "skipped", b: "success", c: "skipped" });
  });
});

describe("deploy.yml: every gated stack is deployed after its preview, whatever else the stack files hold", () => {
  test("the spec's stack files (stand-ins for those the repository lacks): test deploys, then prod is previewed and deployed", () => {
    const dir = projectWith(SPEC_STACKS);
    expect(runJobs(deploy, lists(ciStacks("ungated", dir), ciStacks("gated", dir)))).toEqual({
      stacks: "success", "up-ungated": "success", "preview-gated": "success", "up-gated": "success",
    });
  });

  test("no ungated stack (every Azure stack gated, the secure default): the gated ones still deploy", () => {
    expect(runJobs(deploy, lists([], ["prod"]))).toEqual({ stacks: "success", "up-ungated": "skipped", "preview-gated": "success", "up-gated": "success" });
  });

  test("no gated stack: nothing waits for a reviewer, and no job fails on an empty matrix", () => {
    expect(runJobs(deploy, lists(["test"], []))).toEqual({ stacks: "success", "up-ungated": "success", "preview-gated": "skipped", "up-gated": "skipped" });
  });

  test("a failed ungated deploy, a failed gated preview or a failed stack list stops the gated deploy", () => {
    expect(runJobs(deploy, { ...lists(["test"], ["prod"]), failing: ["up-ungated"] })["up-gated"]).toBe("skipped");
    expect(runJobs(deploy, { ...lists(["test"], ["prod"]), failing: ["preview-gated"] })["up-gated"]).toBe("skipped");
    expect(runJobs(deploy, { ...lists(["test"], ["prod"]), failing: ["stacks"] })).toEqual({
      stacks: "failure", "up-ungated": "skipped", "preview-gated": "skipped", "up-gated": "skipped",
    });
  });
});

describe("drift.yml", () => {
  const onRef = (ref: string, azure: string[]): Scenario => ({
    outputs: { stacks: { azure: JSON.stringify(azure) } },
    github: { ref, event: { repository: { default_branch: "main" } } },
  });

  test("checks every Azure stack on the default branch, and nothing on any other", () => {
    expect(runJobs(drift, onRef("refs/heads/main", ciStacks("azure")))).toEqual({ stacks: "success", drift: "success" });
    expect(runJobs(drift, onRef("refs/heads/feature", ciStacks("azure")))).toEqual({ stacks: "skipped", drift: "skipped" });
    expect(runJobs(drift, onRef("refs/heads/main", []))).toEqual({ stacks: "success", drift: "skipped" });
  });
});

describe("the stacks job: its lists, or a failed job when the stack files are invalid", () => {
  // GitHub runs a `run:` without `shell:` as `bash -e {0}` (docs.github.com, "Workflow syntax", defaults.run.shell).
  function runList(step: string, npmExit: number) {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "wf-stacks-"));
    try {
      fs.writeFileSync(
        path.join(tmp, "npm"),
        `#!/bin/sh\nif [ ${npmExit} -ne 0 ]; then echo 'Invalid configuration for stack "prod"' >&2; exit ${npmExit}; fi\necho "[\\"$5\\"]"\n`,
        { mode: 0o755 },
      );
      const output = path.join(tmp, "output");
      fs.writeFileSync(output, "");
      const r = spawnSync("bash", ["-e", "-c", step], { env: { PATH: `${tmp}:${process.env.PATH}`, GITHUB_OUTPUT: output }, encoding: "utf8" });
      return { status: r.status, output: fs.readFileSync(output, "utf8") };
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  }

  test.each(all.map(([f, wf]) => [f, wf] as const))("%s: a failing ci-stacks fails the job and writes no list", (_, wf) => {
    const step = wf.jobs.stacks.steps.find((s) => s.id === "list")!.run!;
    const ok = runList(step, 0);
    expect(ok.status).toBe(0);
    const names = Object.keys(wf.jobs.stacks.outputs ?? {});
    expect(names.length).toBeGreaterThan(0);
    for (const name of names) expect(ok.output).toMatch(new RegExp(`^${name}=\\["[\\w-]+"\\]$`, "m"));
    const bad = runList(step, 1);
    expect(bad.status).not.toBe(0);
    expect(bad.output).toBe("");
  });
});

describe("deploy on push to main", () => {
  const { stacks, "up-ungated": upUngated, "preview-gated": previewGated, "up-gated": upGated } = deploy.jobs;

  test("every deploy refreshes first, so the stored server zones are current after a failover (docs/lifecycle.md, Failover)", () => {
    const pulumiJobs = Object.values(deploy.jobs).filter((job) => pulumiSteps(job).length > 0);
    expect(pulumiJobs.length).toBeGreaterThanOrEqual(3);
    for (const job of pulumiJobs) expect([envName(job), pulumiSteps(job)[0].with?.refresh]).toEqual([envName(job), true]);
  });

  test("stacks without approval deploy first; gated stacks (prod) deploy behind their own environment after a preview", () => {
    expect(Object.keys(deploy.jobs)).toEqual(["stacks", "up-ungated", "preview-gated", "up-gated"]);
    expect(matrixSource(deploy, upUngated).selection).toBe("ungated");
    expect(matrixSource(deploy, previewGated).selection).toBe("gated");
    expect(matrixSource(deploy, upGated).selection).toBe("gated");
    expect(ciStacks("gated", projectWith(SPEC_STACKS))).toContain("prod");
    expect(envName(upGated)).toBe("${{ matrix.stack }}");
    expect(envName(previewGated)).toBe("${{ matrix.stack }}-preview");
    expect(needsOf(upGated)).toEqual(["stacks", "preview-gated"]);
    expect(needsOf(previewGated)).toEqual(["stacks", "up-ungated"]);
    // The gated preview, and so the gated deploy, never follow a failed ungated deploy.
    expect(previewGated.if).toContain("(needs.up-ungated.result == 'success' || needs.up-ungated.result == 'skipped')");
    expect(pulumiSteps(previewGated)[0].with).toMatchObject({ command: "preview", diff: true, "comment-on-summary": true });
    expect(credentialed(stacks)).toBe(false);
  });

  test("a concurrency group per stack, never cancelling a running deploy", () => {
    for (const job of [upUngated, previewGated, upGated]) expect(job.concurrency).toEqual({ group: "deploy-${{ matrix.stack }}", "cancel-in-progress": false });
  });
});

describe("drift check", () => {
  const job = drift.jobs.drift;

  test("refreshes each Azure stack with its read identity, from the default branch only, and fails on any change", () => {
    expect(matrixSource(drift, job).selection).toBe("azure");
    expect(envName(job)).toBe("${{ matrix.stack }}-preview");
    expect(drift.jobs.stacks.if).toBe("github.ref == format('refs/heads/{0}', github.event.repository.default_branch)");
    const [step] = pulumiSteps(job);
    expect(step.with).toMatchObject({ command: "preview", refresh: true, "expect-no-changes": true });
    expect(job.concurrency).toEqual({ group: "drift-${{ matrix.stack }}", "cancel-in-progress": false });
  });

  test("a failed check opens or updates an issue, and only then", () => {
    const step = job.steps.find((s) => s.run?.includes("gh issue create"));
    // A drift (of the resources or of the web app's app settings), or a check that could not run because the stack
    // does not exist yet.
    expect(step?.if).toBe(
      "failure() && (steps.stack.outcome == 'failure' || steps.drift.outcome == 'failure' || steps.state.outcome == 'failure' || steps.settings.outcome == 'failure')",
    );
    expect(job.steps.find((s) => s.id === "stack")?.run).toBe(CHECK_STACK_RUN);
    expect(job.steps.find((s) => s.id === "drift")?.uses).toBe(`pulumi/actions@${PINS["pulumi/actions"].sha}`);
    expect(step?.run).toContain("gh issue comment");
  });
});
