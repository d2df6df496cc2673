#!/usr/bin/env bash
# Best effort, never fatal: give onnxruntime's WebGPU provider an adapter on a machine without a
# GPU, Mesa's lavapipe (a Vulkan driver that runs on the CPU), so that test/webgpu.test.ts runs
# the WebGPU path instead of skipping. Debian bookworm's own Mesa 22.3 lacks a Vulkan feature
# Dawn requires (shaderUniform*ArrayDynamicIndexing), so on bookworm it comes from backports.
set -u
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  echo "webgpu adapter: not root or no apt-get; the WebGPU tests will skip"
  exit 0
fi
suite=()
if [ "$(. /etc/os-release && echo "${VERSION_CODENAME:-}")" = bookworm ]; then
  printf 'Types: deb\nURIs: http://deb.debian.org/debian\nSuites: bookworm-backports\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
    > /etc/apt/sources.list.d/s3tokenizer-ci-backports.sources
  suite=(-t bookworm-backports)
fi
if timeout 600 apt-get update -qq && DEBIAN_FRONTEND=noninteractive timeout 900 apt-get install -y -qq "${suite[@]}" mesa-vulkan-drivers >/dev/null; then
  echo "webgpu adapter: Mesa lavapipe installed"
else
  echo "webgpu adapter: install failed; the WebGPU tests will skip"
fi
exit 0
