/**
 * One version, measured: its variants opened, run round-robin (the starting variant rotating
 * with each repeat, so machine drift and cache state hit every variant alike), released; then
 * its peak memory and start-up latency in child processes, with nothing else loaded.
 */
import { availableParallelism, loadavg } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { ScpEntry } from "../src/audio/wavScp.js";
import type { RuntimeOptions } from "../src/runtime/session.js";
import { FULL_SIZE } from "../src/models/s3/randomWeights.js";
import type { VersionKey } from "./benchModels.js";
import { childFailure, runChild } from "./children.js";
import { measureFirstToken } from "./firstToken.js";
import { workloadFlops } from "./flops.js";
import type { GemmCeiling } from "./gemm.js";
import { gemmStability, missRatePct, ratio, variantTiming, type VersionResult } from "./results.js";
import { gemmVariant, openExtraction, openReleased, type Variant, type VariantInputs, type VariantName } from "./variants.js";
import type { Workload } from "./workload.js";

export interface VersionContext {
  modelPath: string;
  workload: Workload;
  entries: readonly ScpEntry[];
  repeats: number;
  gemm: GemmCeiling | null;
  /** Scratch space for part files (a temporary directory). */
  workDir: string;
  cliPath: string;
  /** Where the variants run, and the device as the CLI takes it. */
  runtime: Pick<RuntimeOptions, "device" | "deviceId">;
  deviceFlag: string;
  log: (line: string) => void;
}

const CHILD_A_TIMEOUT_MS = 60 * 60_000;

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function openVariants(key: VersionKey, ctx: VersionContext, errors: Record<string, string>): Promise<Variant[]> {
  const shape = FULL_SIZE[key];
  const first = ctx.workload.utterances[0]!;
  const inputs: VariantInputs = {
    modelPath: ctx.modelPath,
    nMels: shape.nMels,
    tokenRate: 100 / (shape.conv1Stride * 2),
    entries: ctx.entries,
    utterances: ctx.workload.utterances,
    // The shortest utterance: enough to initialise every session, cheap for all variants.
    warmup: (() => {
      const shortest = ctx.workload.utterances.reduce((best, u) => (u.samples < best.samples ? u : best), first);
      return { utterance: shortest, entry: ctx.entries.find((e) => e.key === shortest.key)! };
    })(),
    workDir: join(ctx.workDir, key),
    runtime: ctx.runtime,
  };
  const openers: [VariantName, () => Promise<Variant>][] = [
    ["a", () => openExtraction("a", inputs, {})],
    // The int8 fast mode: same path, its own converted graph; its tokens are compared with (a)'s.
    ["fast", () => openExtraction("fast", inputs, { mode: "fast" })],
    ["b1", () => openReleased("b1", inputs)],
    ["b2", () => openReleased("b2", inputs)],
  ];
  const variants: Variant[] = [];
  for (const [name, open] of openers) {
    try {
      variants.push(await open());
    } catch (error) {
      errors[name] = `open: ${message(error)}`;
      ctx.log(`  ${key} ${name}: cannot open: ${message(error)}`);
    }
  }
  if (ctx.gemm) {
    ctx.gemm.reset();
    variants.push(gemmVariant(ctx.gemm));
  }
  return variants;
}

/**
 * Repeats × variants, round-robin (also the other families' rounds, familyBench.ts). Returns
 * every variant's run times and its latest tokens.
 */
export async function runRounds(key: string, variants: Variant[], ctx: Pick<VersionContext, "repeats" | "workload" | "log">, errors: Record<string, string>) {
  const times = new Map<VariantName, number[]>(variants.map((v) => [v.name, []]));
  const tokens = new Map<VariantName, Map<string, number[]>>();
  const broken = new Set<VariantName>();
  for (let repeat = 0; repeat < ctx.repeats; repeat++) {
    const active = variants.filter((v) => !broken.has(v.name));
    const order = active.map((_, i) => active[(i + repeat) % active.length]!);
    const line: string[] = [];
    for (const variant of order) {
      try {
        const outcome = await variant.run();
        times.get(variant.name)!.push(outcome.seconds);
        if (outcome.tokens) tokens.set(variant.name, outcome.tokens);
        const xrt = variant.name === "gemm" ? "" : ` (${(ctx.workload.audioSeconds / outcome.seconds).toFixed(1)}x)`;
        line.push(`${variant.name} ${outcome.seconds.toFixed(2)} s${xrt}`);
      } catch (error) {
        broken.add(variant.name);
        errors[variant.name] = `run ${repeat + 1}: ${message(error)}`;
        line.push(`${variant.name} FAILED`);
      }
    }
    ctx.log(`  ${key} repeat ${repeat + 1}/${ctx.repeats}: ${line.join(", ")}`);
  }
  return { times, tokens };
}

