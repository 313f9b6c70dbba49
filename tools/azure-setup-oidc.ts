/**
 * The printed set-up's trust in GitHub (tools/azure-setup.ts prints the rest): the OIDC subject this repository's
 * tokens actually carry, learnt from GitHub when the script runs; each identity's one federated credential, checked by
 * its issuer, subject and audience and not only by its name; and role assignments that wait, a bounded time, for a
 * role or an identity created seconds earlier.
 */
import { AZURE_TOKEN_EXCHANGE_AUDIENCE as AUDIENCE, GITHUB_OIDC_ISSUER as ISSUER } from "../config/github";
import { sq } from "./shell";

/**
 * `names`/`ids`: the form the repository's tokens carry, as learnt from a real token (`.github/workflows/oidc-subject.yml`
 * prints its `sub`) or the repository's OIDC settings; `auto` (the default): decide from what GitHub documents, which
 * today only rules forms out (a custom template), so it stops with how to learn the form and which flag to pass.
 */
export const SUBJECT_FORMS = ["auto", "names", "ids"] as const;
export type SubjectForm = (typeof SUBJECT_FORMS)[number];

const fail = (message: string) => `{ echo ${sq(message)} >&2; exit 1; }`;

/** How to learn the form, for every message that stops on it. */
export const LEARN_SUBJECT_FORM =
  "learn which subject form this repository's tokens carry: run gh workflow run oidc-subject.yml --repo <owner>/<repo>, then gh run view --log on that run " +
  "(repo:<owner>@<id>/<repo>@<id>:... is ids, repo:<owner>/<repo>:... is names), or look at the repository's Settings > Actions > OIDC; " +
  "then run the set-up again with --subject-form ids or --subject-form names";

/**
 * Sets SUBJECT_PREFIX to what GitHub puts before `:environment:<env>` in this repository's tokens:
 * `repo:<owner>/<repo>`, or `repo:<owner>@<owner id>/<repo>@<repository id>` for a repository with immutable subject
 * claims (created, renamed or transferred after mid-2026, or opted in: docs.github.com, "OpenID Connect reference",
 * "Immutable subject claims"; GitHub changelog 2026-04-23; the exact cutoff is contested: github/docs commit 2e3c8fe
 * reverted "June 18, 2026", github/docs#45221 says July 15, 2026). Entra compares the subject exactly and
 * case-sensitively (Microsoft Learn, "Workload identity federation": AADSTS7002138), so the names are GitHub's own
 * spelling (`GET /repos/{owner}/{repo}`: `owner.login`, `name`, and the ids `owner.id`, `id`), not the --repo text.
 *
 * The form is the flag's. GitHub's documented answer to "Get the customization template for an OIDC subject claim
 * for a repository" (`GET /repos/{owner}/{repo}/actions/oidc/customization/sub`, docs.github.com REST "Actions OIDC")
 * holds `use_default` and `include_claim_keys` only, which cannot tell the two forms apart; so `auto` reads
 * `use_default` (false: a custom template, neither form) and then stops with LEARN_SUBJECT_FORM: it fails closed
 * rather than write a subject no token carries.
 */
export function subjectPrefixLines(form: SubjectForm): string[] {
  const out = [
    "# The OIDC subject this repository's tokens carry (tools/azure-setup-oidc.ts): GitHub's spelling of the names, and",
    "# the immutable ids that repositories created or renamed since mid-2026 carry in it.",
    `REPO_IDS="$(gh api "repos/$REPO" --jq '"\\(.owner.login) \\(.owner.id) \\(.name) \\(.id)"')" \\`,
    `  || ${fail("cannot read the repository from GitHub (gh api repos/<owner>/<repo>): check --repo and gh auth status")}`,
    'read -r OWNER_LOGIN OWNER_ID REPO_NAME REPO_ID <<< "$REPO_IDS"',
    'NAMES_PREFIX="repo:$OWNER_LOGIN/$REPO_NAME"',
    'IDS_PREFIX="repo:$OWNER_LOGIN@$OWNER_ID/$REPO_NAME@$REPO_ID"',
  ];
  if (form === "names") out.push('SUBJECT_PREFIX="$NAMES_PREFIX" # --subject-form names');
  else if (form === "ids") out.push('SUBJECT_PREFIX="$IDS_PREFIX" # --subject-form ids');
  else {
    out.push(
      `USE_DEFAULT="$(gh api "repos/$REPO/actions/oidc/customization/sub" --jq .use_default)" \\`,
      `  || ${fail(`cannot read the repository's OIDC subject settings (gh api repos/<owner>/<repo>/actions/oidc/customization/sub; a repository admin's token can); ${LEARN_SUBJECT_FORM}`)}`,
      '[ "$USE_DEFAULT" = true ] \\',
      `  || ${fail("the repository uses a custom OIDC subject template (use_default is not true), so its tokens' subjects are not repo:<owner>/<repo>:environment:<environment>, the only form this set-up writes; if your template produces exactly that form (with or without the ids), pass --subject-form names or --subject-form ids")}`,
      fail(`GitHub's documented OIDC settings do not say whether this repository's tokens carry immutable ids or names only; ${LEARN_SUBJECT_FORM}`),
    );
  }
  out.push(
    // Only these characters may reach the JSON and the comparisons below.
    '[[ "$SUBJECT_PREFIX" =~ ^repo:[A-Za-z0-9-]+(@[0-9]+)?/[A-Za-z0-9._-]+(@[0-9]+)?$ ]] \\',
    `  || { echo "unexpected subject prefix $SUBJECT_PREFIX from GitHub" >&2; exit 1; }`,
    'echo "federated credentials trust $SUBJECT_PREFIX:environment:<environment>" >&2',
  );
  return out;
}

