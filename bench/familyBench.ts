/**
 * Another tokenizer family, measured (SpeechTokenizer, FunCodec, RepCodec over Whisper and over
 * HuBERT): (a) encode, files to codes through the CLI's path (`load(path)`, or the model's library
 * call where the CLI does not load it yet; then extractTokens with the CLI's defaults, part file),
 * (d) decode of (a)'s codes where the family decodes, and with an upstream checkout (ue)/(ud),
 * upstream PyTorch's encode and decode at batch 1 on the same threads (upstreamAdapters.ts says
 * how, per family); all interleaved round robin (versionBench.ts's
 * runRounds), then the peak memory of (a) + (d) in a child process with nothing else loaded, and
 * the CLI's start-up to its first tokens on the model's folder, as for the S3 versions.
 */
import { availableParallelism, loadavg } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { ScpEntry } from "../src/audio/wavScp.js";
import type { Codes, ModelFiles, TokenizerModel } from "../src/family/types.js";
import type { RuntimeOptions } from "../src/runtime/session.js";
import { childFailure, runChild } from "./children.js";
import { fixtureFastAgreement, type FastAgreement } from "./fastAgreement.js";
import { measureFirstToken, type FirstTokenResult } from "./firstToken.js";
import { cliLoads, hasFastMode, openFamilyModel, type FamilyKey } from "./familyModels.js";
import { CliExtraction } from "./extractRun.js";
import { codesFromTokens, decodeCodes, flatRows } from "./familyRun.js";
import { missRatePct, ratio, variantTiming, type FamilyResult } from "./results.js";
import type { UpstreamAdapter } from "./upstreamAdapters.js";
import { openUpstreamVariants, type UpstreamVariants } from "./upstreamVariants.js";
import type { Variant } from "./variants.js";
import { runRounds } from "./versionBench.js";
import type { Workload } from "./workload.js";

export interface FamilyContext {
  model: { dir: string; files: ModelFiles };
  workload: Workload;
  entries: readonly ScpEntry[];
  repeats: number;
  runtime: Pick<RuntimeOptions, "device" | "deviceId">;
  deviceFlag: string;
  /** The family's upstream and the Python that runs it, when its checkout(s) were given. */
  upstream: { adapter: UpstreamAdapter; python: string } | null;
  /** Scratch space for (a)'s part files. */
  workDir: string;
  /** The CLI, for the start-up to the first token. */
  cliPath: string;
  log: (line: string) => void;
}

const CHILD_TIMEOUT_MS = 60 * 60_000;

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Variant `name`: a full extraction of the workload per timed run; an untimed warm-up pass gives
 * its codes at once. `onRun` sees each timed run's tokens. The extraction is disposed by its opener.
 */
async function extractionVariant(
  name: "a" | "fast",
  extraction: CliExtraction<TokenizerModel>,
  entries: readonly ScpEntry[],
  workDir: string,
  onRun: (tokens: Map<string, number[]>) => void = () => undefined,
): Promise<{ variant: Variant; codes: Map<string, number[]> }> {
  const warm = await extraction.run(entries, workDir);
  const variant: Variant = {
    name,
    run: async () => {
      const outcome = await extraction.run(entries, workDir);
      onRun(outcome.tokens);
      return { seconds: outcome.seconds, tokens: outcome.tokens };
    },
    dispose: async () => undefined,
  };
  return { variant, codes: warm.tokens };
}

/** (a), and (d) where the model decodes, on one loaded model; (a)'s untimed warm-up pass gives (d) its codes at once. */
async function openOwnVariants(extraction: CliExtraction<TokenizerModel>, entries: readonly ScpEntry[], workDir: string) {
  const model = extraction.tokenizer;
  let latest: Codes[] = [];
  const a = await extractionVariant("a", extraction, entries, workDir, (tokens) => (latest = codesFromTokens(tokens, model.codebooks)));
  latest = codesFromTokens(a.codes, model.codebooks);
  // (d)'s warm-up: the shortest utterance's codes, enough to initialise its sessions.
  const shortest = latest.reduce((best, c) => (c.frames < best.frames ? c : best), latest[0]!);
  if (model.decode) await decodeCodes(model, [shortest]);
  const d: Variant = { name: "d", run: async () => ({ seconds: await decodeCodes(model, latest) }), dispose: async () => undefined };
  return { variants: model.decode ? [a.variant, d] : [a.variant], codes: a.codes };
}

async function childPeakRss(key: FamilyKey, ctx: FamilyContext): Promise<{ peak_rss_mb: number; encode_s: number; decode_s: number }> {
  const script = fileURLToPath(new URL("./childFamily.js", import.meta.url));
  const args = [script, "--key", key, "--model", ctx.model.dir, "--wav_scp", ctx.workload.scp, "--work", join(ctx.workDir, "child"), "--device", ctx.deviceFlag];
  const result = await runChild(process.execPath, args, { timeoutMs: CHILD_TIMEOUT_MS });
  const failure = childFailure("the peak-memory child", result);
  if (failure) throw new Error(failure);
  return JSON.parse(result.stdout.trim().split("\n").pop() ?? "") as { peak_rss_mb: number; encode_s: number; decode_s: number };
}

