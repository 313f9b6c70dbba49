// tools/azure-setup.ts: flag validation, and the printed set-up script run against stand-in `az`/`gh` commands:
// per Azure stack in the stack files, two identities scoped to the stack's resource group, two GitHub environments
// with the branch rules and reviewers the workflows rely on, and nothing shared between stacks.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse } from "yaml";
import { ASSIGNED_ROLES, PREVIEW_ROLE_ACTIONS, roleAssignmentCondition } from "../tools/azure-permissions";
import { main, parseSetupArgs, RESOURCE_PROVIDERS, setupScript, UsageError } from "../tools/azure-setup";
import { azureStacks } from "../tools/ci-stacks";
import { changedStack, checkoutWith } from "./support/checkout";

const SUB = "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0";
const REPO = "contoso/amplifier-infra";

function usageErrors(argv: string[]): string[] {
  try {
    parseSetupArgs(argv);
  } catch (e) {
    if (e instanceof UsageError) return e.lines;
    throw e;
  }
  throw new Error(`no error for ${argv.join(" ")}`);
}

describe("flags", () => {
  test("defaults, and both --flag value and --flag=value", () => {
    expect(parseSetupArgs(["--repo", REPO, "--subscription", SUB.toUpperCase()])).toEqual({
      repo: REPO, subscription: SUB, appName: "amplifier-infra", location: "eastus", stateAccount: undefined, pulumiOrg: undefined, reviewers: [],
    });
    expect(parseSetupArgs([`--repo=${REPO}`, `--subscription=${SUB}`, "--app-name=amp", "--location", "westeurope", "--state-account", "ampstate1"]))
      .toEqual({ repo: REPO, subscription: SUB, appName: "amp", location: "westeurope", stateAccount: "ampstate1", pulumiOrg: undefined, reviewers: [] });
    expect(parseSetupArgs(["--repo", REPO, "--subscription", SUB, "--pulumi-org", "contoso-platform"]).pulumiOrg).toBe("contoso-platform");
    expect(parseSetupArgs(["--repo", REPO, "--subscription", SUB, "--reviewer", "team:contoso/platform", "--reviewer=user:alice"]).reviewers)
      .toEqual(["team:contoso/platform", "user:alice"]);
  });

  test.each([
    [["--repo", "contoso", "--subscription", SUB], '--repo (got "contoso"): a GitHub repository as owner/name, e.g. contoso/amplifier-infra'],
    [["--repo", "a/b/c", "--subscription", SUB], '--repo (got "a/b/c"): a GitHub repository as owner/name, e.g. contoso/amplifier-infra'],
    [["--repo", "-x/y", "--subscription", SUB], '--repo (got "-x/y"): a GitHub repository as owner/name, e.g. contoso/amplifier-infra'],
    [["--repo", "o/r;rm -rf", "--subscription", SUB], '--repo (got "o/r;rm -rf"): a GitHub repository as owner/name, e.g. contoso/amplifier-infra'],
    [["--repo", REPO, "--subscription", "my-sub"], '--subscription (got "my-sub"): an Azure subscription ID, a GUID such as 00000000-0000-0000-0000-000000000000'],
    [["--repo", REPO, "--subscription", SUB, "--location", "East US"], '--location (got "East US"): an Azure region name in lower case, e.g. eastus or westeurope'],
    [["--repo", REPO, "--subscription", SUB, "--state-account", "Amp_State"], '--state-account (got "Amp_State"): a storage account name: 3-24 lower-case letters and digits'],
    [["--repo", REPO, "--subscription", SUB, "--app-name", "1app"], `--app-name (got "1app"): a name of 1-51 letters, digits and '-', starting with a letter`],
    [["--repo", REPO, "--subscription", SUB, "--tenant", "x"], "--tenant (unknown flag): allowed flags are --repo, --subscription, --app-name, --location, --state-account, --pulumi-org, --reviewer"],
    [["--repo", REPO, "--subscription", SUB, "extra"], "extra (unexpected argument): allowed flags are --repo, --subscription, --app-name, --location, --state-account, --pulumi-org, --reviewer"],
    [["--repo", REPO, "--subscription"], "--subscription (got no value): an Azure subscription ID, a GUID such as 00000000-0000-0000-0000-000000000000"],
    [["--repo", REPO, "--repo", "o/r", "--subscription", SUB], '--repo (got "o/r" after "contoso/amplifier-infra"): give it once'],
    [["--repo", REPO, "--subscription", SUB, "--pulumi-org", "contoso/platform"], `--pulumi-org (got "contoso/platform"): a Pulumi Cloud organisation name as in app.pulumi.com/<org>: 1-100 letters, digits, '-', '_' or '.', starting with a letter or digit`],
    [["--repo", REPO, "--subscription", SUB, "--pulumi-org", "-x"], `--pulumi-org (got "-x"): a Pulumi Cloud organisation name as in app.pulumi.com/<org>: 1-100 letters, digits, '-', '_' or '.', starting with a letter or digit`],
    [["--repo", REPO, "--subscription", SUB, "--pulumi-org", "o'rg;x"], `--pulumi-org (got "o'rg;x"): a Pulumi Cloud organisation name as in app.pulumi.com/<org>: 1-100 letters, digits, '-', '_' or '.', starting with a letter or digit`],
    [["--repo", REPO, "--subscription", SUB, "--pulumi-org", "a".repeat(101)], `--pulumi-org (got "${"a".repeat(101)}"): a Pulumi Cloud organisation name as in app.pulumi.com/<org>: 1-100 letters, digits, '-', '_' or '.', starting with a letter or digit`],
    [
      ["--repo", REPO, "--subscription", SUB, "--pulumi-org", "contoso", "--state-account", "ampstate1"],
      '--pulumi-org (got "contoso" with --state-account): a self-managed backend has no Pulumi organisations, its stacks are the bare stack names; give one of the two',
    ],
    [["--repo", REPO, "--subscription", SUB, "--reviewer", "alice"], '--reviewer (got "alice"): user:<GitHub login> or team:<organization>/<team slug>, e.g. team:contoso/platform'],
    [["--repo", REPO, "--subscription", SUB, "--reviewer", "team:contoso"], '--reviewer (got "team:contoso"): user:<GitHub login> or team:<organization>/<team slug>, e.g. team:contoso/platform'],
    [["--repo", REPO, "--subscription", SUB, "--reviewer", "user:a';x"], `--reviewer (got "user:a';x"): user:<GitHub login> or team:<organization>/<team slug>, e.g. team:contoso/platform`],
    [["--repo", REPO, "--subscription", SUB, "--reviewer", "user:bob", "--reviewer", "user:bob"], '--reviewer (got "user:bob" twice): give each reviewer once'],
    [["--repo", REPO, "--subscription", SUB, ...["a", "b", "c", "d", "e", "f", "g"].flatMap((u) => ["--reviewer", `user:${u}`])], "--reviewer (got 7): at most 6 users or teams"],
  ])("%j is rejected", (argv, message) => {
    expect(usageErrors(argv)).toEqual([message]);
  });

  test("missing required flags and a flag without its value are all reported at once", () => {
    expect(usageErrors(["--location", "--bogus"])).toEqual([
      "--location (got no value): an Azure region name in lower case, e.g. eastus or westeurope",
      "--bogus (unknown flag): allowed flags are --repo, --subscription, --app-name, --location, --state-account, --pulumi-org, --reviewer",
      "--repo (missing): a GitHub repository as owner/name, e.g. contoso/amplifier-infra",
      "--subscription (missing): an Azure subscription ID, a GUID such as 00000000-0000-0000-0000-000000000000",
    ]);
  });

  test("main: exit 2 with the errors and usage on stderr, nothing on stdout; --help exits 0", () => {
    const out: string[] = [];
    const err: string[] = [];
    expect(main(["--repo", "nope"], (s) => out.push(s), (s) => err.push(s))).toBe(2);
    expect(out).toEqual([]);
    expect(err.join("")).toMatch(/^azure-setup: bad arguments\n {2}--repo \(got "nope"\).*\n {2}--subscription \(missing\).*\nusage: npm run/);
    expect(main(["--help"], (s) => out.push(s), (s) => err.push(s))).toBe(0);
    expect(out.join("")).toMatch(/^usage: /);
  });
});