export interface FederatedIdentity {
  displayName: string;
  environment: string;
  credentialName: string;
}

/**
 * Sets <VAR>_APP_ID and <VAR>_SP_ID to an app registration (found by exact name, else created) that trusts exactly
 * one subject, `$SUBJECT_PREFIX:environment:<environment>`. An existing credential of that name is compared by
 * issuer, subject and audience and updated when any differs (an old-form subject, a renamed repository); any other
 * credential on the registration stops the script: each is another way into the stack's roles.
 */
export function identityLines(varPrefix: string, id: FederatedIdentity): string[] {
  const app = `${varPrefix}_APP_ID`;
  const suffix = `:environment:${id.environment}`;
  // JSON around the one run-time word: the prefix, checked above to hold no quote or backslash.
  const [before, after] = JSON.stringify({ name: id.credentialName, issuer: ISSUER, subject: "\u0001", audiences: [AUDIENCE] }).split("\\u0001");
  const escapedSuffix = JSON.stringify(suffix).slice(1, -1);
  const credential = `--id "$${app}" --federated-credential-id ${sq(id.credentialName)}`;
  return [
    `${app}="$(az ad app list --filter ${sq(`displayName eq '${id.displayName}'`)} --query '[0].appId' -o tsv)"`,
    `[ -n "$${app}" ] || ${app}="$(az ad app create --display-name ${sq(id.displayName)} --query appId -o tsv)"`,
    `${varPrefix}_SP_ID="$(az ad sp show --id "$${app}" --query id -o tsv 2>/dev/null || az ad sp create --id "$${app}" --query id -o tsv)"`,
    `FIC_PARAMS=${sq(before)}"$SUBJECT_PREFIX"${sq(escapedSuffix + after)}`,
    // One string (az's tsv puts each element of a list on its own line); no subject, issuer or audience holds a '|'.
    `FIC_WANT=${sq(`${ISSUER}|`)}"$SUBJECT_PREFIX"${sq(`${suffix}|${AUDIENCE}`)}`,
    `FIC_HAVE="$(az ad app federated-credential show ${credential} --query "join('|', [issuer, subject, join(',', audiences)])" -o tsv 2>/dev/null || true)"`,
    'if [ -z "$FIC_HAVE" ]; then',
    `  az ad app federated-credential create --id "$${app}" --parameters "$FIC_PARAMS"`,
    'elif [ "$FIC_HAVE" != "$FIC_WANT" ]; then',
    `  echo ${sq(`${id.displayName}: federated credential ${id.credentialName} trusted `)}"$FIC_HAVE"${sq(" (issuer|subject|audiences); updating it to ")}"$FIC_WANT" >&2`,
    `  az ad app federated-credential update ${credential} --parameters "$FIC_PARAMS"`,
    "fi",
    `FIC_OTHERS="$(az ad app federated-credential list --id "$${app}" --query ${sq(`[?name!='${id.credentialName}'].[name, subject]`)} -o tsv)"`,
    'if [ -n "$FIC_OTHERS" ]; then',
    `  echo ${sq(`${id.displayName} also trusts subjects this set-up did not write (name, subject):`)} >&2`,
    '  printf \'  %s\\n\' "$FIC_OTHERS" >&2',
    `  echo "each is another way into this stack's roles: delete those nothing needs (az ad app federated-credential delete --id $${app} --federated-credential-id <name>), then run the set-up again" >&2`,
    "  exit 1",
    "fi",
  ];
}

/**
 * `assign_role <az role assignment create arguments>`: the assignment, retried for a bounded time while a role
 * definition or service principal created seconds earlier is not visible yet (azure-cli answers "Role '<name>' doesn't
 * exist." when the name does not resolve: Azure/azure-cli src/azure-cli/azure/cli/command_modules/role/custom.py,
 * _resolve_role_id; ARM answers RoleDefinitionDoesNotExist or PrincipalNotFound). A new custom role "can take a few
 * minutes" to appear everywhere (Microsoft Learn, "Create or update Azure custom roles using the Azure portal"), and
 * Resource Manager caches role data for up to 10 minutes (Microsoft Learn, "Troubleshoot Azure RBAC"). Any other
 * error stops the script at once, with az's own message.
 */
export const ASSIGN_ATTEMPTS = 12;
export const ASSIGN_DELAY_SECONDS = 30;
export const ASSIGN_ROLE_FUNCTION = `assign_role() { # <az role assignment create arguments>
  local attempt out
  for ((attempt = 1; attempt <= ${ASSIGN_ATTEMPTS}; attempt++)); do
    if out="$(az role assignment create "$@" 2>&1)"; then return 0; fi
    case "$out" in
      *"doesn't exist"*|*RoleDefinitionDoesNotExist*|*PrincipalNotFound*|*"does not exist in the directory"*) ;;
      *) printf '%s\\n' "$out" >&2; return 1 ;;
    esac
    echo "role assignment not possible yet (attempt $attempt of ${ASSIGN_ATTEMPTS}): a role or identity created minutes ago is still replicating; retrying in ${ASSIGN_DELAY_SECONDS} s" >&2
    [ "$attempt" -lt ${ASSIGN_ATTEMPTS} ] && sleep ${ASSIGN_DELAY_SECONDS}
  done
  printf '%s\\n' "$out" >&2
  echo "giving up after ${ASSIGN_ATTEMPTS} attempts (about ${Math.round(((ASSIGN_ATTEMPTS - 1) * ASSIGN_DELAY_SECONDS) / 60)} minutes): wait a few minutes and run the set-up again; it reuses what it created" >&2
  return 1
}`;
