#!/usr/bin/env bash
# A gated deploy refuses a commit that is no longer what its branch would deploy: approving an older run after a newer
# push that changes deployed code would roll the stack back to older code (the newer commit's own run deploys it).
# A newer head that changes only paths deploy.yml ignores (documentation, tests, repository settings) starts no run of
# its own, so this commit's code is still the branch's code and the deploy goes on. Needs GH_TOKEN (contents: read),
# BRANCH, and GitHub's GITHUB_REPOSITORY and GITHUB_SHA. REST (docs.github.com): "Get a reference",
# GET /repos/{owner}/{repo}/git/ref/heads/{branch}; "Compare two commits", GET /repos/{owner}/{repo}/compare/{base}...{head}
# (status ahead/behind/diverged/identical, and the changed files of the whole comparison on its first page).
set -euo pipefail

# Exactly deploy.yml's on.push.paths-ignore, in GitHub's filter syntax (`*` anything but `/`, `**` anything;
# docs.github.com, "Workflow syntax for GitHub Actions", filter pattern cheat sheet). test/delivery-guards.test.ts
# keeps the two lists equal.
IGNORED=("**.md" "docs/**" "test/**" ".ci/**" ".github/dependabot.yml" ".github/CODEOWNERS" "eslint.config.mjs" "jest.config.js")
# GitHub lists at most 300 changed files in a comparison; a list that long may be cut, so it proves nothing.
MAX_FILES=300

# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
fail() { # <title> <message>
  error "$1" "$2"
  exit 1
}

# One GitHub filter pattern as an extended regular expression (only `**`, `*` and `.` are special in the list above).
pattern_re() {
  local p="$1"
  p="${p//./\\.}"
  p="${p//\*\*/@ANY@}"
  p="${p//\*/[^/]*}"
  p="${p//@ANY@/.*}"
  printf '^%s$' "$p"
}

IGNORED_RES=()
for pattern in "${IGNORED[@]}"; do IGNORED_RES+=("$(pattern_re "$pattern")"); done

ignored() {
  local re
  for re in "${IGNORED_RES[@]}"; do
    [[ "$1" =~ $re ]] && return 0
  done
  return 1
}

head="$(gh api "repos/$GITHUB_REPOSITORY/git/ref/heads/$BRANCH" --jq .object.sha)" ||
  fail "Cannot tell whether this commit is current" "could not read the head of $BRANCH; re-run this job"
if [ "$head" = "$GITHUB_SHA" ]; then
  echo "$GITHUB_SHA is the head of $BRANCH"
  exit 0
fi

compare="$(gh api "repos/$GITHUB_REPOSITORY/compare/$GITHUB_SHA...$head" --jq '.status, (.files // [] | length), (.files // [] | .[].filename)')" ||
  fail "Cannot tell whether this commit is current" "$BRANCH is now at $head and the comparison with $GITHUB_SHA could not be read; re-run this job"
mapfile -t lines <<<"$compare"
status="${lines[0]:-}"
count="${lines[1]:-}"
if [ "$status" != "ahead" ]; then
  fail "$BRANCH has moved on" "this run would deploy $GITHUB_SHA, but $BRANCH is now at $head, which does not contain it (comparison: ${status:-unknown}): deploying it would roll the stack back. Reject or cancel this run."
fi
if ! [[ "$count" =~ ^[0-9]+$ ]] || [ "$count" -ge "$MAX_FILES" ]; then
  fail "$BRANCH has moved on" "this run would deploy $GITHUB_SHA, but $BRANCH is now at $head and GitHub lists ${count:-no count of} changed files, too many to tell whether a deploy reads one: the newer commit's own run deploys it; reject or cancel this one."
fi
deployed=()
for file in "${lines[@]:2}"; do
  [ -n "$file" ] || continue
  ignored "$file" || deployed+=("$file")
done
if [ "${#deployed[@]}" -gt 0 ]; then
  fail "$BRANCH has moved on" "this run would deploy $GITHUB_SHA, but $BRANCH is now at $head, which changes ${#deployed[@]} file(s) a deploy reads (${deployed[*]:0:5}): deploying it would roll the stack back. The newer commit's own run deploys it; reject or cancel this one."
fi
echo "$BRANCH is now at $head, but its newer commits change only paths no deploy reads ($count files, all in deploy.yml's paths-ignore): $GITHUB_SHA is still the code $BRANCH deploys"