async function peakRss(ctx: VersionContext, key: VersionKey): Promise<{ peak_rss_mb: number; seconds: number }> {
  const script = fileURLToPath(new URL("./childA.js", import.meta.url));
  const args = [script, "--model", ctx.modelPath, "--wav_scp", ctx.workload.scp, "--work", join(ctx.workDir, key, "child"), "--device", ctx.deviceFlag];
  const result = await runChild(process.execPath, args, { timeoutMs: CHILD_A_TIMEOUT_MS });
  const failure = childFailure("the peak-memory child", result);
  if (failure) throw new Error(failure);
  const last = result.stdout.trim().split("\n").pop() ?? "";
  return JSON.parse(last) as { peak_rss_mb: number; seconds: number };
}

export async function benchVersion(key: VersionKey, ctx: VersionContext): Promise<VersionResult> {
  const errors: Record<string, string> = {};
  const audio = ctx.workload.audioSeconds;
  const flops = workloadFlops(FULL_SIZE[key], ctx.workload.melFrames);

  ctx.log(`${key}: opening variants (${availableParallelism()} cores)`);
  const loadBefore = loadavg()[0]!;
  const variants = await openVariants(key, ctx, errors);
  let rounds: Awaited<ReturnType<typeof runRounds>>;
  try {
    rounds = await runRounds(key, variants, ctx, errors);
  } finally {
    for (const variant of variants) await variant.dispose().catch((error) => (errors[`${variant.name}_dispose`] = message(error)));
  }
  const loadAfter = loadavg()[0]!;
  const timing = (name: "a" | "fast" | "b1" | "b2") => variantTiming(rounds.times.get(name) ?? [], audio);
  const timings = { a: timing("a"), fast: timing("fast"), b1: timing("b1"), b2: timing("b2") };
  const gemm = ctx.gemm && (rounds.times.get("gemm")?.length ?? 0) > 0 ? ctx.gemm.results() : null;

  let child: { peak_rss_mb: number; seconds: number } | null = null;
  try {
    ctx.log(`  ${key}: peak memory of (a) in a child process`);
    child = await peakRss(ctx, key);
  } catch (error) {
    errors["peak_rss"] = message(error);
  }
  let firstToken = null;
  try {
    ctx.log(`  ${key}: start-up to first token (CLI, 1 + ${ctx.repeats} runs)`);
    firstToken = await measureFirstToken(ctx.cliPath, ctx.workload.firstTokenScp, ctx.modelPath, ctx.repeats, ctx.deviceFlag);
  } catch (error) {
    errors["first_token"] = message(error);
  }

  const exact = rounds.tokens.get("a");
  const fastTokens = rounds.tokens.get("fast");
  const b1Tokens = rounds.tokens.get("b1");
  const aGflops = timings.a ? flops.total / timings.a.median_s / 1e9 : null;
  return {
    a_xrt: timings.a?.xrt_median ?? null,
    b1_xrt: timings.b1?.xrt_median ?? null,
    b2_xrt: timings.b2?.xrt_median ?? null,
    a_over_b1: ratio(timings.a?.xrt_median, timings.b1?.xrt_median),
    a_over_b2: ratio(timings.a?.xrt_median, timings.b2?.xrt_median),
    a_gflops: aGflops,
    gemm_gflops: gemm?.ceiling_gflops ?? null,
    a_share_of_ceiling: ratio(aGflops, gemm?.ceiling_gflops),
    peak_rss_mb: child?.peak_rss_mb ?? null,
    first_token_s: firstToken?.first_token_s ?? null,
    fast_xrt: timings.fast?.xrt_median ?? null,
    fast_miss_rate_pct: exact && fastTokens ? missRatePct(exact, fastTokens) : null,
    audio_seconds: audio,
    flops,
    timings,
    gemm,
    a_vs_b1_miss_rate_pct: exact && b1Tokens ? missRatePct(b1Tokens, exact) : null,
    first_token: firstToken,
    child_a_seconds: child?.seconds ?? null,
    gemm_median_over_best: gemmStability(gemm),
    load_average_1m: [loadBefore, loadAfter],
    errors,
  };
}
