#!/usr/bin/env bash
# API checks of proto/ with the real `buf` (npm package @bufbuild/buf, which ships the binary;
# Debian has no buf):
#   buf lint      STANDARD rules (service suffix, request/response names, enum prefixes, ...);
#   buf breaking  PACKAGE rules against the previous API of main, committed as the image
#                 proto/api-baseline.json (a wire- and source-compatible change passes; a
#                 deliberate break needs a new version, or, before v1 has users, an updated
#                 baseline: scripts/check-proto.sh --update-baseline, reviewed like code).
# The binary is fetched once into a git-ignored cache (BOTM_BUF_CACHE, default .cache/buf).
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache="${BOTM_BUF_CACHE:-$repo/.cache/buf}"
version=1.75.0
buf="$cache/package/bin/buf"
if [ ! -x "$buf" ] || [ "$("$buf" --version 2>/dev/null)" != "$version" ]; then
  if ! command -v npm >/dev/null; then  # as scripts/fetch-k8s-tools.sh: Debian's node + npm
    sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
    DEBIAN_FRONTEND=noninteractive $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends nodejs npm
  fi
  mkdir -p "$cache"
  (cd "$cache" && rm -rf package ./*.tgz &&
   npm pack --silent "@bufbuild/buf-linux-x64@$version" >/dev/null && tar xzf ./*.tgz)
fi
cd "$repo"
if [ "${1:-}" = "--update-baseline" ]; then
  "$buf" build proto --exclude-source-info -o proto/api-baseline.json
  /usr/bin/python3 -c 'import json,sys; p=sys.argv[1]; d=json.load(open(p)); open(p,"w").write(json.dumps(d, indent=1) + "\n")' proto/api-baseline.json
  echo "check-proto: baseline updated"
  exit 0
fi
"$buf" lint proto
"$buf" breaking proto --against proto/api-baseline.json
echo "check-proto: buf $version lint and breaking (against proto/api-baseline.json) passed"
