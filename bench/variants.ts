/**
 * The timed variants of one version, each opened once (loading excluded from timing), warmed
 * up on one short utterance, then run by the round-robin in versionBench.ts. A variant that
 * fails to open or to run is reported and left out; the others go on.
 */
import { availableParallelism } from "node:os";
import { join } from "node:path";
import type { ScpEntry } from "../src/audio/wavScp.js";
import { ReleasedModelRunner } from "../src/models/s3/releasedRunner.js";
import type { RuntimeOptions } from "../src/runtime/session.js";
import type { TokenizerOptions } from "../src/s3Tokenizer.js";
import { CliExtraction } from "./extractRun.js";
import type { GemmCeiling } from "./gemm.js";
import { releasedOnce } from "./releasedRun.js";
import type { Utterance } from "./workload.js";

/** S3: a, fast, b1, b2, gemm; other families: a, d (decode), ue and ud (upstream encode, decode). */
export type VariantName = "a" | "fast" | "b1" | "b2" | "gemm" | "d" | "ue" | "ud";

export interface Variant {
  name: VariantName;
  /** One timed pass over the workload: seconds, and tokens per key where the variant makes any. */
  run(): Promise<{ seconds: number; tokens?: Map<string, number[]> }>;
  dispose(): Promise<void>;
}

export interface VariantInputs {
  modelPath: string;
  nMels: number;
  tokenRate: number;
  entries: readonly ScpEntry[];
  utterances: readonly Utterance[];
  /** The short utterance the warm-up runs use. */
  warmup: { entry: ScpEntry; utterance: Utterance };
  /** Part files of (a) go under here. */
  workDir: string;
  /** The device every variant runs on. */
  runtime: Pick<RuntimeOptions, "device" | "deviceId">;
}

/** (a) or its fast mode: the tokenizer loaded once, each run a full extraction like the CLI's. */
export async function openExtraction(name: "a" | "fast", inputs: VariantInputs, options: TokenizerOptions): Promise<Variant> {
  const extraction = await CliExtraction.open(inputs.modelPath, { ...inputs.runtime, ...options });
  const workDir = join(inputs.workDir, name);
  try {
    await extraction.run([inputs.warmup.entry], workDir);
  } catch (error) {
    await extraction.dispose();
    throw error;
  }
  return {
    name,
    run: () => extraction.run(inputs.entries, workDir),
    dispose: () => extraction.dispose(),
  };
}

/** (b1) with one onnxruntime thread, (b2) with all cores (on a GPU: the threads of its CPU side). */
export async function openReleased(name: "b1" | "b2", inputs: VariantInputs): Promise<Variant> {
  const threads = name === "b1" ? 1 : availableParallelism();
  const runner = await ReleasedModelRunner.open(inputs.modelPath, { ...inputs.runtime, intraOpThreads: threads });
  try {
    await releasedOnce(runner, [inputs.warmup.utterance], inputs.nMels, inputs.tokenRate);
  } catch (error) {
    await runner.dispose();
    throw error;
  }
  return {
    name,
    run: () => releasedOnce(runner, inputs.utterances, inputs.nMels, inputs.tokenRate),
    dispose: () => runner.dispose(),
  };
}

/** (c) in the same rotation, so the ceiling is measured under the same machine state. */
export function gemmVariant(gemm: GemmCeiling): Variant {
  return {
    name: "gemm",
    run: async () => {
      const start = performance.now();
      await gemm.measure();
      return { seconds: (performance.now() - start) / 1000 };
    },
    dispose: async () => undefined, // shared by every version; run.ts releases it
  };
}
