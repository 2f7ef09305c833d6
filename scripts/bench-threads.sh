#!/usr/bin/env bash
# Threading on CPU, chosen by measurement (issue 11). Runs the matrix
#   model instances x intra-op threads per instance x OMP_WAIT_POLICY x background
# through the real engine, each cell in its own process (libgomp reads OMP_WAIT_POLICY when it
# loads): `botm-bench --in_process --streams_list=1,8` at the maximum rate, once on an idle
# machine and once next to one competing CPU-bound process that this script starts and stops
# (a shell busy loop, pinned to no core). Then, for the best configuration of each scenario
# (background x stream count), the same load served: botm-server started with that
# configuration on loopback, `botm-bench --server`. Last, botm-bench-matrix prints the
# comparison table (frames/s, client p50/p99), the best configuration per scenario and the
# recommended default, and writes OUT/matrix.json and OUT/winners.txt. docs/PERFORMANCE.md says
# what the numbers mean and which lines to edit to make the winner the default.
#
# Usage: scripts/bench-threads.sh [BUILD_DIR] [options]
#   BUILD_DIR          build folder (default build) with botm-bench, botm-bench-matrix,
#                      botm-server, botm-client
#   --out DIR          results (default out/bench-threads; emptied first)
#   --model PATH       checkpoint (default: the shipped default model of botm-server/-bench)
#   --duration S       seconds per run (default 5)
#   --rounds R         runs per stream count and cell, pooled (default 2)
#   --streams LIST     stream counts (default 1,8)
#   --instances LIST   model instances (default 1,2)
#   --threads LIST     intra-op threads per instance (default 1,2)
#   --policies LIST    OMP_WAIT_POLICY values: PASSIVE, ACTIVE, unset (the variable removed:
#                      libgomp's default, a short spin then sleep) (default PASSIVE,ACTIVE,unset)
#   --backgrounds LIST idle and/or busy (default idle,busy)
#   --size PX          side of the synthetic frames sent (default 256)
#   --no-served        skip the served runs of the winners
#   --dry-run          print the plan and the time it takes, run nothing
# Run it on an otherwise idle machine: anything else running is a background the matrix does
# not know about. With the defaults it takes about 12 minutes on 2 cores (--dry-run estimates).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="build"
out="${repo}/out/bench-threads"
model=""
duration=5
rounds=2
streams="1,8"
instances="1,2"
threads="1,2"
policies="PASSIVE,ACTIVE,unset"
backgrounds="idle,busy"
size=256
served=1
dry_run=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --out) out="$2"; shift 2 ;;
    --model) model="$2"; shift 2 ;;
    --duration) duration="$2"; shift 2 ;;
    --rounds) rounds="$2"; shift 2 ;;
    --streams) streams="$2"; shift 2 ;;
    --instances) instances="$2"; shift 2 ;;
    --threads) threads="$2"; shift 2 ;;
    --policies) policies="$2"; shift 2 ;;
    --backgrounds) backgrounds="$2"; shift 2 ;;
    --size) size="$2"; shift 2 ;;
    --no-served) served=0; shift ;;
    --dry-run) dry_run=1; shift ;;
    -h|--help) sed -n '2,32p' "$0"; exit 0 ;;
    -*) echo "bench-threads: unknown option $1" >&2; exit 64 ;;
    *) build="$1"; shift ;;
  esac
