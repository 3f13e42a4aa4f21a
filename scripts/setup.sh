#!/usr/bin/env bash
# Installs every Debian package heartwave needs to build, test and benchmark.
# Idempotent: only missing packages are installed; safe to run again.
set -euo pipefail

PKGS=(
  build-essential cmake ninja-build pkg-config clang libclang-rt-14-dev ccache
  libgtest-dev libgmock-dev libbenchmark-dev
  nlohmann-json3-dev libcli11-dev libspdlog-dev libfmt-dev
  libcurl4-openssl-dev libssl-dev libsoxr-dev libcpp-httplib-dev
  libxgboost-dev libtorch-dev libopenblas0-pthread
  python3-scipy python3-numpy
  libbiosig-dev biosig-tools
  libyaml-cpp-dev  # src/pipeline: pipeline.yaml, params.yaml, pipeline.lock
  libsqlite3-dev  # the tracking store (src/track)
  libpq-dev postgresql  # the tracking store on PostgreSQL; its tests start a server in a temporary folder
  chromium fonts-liberation  # tests/holter/chromium_print_check.sh: the summary page printed headless
)

missing=()
for p in "${PKGS[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}" >&2
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "setup: all packages present" >&2
fi

# The web page (web/): Node.js and npm from the machine (Debian's nodejs/npm
# when missing; Vite 8 needs Node 20.19 or newer), the npm packages at the
# versions of web/package-lock.json, then the build into web/dist, which
# `heartwave serve` serves.
if ! command -v npm >/dev/null 2>&1; then
  echo "setup: installing nodejs npm" >&2
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
fi
here=$(cd "$(dirname "$0")/.." && pwd)
(cd "$here/web" && npm ci --no-audit --no-fund --loglevel=error >/dev/null && npm run --silent build >/dev/null) ||
  { echo "setup: the web page did not build (cd web && npm ci && npm run build)" >&2; exit 1; }
echo "setup: web page built in web/dist" >&2
