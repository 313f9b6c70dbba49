// The printed set-up's trust in GitHub (tools/azure-setup-oidc.ts), run against stand-in `az`/`gh`
// (test/support/azure-setup-stubs.ts): the subject each federated credential trusts is the form --subject-form names
// (immutable ids or not), spelt as GitHub does, failing closed when the form is not given (GitHub's documented API
// cannot tell it) and showing how to learn it (.github/workflows/oidc-subject.yml, run with a stand-in curl); an existing credential is
// checked by its subject, not only its name; role assignments wait, a bounded time, for a role that is replicating.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse } from "yaml";
import { environmentSubject } from "../config/github";
import { stackLines } from "../tools/azure-setup-stack";
import { ASSIGN_ATTEMPTS, ASSIGN_DELAY_SECONDS, ASSIGN_ROLE_FUNCTION } from "../tools/azure-setup-oidc";
import { type Call, opt, OWNER_ID, REPO, REPO_ID, runWithStubs, script, stacks, SUB } from "./support/azure-setup-stubs";
import { root } from "./support/workflows";

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
    ["ids", "a repository with immutable subject claims (created or renamed since mid-2026, or opted in)", IDS],
    ["names", "an older repository", NAMES],
  ])("--subject-form %s (%s): that form, with the ids from GET /repos, without asking the subject settings", (form, _case, repo) => {
    const run = runWithStubs(script("--subject-form", form), { STUB_OIDC_SUB: "fail" });
    expect(run.status).toBe(0);
    expect(created(run.calls).sort()).toEqual(environments.map((e) => environmentSubject(repo, e)).sort());
    expect(run.stderr).toContain(`federated credentials trust ${environmentSubject(repo, "<environment>")}`);
    expect(run.calls.filter((c) => c.line.includes("/actions/oidc/customization/sub"))).toEqual([]);
  });

  test("the subject spells owner and repository as GitHub does, not as --repo was typed (Entra compares case-sensitively)", () => {
    const run = runWithStubs(script("--subject-form", "ids"), { STUB_REPO_IDS: `Contoso ${OWNER_ID} Amplifier-Infra ${REPO_ID}` });
    expect(run.status).toBe(0);
    expect(created(run.calls)).toContain(`repo:Contoso@${OWNER_ID}/Amplifier-Infra@${REPO_ID}:environment:test`);
  });

  test("GitHub is asked before anything changes in Azure", () => {
    const { calls } = runWithStubs(script("--subject-form", "ids"));
    const asked = calls.findIndex((c) => c.line.startsWith(`gh api repos/${REPO} --jq `));
    expect(asked).toBeGreaterThan(0);
    expect(calls.indexOf(azureWrites(calls)[0])).toBeGreaterThan(asked);
  });

  // GitHub's documented answer (REST "Get the customization template for an OIDC subject claim for a repository")
  // holds use_default and include_claim_keys only: nothing in it tells the two forms apart.
  test.each([
    ["the documented settings, which cannot tell the form (the default, auto)", "true", /documented OIDC settings do not say whether this repository's tokens carry immutable ids or names only; learn which subject form .*gh workflow run oidc-subject\.yml .*--subject-form ids or --subject-form names/],
    ["the settings cannot be read", "fail", /cannot read the repository's OIDC subject settings .*gh workflow run oidc-subject\.yml .*--subject-form ids or --subject-form names/],
    ["a custom subject template (use_default false)", "false", /custom OIDC subject template .*pass --subject-form names or --subject-form ids/],
  ])("without --subject-form, fails closed, changing nothing in Azure: %s", (_case, answer, message) => {
    const run = runWithStubs(script("--subject-form", "auto"), { STUB_OIDC_SUB: answer });
    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(message);
    expect(run.calls.filter((c) => c.line === `gh api repos/${REPO}/actions/oidc/customization/sub --jq .use_default`)).toHaveLength(1);
    expect(azureWrites(run.calls)).toEqual([]);
  });

  test("a repository GitHub cannot find stops the script before Azure", () => {
    const run = runWithStubs(script(), { STUB_REPO_IDS: "fail" });
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain("cannot read the repository from GitHub (gh api repos/<owner>/<repo>): check --repo and gh auth status");
    expect(azureWrites(run.calls)).toEqual([]);
  });
});

describe("the oidc-subject workflow: how to learn the form from a real token", () => {
  const file = path.join(root, ".github", "workflows", "oidc-subject.yml");
  const wf = parse(fs.readFileSync(file, "utf8"));
  const job = wf.jobs.subject;

  test("manual only, no environment, no secret, no checkout or action: id-token write and nothing else", () => {
    expect(Object.keys(wf.on)).toEqual(["workflow_dispatch"]);
    expect(wf.permissions).toEqual({});
    expect(Object.keys(wf.jobs)).toEqual(["subject"]);
    expect(job.permissions).toEqual({ "id-token": "write" });
    expect(job.environment).toBeUndefined();
    expect(fs.readFileSync(file, "utf8")).not.toMatch(/secrets\.|uses:/);
  });

  /** The step run with a stand-in curl that answers a token whose payload has `sub`. */
  function printed(sub: string) {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "oidc-subject-"));
    try {
      const b64url = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
      const jwt = `${b64url({ alg: "RS256" })}.${b64url({ sub, aud: "x", iss: "https://token.actions.githubusercontent.com" })}.c2lnbmF0dXJl`;
      fs.writeFileSync(path.join(tmp, "curl"), `#!/usr/bin/env bash\necho '${JSON.stringify({ value: jwt })}'\n`, { mode: 0o755 });
      const r = spawnSync("bash", ["-e", "-c", job.steps[0].run], {
        encoding: "utf8",
        env: { PATH: `${tmp}:/usr/bin:/bin`, ACTIONS_ID_TOKEN_REQUEST_URL: "https://example.invalid/token", ACTIONS_ID_TOKEN_REQUEST_TOKEN: "request-token" },
      });
      return { status: r.status, stdout: r.stdout, jwt };
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  }

  test.each([
    [`${IDS_PREFIX}:ref:refs/heads/main`, "--subject-form ids"],
    ["repo:contoso/amplifier-infra:ref:refs/heads/main", "--subject-form names"],
    // A branch name may hold '@' and '/': only the repository part decides.
    ["repo:contoso/amplifier-infra:ref:refs/heads/a@1/b@2", "--subject-form names"],
  ])("prints only the sub claim (%s) and the flag it means, never the token", (sub, flag) => {
    const r = printed(sub);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(`sub: ${sub}\n${flag === "--subject-form ids" ? "immutable subject claims" : "names only"}: run the set-up with ${flag}\n`);
    expect(r.stdout).not.toContain(r.jwt.split(".")[1]);
  });

  test("a subject of neither form (a custom template) fails the job", () => {
    const custom = printed("org:contoso:repo:amplifier-infra");
    expect(custom.status).not.toBe(0);
    expect(custom.stdout).toContain("::error::neither form the set-up writes");
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
