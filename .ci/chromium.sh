#!/usr/bin/env bash
# Best effort, never fatal: install Debian's chromium so that the browser tests (test/web*.test.ts,
# driven by puppeteer-core, which downloads no browser) run instead of skipping. Without root or
# apt-get, or when the install fails, the tests skip and say why.
set -u
if command -v chromium >/dev/null || [ -x /usr/bin/chromium ]; then
  echo "chromium: already installed ($(chromium --version 2>/dev/null | head -n 1))"
  exit 0
fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  echo "chromium: not root or no apt-get; the browser tests will skip"
  exit 0
fi
if { [ -n "$(find /var/lib/apt/lists -name '*Packages*' -print -quit 2>/dev/null)" ] || timeout 600 apt-get update -qq; } \
  && DEBIAN_FRONTEND=noninteractive timeout 900 apt-get install -y -qq --no-install-recommends chromium >/dev/null; then
  echo "chromium: installed"
else
  echo "chromium: install failed; the browser tests will skip"
fi
exit 0