done
[[ "${build}" = /* ]] || build="${repo}/${build}"
IFS=, read -r -a instance_list <<<"${instances}"
IFS=, read -r -a thread_list <<<"${threads}"
IFS=, read -r -a policy_list <<<"${policies}"
IFS=, read -r -a background_list <<<"${backgrounds}"
IFS=, read -r -a stream_list <<<"${streams}"
for bg in "${background_list[@]}"; do
  [[ "${bg}" == idle || "${bg}" == busy ]] || { echo "bench-threads: background '${bg}' is not idle or busy" >&2; exit 64; }
done
for p in "${policy_list[@]}"; do
  [[ "${p}" == PASSIVE || "${p}" == ACTIVE || "${p}" == unset ]] ||
    { echo "bench-threads: policy '${p}' is not PASSIVE, ACTIVE or unset" >&2; exit 64; }
done
# env(1) arguments for a policy: OMP_WAIT_POLICY=P, or the variable removed for "unset" (env
# execs the program, so $! of a background `env ... &` is the program's own pid).
policy_env() {
  if [[ "$1" == unset ]]; then echo "-u OMP_WAIT_POLICY"; else echo "OMP_WAIT_POLICY=$1"; fi
}

cells=$(( ${#instance_list[@]} * ${#thread_list[@]} * ${#policy_list[@]} * ${#background_list[@]} ))
scenarios=$(( ${#background_list[@]} * ${#stream_list[@]} ))
# Per process: ~3 s to load and warm up; per run: the duration plus ~0.5 s to drain.
run_s=$(awk -v d="${duration}" 'BEGIN { printf "%d", d + 0.5 + 0.999 }')
estimate=$(( cells * (3 + ${#stream_list[@]} * rounds * run_s) ))
(( served )) && estimate=$(( estimate + scenarios * (4 + rounds * run_s) ))
echo "bench-threads: ${cells} in-process cells (instances {${instances}} x threads {${threads}} x" \
     "policy {${policies}} x background {${backgrounds}}), streams {${streams}}, ${rounds} x ${duration} s" \
     "per run; $( ((served)) && echo "${scenarios} served runs; " )about $(( (estimate + 59) / 60 )) min"
(( dry_run )) && exit 0

bench="${build}/client/botm-bench"
matrix="${build}/client/botm-bench-matrix"
server_bin="${build}/server/botm-server"
client_bin="${build}/client/botm-client"
for bin in "${bench}" "${matrix}" "${server_bin}" "${client_bin}"; do
  [[ -x "${bin}" ]] || { echo "bench-threads: ${bin} not found; build it first" >&2; exit 1; }
done
model_flag=()
[[ -n "${model}" ]] && model_flag=(--model="${model}")
rm -rf "${out}"
mkdir -p "${out}/cells" "${out}/logs"

busy_pid=""
server_pid=""
stop_busy() {
  if [[ -n "${busy_pid}" ]]; then kill "${busy_pid}" 2>/dev/null || true; wait "${busy_pid}" 2>/dev/null || true; fi
  busy_pid=""
}
# The competing process: one CPU-bound shell loop, no affinity, default priority.
start_background() {
  stop_busy
  if [[ "$1" == busy ]]; then
    bash -c 'while :; do :; done' &
    busy_pid=$!
  fi
}
stop_server() {
  if [[ -n "${server_pid}" ]]; then kill -TERM "${server_pid}" 2>/dev/null || true; wait "${server_pid}" 2>/dev/null || true; fi
  server_pid=""
}
trap 'stop_busy; stop_server' EXIT
trap 'echo "bench-threads: interrupted" >&2; exit 130' INT TERM

common=(--duration="${duration}" --rounds="${rounds}" --size="${size}" --progress=false)
n=0
for bg in "${background_list[@]}"; do
  for policy in "${policy_list[@]}"; do
    for inst in "${instance_list[@]}"; do
      for thr in "${thread_list[@]}"; do
        n=$((n + 1))
        name="${bg}-${inst}x${thr}-${policy}"
        echo "bench-threads: [${n}/${cells}] in-process ${name}"
        start_background "${bg}"
        # shellcheck disable=SC2046
        env $(policy_env "${policy}") "${bench}" --in_process "${model_flag[@]}" \
          --instances="${inst}" --threads_per_instance="${thr}" --streams_list="${streams}" \
          "${common[@]}" --tags="background=${bg},instances=${inst},threads=${thr},policy=${policy}" \
          --json="${out}/cells/${name}.json" >"${out}/logs/${name}.txt" 2>&1 ||
          echo "bench-threads: ${name} failed; see ${out}/logs/${name}.txt" >&2
        stop_busy
      done
    done
  done
done

summarize() {
  "${matrix}" --json="${out}/matrix.json" --winners="${out}/winners.txt" "${out}"/cells/*.json
}
summarize >/dev/null

free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
if (( served )); then
  while read -r bg nstreams inst thr policy; do
    name="${bg}-${inst}x${thr}-${policy}-served-${nstreams}"
    echo "bench-threads: served ${name}"
    port="$(free_port)"
    # shellcheck disable=SC2046
    env $(policy_env "${policy}") "${server_bin}" --host=127.0.0.1 --port="${port}" --metrics_port=0 \
      "${model_flag[@]}" --instances="${inst}" --threads_per_instance="${thr}" \
      --admission_load_factor=0 >"${out}/logs/${name}-server.txt" 2>&1 &
    server_pid=$!
    deadline=$((SECONDS + 120))
    until "${client_bin}" health --server="127.0.0.1:${port}" --connect_timeout_ms=1000 >/dev/null 2>&1; do
      if ! kill -0 "${server_pid}" 2>/dev/null || (( SECONDS > deadline )); then
        echo "bench-threads: botm-server did not start; see ${out}/logs/${name}-server.txt" >&2
        exit 1
      fi
      sleep 0.5
    done
    start_background "${bg}"
    OMP_WAIT_POLICY=PASSIVE "${bench}" --server="127.0.0.1:${port}" --streams="${nstreams}" \
      "${common[@]}" --tags="background=${bg},instances=${inst},threads=${thr},policy=${policy}" \
      --json="${out}/cells/${name}.json" >"${out}/logs/${name}.txt" 2>&1 ||
      echo "bench-threads: ${name} failed; see ${out}/logs/${name}.txt" >&2
    stop_busy
    stop_server
  done <"${out}/winners.txt"
fi

summarize | tee "${out}/matrix.txt"
echo "bench-threads: results in ${out} (matrix.txt, matrix.json, winners.txt, cells/, logs/)"
