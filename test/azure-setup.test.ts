// tools/azure-setup.ts: flag validation, and the printed set-up script run against stand-in `az`/`gh` commands
// (test/support/azure-setup-stubs.ts): per Azure stack in the stack files, two identities scoped to the stack's resource
// group and nothing shared between stacks; the self-managed state. The GitHub side: test/azure-setup-github.test.ts.
import * as fs from "node:fs";
import * as path from "node:path";
import { NON_PRODUCTION_FILE } from "../config/gating";
import { ASSIGNED_ROLES, PREVIEW_ROLE_ACTIONS, roleAssignmentCondition } from "../tools/azure-permissions";
import { main, parseSetupArgs, RESOURCE_PROVIDERS, setupScript, UsageError } from "../tools/azure-setup";
import { BRANCH_RULES_FUNCTION } from "../tools/azure-setup-github";
import { stackLines } from "../tools/azure-setup-stack";
import { changedStack, checkoutWith } from "./support/checkout";
import { environmentSubject } from "../config/github";
import { ASSIGN_ROLE_FUNCTION } from "../tools/azure-setup-oidc";
import { opt, OWNER_ID, REPO, REPO_ID, rgId, runWithStubs, script, SETUP_DIR, stacks, SUB } from "./support/azure-setup-stubs";
import { azureStacks } from "../tools/ci-stacks";
import { PROJECT_DIR } from "../config/stack-files";

/** The stand-in repository, which GitHub reports with immutable subject claims (a repository created today). */
const GITHUB_REPO = { owner: "contoso", name: "amplifier-infra", ownerId: OWNER_ID, repositoryId: REPO_ID };

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
      repo: REPO, subscription: SUB, appName: "amplifier-infra", location: "eastus", stateAccount: undefined, pulumiOrg: undefined, reviewers: [], subjectForm: "auto",
    });
    expect(parseSetupArgs([`--repo=${REPO}`, `--subscription=${SUB}`, "--app-name=amp", "--location", "westeurope", "--state-account", "ampstate1"]))
      .toEqual({ repo: REPO, subscription: SUB, appName: "amp", location: "westeurope", stateAccount: "ampstate1", pulumiOrg: undefined, reviewers: [], subjectForm: "auto" });
    expect(parseSetupArgs(["--repo", REPO, "--subscription", SUB, "--subject-form", "ids"]).subjectForm).toBe("ids");
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
    [["--repo", REPO, "--subscription", SUB, "--tenant", "x"], "--tenant (unknown flag): allowed flags are --repo, --subscription, --app-name, --location, --state-account, --pulumi-org, --reviewer, --subject-form"],
    [["--repo", REPO, "--subscription", SUB, "extra"], "extra (unexpected argument): allowed flags are --repo, --subscription, --app-name, --location, --state-account, --pulumi-org, --reviewer, --subject-form"],
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
    [["--repo", REPO, "--subscription", SUB, "--subject-form", "immutable"], '--subject-form (got "immutable"): ids (repo:<owner>@<owner id>/<repo>@<repository id>:..., immutable subject claims) or names (repo:<owner>/<repo>:...), whichever the repository\'s tokens carry (gh workflow run oidc-subject.yml prints it), or auto (the default: stops with how to learn it)'],
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
      "--bogus (unknown flag): allowed flags are --repo, --subscription, --app-name, --location, --state-account, --pulumi-org, --reviewer, --subject-form",
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

