/**
 * Memory of loading a released-size S3 v2 model through the browser core (onnxruntime-web's
 * WebAssembly, in Node): the peak resident set of a fresh process from reading the file's bytes to
 * an open session and a first encode, as multiples of the file's size. The page's measure is the
 * tab's; this one shows what the loading path itself holds (the bytes handed over, the serialised
 * graph, onnxruntime-web's heap).
 *
 *   node dist/bench/webLoadRss.js [released.onnx]   (default: a random-weight v2 of the released size, written to a temporary folder)
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { s3Family } from "../src/models/s3/family.js";
import { S3BatchedTokenizer } from "../src/models/s3/batchedTokenizer.js";
import { configureRuntime, webBackend } from "../src/web/runtime.js";
import { peakRss } from "./peakRss.js";

const MIB = 1024 * 1024;

async function child(path: string): Promise<void> {
  configureRuntime({});
  const before = peakRss().mb;
  const model = await S3BatchedTokenizer.openReleasedBytes(() => readFileSync(path), path, webBackend, { streams: 1 });
  const loaded = peakRss().mb;
  await model.encode([new Float32Array(16000 * 5).map((_, i) => Math.sin(i / 10) * 0.1)]);
  const encoded = peakRss().mb;
  const current = Number(/^VmRSS:\s*(\d+)/m.exec(readFileSync("/proc/self/status", "utf8"))?.[1] ?? 0) / 1024;
  console.log(JSON.stringify({ before, loaded, encoded, current }));
  await model.dispose();
}

async function main(): Promise<void> {
  if (process.argv[2] === "--child") return child(process.argv[3]!);
  let path = process.argv[2];
  let scratch: string | undefined;
  if (path === undefined) {
    scratch = mkdtempSync(join(tmpdir(), "s3-web-rss-"));
    path = (await s3Family.writeRandomModel(scratch, { seed: 1, size: "released" }))["model.onnx"]!;
  }
  try {
    const size = statSync(path).size / MIB;
    const out = execFileSync(process.execPath, [fileURLToPath(import.meta.url), "--child", path], { encoding: "utf8" });
    const m = JSON.parse(out.trim().split("\n").pop()!) as { before: number; loaded: number; encoded: number; current: number };
    const copies = (mb: number) => ((mb - m.before) / size).toFixed(2);
    console.log(`model ${size.toFixed(0)} MiB; peak RSS over the start: loaded ${(m.loaded - m.before).toFixed(0)} MiB (${copies(m.loaded)} copies), after a 5 s encode ${(m.encoded - m.before).toFixed(0)} MiB (${copies(m.encoded)} copies); held afterwards ${(m.current - m.before).toFixed(0)} MiB (${copies(m.current)} copies)`);
  } finally {
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  }
}

await main();
