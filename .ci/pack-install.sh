#!/usr/bin/env bash
# The packed tarball installs with no network, as on a cluster node or in a container: npm's cache
# holds every dependency, and onnxruntime-node's post-install CUDA download is
# skipped with ONNXRUNTIME_NODE_INSTALL=skip. Then the package loads through import, require and
# its command. Needs a built dist/ (npm test builds it).
# `npm ci` caches tarballs but not the registry's package documents that resolving a fresh install
# needs, so the cache is first filled the way an air-gapped site fills it: one install on a
# connected machine, into a throwaway project. The install that is checked then runs --offline.
# PACK_INSTALL_CACHE=--prefer-offline instead makes it a single install that may fetch what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
tarball=$(npm pack --ignore-scripts --silent --pack-destination "$work" | tail -n 1)
install_packed() {
  ONNXRUNTIME_NODE_INSTALL=skip npm install "$1" --ignore-scripts --no-audit --no-fund --loglevel=error "$work/$tarball"
}
if [ -z "${PACK_INSTALL_CACHE:-}" ]; then
  mkdir "$work/fill" && (cd "$work/fill" && npm init -y >/dev/null && install_packed --prefer-offline)
fi
mkdir "$work/app" && cd "$work/app"
npm init -y >/dev/null
ONNXRUNTIME_NODE_INSTALL=skip npm install "${PACK_INSTALL_CACHE:---offline}" --no-audit --no-fund --loglevel=error "$work/$tarball"
node --input-type=module -e 'const m = await import("s3tokenizer"); if (typeof m.S3Tokenizer !== "function") process.exit(1);'
node -e 'const m = require("s3tokenizer"); if (typeof m.S3Tokenizer !== "function") process.exit(1);'
./node_modules/.bin/s3tokenizer --help >/dev/null
echo "packed tarball installs offline and loads: ok"
