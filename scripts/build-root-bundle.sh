#!/usr/bin/env bash
# One builder's reproducible build of the root bundle (docs/reproducible-build.md; issue 14).
#   scripts/build-root-bundle.sh --builder-id URI --key PEM --dir DIR
#                                [--commit REV] [--repo URL] [--jobs N]
# Clones REV (default: HEAD of this checkout) from this repository into DIR/src (DIR must not
# exist or be empty: a clean clone, in a directory of the builder's choice), builds the
# `root_bundle` target with the `default` preset and without ccache, and writes to DIR:
#   root-bundle/        the bundle (bin/vouch + vouch-enclave.json), as the build made it
#   mrenclave           its MRENCLAVE (hex, one line)
#   measure.json        `vouch measure --json` of it
#   toolchain.json      the toolchain manifest (vouch-toolchain/1) of this machine's Debian
#                       packages that made the program (compilers, binutils, libc and libstdc++
#                       headers, cmake, ninja, the -dev packages of the libraries it uses)
#   provenance.entry    the builder's signed SLSA provenance (`vouch build attest`), a canonical
#                       ledger entry, to submit to the log
# --repo is the https repository URL recorded in the provenance (default: this checkout's
# `origin`, when it is https).
# The toolchain manifest names each package by the SHA-256 of its md5sums file (the list of its
# files with their MD5s, from the .deb's control member, as dpkg installed it): the same .deb
# gives the same digest on every machine. SOURCE_DATE_EPOCH is the commit's time.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd -P)

usage() {
  sed -n '2,4p' "$0" >&2
  exit 2
}
builder_id="" key="" dir="" rev=HEAD repo="" jobs=${JOBS:-$(nproc)}
while [ $# -gt 0 ]; do
  case "$1" in
    --builder-id) builder_id=${2:?}; shift 2 ;;
    --key) key=${2:?}; shift 2 ;;
    --dir) dir=${2:?}; shift 2 ;;
    --commit) rev=${2:?}; shift 2 ;;
    --repo) repo=${2:?}; shift 2 ;;
    --jobs) jobs=${2:?}; shift 2 ;;
    -h | --help) sed -n '2,19p' "$0"; exit 0 ;;
    *) usage ;;
  esac
done
[ -n "$builder_id" ] && [ -n "$key" ] && [ -n "$dir" ] || usage
[ -r "$key" ] || { echo "build-root-bundle: cannot read the key $key" >&2; exit 2; }
key=$(cd "$(dirname "$key")" && pwd -P)/$(basename "$key")
if [ -e "$dir" ] && [ -n "$(ls -A "$dir")" ]; then
  echo "build-root-bundle: $dir is not empty (the build needs a clean directory)" >&2
  exit 2
fi
commit=$(git -C "$here" rev-parse --verify "$rev^{commit}")
if [ -z "$repo" ]; then
  repo=$(git -C "$here" remote get-url origin 2>/dev/null || true)
fi
case "$repo" in
  https://*) ;;
  *) echo "build-root-bundle: give --repo https://... (the provenance names an https repository)" >&2
     exit 2 ;;
esac
mkdir -p "$dir"
dir=$(cd "$dir" && pwd -P)
started=$(date -u +%Y-%m-%dT%H:%M:%SZ)

# 1. The clean clone and the build.
git clone --quiet --no-checkout "$here" "$dir/src"
git -C "$dir/src" -c advice.detachedHead=false checkout --quiet --detach "$commit"
SOURCE_DATE_EPOCH=$(git -C "$dir/src" log -1 --format=%ct "$commit")
export SOURCE_DATE_EPOCH CCACHE_DISABLE=1
(
  cd "$dir/src"
  cmake --preset default -DCMAKE_CXX_COMPILER_LAUNCHER= -DCMAKE_C_COMPILER_LAUNCHER= >/dev/null
  cmake --build build/default -j "$jobs" --target root_bundle
)
vouch=$dir/src/build/default/src/cli/vouch
cp -a "$dir/src/build/default/root-bundle" "$dir/root-bundle"

# 2. The measurement.
"$vouch" measure --json "$dir/root-bundle" >"$dir/measure.json"
sed -n 's/.*"mr_enclave":"\([0-9a-f]\{64\}\)".*/\1/p' "$dir/measure.json" >"$dir/mrenclave"
[ -s "$dir/mrenclave" ] || { echo "build-root-bundle: no MRENCLAVE" >&2; exit 1; }

# 3. The toolchain manifest: for each part of the toolchain, the Debian package that owns the
# file the build used, its version and the SHA-256 of its md5sums file. Fixed order, so the same
# machine always writes the same bytes.
package_of() { dpkg -S "$(readlink -f "$1")" 2>/dev/null | head -1 | cut -d: -f1; }
component() { # NAME FILE
  local pkg ver arch sums sha purl_name purl_ver distro
  pkg=$(package_of "$2")
  [ -n "$pkg" ] || { echo "build-root-bundle: no Debian package owns $2" >&2; exit 1; }
  ver=$(dpkg-query -W -f='${Version}' "$pkg")
  arch=$(dpkg-query -W -f='${Architecture}' "$pkg")
  sums=/var/lib/dpkg/info/$pkg:$arch.md5sums
  [ -f "$sums" ] || sums=/var/lib/dpkg/info/$pkg.md5sums
  [ -f "$sums" ] || { echo "build-root-bundle: dpkg has no $pkg.md5sums" >&2; exit 1; }
  sha=$(sha256sum "$sums" | cut -d' ' -f1)
  distro=$(. /etc/os-release && echo "$ID")
  purl_name=$(printf '%s' "$pkg" | sed 's/+/%2B/g')
  purl_ver=$(printf '%s' "$ver" | sed 's/+/%2B/g; s/:/%3A/g')
  printf '{"name":"%s","version":"%s","uri":"pkg:deb/%s/%s@%s?arch=%s","digest":{"sha256":"%s"}}' \
    "$1" "$ver" "$distro" "$purl_name" "$purl_ver" "$arch" "$sha"
}
{
  printf '{"format":"vouch-toolchain/1","components":['
  sep=""
  while read -r name file; do
    printf '%s' "$sep"
    component "$name" "$file"
    sep=","
  done <<EOF_COMPONENTS
gcc $(command -v gcc)
gxx $(command -v g++)
binutils $(command -v ld)
libc-dev /usr/include/stdio.h
libstdcxx-dev $(g++ -print-file-name=libstdc++.a)
cmake $(command -v cmake)
ninja $(command -v ninja)
nlohmann-json-dev /usr/include/nlohmann/json.hpp
simdjson-dev /usr/include/simdjson.h
cli11-dev /usr/include/CLI/CLI.hpp
fmt-dev /usr/include/fmt/core.h
boost-dev /usr/include/boost/version.hpp
openssl-dev /usr/include/openssl/ssl.h
sqlite3-dev /usr/include/sqlite3.h
libpq-dev $(pkg-config --variable=includedir libpq)/libpq-fe.h
EOF_COMPONENTS
  printf ']}\n'
} >"$dir/toolchain.json"

# 4. The provenance.
"$vouch" build attest "$dir/root-bundle" --source "$repo@$commit" --toolchain "$dir/toolchain.json" \
  --target root-bundle --builder-id "$builder_id" --key "$key" --started-on "$started" \
  --out "$dir/provenance.entry"

echo "bundle:     $dir/root-bundle"
echo "MRENCLAVE:  $(cat "$dir/mrenclave")"
echo "provenance: $dir/provenance.entry"
