/**
 * What the model form asks the core to load: a registry name, a set of URLs (one file each, named
 * by the URL's last path segment, as the model's files are named in the registry and on disk), or
 * files picked from this computer. Also the page's size check before a download starts.
 */
import type { loadWebModel } from "./core.js";

export type ModelSource = Parameters<typeof loadWebModel>[0];

/**
 * URLs one a line, each optionally followed by its sha256 (blank lines and surrounding spaces
 * ignored) → { file name: absolute URL } and the sha256s given. With a sha256 the core verifies
 * the download and keeps it in the browser's cache, so the next visit downloads nothing.
 */
export function urlsSource(text: string, base: string): ModelSource {
  const urls: Record<string, string> = {};
  const sha256: Record<string, string> = {};
  for (const line of text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l.length > 0)) {
    const [address, digest, ...rest] = line.split(/\s+/);
    if (rest.length > 0 || (digest !== undefined && !/^[0-9a-fA-F]{64}$/.test(digest))) {
      throw new Error(`"${line}": expected a URL, optionally followed by its sha256 (64 hex digits)`);
    }
    let url: URL;
    try {
      url = new URL(address!, base);
    } catch {
      throw new Error(`"${address}" is not a URL`);
    }
    const name = decodeURIComponent(url.pathname.split("/").pop() ?? "");
    if (name === "") throw new Error(`${url.href} names a folder, not a file: give each model file's URL`);
    if (urls[name] !== undefined) throw new Error(`two URLs end in the same file name ${name}`);
    urls[name] = url.href;
    if (digest !== undefined) sha256[name] = digest.toLowerCase();
  }
  if (Object.keys(urls).length === 0) throw new Error("enter at least one model file URL");
  return Object.keys(sha256).length === 0 ? { urls } : { urls, sha256 };
}

/** A short name for messages: the registry name, the file names. */
export function describeSource(source: ModelSource): string {
  if ("name" in source) return source.name;
  if ("urls" in source) return Object.keys(source.urls).join(" + ");
  return source.files.map((f) => f.name).join(" + ");
}

/**
 * Refuses a model the tab cannot hold before downloading it: onnxruntime-web's WebAssembly heap
 * ends at 4 GiB, and loading holds about two copies of the weights; the device's memory (where
 * the browser tells it) bounds it further.
 */
export function checkModelFits(name: string, bytes: number, device: string): void {
  const WASM_HEAP = 4 * 1024 ** 3;
  const needed = 2 * bytes;
  if (device === "wasm" && needed > WASM_HEAP) {
    throw new Error(`model ${name} (${(bytes / 1024 ** 3).toFixed(2)} GB) is too large for WebAssembly: loading it needs about ${(needed / 1024 ** 3).toFixed(1)} GB, over the 4 GB a WebAssembly heap holds`);
  }
  const deviceMemory = (navigator as { deviceMemory?: number }).deviceMemory;
  if (deviceMemory !== undefined && needed > deviceMemory * 1024 ** 3) {
    throw new Error(`model ${name} is too large for this device: loading it needs about ${(needed / 1024 ** 3).toFixed(1)} GB, and the browser reports ${deviceMemory} GB of memory`);
  }
}
