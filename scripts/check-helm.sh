#!/usr/bin/env bash
# Checks the botm-server Helm chart with the real helm 3.17.3 (see scripts/fetch-k8s-tools.sh):
#   - helm lint --strict and helm template with the default values and each ci/*.yaml;
#   - every rendered object validated against the Kubernetes API schema (the ServiceMonitor
#     against the Prometheus Operator CRD schema) plus the chart's own rules
#     (tests/deploy/validate.mjs, tests/deploy/chart-rules.mjs);
#   - negative tests: each tests/deploy/bad-values/*.yaml must be refused with the message
#     its "# expect:" line names (values.schema.json or a template guard), and a deliberately
#     broken rendering must be refused by the validator;
#   - deploy/ monitoring files: dashboard, alert/recording rules and prometheus-adapter rules
#     use only metrics the server exports (tests/deploy/check-monitoring.mjs), and promtool
#     (when fetched) parses every query and the Prometheus config.
# Exits non-zero on any failure; the last line reads "helm checks: N passed, M failed".
set -uo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
chart="$repo_root/helm/botm-server"
deploy_tests="$repo_root/tests/deploy"
release="botm"
namespace="botm-ci"

bin_dir="$("$repo_root/scripts/fetch-k8s-tools.sh" | tail -n 1)" || {
  echo "check-helm: could not fetch helm/kubectl and the validation packages" >&2
  exit 1
}
helm="$bin_dir/helm"
node_modules_dir="$(dirname "$bin_dir")/node"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

passed=0
failed=0
pass() { passed=$((passed + 1)); echo "ok   $*"; }
fail() { failed=$((failed + 1)); echo "FAIL $*"; }

# Runs "$@", passing check $label when it succeeds; otherwise prints its output indented.
run_check() {
  local label="$1"; shift
  local out
  if out="$("$@" 2>&1)"; then
    pass "$label"
  else
    fail "$label"
    printf '%s\n' "$out" | sed 's/^/     /'
  fi
}

validate() {
  node "$deploy_tests/validate.mjs" --modules "$node_modules_dir" --label "$2" "$1"
}

# One values set: lint, render, validate. $1 = label, rest = helm value arguments.
check_values() {
  local label="$1"; shift
  local rendered="$work/$label.yaml"
  run_check "lint --strict [$label]" "$helm" lint --strict "$chart" "$@"
  if "$helm" template "$release" "$chart" --namespace "$namespace" "$@" >"$rendered" 2>"$work/err"; then
    pass "template [$label]"
  else
    fail "template [$label]"; sed 's/^/     /' "$work/err"; return
  fi
  local out
  if out="$(validate "$rendered" "$label")"; then
    pass "schema + chart rules [$label]"; printf '%s\n' "$out" | sed 's/^/     /'
  else
    fail "schema + chart rules [$label]"; printf '%s\n' "$out" | sed 's/^/     /'
  fi
}

# A values file that must be refused, with the message its first "# expect:" line gives.
check_rejected() {
  local file="$1" label expect out
  label="reject $(basename "$file" .yaml)"
  expect="$(sed -n 's/^# expect: //p' "$file" | head -n 1)"
  if [ -z "$expect" ]; then fail "$label: no '# expect:' line in $file"; return; fi
  if out="$("$helm" template "$release" "$chart" -f "$file" 2>&1)"; then
    fail "$label: rendered without error"; return
  fi
  if grep -qF -- "$expect" <<<"$out"; then
    pass "$label"
  else
    fail "$label: refused, but not with \"$expect\""; printf '%s\n' "$out" | sed 's/^/     /'
  fi
}

# The validator itself must refuse a broken rendering (guards against a check that passes everything).
check_validator_rejects() {
  local good="$work/default.yaml" bad="$work/broken.yaml" out
  [ -s "$good" ] || { fail "validator self-test: no default rendering"; return; }
  sed -e 's/^\(      terminationGracePeriodSeconds:\).*/\1 1/' \
      -e 's/^\(  replicas:\) \([0-9]*\)$/\1 "\2"/' \
      -e 's/^\(              port:\) [0-9]*$/\1 1/' "$good" >"$bad"
  out="$(validate "$bad" broken)"
  local want=("spec/replicas must be integer" "terminationGracePeriodSeconds > preStop" "gRPC on the gRPC port")
  local w
  for w in "${want[@]}"; do
    if grep -qF -- "$w" <<<"$out"; then pass "validator rejects: $w"; else fail "validator missed: $w"; fi
  done
}

# Every flag the example flagfile and the chart's rendered flagfiles set must be one botm-server
# defines (ABSL_FLAG in server/ or core/); skipped while the server's main file has none.
check_flags() {
  local defined used unknown
  if ! grep -rqs 'ABSL_FLAG(' "$repo_root/server"; then
    echo "skip flag names check (no ABSL_FLAG in server/ yet)"
    return
  fi
  defined="$(grep -rhoE 'ABSL_FLAG\([^,]+, *[a-z0-9_]+' "$repo_root/server" "$repo_root/core" 2>/dev/null |
    sed -E 's/.*, *//' | sort -u)"
  used="$(cat "$repo_root/deploy/botm-server.flags" "$work"/*.yaml |
    grep -oE '^[[:space:]#]*--[a-z0-9_]+' | sed -E 's/^[[:space:]#]*--//' | sort -u)"
  unknown="$(comm -23 <(printf '%s\n' "$used") <(printf '%s\nflagfile\n' "$defined" | sort -u))"
  if [ -z "$unknown" ]; then
    pass "flagfiles use only flags botm-server defines"
  else
    fail "flags botm-server does not define: ${unknown//$'\n'/ }"
  fi
}

check_monitoring() {
  local out="$work/monitoring" promtool="$bin_dir/promtool"
  mkdir -p "$out"
  # Debian's promtool is built without Kubernetes discovery: drop those jobs for its check.
  run_check "monitoring files match the metrics contract" node "$deploy_tests/check-monitoring.mjs" \
    --modules "$node_modules_dir" --repo "$repo_root" --out "$out" --no-k8s-sd
  if [ ! -x "$promtool" ]; then
    echo "skip promtool checks (promtool not fetched)"
    return
  fi
  run_check "promtool check rules deploy/botm-rules.yml" "$promtool" check rules "$repo_root/deploy/botm-rules.yml"
  run_check "promtool parses dashboard + adapter queries" "$promtool" check rules "$out/queries.rules.yml"
  run_check "promtool check config deploy/prometheus.yml (static jobs)" "$promtool" check config "$out/prometheus.yml"
}

echo "helm $("$helm" version --template '{{.Version}}'), node $(node --version), chart $chart"
check_values default
for f in "$chart"/ci/*.yaml; do
  check_values "$(basename "$f" .yaml)" -f "$f"
done
check_values default-kube-1.27 --kube-version 1.27.0
if out="$("$helm" template "$release" "$chart" --kube-version 1.26.0 2>&1)"; then
  fail "reject kube 1.26 (no GA gRPC probes): rendered"
elif grep -qF "chart requires kubeVersion" <<<"$out"; then
  pass "reject kube 1.26 (no GA gRPC probes)"
else
  fail "reject kube 1.26: unexpected error"; printf '%s\n' "$out" | sed 's/^/     /'
fi
for f in "$deploy_tests"/bad-values/*.yaml; do
  check_rejected "$f"
done
check_validator_rejects
check_flags
check_monitoring

echo "helm checks: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
