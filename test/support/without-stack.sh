#!/usr/bin/env bash
# The proof that the suite follows the stack files that exist (docs/tests.md, "Removing a stack file"):
#   test/support/without-stack.sh <stack> [jest arguments...]
# copies this checkout (tracked and untracked files, not the ignored ones; node_modules linked, not copied) to a
# temporary directory, deletes Pulumi.<stack>.yaml there as docs/lifecycle.md says ("Removing an environment for
# good"), runs `npm run docs`, then jest with the arguments given (default: the whole suite). The copy is removed
# afterwards unless KEEP=1. Not part of `npm test`: it runs the suite again, minutes on two cores.
set -euo pipefail

stack="${1:?usage: test/support/without-stack.sh <stack> [jest arguments...]}"
shift
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
if [[ ! -f "$root/Pulumi.$stack.yaml" ]]; then
  echo "without-stack: no Pulumi.$stack.yaml in $root" >&2
  exit 2
fi

dir="$(mktemp -d "${TMPDIR:-/tmp}/amplifier-without-$stack-XXXXXX")"
if [[ "${KEEP:-}" != 1 ]]; then trap 'rm -rf "$dir"' EXIT; fi

# Files as git lists them (a deleted but uncommitted file is skipped), so the copy is this working tree.
(cd "$root" && git ls-files -z --cached --others --exclude-standard | while IFS= read -r -d '' f; do [[ -e "$f" ]] && printf '%s\0' "$f"; done) |
  tar --create --file - --directory "$root" --null --files-from - | tar --extract --file - --directory "$dir"
ln -s "$root/node_modules" "$dir/node_modules"
ln -s "$root/policy/node_modules" "$dir/policy/node_modules"
# A git repository of its own: some suites read the checkout's history or tracked files.
git -C "$dir" init --quiet
# The links are no directories, so .gitignore's `node_modules/` does not match them.
printf 'node_modules\n' >>"$dir/.git/info/exclude"
git -C "$dir" add --all
git -C "$dir" -c user.name=without-stack -c user.email=without-stack@localhost commit --quiet --message "copy of $root"

rm "$dir/Pulumi.$stack.yaml"
cd "$dir"
npm run --silent docs
git add --all
git -c user.name=without-stack -c user.email=without-stack@localhost commit --quiet --message "without Pulumi.$stack.yaml"
echo "without-stack: Pulumi.$stack.yaml removed in $dir; running jest $*" >&2
npx jest "$@"
