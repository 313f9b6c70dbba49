/**
 * The printed set-up (tools/azure-setup.ts) run against stand-in `az`, `gh` and `sleep` that log every call with its
 * words exactly as bash passed them, for test/azure-setup*.test.ts.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseSetupArgs, setupScript } from "../../tools/azure-setup";
import { azureStacks } from "../../tools/ci-stacks";
import { projectWith } from "./stacks";

export const SUB = "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0";
export const REPO = "contoso/amplifier-infra";
/** The stand-in repository's immutable ids (GET /repos/{owner}/{repo}: owner.id, id). */
export const OWNER_ID = 4401;
export const REPO_ID = 55020;

/** One command the script ran: its words exactly as received, and what it read on stdin (gh --input -). */
export interface Call {
  argv: string[];
  line: string;
  stdin?: string;
}

export interface Run {
  calls: Call[];
  status: number;
  stderr: string;
}

// Runs the printed script with stand-in az, gh and sleep that log each call (arguments separated by \x1f, so the
// condition string arrives exactly as bash passed it) and answer the queries the script makes. They are shell
// functions bash defines before the script starts (BASH_ENV), each running in a subshell with the script's errexit,
// nounset and pipefail off, so `exit` ends the call, not the script: what the script sees is an external command's
// words, stdin, output and status, for a fork instead of a new bash per call (a set-up run makes dozens).
export function runWithStubs(script: string, env: Record<string, string> = {}): Run {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "azure-setup-"));
  try {
    const log = path.join(tmp, "calls.log");
    const stub = (name: string, body: string, stdin = "") =>
      `${name}() (\nset +euo pipefail\n${stdin}\n{ for a in ${name} "$@"; do printf '%s\\x1f' "\${a//$'\\n'/$'\\x1e'}"; done; [ -z "$input" ] || printf 'stdin=%s\\x1f' "\${input//$'\\n'/$'\\x1e'}"; printf '\\n'; } >> "${log}"\n${body}\nexit 0\n)\n`;
    const stubs = [stub("az", `case "$*" in
  "account show"*) echo tenant-0001 ;;
  "role definition list"*) if [ -n "$STUB_ROLES_EXIST" ]; then echo /subscriptions/x/providers/Microsoft.Authorization/roleDefinitions/r1; fi ;;
  "ad app list --filter displayName eq 'amplifier-infra-deploy'"*) if [ -n "$STUB_OLD_APPS" ]; then echo old-deploy-app; fi ;;
  "ad app create --display-name "*) echo "appid-$5" ;;
  "ad sp show"*) exit 3 ;;
  "ad sp create --id "*) echo "spid-$5" ;;
  # An existing credential answers with STUB_FIC_SUBJECT (issuer|subject|audiences, as the script's query joins them).
  "ad app federated-credential show"*) if [ -n "$STUB_FIC_SUBJECT" ]; then printf '%s|%s|%s\n' "\${STUB_FIC_ISSUER:-https://token.actions.githubusercontent.com}" "$STUB_FIC_SUBJECT" api://AzureADTokenExchange; else exit 3; fi ;;
  "ad app federated-credential list"*) if [ -n "$STUB_FIC_OTHERS" ]; then printf '%s\n' "$STUB_FIC_OTHERS"; fi ;;
  # The first STUB_ASSIGN_FAILS assignments fail with STUB_ASSIGN_ERROR (default: a role that has not replicated yet).
  "role assignment create"*) n="$(cat "${log}.assignments" 2>/dev/null || echo 0)"; echo $((n + 1)) > "${log}.assignments"
    msg="ERROR: Role 'amplifier-infra lock manager' doesn't exist."; [ -z "$STUB_ASSIGN_ERROR" ] || msg="$STUB_ASSIGN_ERROR"
    if [ "$n" -lt "\${STUB_ASSIGN_FAILS:-0}" ]; then echo "$msg" >&2; exit 1; fi ;;
  "keyvault key show"*|"group show"*) exit 3 ;;
  "ad signed-in-user show"*) echo me-0001 ;;
  "storage account show"*) echo /subscriptions/x/resourceGroups/rg-state/providers/Microsoft.Storage/storageAccounts/ampstate1 ;;
  "keyvault show"*) echo /subscriptions/x/resourceGroups/rg-state/providers/Microsoft.KeyVault/vaults/kv-ampstate1 ;;
esac`, "input="),
    stub("gh", `case "$*" in
  "api user --jq .id") echo 4242 ;;
  "api users/"*" --jq .id") echo 1001 ;;
  "api orgs/"*" --jq .id") echo 2002 ;;
  # The repository's environments (default: every stack's already exists), what one has today (refuseToLoosenLines),
  # and whether admins may bypass it (adminBypassLines); "fail" answers 403 as gh does.
  "api --paginate repos/${REPO}/environments --jq .environments[].name") [ "$STUB_ENVIRONMENTS" != fail ] || { echo "gh: Resource not accessible by integration (HTTP 403)" >&2; exit 1; }
    printf '%s\n' \${STUB_ENVIRONMENTS-test test-preview prod prod-preview} ;;
  *"| .type] | join"*) [ "$STUB_EXISTING_RULES" != fail ] || { echo "gh: Resource not accessible by integration (HTTP 403)" >&2; exit 1; }; echo "\${STUB_EXISTING_RULES:-}" ;;
  *"--jq .can_admins_bypass") echo "\${STUB_ADMINS_BYPASS:-false}" ;;
  *"required_reviewers"*) echo "\${STUB_REVIEWER_RULES:-1}" ;;
  *"/codeowners/errors"*) echo "\${STUB_CODEOWNERS_ERRORS:-0}" ;;
  "variable get PULUMI_ORG "*) echo "\${STUB_PULUMI_ORG:-}" ;;
  # The repository as GET /repos/{owner}/{repo} names it (login, owner id, name, id), and the documented use_default of
  # its OIDC subject settings; "fail" makes either read fail.
  "api repos/${REPO} --jq "*) [ "$STUB_REPO_IDS" != fail ] || exit 1; echo "\${STUB_REPO_IDS:-contoso ${OWNER_ID} amplifier-infra ${REPO_ID}}" ;;
  "api repos/${REPO}/actions/oidc/customization/sub --jq .use_default") [ "$STUB_OIDC_SUB" != fail ] || exit 1; echo "\${STUB_OIDC_SUB:-true}" ;;
  # A rule left by an earlier set-up that the stack files no longer want.
  "api repos/${REPO}/environments/prod-preview/deployment-branch-policies --jq .branch_policies[] | "*) echo '7 refs/pull/*/merge' ;;
esac`, 'input=""; case "$*" in *--input*) input="$(cat)" ;; esac'),
    stub("sleep", "", "input=")];
    fs.writeFileSync(path.join(tmp, "stubs.sh"), stubs.join(""));
    fs.writeFileSync(path.join(tmp, "setup.sh"), script);
    const r = spawnSync("bash", [path.join(tmp, "setup.sh")], { env: { PATH: process.env.PATH!, BASH_ENV: path.join(tmp, "stubs.sh"), ...env }, encoding: "utf8" });
    const calls = fs.existsSync(log)
      ? fs.readFileSync(log, "utf8").split("\n").filter(Boolean).map((l) => {
          // A newline inside a word was logged as \x1e, so one call stays one line.
          const words = l.split("\x1f").slice(0, -1).map((w) => w.split("\x1e").join("\n"));
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
export const opt = (c: Call, flag: string) => c.argv[c.argv.indexOf(flag) + 1];

/**
 * The printed set-up for the stand-in repository, whose tokens carry immutable ids (a repository created today): told
 * so with --subject-form ids, as its oidc-subject workflow would say, unless `extra` names another form. It is printed
 * for this project's stack files while they hold the spec's test and prod (a previewable, ungated stack and a gated
 * production one, which the tests tell apart), else for the stand-in project's.
 */
export const SETUP_DIR = projectWith(["test", "prod"]);
export const script = (...extra: string[]) =>
  setupScript(
    parseSetupArgs(["--repo", REPO, "--subscription", SUB, ...(extra.some((a) => a.startsWith("--subject-form")) ? [] : ["--subject-form", "ids"]), ...extra]),
    SETUP_DIR,
  );
export const stacks = azureStacks(SETUP_DIR);
export const rgId = (stack: string) => `/subscriptions/${SUB}/resourceGroups/${stacks.find((c) => c.stack === stack)!.azure.resourceGroupName}`;
