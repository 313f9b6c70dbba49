// The GitHub side of the printed set-up (tools/azure-setup-github.ts and the environments in tools/azure-setup-stack.ts),
// run against stand-in `az`/`gh` (test/support/azure-setup-stubs.ts): each stack's two environments with their branch
// rules and reviewers, failing closed; workflow tokens and code-owner review on main; the Pulumi organisation.
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { type Call, opt, REPO, runWithStubs, script, stacks, SUB } from "./support/azure-setup-stubs";

/** The default set-up (no flags beyond --repo and --subscription), run once for the tests that only read it. */
const defaultRun = runWithStubs(script());

describe("the printed set-up: GitHub environments", () => {
  const { calls } = defaultRun;
  const put = (env: string) => calls.find((c) => c.line === `gh api --method PUT repos/${REPO}/environments/${env} --input -`);
  const rules = (env: string) =>
    calls.filter((c) => c.line.startsWith(`gh api --method POST repos/${REPO}/environments/${env}/deployment-branch-policies `)).map((c) => opt(c, "-f").replace(/^name=/, ""));

  test("each Azure stack gets <stack> and <stack>-preview, and nothing else", () => {
    const envs = calls.filter((c) => c.line.startsWith(`gh api --method PUT repos/${REPO}/environments/`)).map((c) => c.argv[4].split("/").pop()).sort();
    expect(envs).toEqual(stacks.flatMap((c) => [c.stack, `${c.stack}-preview`]).sort());
  });

  test("gated stacks: required reviewers, no self-review, no admin bypass; others deploy without a reviewer", () => {
    for (const c of stacks) {
      const body = JSON.parse(put(c.stack)!.stdin!);
      if (c.delivery.approval === "required") {
        expect(body).toEqual({
          wait_timer: 0,
          prevent_self_review: true,
          can_admins_bypass: false,
          reviewers: [{ type: "User", id: 4242 }],
          deployment_branch_policy: { protected_branches: false, custom_branch_policies: true },
        });
      } else expect(body).toEqual({ deployment_branch_policy: { protected_branches: false, custom_branch_policies: true } });
      expect(JSON.parse(put(`${c.stack}-preview`)!.stdin!)).toEqual({ deployment_branch_policy: { protected_branches: false, custom_branch_policies: true } });
    }
    expect(JSON.parse(put("prod")!.stdin!).prevent_self_review).toBe(true);
  });

  test("only main may use an environment; pull-request merge refs reach only previewable stacks' read environment", () => {
    for (const c of stacks) {
      expect([c.stack, rules(c.stack)]).toEqual([c.stack, ["main"]]);
      expect([c.stack, rules(`${c.stack}-preview`)]).toEqual([c.stack, c.delivery.pullRequestPreview ? ["main", "refs/pull/*/merge"] : ["main"]]);
    }
    expect(rules("test-preview")).toContain("refs/pull/*/merge");
    expect(rules("prod-preview")).toEqual(["main"]);
    // A rule the stack files no longer want (prod-preview's stand-in has a stale merge-ref rule) is removed.
    expect(calls.map((c) => c.line)).toContain(`gh api --method DELETE repos/${REPO}/environments/prod-preview/deployment-branch-policies/7`);
    expect(calls.filter((c) => c.line.includes("--method DELETE"))).toHaveLength(1);
  });

  test("each environment's AZURE_CLIENT_ID is its own identity; no credential at repository level", () => {
    const sets = calls.filter((c) => c.line.startsWith("gh variable set ") || c.line.startsWith("gh secret set "));
    const byEnv = sets.filter((c) => c.argv.includes("--env"));
    for (const c of stacks) {
      const clientId = (env: string) => byEnv.find((x) => x.argv[3] === "AZURE_CLIENT_ID" && opt(x, "--env") === env);
      expect(opt(clientId(c.stack)!, "--body")).toBe(`appid-amplifier-infra-${c.stack}-deploy`);
      expect(opt(clientId(`${c.stack}-preview`)!, "--body")).toBe(`appid-amplifier-infra-${c.stack}-preview`);
      for (const env of [c.stack, `${c.stack}-preview`]) expect(byEnv.filter((x) => x.line.startsWith("gh secret set PULUMI_ACCESS_TOKEN") && opt(x, "--env") === env)).toHaveLength(1);
    }
    const repoLevel = sets.filter((c) => !c.argv.includes("--env")).map((c) => `${c.argv[1]} ${c.argv[3]}`);
    expect(repoLevel.sort()).toEqual(["variable AZURE_SUBSCRIPTION_ID", "variable AZURE_TENANT_ID"]);
    // What the workflows read is set (PULUMI_BACKEND_URL and PULUMI_ORG are optional: unset means Pulumi Cloud, personal account).
    const dir = path.join(__dirname, "..", ".github", "workflows");
    const used = new Set(fs.readdirSync(dir).flatMap((f) => fs.readFileSync(path.join(dir, f), "utf8").match(/vars\.[A-Z_]+/g) ?? []).map((v) => v.slice(5)));
    expect([...used].sort()).toEqual(["AZURE_CLIENT_ID", "AZURE_SUBSCRIPTION_ID", "AZURE_TENANT_ID", "PULUMI_BACKEND_URL", "PULUMI_ORG"]);
  });

  test("the previous set-up's repository-level credentials and shared identities are retired", () => {
    for (const v of ["AZURE_CLIENT_ID", "AZURE_PREVIEW_CLIENT_ID", "PULUMI_BACKEND_URL"]) expect(calls.map((c) => c.line)).toContain(`gh variable delete ${v} --repo ${REPO}`);
    expect(calls.map((c) => c.line)).toContain(`gh secret delete PULUMI_ACCESS_TOKEN --repo ${REPO}`);
    const old = runWithStubs(script(), { STUB_OLD_APPS: "1" }).calls.map((c) => c.line);
    expect(old).toContain(`az role assignment delete --assignee old-deploy-app --scope /subscriptions/${SUB}`);
    expect(old).toContain("az ad app delete --id old-deploy-app");
    expect(calls.some((c) => c.line.startsWith("az ad app delete"))).toBe(false);
  });
});

