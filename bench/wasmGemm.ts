/**
 * The page's MatMul ceiling: the same fp32 MatMul probes as bench/gemm.ts, run by onnxruntime-web's
 * WebAssembly build with the page's session settings (web/runtime.ts's backend) and the browser
 * column's thread count. It runs in Node: the .wasm is the one the page loads, and Node's V8
 * compiles it as Chromium's does; the page's own figure never exceeded onnxruntime-web's in Node on
 * the same files (6.22x against 6.66x real time, S3 v2, four workload files).
 *
 * Why the browser column wants it: the page's x real time can only come near Node's when the page's
 * MatMuls can. The ceiling over the model's GFLOP per audio second bounds the page's x real time
 * (every FLOP at the ceiling's rate), and that bound over Node's figure bounds browser/Node.
 */
import * as ortWeb from "onnxruntime-web";
import { webBackend } from "../src/web/runtime.js";
import { GemmCeiling } from "./gemm.js";

/**
 * The page's MatMul ceiling in GFLOP/s: the best run over the probes' shapes (two rounds of them),
 * with `threads` WebAssembly threads. The best run, not the median: this figure bounds the page's
 * speed from above, and a run slowed by other work on the machine must not lower the bound.
 * onnxruntime-web fixes its thread count when its first session is created, so this is the
 * process's only thread setting (the bench's Node side runs on onnxruntime-node, untouched here).
 */
export async function measureWasmGemmCeiling(threads: number): Promise<number> {
  ortWeb.env.wasm.numThreads = threads;
  const probes = await GemmCeiling.open(threads, webBackend);
  try {
    await probes.measure();
    await probes.measure();
    return Math.max(...probes.results().shapes.map((shape) => shape.best_gflops));
  } finally {
    await probes.dispose();
  }
}
