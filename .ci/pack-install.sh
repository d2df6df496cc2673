#!/usr/bin/env bash
# The packed tarball installs with no network, as on a cluster node or in a container: npm's cache
# (filled by `npm ci`) holds every dependency, and onnxruntime-node's post-install CUDA download is
# skipped with ONNXRUNTIME_NODE_INSTALL=skip. Then the package loads through import, require and
# its command. Needs a built dist/ (npm test builds it). PACK_INSTALL_CACHE=--prefer-offline lets
# npm fetch what a cold cache lacks (a developer machine whose node_modules came from elsewhere).
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
tarball=$(npm pack --ignore-scripts --silent --pack-destination "$work" | tail -n 1)
cd "$work"
npm init -y >/dev/null
ONNXRUNTIME_NODE_INSTALL=skip npm install "${PACK_INSTALL_CACHE:---offline}" --no-audit --no-fund --loglevel=error "./$tarball"
node --input-type=module -e 'const m = await import("s3tokenizer"); if (typeof m.S3Tokenizer !== "function") process.exit(1);'
node -e 'const m = require("s3tokenizer"); if (typeof m.S3Tokenizer !== "function") process.exit(1);'
./node_modules/.bin/s3tokenizer --help >/dev/null
echo "packed tarball installs offline and loads: ok"
