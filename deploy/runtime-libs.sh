#!/bin/sh
# Shared-library checks for the container images (POSIX sh: runs in debian:12-slim).
#   runtime-libs.sh packages BIN...     prints the Debian packages that own the libraries BIN...
#                                       load (the build stage records them for the runtime stage)
#   runtime-libs.sh require LIST        fails, naming them, when packages listed in file LIST
#                                       are not installed (the runtime stage's list is incomplete)
#   runtime-libs.sh resolve BIN...      fails when a library of BIN... does not resolve, except
#                                       the ones the NVIDIA driver mounts at run time
# Libraries outside any package (e.g. a LibTorch unpacked under /opt) are skipped by `packages`.
set -eu

die() { echo "runtime-libs: $*" >&2; exit 1; }

# Prints, for each library path on stdin, the spellings dpkg may have recorded it under: the
# path, its real path (alternatives such as libblas.so.3) and the /lib <-> /usr/lib twin.
spellings() {
  while read -r lib; do
    real=$(readlink -f "$lib")
    for p in "$lib" "$real"; do
      echo "$p"
      case "$p" in /usr/*) echo "${p#/usr}" ;; *) echo "/usr$p" ;; esac
    done
  done | sort -u
}

cmd="${1:-}"
[ $# -ge 2 ] || die "usage: runtime-libs.sh packages|require|resolve ARGS..."
shift
case "$cmd" in
  packages)
    # One dpkg -S for all paths (it reads the whole package database per call).
    for bin in "$@"; do ldd "$bin"; done |
      awk '$2 == "=>" && $3 ~ /^\// { print $3 }' | sort -u | spellings |
      xargs dpkg -S 2>/dev/null | cut -d: -f1 | tr -d ' ' | tr ',' '\n' | sort -u
    ;;
  require)
    missing=""
    while read -r pkg; do
      [ -n "$pkg" ] || continue
      dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" ||
        missing="$missing $pkg"
    done <"$1"
    [ -z "$missing" ] || die "runtime packages missing from the image:$missing"
    ;;
  resolve)
    bad=$(for bin in "$@"; do ldd "$bin"; done | grep "not found" |
      grep -v -e '^[[:space:]]*libcuda\.so' -e '^[[:space:]]*libnvidia-' || true)
    [ -z "$bad" ] || die "unresolved libraries:
$bad"
    ;;
  *) die "unknown command $cmd" ;;
esac
