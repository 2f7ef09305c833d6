#!/usr/bin/env bash
# PACS-path benchmark: starts botm-server (shipped model) and an Orthanc of its own (temporary
# storage, loopback ports, never the system service), runs botm-dicom-bench against them and
# stops both. Extra arguments go to botm-dicom-bench (e.g. --latency_runs 10 --senders 4).
#   scripts/bench-dicom.sh [build_dir] [bench flags...]
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir="build"
if [ $# -gt 0 ] && [ -d "$1" ]; then build_dir="$1"; shift; fi
export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-PASSIVE}"
work="$(mktemp -d /tmp/botm-dicom-bench.XXXXXX)"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
grpc_port=$(free_port); http_port=$(free_port); dicom_port=$(free_port); listener_port=$(free_port)

"$build_dir/server/botm-server" --host=127.0.0.1 --port="$grpc_port" --metrics_port=0 \
  > "$work/server.log" 2>&1 &
pids+=($!)
cat > "$work/orthanc.json" <<JSON
{ "Name": "botm-bench", "StorageDirectory": "$work/db", "IndexDirectory": "$work/db",
  "HttpPort": $http_port, "DicomPort": $dicom_port, "DicomAet": "ORTHANC",
  "RemoteAccessAllowed": false, "AuthenticationEnabled": false, "DicomAlwaysAllowStore": true,
  "StorageCompression": false }
JSON
/usr/sbin/Orthanc "$work/orthanc.json" > "$work/orthanc.log" 2>&1 &
pids+=($!)

for _ in $(seq 1 300); do
  if "$build_dir/client/botm-client" health --server "127.0.0.1:$grpc_port" > /dev/null 2>&1 &&
     curl -sf "http://127.0.0.1:$http_port/system" > /dev/null; then break; fi
  sleep 0.2
done
"$build_dir/client/dicom/botm-dicom-bench" --server "127.0.0.1:$grpc_port" \
  --pacs "ORTHANC@127.0.0.1:$dicom_port" --pacs_url "http://127.0.0.1:$http_port" \
  --listener_port "$listener_port" --work_dir "$work/bench" "$@"
