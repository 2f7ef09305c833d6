#!/usr/bin/env bash
# Static checks for project code: clang-format (dry run, fails on diffs) and clang-tidy over the
# compile database of a build (default build/). Usage: scripts/lint.sh [--fix-format]
set -uo pipefail
cd "$(dirname "$0")/.."
build_dir="${BOTM_BUILD_DIR:-build}"
mapfile -t files < <(git ls-files 'core/*.cc' 'core/*.h' 'server/*.cc' 'server/*.h' \
  'client/*.cc' 'client/*.h' 'tests/*.cc' 'tests/*.h')
status=0
if [ "${1:-}" = "--fix-format" ]; then
  clang-format -i "${files[@]}"
else
  clang-format --dry-run --Werror "${files[@]}" || status=1
fi
if [ -f "$build_dir/compile_commands.json" ]; then
  mapfile -t sources < <(printf '%s\n' "${files[@]}" | grep '\.cc$' | grep -v '^tests/')
  clang-tidy -p "$build_dir" --quiet "${sources[@]}" 2>/dev/null | grep -E 'warning:|error:' && status=1
else
  echo "lint: no $build_dir/compile_commands.json; run scripts/build.sh first" >&2; status=1
fi
[ $status -eq 0 ] && echo "lint: clean"
exit $status