describe("the printed set-up: reviewers and failing closed", () => {
  test("--reviewer users and teams become the gated environments' reviewers, by id", () => {
    const { calls } = runWithStubs(script("--reviewer", "team:contoso/platform", "--reviewer", "user:alice"));
    expect(calls.map((c) => c.line)).toEqual(expect.arrayContaining(["gh api orgs/contoso/teams/platform --jq .id", "gh api users/alice --jq .id"]));
    const prod = calls.find((c) => c.line === `gh api --method PUT repos/${REPO}/environments/prod --input -`)!;
    expect(JSON.parse(prod.stdin!).reviewers).toEqual([{ type: "Team", id: 2002 }, { type: "User", id: 1001 }]);
  });

  test("without --reviewer it warns that the only reviewer can never approve a deploy they started", () => {
    expect(defaultRun.stderr).toContain("nobody may approve a deploy they started");
  });

  test("stops when GitHub does not enforce the reviewers (private repository on a plan without them)", () => {
    const run = runWithStubs(script(), { STUB_REVIEWER_RULES: "0" });
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain("environment prod: required reviewers with prevent self-review are not in force");
    // It stops before prod has any identity.
    expect(run.calls.some((c) => c.line.includes("amplifier-infra-prod-deploy") || (c.line.startsWith("gh variable set") && c.argv.includes("prod")))).toBe(false);
  });

  test("checks that administrators cannot bypass a gated environment, and stops when they can", () => {
    const checks = defaultRun.calls.filter((c) => c.line.endsWith("--jq .can_admins_bypass")).map((c) => c.argv[2]);
    expect(checks).toEqual(stacks.filter((c) => c.delivery.approval === "required").map((c) => `repos/${REPO}/environments/${c.stack}`));
    const run = runWithStubs(script(), { STUB_ADMINS_BYPASS: "true" });
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain("environment prod: administrators can still bypass its protection rules (can_admins_bypass is not false)");
    expect(run.calls.some((c) => c.line.includes("amplifier-infra-prod-deploy"))).toBe(false);
  });

  test("refuses to loosen an environment that has reviewers: an ungated stack's environment is read first, and a reviewed one stops the set-up before it is written", () => {
    const ungated = stacks.filter((c) => c.delivery.approval === "none").map((c) => c.stack);
    expect(ungated.length).toBeGreaterThan(0);
    const reads = defaultRun.calls.filter((c) => c.line.includes("| .type] | join")).map((c) => c.argv[2]);
    expect(reads).toEqual(ungated.map((s) => `repos/${REPO}/environments/${s}`));
    // Say test was gated before (or prod's file was edited into an ungated stack): its environment has reviewers now.
    const run = runWithStubs(script(), { STUB_EXISTING_RULES: "branch_policy,required_reviewers" });
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain(`environment ${ungated[0]} has required reviewers, and this set-up would remove them`);
    expect(run.calls.some((c) => c.line === `gh api --method PUT repos/${REPO}/environments/${ungated[0]} --input -`)).toBe(false);
  });

  test("fails closed: an error reading the environments (403, a rate limit) stops the set-up instead of removing reviewers", () => {
    const ungated = stacks.filter((c) => c.delivery.approval === "none").map((c) => c.stack);
    for (const env of [{ STUB_ENVIRONMENTS: "fail" }, { STUB_EXISTING_RULES: "fail" }] as Record<string, string>[]) {
      const run = runWithStubs(script(), env);
      expect([env, run.status]).not.toEqual([env, 0]);
      expect(run.stderr).toContain(`environment ${ungated[0]}: `);
      expect(run.stderr).toContain("whether it has required reviewers is unknown and this set-up would remove them: refusing to write it");
      expect(run.calls.some((c) => c.line === `gh api --method PUT repos/${REPO}/environments/${ungated[0]} --input -`)).toBe(false);
    }
  });

  test("an environment the repository does not have yet has no reviewers: it is created, not read", () => {
    const ungated = stacks.filter((c) => c.delivery.approval === "none").map((c) => c.stack);
    const run = runWithStubs(script(), { STUB_ENVIRONMENTS: "", STUB_EXISTING_RULES: "fail" });
    expect(run.status).toBe(0);
    expect(run.calls.filter((c) => c.line.includes("| .type] | join"))).toEqual([]);
    for (const s of ungated) expect(run.calls.some((c) => c.line === `gh api --method PUT repos/${REPO}/environments/${s} --input -`)).toBe(true);
  });
});

