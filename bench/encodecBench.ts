/**
 * EnCodec measured (encodec_24khz, encodec_48khz; released sizes, random weights): (a) encode of
 * the workload at the release's rate and channels (encodecWorkload.ts) at the top bandwidth, (d)
 * decode of (a)'s codes, and with an upstream checkout (ue)/(ud), upstream PyTorch's encode and
 * decode at batch 1 on the same files, weights and threads (bench/upstream/encodec_run.py); all
 * interleaved round robin (versionBench.ts's runRounds), then the peak memory of (a) + (d) in a
 * child process with nothing else loaded. As familyBench.ts does for the registered families,
 * except that the model loads through the EnCodec family object (not registered yet) and its
 * input is audio at the model's rate, read before the clock starts on both sides.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { availableParallelism, loadavg } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { ModelFiles } from "../src/family/types.js";
import { RELEASE_24KHZ, RELEASE_48KHZ } from "../src/models/encodec/config.js";
import { loadEncodec } from "../src/models/encodec/loadFiles.js";
import type { EncodecCodes, EncodecModel } from "../src/models/encodec/model.js";
import { childFailure, runChild } from "./children.js";
import { encodecEntries, ensureEncodecWorkload, readEncodecAudio, type EncodecWorkload } from "./encodecWorkload.js";
import { decodeAll, encodeAll } from "./encodecRun.js";
import type { EncodecKey } from "./familyModels.js";
import { missRatePct, ratio, variantTiming, type FamilyResult } from "./results.js";
import { openUpstreamVariants, type UpstreamVariants } from "./upstreamVariants.js";
import type { Variant } from "./variants.js";
import { runRounds } from "./versionBench.js";
import type { Workload } from "./workload.js";
import type { ScpEntry } from "../src/audio/wavScp.js";
import { flatRows } from "./familyRun.js";

export interface EncodecContext {
  model: { dir: string; files: ModelFiles };
  workload: Workload;
  entries: readonly ScpEntry[];
  repeats: number;
  /** A facebookresearch/encodec checkout and the Python that runs it; null leaves (u) out. */
  upstream: { dir: string; python: string } | null;
  workDir: string;
  log: (line: string) => void;
}

const RELEASE_OF = { encodec_24khz: RELEASE_24KHZ, encodec_48khz: RELEASE_48KHZ } as const;

/**
 * The utterances measured: with --quick every other one of the quick set (9 of 17, 104 s of 240,
 * 3.6-17.9 s each; upstream's 48 kHz model runs near real time on a 2-core machine, so the whole
 * quick set took 25 minutes there), else all of them.
 */
export function encodecEntriesOf(workload: Workload, entries: readonly ScpEntry[]): readonly ScpEntry[] {
  return workload.spec.name === "quick" ? entries.filter((_, i) => i % 2 === 0) : entries;
}
const CHILD_TIMEOUT_MS = 60 * 60_000;

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** key → flat row-major codes, (a)'s and upstream's common form. */
function tokensOf(keys: readonly string[], codes: readonly EncodecCodes[]): Map<string, number[]> {
  return new Map(keys.map((key, i) => [key, Array.from(codes[i]!.data)]));
}

/** (a) and (d) on one loaded model; an untimed warm-up encode gives (d) its codes at once. */
async function ownVariants(model: EncodecModel, keys: readonly string[], inputs: readonly Float32Array[]) {
  let latest = (await encodeAll(model, inputs)).codes;
  const codes = tokensOf(keys, latest);
  const shortest = latest.reduce((best, c) => (c.frames < best.frames ? c : best), latest[0]!);
  await decodeAll(model, [shortest]); // (d)'s warm-up
  const a: Variant = {
    name: "a",
    run: async () => {
      const outcome = await encodeAll(model, inputs);
      latest = outcome.codes;
      return { seconds: outcome.seconds, tokens: tokensOf(keys, outcome.codes) };
    },
    dispose: async () => undefined,
  };
  const d: Variant = { name: "d", run: async () => ({ seconds: await decodeAll(model, latest) }), dispose: async () => undefined };
  return { variants: [a, d], codes };
}

async function childPeakRss(ctx: EncodecContext, audio: EncodecWorkload) {
  mkdirSync(ctx.workDir, { recursive: true });
  const list = join(ctx.workDir, "child.list");
  writeFileSync(list, audio.utterances.map((u) => u.path).join("\n") + "\n");
  const script = fileURLToPath(new URL("./childEncodec.js", import.meta.url));
  const result = await runChild(process.execPath, [script, "--model", ctx.model.dir, "--list", list], { timeoutMs: CHILD_TIMEOUT_MS });
  const failure = childFailure("the peak-memory child", result);
  if (failure) throw new Error(failure);
  return JSON.parse(result.stdout.trim().split("\n").pop() ?? "") as { peak_rss_mb: number; encode_s: number; decode_s: number };
}

