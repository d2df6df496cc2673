/**
 * The upstream side of a family's benchmark: variants (ue) and, where the family decodes, (ud):
 * upstream's encode and decode at batch 1 in one Python process (upstreamProcess.ts), on the very
 * files the family's (a) and (d) load, so the two sides' codes can be compared. Which runner and
 * flags each family takes is upstreamAdapters.ts's.
 */
import { availableParallelism } from "node:os";
import type { ScpEntry } from "../src/audio/wavScp.js";
import type { Variant } from "./variants.js";
import { UpstreamRunner, type RunnerCommand, type UpstreamPass, type UpstreamReady } from "./upstreamProcess.js";

export interface UpstreamVariants {
  variants: Variant[];
  ready: UpstreamReady;
  /** Upstream's codes of every utterance, from the untimed warm-up encode: key → rows of frames. */
  codes: Record<string, number[][]>;
  /** The process's peak RSS so far (MB), updated by every pass. */
  peakRssMb: () => number | null;
  threads: number;
  dispose(): Promise<void>;
}

/**
 * Starts upstream, runs its untimed warm-up encode (which also yields its codes), and returns (ue)
 * and, when `decodes`, (ud). Says so in the log under `key`, and warns when upstream's BLAS is slow.
 */
export async function openUpstreamVariants(
  python: string,
  command: RunnerCommand,
  decodes: boolean,
  entries: readonly ScpEntry[],
  report: { key: string; log: (line: string) => void },
): Promise<UpstreamVariants> {
  report.log(`  ${report.key}: starting upstream (${python} ${command.script}); its warm-up encodes the whole workload once`);
  // The same threads as (a): onnxruntime's default is one per core.
  const threads = availableParallelism();
  const { runner, ready } = await UpstreamRunner.open({ python, ...command, files: entries.map((e) => e.path), threads }, true);
  let peak: number | null = null;
  const track = (pass: UpstreamPass) => ((peak = pass.peak_rss_mb), pass);
  try {
    const warm = track(await runner.encode());
    if (!warm.codes) throw new Error("the upstream runner's first encode carried no codes");
    const timed = (name: "ue" | "ud", stage: () => Promise<UpstreamPass>, field: "encode_s" | "decode_s"): Variant => ({
      name,
      run: async () => ({ seconds: track(await stage())[field]! }),
      dispose: async () => undefined, // the process is shared by both; dispose() below ends it
    });
    const variants = [timed("ue", () => runner.encode(), "encode_s")];
    if (decodes) variants.push(timed("ud", () => runner.decode(), "decode_s"));
    if (ready.slow_blas) {
      report.log(`  ${report.key}: WARNING: upstream's torch does a 1024x1024 fp32 matmul at ${ready.matmul_gflops.toFixed(1)} GFLOP/s ` +
        `on ${ready.threads} threads: a slow BLAS (see docs/benchmark.md); its figures are not representative`);
    }
    return { variants, ready, codes: warm.codes, peakRssMb: () => peak, threads, dispose: () => runner.dispose() };
  } catch (error) {
    await runner.dispose();
    throw error;
  }
}
