// Which jobs run, for each shape of the stack files: the deploy and drift workflows' job conditions evaluated as
// GitHub evaluates them (test/support/job-graph.ts), so a condition that reads right but skips a deploy is caught.
import { ciStacks } from "../tools/ci-stacks";
import { evaluate, runJobs, type Scenario } from "./support/job-graph";
import { deploy, drift } from "./support/workflows";

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
  test("the repository's stack files: test deploys, then prod is previewed and deployed", () => {
    expect(runJobs(deploy, lists(ciStacks("ungated"), ciStacks("gated")))).toEqual({
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