describe("the printed set-up: code-owner review on main", () => {
  const checksJob = (parse(fs.readFileSync(path.join(__dirname, "..", ".github", "workflows", "pull-request.yml"), "utf8")) as any).jobs.checks.name;

  test("protects main: code owners' review, fresh approvals, the checks job, no admin bypass", () => {
    const { calls } = defaultRun;
    const protection = calls.find((c) => c.line === `gh api --method PUT repos/${REPO}/branches/main/protection --input -`)!;
    expect(JSON.parse(protection.stdin!)).toEqual({
      required_status_checks: { strict: true, contexts: [checksJob] },
      enforce_admins: true,
      required_pull_request_reviews: { required_approving_review_count: 1, require_code_owner_reviews: true, dismiss_stale_reviews: true, require_last_push_approval: true },
      restrictions: null,
    });
  });

  test("workflow tokens are read-only by default and can never approve a pull request", () => {
    // The pull-request preview runs the pull request's own code with a pull-requests: write token; were Actions
    // allowed to approve, that code could approve its own pull request and count as the required review.
    const call = defaultRun.calls.find((c) => c.line === `gh api --method PUT repos/${REPO}/actions/permissions/workflow --input -`);
    expect(JSON.parse(call!.stdin!)).toEqual({ default_workflow_permissions: "read", can_approve_pull_request_reviews: false });
    const protect = defaultRun.calls.findIndex((c) => c.line.includes("/branches/main/protection"));
    expect(defaultRun.calls.indexOf(call!)).toBeLessThan(protect);
  });

  test("stops while GitHub reports errors in CODEOWNERS (the placeholder owner), before protecting main", () => {
    const run = runWithStubs(script(), { STUB_CODEOWNERS_ERRORS: "1" });
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain("GitHub reports errors in it");
    expect(run.calls.some((c) => c.line.includes("/branches/main/protection"))).toBe(false);
  });
});

