#!/usr/bin/env bash
# Installs the Debian packages (idempotent) and builds the project in build/ (Release).
# Usage: scripts/build.sh [extra cmake args]. BOTM_BUILD_DIR overrides the build folder.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
build_dir="${BOTM_BUILD_DIR:-build}"
jobs="${BOTM_JOBS:-$(nproc)}"
cmake -G Ninja -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=Release "$@" >/dev/null
echo "build: compiling in $build_dir with $jobs jobs (a clean build takes a few minutes)"
ninja -C "$build_dir" -j "$jobs"
echo "build: done ($build_dir)"
