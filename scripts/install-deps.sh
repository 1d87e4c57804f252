#!/usr/bin/env bash
# Installs the Debian 12 packages Vouch needs to build and test, and only those that are
# missing. Safe to run repeatedly. Needs root (or sudo) the first time.
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build pkg-config git
  clang libclang-rt-14-dev          # ASan/UBSan build and libFuzzer targets
  clang-format
  clang-tidy
  libssl-dev                        # OpenSSL 3: all cryptography
  libsqlite3-dev libpq-dev          # storage backends
  postgresql-15 postgresql-client-15  # PostgreSQL tests start a throwaway server (no system cluster)
  nlohmann-json3-dev libsimdjson-dev
  libcli11-dev libfmt-dev libspdlog-dev
  libboost-dev                      # Beast/Asio HTTP
  libgtest-dev libgmock-dev libbenchmark-dev
  curl ca-certificates
  chromium                          # the explorer's browser test (driven by puppeteer-core)
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

# Node.js and npm for the browser test's driver (tests/browser): Debian's, unless a node with its
# npm is already installed (e.g. NodeSource's, whose nodejs conflicts with Debian's npm).
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  missing+=(nodejs npm)
fi

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages present, and node with npm"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "install-deps: need root or sudo to install: ${missing[*]}" >&2; exit 3; }
  SUDO="sudo"
fi
echo "install-deps: installing ${missing[*]}"
# Installing the PostgreSQL server must not create or start a system cluster: tests start their
# own throwaway servers (docs/postgres.md). postgresql-common reads this directory.
$SUDO mkdir -p /etc/postgresql-common/createcluster.d
echo 'create_main_cluster = false' | $SUDO tee /etc/postgresql-common/createcluster.d/vouch.conf >/dev/null
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
