/**
 * The upstream side of the SpeechTokenizer benchmark: variants (ue) and (ud), upstream's encode
 * and decode at batch 1 in one Python process (upstreamProcess.ts), on the very files the
 * family's (a) and (d) load, so the two sides' codes can be compared.
 */
import { availableParallelism } from "node:os";
import type { ScpEntry } from "../src/audio/wavScp.js";
import type { ModelFiles } from "../src/family/types.js";
import type { Variant } from "./variants.js";
import { UpstreamSpeechTokenizer, type UpstreamPass, type UpstreamReady } from "./upstreamProcess.js";

export interface UpstreamSetup {
  /** The upstream checkout (--upstream-speechtokenizer). */
  dir: string;
  /** Python with torch (--python). */
  python: string;
}

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

/** The config and checkpoint among a released SpeechTokenizer model's files (config.json, *.pt). */
export function configAndCheckpoint(files: ModelFiles): { configPath: string; checkpointPath: string } {
  const names = Object.keys(files);
  const config = names.find((name) => name.endsWith(".json"));
  const checkpoint = names.find((name) => /\.(pt|pth|ckpt|bin)$/.test(name));
  if (!config || !checkpoint) throw new Error(`the SpeechTokenizer model's files lack a config or a checkpoint: ${names.join(", ")}`);
  return { configPath: files[config]!, checkpointPath: files[checkpoint]! };
}

/** Starts upstream, runs its untimed warm-up encode (which also yields its codes), and returns (ue) and (ud). */
export async function openUpstreamVariants(setup: UpstreamSetup, files: ModelFiles, entries: readonly ScpEntry[]): Promise<UpstreamVariants> {
  // The same threads as (a): onnxruntime's default is one per core.
  const threads = availableParallelism();
  const { runner, ready } = await UpstreamSpeechTokenizer.open(
    { python: setup.python, upstreamDir: setup.dir, ...configAndCheckpoint(files), files: entries.map((e) => e.path), threads },
    true,
  );
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
    return {
      variants: [timed("ue", () => runner.encode(), "encode_s"), timed("ud", () => runner.decode(), "decode_s")],
      ready,
      codes: warm.codes,
      peakRssMb: () => peak,
      threads,
      dispose: () => runner.dispose(),
    };
  } catch (error) {
    await runner.dispose();
    throw error;
  }
}
