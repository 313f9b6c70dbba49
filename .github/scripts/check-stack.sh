#!/usr/bin/env bash
# Runs before a workflow's Pulumi step: stops with a clear error when the stack does not exist in the backend yet.
# pulumi/actions selects an existing stack (`upsert` off: LocalWorkspace.selectStack, i.e. `pulumi stack select`;
# pulumi/actions src/main.ts), and a missing one fails deep in a command dump ("no stack named '<name>' found",
# pulumi/actions#777). A stack is created once, by a person, with its secrets provider (README, "First deploy").
# It runs the Pulumi CLI and nothing else: it holds the stack's Pulumi token.
#   STACK                the stack file's stack (Pulumi.<STACK>.yaml)
#   STACK_NAME           the name the Pulumi step uses: <PULUMI_ORG>/<STACK>, or <STACK>
#   PULUMI_BACKEND_URL   the self-managed backend (azblob://...); empty: Pulumi Cloud with PULUMI_ACCESS_TOKEN
set -uo pipefail

# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

if [ -n "${PULUMI_BACKEND_URL:-}" ]; then
  login=(pulumi login --non-interactive "$PULUMI_BACKEND_URL")
  backend="$PULUMI_BACKEND_URL"
else
  unset PULUMI_BACKEND_URL
  login=(pulumi login --non-interactive)
  backend="Pulumi Cloud"
fi
if ! out="$("${login[@]}" 2>&1)"; then
  error "Cannot log in to the Pulumi backend" "Logging in to $backend failed, so stack $STACK_NAME cannot be checked. Check this environment's PULUMI_ACCESS_TOKEN secret (Pulumi Cloud) or PULUMI_BACKEND_URL variable and the identity's role on the state (npm run azure-setup; README, \"First deploy\").
$out"
  exit 1
fi

if out="$(pulumi stack select --non-interactive --stack "$STACK_NAME" 2>&1)"; then
  echo "Stack $STACK_NAME exists in $backend."
  exit 0
fi
if grep -q "no stack named" <<<"$out"; then
  error "Pulumi stack $STACK_NAME does not exist" "Stack $STACK_NAME does not exist in $backend yet, so this job cannot preview or deploy it. Create it once, from a checkout of main, logged in to the same backend:
  pulumi stack init $STACK_NAME [--secrets-provider <provider>]
(the set-up script from npm run azure-setup prints the exact command). With a cloud secrets provider, Pulumi adds secretsprovider: and encryptedkey: lines to Pulumi.$STACK.yaml: commit them, then run this workflow again.
If the stack exists under another Pulumi organisation, set the repository variable PULUMI_ORG (npm run azure-setup -- ... --pulumi-org <org>). See README, \"First deploy\"."
  exit 1
fi
error "Cannot select Pulumi stack $STACK_NAME" "pulumi stack select failed in $backend (README, \"First deploy\"):
$out"
exit 1
