#!/usr/bin/env bash
# Installs every Debian 12 package the project needs. Idempotent; run as root (or with sudo).
# Selects the serial OpenBLAS for libblas.so.3 / liblapack.so.3 (see docs/TOOLCHAIN notes:
# the pthread/OpenMP flavours break prometheus-cpp's civetweb threads in a libtorch process).
set -euo pipefail
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive

PKGS=(
  build-essential cmake ninja-build pkg-config git ca-certificates curl
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler grpc-proto
  libtorch-dev libabsl-dev prometheus-cpp-dev libspdlog-dev libfmt-dev
  libgtest-dev libgmock-dev libbenchmark-dev nlohmann-json3-dev zlib1g-dev
  libopencv-core-dev libopencv-imgproc-dev libopencv-imgcodecs-dev libopencv-videoio-dev
  libpng-dev libjpeg62-turbo-dev
  libopenblas0-serial
  libdcmtk-dev dcmtk dicom3tools orthanc orthanc-dicomweb libcurl4-openssl-dev libssl-dev
  clang-format clang-tidy clang libclang-rt-14-dev
)

missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# Orthanc's Debian package starts a system service on port 4242/8042 where systemd runs;
# tests start their own instance on other loopback ports, so the system one is left alone.

arch_dir=/usr/lib/x86_64-linux-gnu
for lib in blas lapack; do
  target="$arch_dir/openblas-serial/lib${lib}.so.3"
  if [ -e "$target" ]; then
    $SUDO update-alternatives --set "lib${lib}.so.3-x86_64-linux-gnu" "$target" >/dev/null
  fi
done
echo "install-deps: done ($(readlink -f $arch_dir/libblas.so.3))"