export async function benchEncodec(key: EncodecKey, ctx: EncodecContext): Promise<FamilyResult> {
  const errors: Record<string, string> = {};
  const release = RELEASE_OF[key];
  const input = { rate: release.sampleRate, channels: release.audioChannels };
  const audio = await ensureEncodecWorkload(ctx.workload, encodecEntriesOf(ctx.workload, ctx.entries), input, ctx.log);
  const keys = audio.utterances.map((u) => u.key);
  const inputs = audio.utterances.map((u) => readEncodecAudio(u.path)); // [C, L] each
  ctx.log(`${key}: loading ${ctx.model.dir} through the EnCodec family; warm-up passes`);
  const loadBefore = loadavg()[0]!;
  const variants: Variant[] = [];
  let model: EncodecModel | null = null;
  let ownCodes: Map<string, number[]> | null = null;
  let upstream: UpstreamVariants | null = null;
  let rounds: Awaited<ReturnType<typeof runRounds>> | null = null;
  try {
    try {
      model = await loadEncodec(ctx.model.files, ctx.model.dir);
      const own = await ownVariants(model, keys, inputs);
      variants.push(...own.variants);
      ownCodes = own.codes;
    } catch (error) {
      errors["a"] = `open: ${message(error)}`;
    }
    if (ctx.upstream) {
      try {
        const checkpoint = Object.values(ctx.model.files).find((p) => p.endsWith(".th"))!;
        const command = { script: "encodec_run.py", args: ["--upstream", ctx.upstream.dir, "--release", key, "--ckpt", checkpoint] };
        upstream = await openUpstreamVariants(ctx.upstream.python, command, true, encodecEntries(audio.utterances), { key, log: ctx.log });
        variants.push(...upstream.variants);
      } catch (error) {
        errors["u"] = `open: ${message(error)}`;
      }
    }
    rounds = await runRounds(key, variants, { repeats: ctx.repeats, workload: { ...ctx.workload, audioSeconds: audio.audioSeconds }, log: ctx.log }, errors);
  } finally {
    await model?.dispose().catch((error) => (errors["a_dispose"] = message(error)));
    await upstream?.dispose().catch((error) => (errors["u_dispose"] = message(error)));
  }
  const loadAfter = loadavg()[0]!;

  let child: Awaited<ReturnType<typeof childPeakRss>> | null = null;
  if (model) {
    try {
      ctx.log(`  ${key}: peak memory of (a) + (d) in a child process`);
      child = await childPeakRss(ctx, audio);
    } catch (error) {
      errors["peak_rss"] = message(error);
    }
  }
  const timing = (name: "a" | "d" | "ue" | "ud") => variantTiming(rounds?.times.get(name) ?? [], audio.audioSeconds);
  const timings = { a: timing("a"), d: timing("d"), ue: timing("ue"), ud: timing("ud") };
  const xrt = (name: keyof typeof timings) => timings[name]?.xrt_median ?? null;
  const upstreamCodes = upstream ? flatRows(upstream.codes) : null;
  return {
    a_xrt: xrt("a"),
    d_xrt: xrt("d"),
    u_encode_xrt: xrt("ue"),
    u_decode_xrt: xrt("ud"),
    u_xrt: null,
    fast_xrt: null,
    a_over_u: ratio(xrt("a"), xrt("ue")),
    fast_over_u: null,
    fast_vs_exact_fixtures_equal_pct: null,
    d_over_u: ratio(xrt("d"), xrt("ud")),
    peak_rss_mb: child?.peak_rss_mb ?? null,
    first_token_s: null,
    u_peak_rss_mb: upstream?.peakRssMb() ?? null,
    a_vs_u_codes_equal_pct: ownCodes && upstreamCodes ? 100 - missRatePct(upstreamCodes, ownCodes) : null,
    fast_vs_a_codes_equal_pct: null,
    fast_fixtures: null,
    threads: upstream?.threads ?? availableParallelism(),
    u_torch: upstream
      ? { version: upstream.ready.torch, matmul_gflops: upstream.ready.matmul_gflops, slow_blas: upstream.ready.slow_blas, openblas_core: upstream.ready.openblas_core }
      : null,
    audio_seconds: audio.audioSeconds,
    timings,
    child_seconds: child ? { encode: child.encode_s, decode: child.decode_s } : null,
    first_token: null,
    load_average_1m: [loadBefore, loadAfter],
    errors,
  };
}