describe("the printed set-up: the Pulumi organisation and creating each stack", () => {
  const repoVariable = (calls: Call[], verb: string) => calls.filter((c) => c.line.startsWith(`gh variable ${verb} PULUMI_ORG `));

  test("--pulumi-org sets the repository variable PULUMI_ORG the workflows name stacks with, and every stack's commands use <org>/<stack>", () => {
    const text = script("--pulumi-org", "contoso-platform");
    const run = runWithStubs(text);
    expect(run.status).toBe(0);
    expect(repoVariable(run.calls, "set").map((c) => c.argv)).toEqual([["gh", "variable", "set", "PULUMI_ORG", "--repo", REPO, "--body", "contoso-platform"]]);
    for (const { stack } of stacks) {
      expect(text).toContain(`#   pulumi login && pulumi stack init 'contoso-platform/${stack}'`);
    }
    // No group import to run by hand: the program adopts the group the set-up created (index.ts, import option).
    expect(text).not.toContain("pulumi import");
    // The workflows' stack name is <PULUMI_ORG>/<stack> when the variable is set (test/workflows-first-deploy.test.ts pins the expression).
    const deployYml = fs.readFileSync(path.join(__dirname, "..", ".github", "workflows", "deploy.yml"), "utf8");
    expect(deployYml).toContain("format('{0}/{1}', vars.PULUMI_ORG, matrix.stack) || matrix.stack");
  });

  test("without it the script says the stacks are the bare names, sets nothing, and warns when an earlier PULUMI_ORG would still apply", () => {
    const text = script();
    expect(text).toContain(`# No --pulumi-org: the workflows use the bare stack names (${stacks.map((c) => c.stack).join(", ")}), which Pulumi Cloud resolves to the token`);
    expect(text).toContain("owner's default organisation or else their personal account");
    expect(repoVariable(defaultRun.calls, "set")).toEqual([]);
    for (const { stack } of stacks) expect(text).toContain(`#   pulumi login && pulumi stack init '${stack}'`);
    expect(defaultRun.stderr).not.toContain("PULUMI_ORG");
    const stale = runWithStubs(text, { STUB_PULUMI_ORG: "old-org" });
    expect(stale.status).toBe(0);
    expect(stale.stderr).toContain("warning: repository variable PULUMI_ORG is set, so the workflows use <PULUMI_ORG>/<stack>, not the bare names");
  });

  test("a self-managed backend removes PULUMI_ORG (its stacks are the bare names) and says which lines `stack init` adds to commit", () => {
    const text = script("--state-account", "ampstate1");
    const { calls } = runWithStubs(text);
    expect(repoVariable(calls, "set")).toEqual([]);
    expect(repoVariable(calls, "delete").map((c) => c.line)).toEqual([`gh variable delete PULUMI_ORG --repo ${REPO}`]);
    for (const { stack } of stacks) {
      expect(text).toContain(
        `#   pulumi login 'azblob://pulumi-state-${stack}?storage_account=ampstate1' && pulumi stack init ${stack} --secrets-provider 'azurekeyvault://kv-ampstate1.vault.azure.net/keys/pulumi-secrets-${stack}'`,
      );
      expect(text).toContain(`# then commit the secretsprovider: and encryptedkey: lines it adds to Pulumi.${stack}.yaml`);
    }
  });
});
