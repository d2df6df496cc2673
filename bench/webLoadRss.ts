/**
 * Memory of loading a released-size S3 v2 model through the browser core (onnxruntime-web's
 * WebAssembly, in Node): the peak resident set of a fresh process from reading the file's bytes to
 * an open session and a first encode, as multiples of the file's size. The page's measure is the
 * tab's; this one shows what the loading path itself holds (the file's bytes, which the graph's
 * weights point into, and onnxruntime-web's heap, which never shrinks).
 *
 * onnxruntime-web is started first on a one-MatMul graph (its module, heap and threads: 86 MiB),
 * so the copies counted are the model's. Measured on a random-weight v2 of 472 MiB: 2.08 copies at
 * the load's peak (1.0 the file's bytes, 1.0 onnxruntime-web's heap holding the weights), 2.34 after
 * a 5 s encode (its activations: the heap never shrinks). With onnxruntime's pre-packed MatMul
 * weights, since turned off for the page (web/runtime.ts), the peak was 2.80 copies of the file.
 *
 *   node dist/bench/webLoadRss.js [released.onnx]   (default: a random-weight v2 of the released size, written to a temporary folder)
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { DataType, GraphBuilder } from "../src/onnx/builder.js";
import { float32Tensor } from "../src/onnx/tensor.js";
import { s3Family } from "../src/models/s3/family.js";
import { S3BatchedTokenizer } from "../src/models/s3/batchedTokenizer.js";
import { configureRuntime, webBackend } from "../src/web/runtime.js";
import { peakRss } from "./peakRss.js";

const MIB = 1024 * 1024;

/**
 * Starts onnxruntime-web (its WebAssembly module, heap and threads) on a one-MatMul graph, so that
 * what follows counts the model, not the runtime's fixed start-up.
 */
async function startRuntime(): Promise<void> {
  const g = new GraphBuilder();
  const x = g.input("x", DataType.FLOAT, [1, 2]);
  g.output("y", g.node("MatMul", [x, g.initializer("w", float32Tensor([2, 2], new Float32Array(4)))]), DataType.FLOAT, [1, 2]);
  const session = await webBackend.openGraph(g.build("start"), {}, "start-up");
  await session.run({ x: new webBackend.ort.Tensor("float32", new Float32Array(2), [1, 2]) });
  await session.release();
}

async function child(path: string): Promise<void> {
  configureRuntime({});
  const start = peakRss().mb;
  await startRuntime();
  const before = peakRss().mb;
  const model = await S3BatchedTokenizer.openReleasedBytes(() => readFileSync(path), path, webBackend, { streams: 1 });
  const loaded = peakRss().mb;
  await model.encode([new Float32Array(16000 * 5).map((_, i) => Math.sin(i / 10) * 0.1)]);
  const encoded = peakRss().mb;
  const current = Number(/^VmRSS:\s*(\d+)/m.exec(readFileSync("/proc/self/status", "utf8"))?.[1] ?? 0) / 1024;
  console.log(JSON.stringify({ start, before, loaded, encoded, current }));
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
    const m = JSON.parse(out.trim().split("\n").pop()!) as { start: number; before: number; loaded: number; encoded: number; current: number };
    const copies = (mb: number) => ((mb - m.before) / size).toFixed(2);
    console.log(`onnxruntime-web's start-up (module, heap, threads) ${(m.before - m.start).toFixed(0)} MiB, not counted below`);
    console.log(`model ${size.toFixed(0)} MiB; peak RSS over the started runtime: loaded ${(m.loaded - m.before).toFixed(0)} MiB (${copies(m.loaded)} copies), after a 5 s encode ${(m.encoded - m.before).toFixed(0)} MiB (${copies(m.encoded)} copies); held afterwards ${(m.current - m.before).toFixed(0)} MiB (${copies(m.current)} copies)`);
  } finally {
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  }
}

await main();
