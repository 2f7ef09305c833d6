#!/usr/bin/env bash
# The README's main job: start botm-server on loopback with the shipped model, wait until it
# is SERVING, stream the synthetic clip `synthetic:7` through it with botm-client, show where
# the masks, overlay and summary are, then stop the server with SIGTERM and check it exits 0.
#
# Usage: scripts/demo.sh [BUILD_DIR] [--model PATH] [--out DIR] [--input SRC]
#   BUILD_DIR  build folder holding server/botm-server and client/botm-client (default build)
#   --model    checkpoint (default models/botm-tiny-192.pt)
#   --out      output folder (default out/demo)
#   --input    what to stream (default synthetic:7)
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="build"
model="${repo}/models/botm-tiny-192.pt"
out="${repo}/out/demo"
input="synthetic:7"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --model) model="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --input) input="$2"; shift 2 ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    -*) echo "demo: unknown option $1" >&2; exit 64 ;;
    *) build="$1"; shift ;;
  esac
done
[[ "${build}" = /* ]] || build="${repo}/${build}"

server_bin="${build}/server/botm-server"
client_bin="${build}/client/botm-client"
for bin in "${server_bin}" "${client_bin}"; do
  if [[ ! -x "${bin}" ]]; then
    echo "demo: ${bin} not found; build first: cmake -S . -B ${build} -G Ninja && ninja -C ${build}" >&2
    exit 1
  fi
done
if [[ ! -f "${model}" ]]; then
  echo "demo: model ${model} not found (pass --model PATH to use another checkpoint)" >&2
  exit 1
fi

# A free loopback port, asked from the kernel.
port="$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
address="127.0.0.1:${port}"
log="$(mktemp -t botm-demo-server.XXXXXX.log)"
server_pid=""

cleanup() {
  if [[ -n "${server_pid}" ]] && kill -0 "${server_pid}" 2>/dev/null; then
    echo "demo: stopping server (pid ${server_pid}) after a failure" >&2
    kill -KILL "${server_pid}" 2>/dev/null || true
    wait "${server_pid}" 2>/dev/null || true
  fi
}
trap cleanup EXIT
trap 'echo "demo: interrupted" >&2; exit 130' INT TERM

echo "demo: starting botm-server on ${address} with ${model} (log: ${log})"
# Passive OpenMP waiting: spinning intra-op threads slow LibTorch by 20x or more when the CPU
# is shared with other work (measured: client/README.md). Override by exporting it.
OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-PASSIVE}" "${server_bin}" --host=127.0.0.1 --port="${port}" --metrics_port=0 --model="${model}" \
  >"${log}" 2>&1 &
server_pid=$!

echo -n "demo: waiting for SERVING"
deadline=$((SECONDS + 120))
until "${client_bin}" health --server="${address}" --connect_timeout_ms=1000 >/dev/null 2>&1; do
  if ! kill -0 "${server_pid}" 2>/dev/null; then
    echo; echo "demo: botm-server exited during start-up; its log:" >&2
    tail -n 20 "${log}" >&2
    exit 1
  fi
  if (( SECONDS > deadline )); then
    echo; echo "demo: botm-server not SERVING after 120 s; its log:" >&2
    tail -n 20 "${log}" >&2
    exit 1
  fi
  echo -n "."
  sleep 0.5
done
echo " ok"

rm -rf "${out}"
echo "demo: streaming ${input} to ${address}"
"${client_bin}" stream --server="${address}" --input="${input}" --out="${out}" --contours

echo "demo: outputs"
echo "  masks:    ${out}/masks/ ($(ls "${out}/masks" | wc -l) PNG files, pixel value = class 0..3)"
echo "  overlay:  ${out}/overlay.gif and ${out}/overlay/"
echo "  summary:  ${out}/summary.json"

echo "demo: stopping botm-server with SIGTERM"
kill -TERM "${server_pid}"
status=0
wait "${server_pid}" || status=$?
server_pid=""
if [[ "${status}" -ne 0 ]]; then
  echo "demo: botm-server exited with ${status} (expected 0); its log: ${log}" >&2
  exit 1
fi
echo "demo: server stopped cleanly (exit 0); done"
rm -f "${log}"
