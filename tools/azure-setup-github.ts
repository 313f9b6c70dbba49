/**
 * The GitHub side of the printed set-up (tools/azure-setup.ts prints the rest): the branch-rules helper the
 * environments use, the reviewers' ids, the Pulumi organisation variable and code-owner review on main.
 */
import { shown, sq } from "./shell";

// Makes an environment's deployment branch rules exactly the given patterns, so a rule dropped from the stack file
// (a stack no longer previewed from pull requests) is removed too (REST "Deployment branch policies").
export const BRANCH_RULES_FUNCTION = `branch_rules() { # <environment> <pattern>...
  local url="repos/$REPO/environments/$1/deployment-branch-policies" id name keep p
  shift
  while read -r id name; do
    [ -n "$id" ] || continue
    keep=no; for p in "$@"; do [ "$p" = "$name" ] && keep=yes; done
    [ "$keep" = yes ] || gh api --method DELETE "$url/$id"
  done <<< "$(gh api "$url" --jq '.branch_policies[] | "\\(.id) \\(.name)"')"
  for p in "$@"; do
    gh api "$url" --jq '.branch_policies[].name' | grep -Fx -- "$p" >/dev/null || gh api --method POST "$url" -f name="$p" -f type=branch
  done
}`;

/**
 * Before an ungated stack's environment is written without reviewers: stop if it has required reviewers now. A stack
 * that was gated (prod) and is now ungated can only be one whose file or non-production-stacks.yaml changed, so its
 * reviewers are removed by a person in Settings > Environments, never by a re-run of this script (REST "Get an
 * environment": protection_rules). Fails closed: only an environment that the repository's list of environments
 * lacks (REST "List environments"; names compare without case) has no rules; any error reading either (403, a rate
 * limit, the network) stops the script rather than be taken for "no reviewers".
 */
export function refuseToLoosenLines(environment: string): string[] {
  const env = `"repos/$REPO/environments/"${sq(environment)}`;
  const stop = (why: string) =>
    `{ echo ${sq(`environment ${environment}: ${why}, so whether it has required reviewers is unknown and this set-up would remove them: refusing to write it. Check gh auth status (a repository admin) and run this again`)} >&2; exit 1; }`;
  return [
    `ENVIRONMENTS="$(gh api --paginate "repos/$REPO/environments" --jq '.environments[].name')" || ${stop("the repository's environments could not be listed")}`,
    `EXISTING_RULES=""`,
    `if grep -Fxi -- ${sq(environment)} <<< "$ENVIRONMENTS" >/dev/null; then`,
    `  EXISTING_RULES="$(gh api ${env} --jq '[.protection_rules[]? | .type] | join(",")')" || ${stop("it could not be read")}`,
    "fi",
    `case ",$EXISTING_RULES," in *,required_reviewers,*) echo ${sq(`environment ${environment} has required reviewers, and this set-up would remove them (the stack files make it ungated): refusing to loosen it. If that is intended, remove its reviewers in Settings > Environments yourself, then run this again`)} >&2; exit 1 ;; esac`,
  ];
}

/**
 * After a gated stack's environment is written: administrators cannot bypass it. can_admins_bypass is in the
 * environment's REST representation (REST "Get an environment"; google/go-github#2722); an environment created before
 * the set-up, or edited since, may still let them through.
 */
export function adminBypassLines(environment: string): string[] {
  return [
    `gh api "repos/$REPO/environments/"${sq(environment)} --jq .can_admins_bypass | grep -x false >/dev/null \\`,
    `  || { echo ${sq(`environment ${environment}: administrators can still bypass its protection rules (can_admins_bypass is not false); its deploys could run unreviewed`)} >&2; exit 1; }`,
  ];
}

/** Reviewer ids, resolved by gh at run time, as the JSON array the environment API takes in REVIEWERS. */
export function reviewerLines(reviewers: string[]): string[] {
  if (reviewers.length === 0) {
    return [
      'REVIEWERS="[{\\"type\\":\\"User\\",\\"id\\":$(gh api user --jq .id)}]"',
      // prevent_self_review: the person who merges (and so starts the deploy) can never approve it.
      "echo 'warning: the only deploy reviewer is you, and nobody may approve a deploy they started; give --reviewer for a team or a second person' >&2",
    ];
  }
  const items = reviewers.map((r, i) => {
    const [kind, who] = r.split(":");
    const [org, slug] = who.split("/");
    return {
      line: `REVIEWER_${i + 1}="$(gh api ${sq(kind === "user" ? `users/${who}` : `orgs/${org}/teams/${slug}`)} --jq .id)"`,
      json: `{\\"type\\":\\"${kind === "user" ? "User" : "Team"}\\",\\"id\\":$REVIEWER_${i + 1}}`,
    };
  });
  return [...items.map((i) => i.line), `REVIEWERS="[${items.map((i) => i.json).join(",")}]"`];
}

