/**
 * The browser bundle: src/web/index.ts → dist/web/s3tokenizer-web.js (ESM, minified, with its
 * source map; chunks of it loaded on first use beside it), and onnxruntime-web's own module and
 * WebAssembly beside it.
 *
 * The settings shared with the page's bundle (src/webpage/browserBundle.ts) make a reachable
 * `node:` import (or a Node-only package) a build error, so the browser core cannot silently grow
 * a Node dependency; the metafile (dist/web/meta.json) lists every input for the test that checks it.
 *
 * onnxruntime-web stays a separate file (imported as ./ort.bundle.min.mjs): its WebAssembly
 * threads start workers from its own module's URL, which re-bundling would change.
 */
import { build } from "esbuild";
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
// Compiled by tsc before this script runs (npm run build, npm run build:web).
import { BROWSER_BUNDLE, nodeTwinPlugin } from "../dist/src/webpage/browserBundle.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "dist", "web");
/** onnxruntime-web's ESM bundle (its .mjs glue inside) and the WebAssembly it fetches (SIMD, threads, WebGPU). */
const ORT_FILES = ["ort.bundle.min.mjs", "ort-wasm-simd-threaded.jsep.wasm"];
const ORT_MODULE = `./${ORT_FILES[0]}`;

// The wasm file is an export of the package; its folder holds the rest.
const ortDist = dirname(createRequire(import.meta.url).resolve("onnxruntime-web/ort-wasm-simd-threaded.jsep.wasm"));

// Chunk names change with their contents: start empty so that no stale chunk is left beside the new ones.
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const result = await build({
  absWorkingDir: root,
  entryPoints: ["src/web/index.ts"],
  outdir: out,
  entryNames: "s3tokenizer-web",
  // Modules imported on first use (the Opus decoder's 4 MB of WebAssembly) become chunks of their own.
  splitting: true,
  chunkNames: "chunk-[hash]",
  ...BROWSER_BUNDLE,
  plugins: [
    nodeTwinPlugin,
    {
      name: "onnxruntime-web beside the bundle",
      setup(b) {
        b.onResolve({ filter: /^onnxruntime-web$/ }, () => ({ path: ORT_MODULE, external: true }));
      },
    },
  ],
});
for (const file of ORT_FILES) copyFileSync(join(ortDist, file), join(out, file));
writeFileSync(join(out, "meta.json"), JSON.stringify(result.metafile));
const sizes = Object.entries(result.metafile.outputs).filter(([name]) => name.endsWith(".js")).map(([name, o]) => `${name.split("/").pop()} ${o.bytes}`);
console.log(`dist/web: ${sizes.join(", ")} bytes; ${ORT_FILES.join(", ")} copied`);
