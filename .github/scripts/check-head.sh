#!/usr/bin/env bash
# A gated deploy refuses a commit that is no longer the head of its branch: approving an older run after a newer push
# would roll the stack back to older code (the newer commit's own run deploys it). Needs GH_TOKEN (contents: read),
# BRANCH, and GitHub's GITHUB_REPOSITORY and GITHUB_SHA. REST "Get a reference": GET /repos/{owner}/{repo}/git/ref/heads/{branch}.
set -euo pipefail
# Workflow commands (::error::) are read from stdout (docs.github.com, "Workflow commands for GitHub Actions").
head="$(gh api "repos/$GITHUB_REPOSITORY/git/ref/heads/$BRANCH" --jq .object.sha)" || {
  echo "::error title=Cannot tell whether this commit is current::could not read the head of $BRANCH; re-run this job"
  exit 1
}
if [ "$head" != "$GITHUB_SHA" ]; then
  echo "::error title=$BRANCH has moved on::this run would deploy $GITHUB_SHA, but $BRANCH is now at $head: deploying it would roll the stack back. The newer commit's own run deploys it; reject or cancel this one."
  exit 1
fi
echo "$GITHUB_SHA is the head of $BRANCH"
