/**
 * The workflows' delivery guards: the Pulumi CLI pinned to the SDK's version, one concurrency group per stack across
 * previews, deploys and the drift check, and a gated `pulumi up` that refuses a commit no longer at the head of its
 * branch (.github/scripts/check-head.sh, run with a stand-in `gh`).
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { allJobs, deploy, pulumiSteps, root } from "./support/workflows";

const lockVersion = (lock: string) => JSON.parse(fs.readFileSync(path.join(root, lock), "utf8")).packages["node_modules/@pulumi/pulumi"].version as string;

describe("the Pulumi CLI is pinned", () => {
  const steps = allJobs.flatMap(([id, job]) => job.steps.filter((s) => s.uses?.startsWith("pulumi/actions@")).map((s) => [id, s] as const));

  test("every pulumi/actions step installs exactly the @pulumi/pulumi version both lockfiles hold (CLI and SDK are released together)", () => {
    const version = lockVersion("package-lock.json");
    expect(lockVersion("policy/package-lock.json")).toBe(version);
    expect(version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(steps.length).toBeGreaterThanOrEqual(10);
    for (const [id, step] of steps) expect([id, step.with?.["pulumi-version"]]).toEqual([id, version]);
  });
});

describe("one Pulumi operation per stack at a time", () => {
  const pulumiJobs = allJobs.filter(([, job]) => pulumiSteps(job).length > 0);

  test("every job that runs Pulumi on a stack shares that stack's one group, and none cancels a running operation", () => {
    expect(pulumiJobs.map(([id]) => id).sort()).toEqual(["deploy.yml:preview-gated", "deploy.yml:up-gated", "deploy.yml:up-ungated", "drift.yml:drift", "pull-request.yml:preview"]);
    for (const [id, job] of pulumiJobs) {
      expect([id, job.concurrency]).toEqual([id, { group: "pulumi-${{ matrix.stack }}", "cancel-in-progress": false }]);
      // The group is per stack because each of these jobs runs one matrix stack.
      expect([id, String(job.strategy?.matrix?.stack)]).toEqual([id, expect.stringMatching(/^\$\{\{ fromJSON\(needs\.stacks\.outputs\.[\w-]+\) \}\}$/)]);
    }
  });
});

describe("a gated deploy refuses a commit that is no longer the head of its branch", () => {
  const job = deploy.jobs["up-gated"];
  const script = path.join(root, ".github", "scripts", "check-head.sh");

  test("the check runs right before `pulumi up`, with a read-only token", () => {
    const up = job.steps.findIndex((s) => s.uses?.startsWith("pulumi/actions@") && s.with?.command === "up");
    const check = job.steps.findIndex((s) => s.run === "bash .github/scripts/check-head.sh");
    expect(check).toBe(up - 1);
    expect(job.steps[check].env).toEqual({ GH_TOKEN: "${{ github.token }}", BRANCH: "${{ github.ref_name }}" });
    expect(job.permissions).toEqual({ contents: "read", "id-token": "write" });
    expect(deploy.on.push.branches).toEqual(["main"]);
  });

  function run(head: string | "fails") {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "check-head-"));
    try {
      const log = path.join(tmp, "calls.log");
      fs.writeFileSync(path.join(tmp, "gh"), `#!/usr/bin/env bash\necho "gh $*" >> "${log}"\n[ "$HEAD" = fails ] && { echo "HTTP 404" >&2; exit 1; }\necho "$HEAD"\n`, { mode: 0o755 });
      const r = spawnSync("bash", [script], {
        encoding: "utf8",
        env: { PATH: `${tmp}:/usr/bin:/bin`, HEAD: head, GH_TOKEN: "t", BRANCH: "main", GITHUB_REPOSITORY: "contoso/amplifier-infra", GITHUB_SHA: "a".repeat(40) },
      });
      return { status: r.status, stdout: r.stdout, calls: fs.readFileSync(log, "utf8").trim().split("\n") };
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  }

  test("the head itself passes; one newer commit on main stops the deploy naming both; an unreadable head stops it too", () => {
    const current = run("a".repeat(40));
    expect(current.status).toBe(0);
    expect(current.calls).toEqual(["gh api repos/contoso/amplifier-infra/git/ref/heads/main --jq .object.sha"]);
    const stale = run("b".repeat(40));
    expect(stale.status).toBe(1);
    expect(stale.stdout).toContain(`::error title=main has moved on::this run would deploy ${"a".repeat(40)}, but main is now at ${"b".repeat(40)}`);
    const unreadable = run("fails");
    expect(unreadable.status).toBe(1);
    expect(unreadable.stdout).toContain("::error title=Cannot tell whether this commit is current::");
  });
});