export async function benchFamily(key: FamilyKey, ctx: FamilyContext): Promise<FamilyResult> {
  const errors: Record<string, string> = {};
  const audio = ctx.workload.audioSeconds;
  const how = cliLoads(key) ? "through the family interface" : "by its library call (the CLI does not load it yet)";
  ctx.log(`${key}: loading ${ctx.model.dir} ${how}; warm-up passes`);
  const loadBefore = loadavg()[0]!;
  const variants: Variant[] = [];
  let extraction: CliExtraction<TokenizerModel> | null = null;
  let ownCodes: Map<string, number[]> | null = null;
  let fastExtraction: CliExtraction<TokenizerModel> | null = null;
  let fastCodes: Map<string, number[]> | null = null;
  let upstream: UpstreamVariants | null = null;
  let rounds: Awaited<ReturnType<typeof runRounds>> | null = null;
  try {
    try {
      extraction = await CliExtraction.openModel(() => openFamilyModel(key, ctx.model, { ...ctx.runtime }), ctx.runtime.device);
      const own = await openOwnVariants(extraction, ctx.entries, join(ctx.workDir, "a"));
      variants.push(...own.variants);
      ownCodes = own.codes;
    } catch (error) {
      errors["a"] = `open: ${message(error)}`;
    }
    if (hasFastMode(key)) {
      try {
        // The opt-in fast mode: the same path and files, its own loaded model beside (a)'s.
        fastExtraction = await CliExtraction.openModel(() => openFamilyModel(key, ctx.model, { ...ctx.runtime, mode: "fast" }), ctx.runtime.device);
        const fast = await extractionVariant("fast", fastExtraction, ctx.entries, join(ctx.workDir, "fast"));
        variants.push(fast.variant);
        fastCodes = fast.codes;
      } catch (error) {
        errors["fast"] = `open: ${message(error)}`;
      }
    }
    if (ctx.upstream) {
      try {
        const command = ctx.upstream.adapter.command(ctx.model.files);
        upstream = await openUpstreamVariants(ctx.upstream.python, command, ctx.upstream.adapter.decodes, ctx.entries, { key, log: ctx.log });
        variants.push(...upstream.variants);
      } catch (error) {
        errors["u"] = `open: ${message(error)}`;
      }
    }
    rounds = await runRounds(key, variants, ctx, errors);
  } finally {
    await extraction?.dispose().catch((error) => (errors["a_dispose"] = message(error)));
    await fastExtraction?.dispose().catch((error) => (errors["fast_dispose"] = message(error)));
    await upstream?.dispose().catch((error) => (errors["u_dispose"] = message(error)));
  }
  const loadAfter = loadavg()[0]!;

  let fixtureAgreement: FastAgreement | null = null;
  if (fastExtraction) {
    try {
      ctx.log(`  ${key}: fast mode against exact mode on the family's fixtures`);
      fixtureAgreement = await fixtureFastAgreement(key);
      if (fixtureAgreement === null) errors["fast_fixtures"] = "the family's fixtures (../shared/fixtures) were not found";
    } catch (error) {
      errors["fast_fixtures"] = message(error);
    }
  }

  let child: Awaited<ReturnType<typeof childPeakRss>> | null = null;
  if (extraction) {
    try {
      ctx.log(`  ${key}: peak memory of (a) + (d) in a child process`);
      child = await childPeakRss(key, ctx);
    } catch (error) {
      errors["peak_rss"] = message(error);
    }
  }
  let firstToken: FirstTokenResult | null = null;
  if (!cliLoads(key)) {
    ctx.log(`  ${key}: no start-up figure: the CLI does not load this model yet (the benchmark opens it by its library call)`);
  } else {
    try {
      ctx.log(`  ${key}: start-up to first token (CLI, 1 + ${ctx.repeats} runs)`);
      firstToken = await measureFirstToken(ctx.cliPath, ctx.workload.firstTokenScp, ctx.model.dir, ctx.repeats, ctx.deviceFlag);
    } catch (error) {
      errors["first_token"] = message(error);
    }
  }
  const timing = (name: "a" | "fast" | "d" | "ue" | "ud") => variantTiming(rounds?.times.get(name) ?? [], audio);
  const timings = { a: timing("a"), fast: timing("fast"), d: timing("d"), ue: timing("ue"), ud: timing("ud") };
  const xrt = (name: keyof typeof timings) => timings[name]?.xrt_median ?? null;
  const upstreamCodes = upstream ? flatRows(upstream.codes) : null;
  return {
    a_xrt: xrt("a"),
    d_xrt: xrt("d"),
    u_encode_xrt: xrt("ue"),
    u_decode_xrt: xrt("ud"),
    u_xrt: ctx.upstream?.adapter.decodes === false ? xrt("ue") : null,
    fast_xrt: xrt("fast"),
    a_over_u: ratio(xrt("a"), xrt("ue")),
    fast_over_u: ratio(xrt("fast"), xrt("ue")),
    fast_vs_exact_fixtures_equal_pct: fixtureAgreement?.equal_pct ?? null,
    d_over_u: ratio(xrt("d"), xrt("ud")),
    peak_rss_mb: child?.peak_rss_mb ?? null,
    first_token_s: firstToken?.first_token_s ?? null,
    u_peak_rss_mb: upstream?.peakRssMb() ?? null,
    a_vs_u_codes_equal_pct: ownCodes && upstreamCodes ? 100 - missRatePct(upstreamCodes, ownCodes) : null,
    fast_vs_a_codes_equal_pct: ownCodes && fastCodes ? 100 - missRatePct(ownCodes, fastCodes) : null,
    fast_fixtures: fixtureAgreement,
    threads: upstream?.threads ?? availableParallelism(),
    u_torch: upstream
      ? { version: upstream.ready.torch, matmul_gflops: upstream.ready.matmul_gflops, slow_blas: upstream.ready.slow_blas, openblas_core: upstream.ready.openblas_core }
      : null,
    audio_seconds: audio,
    timings,
    child_seconds: child ? { encode: child.encode_s, decode: child.decode_s } : null,
    first_token: firstToken,
    load_average_1m: [loadBefore, loadAfter],
    errors,
  };
}