/** The default set-up (no flags beyond --repo and --subscription), run once for the tests that only read it. */
const defaultRun = runWithStubs(script());

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
    // The repository's own stack files, whichever they are (SETUP_DIR is the stand-in project once test or prod is gone).
    if (SETUP_DIR !== PROJECT_DIR) {
      const own = runWithStubs(setupScript(parseSetupArgs(["--repo", REPO, "--subscription", SUB, "--subject-form", "ids"]), PROJECT_DIR));
      expect(own.status).toBe(0);
      const groups = own.calls.filter((c) => c.line.startsWith("az group create")).map((c) => opt(c, "--name"));
      expect(groups).toEqual(azureStacks().map((c) => c.azure.resourceGroupName));
    }
  });

  test("each identity trusts exactly its stack's GitHub environment, never a branch or pull-request subject", () => {
    for (const { stack } of stacks) {
      expect(subjectsOf(`appid-amplifier-infra-${stack}-deploy`)).toEqual([environmentSubject(GITHUB_REPO, stack)]);
      expect(subjectsOf(`appid-amplifier-infra-${stack}-preview`)).toEqual([environmentSubject(GITHUB_REPO, `${stack}-preview`)]);
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

describe("the printed set-up follows the stack files", () => {
  test("a Pulumi.staging.yaml adds a third pair of identities and environments with no code change", () => {
    // The provider's default region moves with azure.location (the config check refuses the two disagreeing).
    const staging = { ...changedStack("test", { azure: { resourceGroupName: "rg-amplifier-staging", location: "westeurope" } }, SETUP_DIR), "azure-native:location": "westeurope" };
    const dir = checkoutWith({ staging }, SETUP_DIR);
    // Like test, not production: the code owners' list says so (config/gating.ts), not the copied file.
    fs.appendFileSync(path.join(dir, NON_PRODUCTION_FILE), "staging:\n  environment: test\n  pullRequestPreview: true\n  approval: none\n");
    try {
      const { calls, status } = runWithStubs(setupScript(parseSetupArgs(["--repo", REPO, "--subscription", SUB, "--subject-form", "ids"]), dir));
      expect(status).toBe(0);
      const subjects = calls.filter((c) => c.line.startsWith("az ad app federated-credential create")).map((c) => JSON.parse(opt(c, "--parameters")).subject);
      expect(subjects).toEqual(expect.arrayContaining([environmentSubject(GITHUB_REPO, "staging"), environmentSubject(GITHUB_REPO, "staging-preview")]));
      expect(calls.map((c) => c.line)).toContain(
        `az role assignment create --assignee-object-id spid-appid-amplifier-infra-staging-deploy --assignee-principal-type ServicePrincipal --role Contributor --scope /subscriptions/${SUB}/resourceGroups/rg-amplifier-staging`,
      );
      expect(calls.find((c) => c.line.startsWith("az group create --name rg-amplifier-staging "))?.line).toContain("--location westeurope");
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test("every value is one bash word where it runs and stays inside its comment, without relying on validation", () => {
    // Validation keeps stack names, groups and regions to safe characters today; the printed script must not depend on it.
    const evil = "x$(touch /tmp/pwned-amplifier-setup)`touch /tmp/pwned-amplifier-setup`;'\"";
    const base = stacks.find((c) => c.stack === "test")!;
    const c = { ...base, stack: `s${evil}`, stackSlug: `slug${evil}`, azure: { ...base.azure, resourceGroupName: `rg${evil}\ntouch /tmp/pwned-amplifier-setup`, location: `loc${evil}` } };
    const state = { account: "ampstate1", vault: "kv-ampstate1", resourceGroup: "rg-amplifier-infra-state" };
    const text = [
      "set -euo pipefail", `REPO=${REPO}`, `SUBSCRIPTION_ID=${SUB}`, "ASSIGN_CONDITION=condition", "PREVIEW_ROLE=preview", "LOCK_ROLE=lock", "VAULT_ID=/vault", "STATE_ACCOUNT_ID=/account", BRANCH_RULES_FUNCTION,
      ASSIGN_ROLE_FUNCTION, `SUBJECT_PREFIX=repo:${REPO}`,
      ...stackLines(c, { appName: "amplifier-infra", repo: REPO, subscription: SUB, state }),
    ].join("\n");
    try {
      const run = runWithStubs(text);
      expect(run.stderr).toBe("");
      expect(run.status).toBe(0);
      expect(fs.existsSync("/tmp/pwned-amplifier-setup")).toBe(false);
      const group = run.calls.find((x) => x.line.startsWith("az group create"))!;
      expect([opt(group, "--name"), opt(group, "--location")]).toEqual([c.azure.resourceGroupName, c.azure.location]);
      const envs = run.calls.filter((x) => x.line.startsWith("gh variable set AZURE_CLIENT_ID")).map((x) => opt(x, "--env"));
      expect(envs).toEqual([c.stack, `${c.stack}-preview`]);
      const puts = run.calls.filter((x) => x.line.startsWith("gh api --method PUT")).map((x) => x.argv[4]);
      expect(puts).toEqual([`repos/${REPO}/environments/${c.stack}`, `repos/${REPO}/environments/${c.stack}-preview`]);
      const container = run.calls.find((x) => x.line.startsWith("az storage container-rm create"))!;
      expect(opt(container, "--name")).toBe(`pulumi-state-${c.stackSlug}`);
    } finally {
      fs.rmSync("/tmp/pwned-amplifier-setup", { force: true });
    }
  });

  test("values from a stack file reach az as they are written, never as shell code", () => {
    // Backticks never get this far: the config refuses them in every printed string (config/hostile.ts).
    const hostile = "R&D 'x' $(touch /tmp/pwned-amplifier) \"$(id)\" ; rm -rf ~";
    const dir = checkoutWith({ test: changedStack("test", { tags: { costCenter: hostile } }, SETUP_DIR) }, SETUP_DIR);
    try {
      const { calls, status } = runWithStubs(setupScript(parseSetupArgs(["--repo", REPO, "--subscription", SUB, "--subject-form", "ids"]), dir));
      expect(status).toBe(0);
      expect(calls.find((c) => c.line.startsWith("az group create --name rg-amplifier-test "))?.argv).toContain(`cost-center=${hostile}`);
      expect(fs.existsSync("/tmp/pwned-amplifier")).toBe(false);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
