#!/usr/bin/env bash
# Accepts the current public API of every package in src/: rewrites each PublicAPI.Unshipped.txt from the code
# (creating the PublicAPI files of a new package), then leaves the diff for review. PublicAPI.Shipped.txt (what a
# released version promised) is never changed here: an API removed after shipping stays an RS0017 error until someone
# edits Shipped on purpose (a breaking change). See docs/contributing.md.
#
# Usage: eng/accept-public-api.sh                                  every package (about a minute each on 2 cores)
#        eng/accept-public-api.sh src/QbSync/QbSync.csproj ...     only these (paths from the repository root)
set -euo pipefail
cd "$(dirname "$0")/.."

projects=()
if [ "$#" -gt 0 ]; then candidates=("$@"); else candidates=(src/*/*.csproj); fi
for project in "${candidates[@]}"; do
  dir="$(dirname "$project")"
  if [ ! -f "$dir/PublicAPI.Shipped.txt" ]; then
    printf '#nullable enable\n' > "$dir/PublicAPI.Shipped.txt"
  fi
  # Start from nothing: the analyzer's code fix (RS0016) lists every public API not in Shipped, so APIs that were
  # removed or changed since the last run disappear on their own (no RS0017 to fix by hand).
  printf '#nullable enable\n' > "$dir/PublicAPI.Unshipped.txt"
  projects+=("$project")
done

# One project at a time: a single `dotnet format analyzers QbSync.sln` applies the fix to the first project only.
for project in "${projects[@]}"; do
  echo "Listing the public API of $project"
  dotnet format analyzers "$project" --diagnostics RS0016 --severity warn --verbosity quiet
done

# The analyzer treats the files as sets; a stable order keeps merges and reviews quiet.
for project in "${projects[@]}"; do
  file="$(dirname "$project")/PublicAPI.Unshipped.txt"
  { head -n 1 "$file"; tail -n +2 "$file" | LC_ALL=C sort -u; } > "$file.sorted"
  mv "$file.sorted" "$file"
done

git status --short -- 'src/*/PublicAPI.*.txt'
echo "Review with: git diff -- 'src/*/PublicAPI.*.txt'  (a removed or changed line is a breaking change)"
