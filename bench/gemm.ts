/**
 * The machine's ceiling: onnxruntime's fp32 MatMul on the model's own shapes (1500 frames = one
 * 30 s window after conv2, by the attention and MLP weights), all cores. Each shape is a one-node
 * graph whose weight is an initializer, opened through a runtime backend with that backend's own
 * session settings: onnxruntime-node's (which prepacks the weight as it does the model's), or the
 * page's onnxruntime-web (bench/wasmGemm.ts), so the two ceilings are the kernels the two sides run.
 */
import { availableParallelism } from "node:os";
import { DataType, GraphBuilder } from "../src/onnx/builder.js";
import { float32Tensor } from "../src/onnx/tensor.js";
import { encodeModel } from "../src/onnx/write.js";
import type { OrtSession, OrtTensor, RuntimeBackend } from "../src/runtime/backend.js";
import { nodeBackend } from "../src/runtime/nodeBackend.js";
import { seededRandom } from "./random.js";
import { median } from "./stats.js";

export interface GemmShape {
  m: number;
  k: number;
  n: number;
}

export const GEMM_SHAPES: readonly GemmShape[] = [
  { m: 1500, k: 1280, n: 1280 }, // q/k/v/out projections
  { m: 1500, k: 1280, n: 5120 }, // MLP up
  { m: 1500, k: 5120, n: 1280 }, // MLP down
];
/** Timed runs per shape each time the probe is measured (after its warm-up). */
const RUNS_PER_MEASURE = 5;
const WARMUP_RUNS = 2;

export function shapeLabel(s: GemmShape): string {
  return `${s.m}x${s.k} * ${s.k}x${s.n}`;
}

function randomFloats(count: number, seed: number): Float32Array {
  const random = seededRandom(seed);
  return Float32Array.from({ length: count }, () => random.normal() * 0.05);
}

function matmulModel(shape: GemmShape, seed: number): Uint8Array {
  const g = new GraphBuilder();
  const a = g.input("a", DataType.FLOAT, [shape.m, shape.k]);
  const w = g.initializer("w", float32Tensor([shape.k, shape.n], randomFloats(shape.k * shape.n, seed)));
  g.output("y", g.node("MatMul", [a, w]), DataType.FLOAT, [shape.m, shape.n]);
  return encodeModel(g.build("gemm_probe"));
}

interface Probe {
  shape: GemmShape;
  session: OrtSession;
  /** [m, k] float32. */
  input: OrtTensor;
  /** Seconds of every timed run so far. */
  runs: number[];
}

export class GemmCeiling {
  private constructor(private readonly probes: Probe[]) {}

  /**
   * `threads`: onnxruntime-node's intra-op threads; a backend whose threads are set for the whole
   * runtime (onnxruntime-web's env.wasm.numThreads) ignores it.
   */
  static async open(threads = availableParallelism(), backend: RuntimeBackend = nodeBackend): Promise<GemmCeiling> {
    const probes: Probe[] = [];
    for (const [i, shape] of GEMM_SHAPES.entries()) {
      const session = await backend.openSession(matmulModel(shape, 100 + i), { intraOpThreads: threads }, `gemm ${shapeLabel(shape)}`);
      const input = new backend.ort.Tensor("float32", randomFloats(shape.m * shape.k, 200 + i), [shape.m, shape.k]);
      const probe = { shape, session, input, runs: [] };
      for (let r = 0; r < WARMUP_RUNS; r++) await runOnce(probe);
      probes.push(probe);
    }
    return new GemmCeiling(probes);
  }

  /** Several timed runs of every shape, added to what was measured before. */
  async measure(): Promise<void> {
    for (const probe of this.probes) {
      for (let r = 0; r < RUNS_PER_MEASURE; r++) probe.runs.push(await runOnce(probe));
    }
  }

  /** Per shape: GFLOP/s of the median and of the best run; `ceiling` is the best shape's median. */
  results(): { ceiling_gflops: number; shapes: { shape: string; median_gflops: number; best_gflops: number; runs: number }[] } {
    const shapes = this.probes.map((p) => {
      const flops = 2 * p.shape.m * p.shape.k * p.shape.n;
      return {
        shape: shapeLabel(p.shape),
        median_gflops: flops / median(p.runs) / 1e9,
        best_gflops: flops / Math.min(...p.runs) / 1e9,
        runs: p.runs.length,
      };
    });
    return { ceiling_gflops: Math.max(...shapes.map((s) => s.median_gflops)), shapes };
  }

  /** Forgets the runs measured so far (each version gets its own interleaved ceiling). */
  reset(): void {
    for (const probe of this.probes) probe.runs = [];
  }

  async dispose(): Promise<void> {
    for (const probe of this.probes) await probe.session.release();
  }
}

async function runOnce(probe: Probe): Promise<number> {
  const start = performance.now();
  const outputs = await probe.session.run({ a: probe.input });
  const seconds = (performance.now() - start) / 1000;
  for (const tensor of Object.values(outputs)) tensor.dispose();
  return seconds;
}