/**
 * Code-owner review on main: what keeps a pull request from changing the policy pack, the stack files or the
 * workflows unreviewed; and workflow tokens that cannot stand in for that review. CODEOWNERS must resolve first
 * (docs.github.com, "About code owners": an owner GitHub cannot resolve is ignored; REST "List CODEOWNERS errors").
 */
export function branchProtectionLines(): string[] {
  const protection = {
    required_status_checks: { strict: true, contexts: ["checks and offline plan"] },
    enforce_admins: true,
    required_pull_request_reviews: {
      required_approving_review_count: 1,
      require_code_owner_reviews: true,
      dismiss_stale_reviews: true,
      require_last_push_approval: true,
    },
    restrictions: null,
  };
  return [
    "# Workflow tokens: read-only unless a job asks for more, and never an approver. A same-repository pull request's",
    "# preview runs its own code with a pull-requests: write token; if Actions may approve pull requests, that code could",
    "# approve its own pull request as the review branch protection requires (REST \"Set default workflow permissions",
    "# for a repository\").",
    `gh api --method PUT "repos/$REPO/actions/permissions/workflow" --input - <<< ${sq(JSON.stringify({ default_workflow_permissions: "read", can_approve_pull_request_reviews: false }))}`,
    "# Branch protection on main (replaces its current settings): a reviewed pull request, code owners' approval for the",
    "# paths in .github/CODEOWNERS, the checks job green, no bypass for admins (REST \"Update branch protection\").",
    'gh api "repos/$REPO/contents/.github/CODEOWNERS" --jq .path >/dev/null \\',
    '  && gh api "repos/$REPO/codeowners/errors" --jq \'.errors | length\' | grep -x 0 >/dev/null \\',
    '  || { echo ".github/CODEOWNERS is missing on the default branch, or GitHub reports errors in it (gh api repos/$REPO/codeowners/errors): replace the placeholder owner first" >&2; exit 1; }',
    `gh api --method PUT "repos/$REPO/branches/main/protection" --input - <<< ${sq(JSON.stringify(protection))}`,
  ];
}

/**
 * PULUMI_ORG: the workflows name a stack `<PULUMI_ORG>/<stack>` when it is set, else `<stack>`, which Pulumi Cloud
 * resolves to the token owner's default organisation, else their personal account (pulumi/pulumi
 * pkg/backend/httpstate/backend.go, ParseStackReference).
 */
export function pulumiOrgLines(o: { pulumiOrg?: string; stateAccount?: string }, stacks: readonly string[]): string[] {
  if (o.pulumiOrg) {
    return [
      `# The stacks live in Pulumi Cloud organisation ${o.pulumiOrg}: the workflows use ${o.pulumiOrg}/<stack>.`,
      `gh variable set PULUMI_ORG --repo "$REPO" --body ${sq(o.pulumiOrg)}`,
    ];
  }
  if (o.stateAccount) {
    return [
      "# No PULUMI_ORG with a self-managed backend: its stacks are the bare stack names, and <org>/<stack> would not name them.",
      'gh variable delete PULUMI_ORG --repo "$REPO" 2>/dev/null || true',
    ];
  }
  return [
    `# No --pulumi-org: the workflows use the bare stack names (${shown(stacks.join(", "))}), which Pulumi Cloud resolves to the token`,
    "# owner's default organisation or else their personal account. For an organisation, run again with --pulumi-org <org>.",
    'if [ -n "$(gh variable get PULUMI_ORG --repo "$REPO" 2>/dev/null)" ]; then',
    '  echo "warning: repository variable PULUMI_ORG is set, so the workflows use <PULUMI_ORG>/<stack>, not the bare names; pass --pulumi-org, or delete it (gh variable delete PULUMI_ORG)" >&2',
    "fi",
  ];
}
