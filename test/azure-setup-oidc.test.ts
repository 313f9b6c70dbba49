// The printed set-up's trust in GitHub (tools/azure-setup-oidc.ts), run against stand-in `az`/`gh`
// (test/support/azure-setup-stubs.ts): the subject each federated credential trusts is the one GitHub says the
// repository's tokens carry (immutable ids or not), failing closed when that is unknown; an existing credential is
// checked by its subject, not only its name; role assignments wait, a bounded time, for a role that is replicating.
import { environmentSubject } from "../config/github";
import { stackLines } from "../tools/azure-setup-stack";
import { ASSIGN_ATTEMPTS, ASSIGN_DELAY_SECONDS, ASSIGN_ROLE_FUNCTION } from "../tools/azure-setup-oidc";
import { type Call, opt, OWNER_ID, REPO, REPO_ID, runWithStubs, script, stacks, SUB } from "./support/azure-setup-stubs";

const IDS = { owner: "contoso", name: "amplifier-infra", ownerId: OWNER_ID, repositoryId: REPO_ID };
const NAMES = { owner: "contoso", name: "amplifier-infra" };
const IDS_PREFIX = `repo:contoso@${OWNER_ID}/amplifier-infra@${REPO_ID}`;
const environments = stacks.flatMap((c) => [c.stack, `${c.stack}-preview`]);

const created = (calls: Call[]) =>
  calls.filter((c) => c.line.startsWith("az ad app federated-credential create")).map((c) => JSON.parse(opt(c, "--parameters")).subject as string);
const updated = (calls: Call[]) =>
  calls.filter((c) => c.line.startsWith("az ad app federated-credential update")).map((c) => JSON.parse(opt(c, "--parameters")).subject as string);
/** Anything that changes Azure: nothing may happen before the subject is known. */
const azureWrites = (calls: Call[]) => calls.filter((c) => /^az (provider register|role|group create|ad app (create|federated-credential (create|update))|ad sp create)/.test(c.line));

