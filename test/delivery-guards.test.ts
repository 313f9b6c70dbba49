/**
 * The workflows' delivery guards: the Pulumi CLI pinned to the SDK's version, one deploy per stack at a time with
 * previews and drift checks in groups of their own (so they never replace a waiting deploy), and a gated `pulumi up` that refuses a commit once its branch has moved on
 * with a change a deploy reads, but not after documentation-only commits (.github/scripts/check-head.sh, run with a
 * stand-in `gh`).
 */
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { all, allJobs, deploy, pulumiSteps, raw, root } from "./support/workflows";

const lockVersion = (lock: string) => JSON.parse(fs.readFileSync(path.join(root, lock), "utf8")).packages["node_modules/@pulumi/pulumi"].version as string;

describe("the Pulumi CLI is pinned", () => {
  const steps = allJobs.flatMap(([id, job]) => job.steps.filter((s) => s.uses?.startsWith("pulumi/actions@")).map((s) => [id, s] as const));

  test("every pulumi/actions step installs exactly the @pulumi/pulumi version both lockfiles hold (CLI and SDK are released together)", () => {
    const version = lockVersion("package-lock.json");
    expect(lockVersion("policy/package-lock.json")).toBe(version);
    expect(version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(steps.length).toBeGreaterThanOrEqual(10);
    // One value per workflow, the lockfiles' version; every step takes it from there.
    for (const [file, wf] of all) {
      const uses = Object.values(wf.jobs).some((job) => job.steps.some((s) => s.uses?.startsWith("pulumi/actions@")));
      expect([file, (wf as { env?: Record<string, string> }).env?.PULUMI_VERSION]).toEqual([file, uses ? version : undefined]);
    }
    for (const [id, step] of steps) expect([id, step.with?.["pulumi-version"]]).toEqual([id, "${{ env.PULUMI_VERSION }}"]);
    for (const [file] of all) expect([file, raw(file).match(/\b\d+\.\d+\.\d+\b/g)?.filter((v) => v === version)]).toEqual([file, [version]]);
  });
});

describe("one deploy per stack at a time, and nothing but a newer deploy replaces a waiting one", () => {
  const pulumiJobs = allJobs.filter(([, job]) => pulumiSteps(job).length > 0);
  const DEPLOY_JOBS = ["deploy.yml:preview-gated", "deploy.yml:up-gated", "deploy.yml:up-ungated"];
  // GitHub keeps one waiting job per concurrency group and a newer one cancels it (docs.github.com, "Control the
  // concurrency of workflows and jobs"): a group a preview or the drift check shares with a deploy lets it cancel one.
  const groupOf = (id: string, stack: string, pr: number) => {
    const job = pulumiJobs.find(([j]) => j === id)![1];
    return job.concurrency!.group.replaceAll("${{ matrix.stack }}", stack).replaceAll("${{ github.event.pull_request.number }}", String(pr));
  };

  test("every job that runs Pulumi has a group per stack, and none cancels a running operation", () => {
    expect(pulumiJobs.map(([id]) => id).sort()).toEqual([...DEPLOY_JOBS, "drift.yml:drift", "pull-request.yml:preview"]);
    for (const [id, job] of pulumiJobs) {
      expect([id, job.concurrency?.["cancel-in-progress"]]).toEqual([id, false]);
      expect([id, job.concurrency?.group]).toEqual([id, expect.stringContaining("${{ matrix.stack }}")]);
      // The group is per stack because each of these jobs runs one matrix stack.
      expect([id, String(job.strategy?.matrix?.stack)]).toEqual([id, expect.stringMatching(/^\$\{\{ fromJSON\(needs\.stacks\.outputs\.[\w-]+\) \}\}$/)]);
    }
  });

  test("the deploy jobs of a stack share one group; no preview or drift check is ever in it, for any stack or pull request", () => {
    for (const stack of ["test", "prod"]) {
      expect(new Set(DEPLOY_JOBS.map((id) => groupOf(id, stack, 1))).size).toBe(1);
      const deployGroups = new Set(["test", "prod"].map((st) => groupOf("deploy.yml:up-gated", st, 1)));
      for (const pr of [1, 2, 42]) {
        for (const id of ["pull-request.yml:preview", "drift.yml:drift"]) expect([id, deployGroups.has(groupOf(id, stack, pr))]).toEqual([id, false]);
      }
    }
    // test's and prod's deploys never wait for each other.
    expect(groupOf("deploy.yml:up-gated", "test", 1)).not.toBe(groupOf("deploy.yml:up-gated", "prod", 1));
  });

  test("previews of different pull requests never replace each other; a newer push of the same one does", () => {
    expect(groupOf("pull-request.yml:preview", "test", 1)).not.toBe(groupOf("pull-request.yml:preview", "test", 2));
    expect(groupOf("pull-request.yml:preview", "test", 1)).not.toBe(groupOf("pull-request.yml:preview", "prod", 1));
    expect(groupOf("pull-request.yml:preview", "test", 7)).toBe(groupOf("pull-request.yml:preview", "test", 7));
    expect(groupOf("drift.yml:drift", "test", 1)).not.toBe(groupOf("pull-request.yml:preview", "test", 1));
  });
});

describe("a gated deploy refuses a commit once its branch has moved on with a change a deploy reads", () => {
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

  const SHA = "a".repeat(40);
  const NEWER = "b".repeat(40);
  /** Runs the script with a stand-in `gh`: the head of main, and (when main moved on) the comparison's jq output. */
  function run(head: string | "fails", compare?: { status: string; files: string[] } | "fails") {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "check-head-"));
    try {
      const log = path.join(tmp, "calls.log");
      const answer = path.join(tmp, "compare.txt");
      if (compare && compare !== "fails") fs.writeFileSync(answer, [compare.status, String(compare.files.length), ...compare.files].join("\n") + "\n");
      fs.writeFileSync(
        path.join(tmp, "gh"),
        [
          "#!/usr/bin/env bash",
          `echo "gh $*" >> "${log}"`,
          'case "$2" in',
          '  */git/ref/heads/*) [ "$HEAD" = fails ] && { echo "HTTP 404" >&2; exit 1; }; echo "$HEAD" ;;',
          `  */compare/*) [ -f "${answer}" ] || { echo "HTTP 403" >&2; exit 1; }; cat "${answer}" ;;`,
          "  *) exit 9 ;;",
          "esac",
          "",
        ].join("\n"),
        { mode: 0o755 },
      );
      const r = spawnSync("bash", [script], {
        encoding: "utf8",
        env: { PATH: `${tmp}:/usr/bin:/bin`, HEAD: head, GH_TOKEN: "t", BRANCH: "main", GITHUB_REPOSITORY: "contoso/amplifier-infra", GITHUB_SHA: SHA },
      });
      return { status: r.status, stdout: r.stdout, calls: fs.readFileSync(log, "utf8").trim().split("\n") };
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  }
  const COMPARE_CALL = `gh api repos/contoso/amplifier-infra/compare/${SHA}...${NEWER} --jq .status, (.files // [] | length), (.files // [] | .[].filename)`;

  test("the head itself passes without asking for a comparison; an unreadable head stops it", () => {
    const current = run(SHA);
    expect(current.status).toBe(0);
    expect(current.calls).toEqual(["gh api repos/contoso/amplifier-infra/git/ref/heads/main --jq .object.sha"]);
    const unreadable = run("fails");
    expect(unreadable.status).toBe(1);
    expect(unreadable.stdout).toContain("::error title=Cannot tell whether this commit is current::");
  });

  test("a newer head that changes only documentation, tests or settings (no deploy run of its own) lets the deploy go on", () => {
    const docsOnly = run(NEWER, { status: "ahead", files: ["README.md", "docs/restore.md", "components/README.md", "test/lifecycle.test.ts", ".github/CODEOWNERS", ".ci/run"] });
    expect(docsOnly.status).toBe(0);
    expect(docsOnly.calls[1]).toBe(COMPARE_CALL);
    expect(docsOnly.stdout).toContain(`main is now at ${NEWER}, but its newer commits change only paths no deploy reads (6 files`);
    expect(docsOnly.stdout).not.toContain("::error");
  });

  test("a newer head that changes anything a deploy reads stops the deploy, naming both commits and the files", () => {
    for (const file of ["index.ts", "Pulumi.prod.yaml", "policy/rules/postgres.ts", ".github/workflows/deploy.yml", "package-lock.json", "docs.ts"]) {
      const stale = run(NEWER, { status: "ahead", files: ["README.md", file] });
      expect([file, stale.status]).toEqual([file, 1]);
      expect(stale.stdout).toContain(`::error title=main has moved on::this run would deploy ${SHA}, but main is now at ${NEWER}, which changes 1 file(s) a deploy reads (${file})`);
    }
  });

  test("fails closed: a head that does not contain the commit, a list at GitHub's limit, an unreadable comparison", () => {
    const diverged = run(NEWER, { status: "diverged", files: ["README.md"] });
    expect(diverged.status).toBe(1);
    expect(diverged.stdout).toContain("which does not contain it (comparison: diverged)");
    const many = run(NEWER, { status: "ahead", files: Array.from({ length: 300 }, (_, i) => `docs/page-${i}.md`) });
    expect(many.status).toBe(1);
    expect(many.stdout).toContain("GitHub lists 300 changed files, too many to tell");
    const unreadable = run(NEWER, "fails");
    expect(unreadable.status).toBe(1);
    expect(unreadable.stdout).toContain("::error title=Cannot tell whether this commit is current::main is now at");
  });

  test("the script ignores exactly what deploy.yml's trigger ignores, decided alike for every tracked file", () => {
    const text = fs.readFileSync(script, "utf8");
    const list = /^IGNORED=\((.*)\)$/m.exec(text)![1].match(/"[^"]*"/g)!.map((q) => JSON.parse(q));
    expect(list).toEqual(deploy.on.push["paths-ignore"]);
    // Every tracked file the trigger ignores passes in one comparison; every other one stops a deploy on its own.
    const tracked = execFileSync("git", ["ls-files"], { cwd: root, encoding: "utf8" }).split("\n").filter(Boolean);
    const matcher = (p: string) => new RegExp(`^${p.split(/(\*\*|\*)/).map((x) => (x === "**" ? ".*" : x === "*" ? "[^/]*" : x.replace(/[.]/g, "\\."))).join("")}$`);
    const ignoredByTrigger = (f: string) => list.some((p) => matcher(p).test(f));
    const ignored = tracked.filter(ignoredByTrigger);
    expect(ignored.length).toBeLessThan(300);
    expect(run(NEWER, { status: "ahead", files: ignored }).status).toBe(0);
    const read = tracked.filter((f) => !ignoredByTrigger(f));
    expect(read.length).toBeGreaterThan(50);
    const stopped = run(NEWER, { status: "ahead", files: read });
    expect(stopped.status).toBe(1);
    expect(stopped.stdout).toContain(`which changes ${read.length} file(s) a deploy reads (${read.slice(0, 5).join(" ")})`);
  });
});