/** One command the script ran: its words exactly as received, and what it read on stdin (gh --input -). */
interface Call {
  argv: string[];
  line: string;
  stdin?: string;
}

interface Run {
  calls: Call[];
  status: number;
  stderr: string;
}

// Runs the printed script with stand-in az, gh and sleep that log each call (arguments separated by \x1f, so the
// condition string arrives exactly as bash passed it) and answer the queries the script makes.
function runWithStubs(script: string, env: Record<string, string> = {}): Run {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "azure-setup-"));
  try {
    const bin = path.join(tmp, "bin");
    fs.mkdirSync(bin);
    const log = path.join(tmp, "calls.log");
    const stub = (body: string, stdin = "") =>
      `#!/usr/bin/env bash\n${stdin}\n{ printf '%s\\x1f' "$(basename "$0")" "$@"; [ -z "$input" ] || printf 'stdin=%s\\x1f' "$input"; printf '\\n'; } >> "${log}"\n${body}\nexit 0\n`;
    fs.writeFileSync(path.join(bin, "az"), stub(`case "$*" in
  "account show"*) echo tenant-0001 ;;
  "role definition list"*) if [ -n "$STUB_ROLES_EXIST" ]; then echo /subscriptions/x/providers/Microsoft.Authorization/roleDefinitions/r1; fi ;;
  "ad app list --filter displayName eq 'amplifier-infra-deploy'"*) if [ -n "$STUB_OLD_APPS" ]; then echo old-deploy-app; fi ;;
  "ad app create --display-name "*) echo "appid-$5" ;;
  "ad sp show"*) exit 3 ;;
  "ad sp create --id "*) echo "spid-$5" ;;
  "ad app federated-credential show"*|"keyvault key show"*|"group show"*) exit 3 ;;
  "ad signed-in-user show"*) echo me-0001 ;;
  "storage account show"*) echo /subscriptions/x/resourceGroups/rg-state/providers/Microsoft.Storage/storageAccounts/ampstate1 ;;
  "keyvault show"*) echo /subscriptions/x/resourceGroups/rg-state/providers/Microsoft.KeyVault/vaults/kv-ampstate1 ;;
esac`, "input="), { mode: 0o755 });
    fs.writeFileSync(path.join(bin, "gh"), stub(`case "$*" in
  "api user --jq .id") echo 4242 ;;
  "api users/"*" --jq .id") echo 1001 ;;
  "api orgs/"*" --jq .id") echo 2002 ;;
  *"required_reviewers"*) echo "\${STUB_REVIEWER_RULES:-1}" ;;
  *"/codeowners/errors"*) echo "\${STUB_CODEOWNERS_ERRORS:-0}" ;;
  "variable get PULUMI_ORG "*) echo "\${STUB_PULUMI_ORG:-}" ;;
  # A rule left by an earlier set-up that the stack files no longer want.
  "api repos/${REPO}/environments/prod-preview/deployment-branch-policies --jq .branch_policies[] | "*) echo '7 refs/pull/*/merge' ;;
esac`, 'input=""; case "$*" in *--input*) input="$(cat)" ;; esac'), { mode: 0o755 });
    fs.writeFileSync(path.join(bin, "sleep"), stub("", "input="), { mode: 0o755 });
    fs.writeFileSync(path.join(tmp, "setup.sh"), script);
    const r = spawnSync("bash", [path.join(tmp, "setup.sh")], { env: { PATH: `${bin}:${process.env.PATH}`, ...env }, encoding: "utf8" });
    const calls = fs.existsSync(log)
      ? fs.readFileSync(log, "utf8").split("\n").filter(Boolean).map((l) => {
          const words = l.split("\x1f").slice(0, -1);
          const stdin = words.find((w) => w.startsWith("stdin="))?.slice("stdin=".length);
          const argv = words.filter((w) => !w.startsWith("stdin="));
          return { argv, line: argv.join(" "), stdin };
        })
      : [];
    return { calls, status: r.status ?? -1, stderr: r.stderr };
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/** The value after `flag` in a call. */
const opt = (c: Call, flag: string) => c.argv[c.argv.indexOf(flag) + 1];

const script = (...extra: string[]) => setupScript(parseSetupArgs(["--repo", REPO, "--subscription", SUB, ...extra]));
const stacks = azureStacks();
/** The default set-up (no flags beyond --repo and --subscription), run once for the tests that only read it. */
const defaultRun = runWithStubs(script());
const rgId = (stack: string) => `/subscriptions/${SUB}/resourceGroups/${stacks.find((c) => c.stack === stack)!.azure.resourceGroupName}`;

describe("the printed set-up: one deploy and one read identity per Azure stack", () => {
  const run = defaultRun;
  const { calls } = run;
  const credentials = calls.filter((c) => c.line.startsWith("az ad app federated-credential create"));
  const subjectsOf = (appId: string) => credentials.filter((c) => opt(c, "--id") === appId).map((c) => JSON.parse(opt(c, "--parameters")).subject);
  const rolesOf = (sp: string) =>
    calls.filter((c) => c.line.startsWith(`az role assignment create --assignee-object-id ${sp} `)).map((c) => `${opt(c, "--role")} @ ${opt(c, "--scope")}`);

  test("runs to the end with every stack's stand-ins", () => {
    expect(run.status).toBe(0);
    expect(stacks.map((c) => c.stack)).toEqual(expect.arrayContaining(["prod", "test"]));
  });

  test("each identity trusts exactly its stack's GitHub environment, never a branch or pull-request subject", () => {
    for (const { stack } of stacks) {
      expect(subjectsOf(`appid-amplifier-infra-${stack}-deploy`)).toEqual([`repo:${REPO}:environment:${stack}`]);
      expect(subjectsOf(`appid-amplifier-infra-${stack}-preview`)).toEqual([`repo:${REPO}:environment:${stack}-preview`]);
    }
    expect(credentials).toHaveLength(2 * stacks.length);
    for (const c of credentials) {
      const p = JSON.parse(opt(c, "--parameters"));
      expect(p).toMatchObject({ issuer: "https://token.actions.githubusercontent.com", audiences: ["api://AzureADTokenExchange"] });
      expect(p.subject).toMatch(/:environment:[\w-]+$/);
    }
  });

  test("every stack's group exists before its roles are scoped to it, tagged as the program tags it", () => {
    for (const c of stacks) {
      const create = calls.find((x) => x.line.startsWith(`az group create --name ${c.azure.resourceGroupName} `))!;
      expect(opt(create, "--location")).toBe(c.azure.location);
      expect(create.argv.slice(create.argv.indexOf("--tags") + 1)).toEqual([`environment=${c.environment}`, "managed-by=amplifier", "cost-center=engineering"]);
      const firstRole = calls.findIndex((x) => x.line.includes(`--scope ${rgId(c.stack)}`));
      expect(calls.indexOf(create)).toBeLessThan(firstRole);
    }
  });

  test("roles only on the stack's own resource group: the deploy identity creates, the read identity reads", () => {
    for (const c of stacks) {
      const rg = rgId(c.stack);
      expect(rolesOf(`spid-appid-amplifier-infra-${c.stack}-deploy`)).toEqual([
        `Contributor @ ${rg}`,
        `Role Based Access Control Administrator @ ${rg}`,
        ...(c.locks ? [`amplifier-infra lock manager @ ${rg}`] : []),
      ]);
      expect(rolesOf(`spid-appid-amplifier-infra-${c.stack}-preview`)).toEqual([`Reader @ ${rg}`, `amplifier-infra preview reader @ ${rg}`]);
    }
    // Nothing at subscription scope: test's identities cannot touch prod.
    const assignments = calls.filter((c) => c.line.startsWith("az role assignment create"));
    expect(assignments.filter((c) => !opt(c, "--scope").startsWith(`/subscriptions/${SUB}/resourceGroups/`))).toEqual([]);
    expect(stacks.find((c) => c.stack === "prod")?.locks).toBe(true);
    expect(stacks.find((c) => c.stack === "test")?.locks).toBe(false);
  });

  test("the RBAC Administrator assignment carries the condition, exactly as bash passed it", () => {
    const rbac = calls.filter((c) => c.line.startsWith("az role assignment create") && opt(c, "--role") === "Role Based Access Control Administrator");
    expect(rbac).toHaveLength(stacks.length);
    for (const c of rbac) {
      expect(opt(c, "--condition")).toBe(roleAssignmentCondition());
      expect(opt(c, "--condition-version")).toBe("2.0");
      // The condition names the roles the program assigns (test/preview-permissions.test.ts ties them to the program).
      for (const role of Object.values(ASSIGNED_ROLES)) expect(opt(c, "--condition").split(role)).toHaveLength(3);
    }
    // No role assignment without a condition could grant anything: only Contributor, Reader and the two custom roles.
    const unconditioned = calls.filter((c) => c.line.startsWith("az role assignment create") && !c.argv.includes("--condition")).map((c) => opt(c, "--role"));
    expect([...new Set(unconditioned)].sort()).toEqual(["Contributor", "Reader", "amplifier-infra lock manager", "amplifier-infra preview reader"]);
  });

  test("the custom roles: locks only, and the read role's actions are exactly the permissions table's", () => {
    const definitions = calls.filter((c) => c.line.startsWith("az role definition create")).map((c) => JSON.parse(opt(c, "--role-definition")));
    expect(definitions).toEqual([
      expect.objectContaining({
        Name: "amplifier-infra lock manager",
        Actions: ["Microsoft.Authorization/locks/read", "Microsoft.Authorization/locks/write", "Microsoft.Authorization/locks/delete"],
        AssignableScopes: [`/subscriptions/${SUB}`],
      }),
      expect.objectContaining({ Name: "amplifier-infra preview reader", Actions: [...PREVIEW_ROLE_ACTIONS], AssignableScopes: [`/subscriptions/${SUB}`] }),
    ]);
    expect(definitions[1].Actions.length).toBeGreaterThan(0);
    expect(Object.keys(definitions[1]).sort()).toEqual(["Actions", "AssignableScopes", "Description", "Name"]);
    // A second run updates existing roles to the table, so a new row reaches the role.
    const again = runWithStubs(script(), { STUB_ROLES_EXIST: "1" }).calls.filter((c) => c.line.startsWith("az role definition "));
    expect(again.filter((c) => c.argv[3] === "create")).toEqual([]);
    expect(again.filter((c) => c.argv[3] === "update").map((c) => JSON.parse(opt(c, "--role-definition")))).toEqual(definitions);
  });

  test("no client secret or certificate is ever created", () => {
    expect(calls.filter((c) => /credential reset|--password|--cert|client-secret/i.test(c.line))).toEqual([]);
  });

  test("registers the resource providers the program's types need", () => {
    for (const ns of RESOURCE_PROVIDERS) expect(calls.map((c) => c.line)).toContain(`az provider register --namespace ${ns} --wait`);
  });
});

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

describe("the printed set-up: self-managed state", () => {
  const { calls } = runWithStubs(script("--state-account", "ampstate1"));
  const account = "/subscriptions/x/resourceGroups/rg-state/providers/Microsoft.Storage/storageAccounts/ampstate1";
  const vault = "/subscriptions/x/resourceGroups/rg-state/providers/Microsoft.KeyVault/vaults/kv-ampstate1";

  test("the account: TLS 1.2, HTTPS, no public blobs, no shared keys", () => {
    expect(calls.find((c) => c.line.startsWith("az storage account create"))?.line).toMatch(/--min-tls-version TLS1_2 .*--allow-blob-public-access false --allow-shared-key-access false$/);
  });

  test("each stack has its own container and key, and only its identities reach them", () => {
    for (const { stack } of stacks) {
      expect(calls.map((c) => c.line)).toContain(`az keyvault key create --vault-name kv-ampstate1 --name pulumi-secrets-${stack} --kty RSA --size 4096`);
      for (const id of ["deploy", "preview"]) {
        const scopes = calls
          .filter((c) => c.line.startsWith(`az role assignment create --assignee-object-id spid-appid-amplifier-infra-${stack}-${id} `))
          .filter((c) => ["Storage Blob Data Contributor", "Key Vault Crypto User"].includes(opt(c, "--role")))
          .map((c) => `${opt(c, "--role")} @ ${opt(c, "--scope")}`);
        expect(scopes).toEqual([
          `Storage Blob Data Contributor @ ${account}/blobServices/default/containers/pulumi-state-${stack}`,
          `Key Vault Crypto User @ ${vault}/keys/pulumi-secrets-${stack}`,
        ]);
      }
      for (const env of [stack, `${stack}-preview`]) {
        expect(calls.map((c) => c.line)).toContain(`gh variable set PULUMI_BACKEND_URL --repo ${REPO} --env ${env} --body azblob://pulumi-state-${stack}?storage_account=ampstate1`);
      }
    }
    expect(calls.some((c) => c.line.startsWith("gh secret set"))).toBe(false);
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
      expect(text).toContain(`--stack contoso-platform/${stack} --yes`);
    }
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

describe("the printed set-up follows the stack files", () => {
  test("a Pulumi.staging.yaml adds a third pair of identities and environments with no code change", () => {
    // The provider's default region moves with azure.location (the config check refuses the two disagreeing).
    const staging = { ...changedStack("test", { azure: { resourceGroupName: "rg-amplifier-staging", location: "westeurope" } }), "azure-native:location": "westeurope" };
    const dir = checkoutWith({ staging });
    try {
      const { calls, status } = runWithStubs(setupScript(parseSetupArgs(["--repo", REPO, "--subscription", SUB]), dir));
      expect(status).toBe(0);
      const subjects = calls.filter((c) => c.line.startsWith("az ad app federated-credential create")).map((c) => JSON.parse(opt(c, "--parameters")).subject);
      expect(subjects).toEqual(expect.arrayContaining([`repo:${REPO}:environment:staging`, `repo:${REPO}:environment:staging-preview`]));
      expect(calls.map((c) => c.line)).toContain(
        `az role assignment create --assignee-object-id spid-appid-amplifier-infra-staging-deploy --assignee-principal-type ServicePrincipal --role Contributor --scope /subscriptions/${SUB}/resourceGroups/rg-amplifier-staging`,
      );
      expect(calls.find((c) => c.line.startsWith("az group create --name rg-amplifier-staging "))?.line).toContain("--location westeurope");
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test("values from a stack file reach az as they are written, never as shell code", () => {
    const hostile = "R&D 'x' $(touch /tmp/pwned-amplifier) `id`";
    const dir = checkoutWith({ test: changedStack("test", { tags: { costCenter: hostile } }) });
    try {
      const { calls, status } = runWithStubs(setupScript(parseSetupArgs(["--repo", REPO, "--subscription", SUB]), dir));
      expect(status).toBe(0);
      expect(calls.find((c) => c.line.startsWith("az group create --name rg-amplifier-test "))?.argv).toContain(`cost-center=${hostile}`);
      expect(fs.existsSync("/tmp/pwned-amplifier")).toBe(false);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