describe("the subject each federated credential trusts is the one the repository's tokens carry", () => {
  test.each([
    ["GitHub's prefix has the immutable ids (a repository created or renamed since mid-2026)", `true ${IDS_PREFIX} true`, IDS],
    ["GitHub's prefix has the names only (an older repository)", "true repo:contoso/amplifier-infra false", NAMES],
    ["the prefix wins over use_immutable_subject when the two disagree", `true ${IDS_PREFIX} false`, IDS],
    ["no prefix in the answer: use_immutable_subject true", "true - true", IDS],
    ["no prefix in the answer: use_immutable_subject false", "true - false", NAMES],
  ])("%s", (_case, answer, repo) => {
    const run = runWithStubs(script(), { STUB_OIDC_SUB: answer });
    expect(run.status).toBe(0);
    expect(created(run.calls).sort()).toEqual(environments.map((e) => environmentSubject(repo, e)).sort());
    expect(run.stderr).toContain(`federated credentials trust ${environmentSubject(repo, "<environment>")}`);
  });

  test("the subject spells owner and repository as GitHub does, not as --repo was typed (Entra compares case-sensitively)", () => {
    const run = runWithStubs(script(), { STUB_REPO_IDS: `Contoso ${OWNER_ID} Amplifier-Infra ${REPO_ID}`, STUB_OIDC_SUB: "true - true" });
    expect(run.status).toBe(0);
    expect(created(run.calls)).toContain(`repo:Contoso@${OWNER_ID}/Amplifier-Infra@${REPO_ID}:environment:test`);
  });

  test("GitHub is asked before anything changes in Azure", () => {
    const { calls } = runWithStubs(script());
    const asked = calls.findIndex((c) => c.line.startsWith(`gh api repos/${REPO}/actions/oidc/customization/sub `));
    expect(asked).toBeGreaterThan(0);
    expect(calls.indexOf(azureWrites(calls)[0])).toBeGreaterThan(asked);
  });

  test.each([
    ["the settings cannot be read", "fail", /cannot read the repository's OIDC subject settings .* --subject-form names or --subject-form ids/],
    ["a custom subject template", "false - -", /custom OIDC subject template .*--subject-form names or --subject-form ids/],
    ["a prefix of neither form", "true repo:someone-else/elsewhere true", /GitHub reports the subject prefix repo:someone-else\/elsewhere .*neither repo:contoso\/amplifier-infra nor repo:contoso@4401\/amplifier-infra@55020/],
    ["neither a prefix nor the flag", "true - -", /GitHub reports the subject prefix - \(use_immutable_subject: -\)/],
  ])("fails closed, changing nothing in Azure, when %s", (_case, answer, message) => {
    const run = runWithStubs(script(), { STUB_OIDC_SUB: answer });
    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(message);
    expect(azureWrites(run.calls)).toEqual([]);
  });

  test.each([
    ["names", NAMES],
    ["ids", IDS],
  ])("--subject-form %s forces that form without asking for the subject settings (ids from GET /repos)", (form, repo) => {
    const run = runWithStubs(script("--subject-form", form), { STUB_OIDC_SUB: "fail" });
    expect(run.status).toBe(0);
    expect(created(run.calls).sort()).toEqual(environments.map((e) => environmentSubject(repo, e)).sort());
    expect(run.calls.filter((c) => c.line.includes("/actions/oidc/customization/sub"))).toEqual([]);
  });

  test("a repository GitHub cannot find stops the script before Azure", () => {
    const run = runWithStubs(script(), { STUB_REPO_IDS: "fail" });
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain("cannot read the repository from GitHub (gh api repos/<owner>/<repo>): check --repo and gh auth status");
    expect(azureWrites(run.calls)).toEqual([]);
  });
});

describe("an existing federated credential is checked by its subject, not only its name", () => {
  test("an old-form subject (the repository now carries ids) is updated in place, and the change is reported", () => {
    const run = runWithStubs(script(), { STUB_FIC_SUBJECT: `repo:${REPO}:environment:test` });
    expect(run.status).toBe(0);
    expect(created(run.calls)).toEqual([]);
    expect(updated(run.calls).sort()).toEqual(environments.map((e) => environmentSubject(IDS, e)).sort());
    expect(run.stderr).toContain(
      `amplifier-infra-test-deploy: federated credential github-environment-test trusted https://token.actions.githubusercontent.com|repo:${REPO}:environment:test|api://AzureADTokenExchange (issuer|subject|audiences); updating it to https://token.actions.githubusercontent.com|${IDS_PREFIX}:environment:test|api://AzureADTokenExchange`,
    );
    const update = run.calls.find((c) => c.line.startsWith("az ad app federated-credential update --id appid-amplifier-infra-test-deploy "))!;
    expect(opt(update, "--federated-credential-id")).toBe("github-environment-test");
    expect(JSON.parse(opt(update, "--parameters"))).toEqual({
      name: "github-environment-test",
      issuer: "https://token.actions.githubusercontent.com",
      subject: `${IDS_PREFIX}:environment:test`,
      audiences: ["api://AzureADTokenExchange"],
    });
  });

  test("a credential that already trusts the right subject is left alone", () => {
    const run = runWithStubs(script(), { STUB_FIC_SUBJECT: `${IDS_PREFIX}:environment:test` });
    expect(run.status).toBe(0);
    const touched = run.calls.filter((c) => /federated-credential (create|update) --id appid-amplifier-infra-test-deploy /.test(c.line));
    expect(touched).toEqual([]);
    // Every other identity's credential (same stand-in answer) names another environment, so it is updated.
    expect(updated(run.calls)).toHaveLength(environments.length - 1);
  });

  test("the right subject under another issuer is updated too", () => {
    const run = runWithStubs(script(), { STUB_FIC_SUBJECT: `${IDS_PREFIX}:environment:test`, STUB_FIC_ISSUER: "https://token.actions.example.com" });
    expect(updated(run.calls)).toContain(`${IDS_PREFIX}:environment:test`);
  });

  test("any other credential on an identity stops the script, naming it and how to delete it", () => {
    const run = runWithStubs(script(), { STUB_FIC_OTHERS: `pull-requests\trepo:${REPO}:pull_request` });
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain("amplifier-infra-prod-deploy also trusts subjects this set-up did not write (name, subject):");
    expect(run.stderr).toContain(`pull-requests\trepo:${REPO}:pull_request`);
    expect(run.stderr).toContain("az ad app federated-credential delete --id appid-amplifier-infra-prod-deploy --federated-credential-id <name>");
    expect(run.calls.filter((c) => c.line.startsWith("az role assignment create --assignee-object-id spid-appid-amplifier-infra-prod-deploy "))).toEqual([]);
  });

  test("a stack value full of shell and JSON metacharacters stays one JSON string in the credential", () => {
    const evil = `x"\\'$(touch /tmp/pwned-fic)\`id\``;
    const base = stacks.find((c) => c.stack === "test")!;
    const c = { ...base, stack: `s${evil}` };
    const text = [
      "set -euo pipefail", `REPO=${REPO}`, `SUBSCRIPTION_ID=${SUB}`, "ASSIGN_CONDITION=condition", "PREVIEW_ROLE=preview", "LOCK_ROLE=lock",
      "branch_rules() { :; }", ASSIGN_ROLE_FUNCTION, `SUBJECT_PREFIX=${IDS_PREFIX}`,
      ...stackLines(c, { appName: "amplifier-infra", repo: REPO, subscription: SUB }),
    ].join("\n");
    const run = runWithStubs(text);
    expect(run.status).toBe(0);
    expect(created(run.calls)).toEqual([`${IDS_PREFIX}:environment:${c.stack}`, `${IDS_PREFIX}:environment:${c.stack}-preview`]);
  });
});

describe("role assignments wait for a role or identity that is still replicating, for a bounded time", () => {
  const first = (calls: Call[]) => calls.filter((c) => c.line.startsWith("az role assignment create")).filter((c, _i, all) => c.line === all[0].line);
  const sleeps = (calls: Call[]) => calls.filter((c) => c.argv[0] === "sleep").map((c) => c.argv[1]);

  test("a new custom role not yet visible: retried, then the script goes on", () => {
    const run = runWithStubs(script(), { STUB_ASSIGN_FAILS: "2" });
    expect(run.status).toBe(0);
    expect(first(run.calls)).toHaveLength(3);
    expect(sleeps(run.calls)).toEqual([String(ASSIGN_DELAY_SECONDS), String(ASSIGN_DELAY_SECONDS)]);
    expect(run.stderr).toContain(`role assignment not possible yet (attempt 1 of ${ASSIGN_ATTEMPTS}): a role or identity created minutes ago is still replicating`);
  });

  test("a new service principal not yet visible (PrincipalNotFound) is retried the same way", () => {
    const run = runWithStubs(script(), { STUB_ASSIGN_FAILS: "1", STUB_ASSIGN_ERROR: "(PrincipalNotFound) Principal spid-x does not exist in the directory." });
    expect(run.status).toBe(0);
    expect(first(run.calls)).toHaveLength(2);
  });

  test("still not visible after the last attempt: the script stops with az's message and what to do", () => {
    const run = runWithStubs(script(), { STUB_ASSIGN_FAILS: "1000" });
    expect(run.status).not.toBe(0);
    expect(first(run.calls)).toHaveLength(ASSIGN_ATTEMPTS);
    expect(sleeps(run.calls)).toHaveLength(ASSIGN_ATTEMPTS - 1);
    expect(run.stderr).toContain("ERROR: Role 'amplifier-infra lock manager' doesn't exist.");
    expect(run.stderr).toContain(`giving up after ${ASSIGN_ATTEMPTS} attempts (about 6 minutes): wait a few minutes and run the set-up again`);
    expect(run.calls.filter((c) => c.line.startsWith("az role assignment create")).length).toBe(ASSIGN_ATTEMPTS);
  });

  test("any other error is not retried: the script stops at once with az's message", () => {
    const run = runWithStubs(script(), { STUB_ASSIGN_FAILS: "1", STUB_ASSIGN_ERROR: "(AuthorizationFailed) The client does not have authorization" });
    expect(run.status).not.toBe(0);
    expect(first(run.calls)).toHaveLength(1);
    expect(sleeps(run.calls)).toEqual([]);
    expect(run.stderr).toContain("(AuthorizationFailed) The client does not have authorization");
  });

  test("every role assignment the set-up makes goes through the retry", () => {
    for (const extra of [[], ["--state-account", "ampstate1"]]) {
      expect(script(...extra).split("\n").filter((l) => /^\s*az role assignment create/.test(l))).toEqual([]);
    }
  });
});
