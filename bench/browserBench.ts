/**
 * The browser column: a model measured in headless Chromium through the page itself (the page's
 * static server, cross-origin isolated, onnxruntime-web on WebAssembly with BROWSER_THREADS
 * threads), beside the Node CPU figure (a) of the same run. One browser, one profile, so the
 * second visit finds the model in the page's cache:
 *   1. first visit: the model loaded by URL from the server (download, sha256, store, build);
 *      the 2 s first-token utterance as warm-up; then ONE timed pass over the workload's files,
 *      given to the page's file picker (decode, resample, tokenize, one file at a time, as the
 *      page works). x real time = audio seconds / the pass's wall time. A model with a fast mode
 *      (S3) is then loaded again in it (int8 products; from the page's cache) for a second timed
 *      pass, set beside Node's fast figure: the like-for-like ratio of the int8 kernels.
 *   2. second visit: the 2 s utterance queued, then the model loaded again: the time from the
 *      load to its first token on screen is the time to first token on a cached model.
 * The page's download size is what the server sent it that is not a model (HTML, CSS, JS, wasm),
 * each file counted once.
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { extname, join } from "node:path";
import type { Browser, Page } from "puppeteer-core";
import { findChromium, launchChromium, loadModelByUrls, openPage, servePage, tokenizeFiles, type CardResult } from "../src/webpage/pageDriver.js";
import { ratio } from "./results.js";
import type { Workload } from "./workload.js";

/** Threads of onnxruntime-web's WebAssembly backend in the page (the target: 2). */
export const BROWSER_THREADS = 2;
/** The models that get a browser column. */
export const BROWSER_KEYS = ["v2", "speechtokenizer"] as const;
const PASS_TIMEOUT_MS = 90 * 60_000;
const LOAD_TIMEOUT_MS = 20 * 60_000;

export interface BrowserResult {
  /** Audio seconds / wall seconds of the timed pass (files → tokens in the page). */
  xrt: number | null;
  /** The same run's Node CPU (a) x real time, and xrt over it (target ≥ 0.40 for S3 v2). */
  node_xrt: number | null;
  over_node: number | null;
  threads: number;
  cross_origin_isolated: boolean | null;
  chromium: string | null;
  pass_s: number | null;
  /** The fast mode's pass (models that have one, else null), and the same run's Node fast figure. */
  fast_xrt: number | null;
  node_fast_xrt: number | null;
  fast_over_node: number | null;
  /** Sums over the pass's files of the page's own timings: decode + resample, and tokenize. */
  decode_s: number | null;
  tokenize_s: number | null;
  /** What the page downloaded besides models (first visit): JS, wasm, and the rest (HTML, CSS). */
  download_bytes: { js: number; wasm: number; other: number } | null;
  model_bytes: number;
  /** Model load on the first visit (download, verify, store, build) and on the second (cached). */
  first_load_s: number | null;
  cached_load_s: number | null;
  /** Model bytes the server sent during the second visit (0 when the page's cache held it). */
  cached_load_downloaded_bytes: number | null;
  /** Second visit: from the model load's start to the first token on screen (2 s utterance). */
  first_token_cached_s: number | null;
  /** Second visit: navigation to the page's script ready. */
  page_start_s: number | null;
  /**
   * What bounds xrt (S3 only: its MatMul shapes and FLOP count), in GFLOP/s: onnxruntime-web's fp32
   * MatMul ceiling at `threads` threads (bench/wasmGemm.ts: its best run) beside the same run's
   * onnxruntime-node ceiling (bench/gemm.ts: the median its (c) column reports); the model's GFLOP
   * per audio second (bench/flops.ts); xrt_bound = the page's x real time if every FLOP ran at its
   * ceiling; bound_over_node = xrt_bound / node_xrt, the most that over_node could be.
   */
  wasm_gemm_gflops: number | null;
  node_gemm_gflops: number | null;
  gflop_per_audio_s: number | null;
  xrt_bound: number | null;
  bound_over_node: number | null;
  errors: Record<string, string>;
}

export interface BrowserBenchInput {
  /** Served at /models/. */
  modelsDir: string;
  /** The model's files, relative to modelsDir. */
  files: readonly string[];
  family: string;
  /** Whether to time the model's fast (int8) mode as well (where Node's fast figure was measured). */
  hasFastMode: boolean;
  modelBytes: number;
  workload: Workload;
  log: (line: string) => void;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Lowercase hex sha256 of a file, streamed (models are hundreds of MB). */
async function sha256File(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

function chromiumVersion(path: string): string | null {
  try {
    return execFileSync(path, ["--version"], { encoding: "utf8", timeout: 30_000 }).trim();
  } catch {
    return null;
  }
}

function sumMs(cards: readonly CardResult[], field: "ms" | "decodeMs"): number {
  return cards.reduce((sum, c) => sum + Number(c.data[field] ?? 0), 0) / 1000;
}

export function emptyBrowserResult(modelBytes: number, errors: Record<string, string>): BrowserResult {
  return {
    xrt: null, node_xrt: null, over_node: null, fast_xrt: null, node_fast_xrt: null, fast_over_node: null, threads: BROWSER_THREADS, cross_origin_isolated: null, chromium: null, pass_s: null,
    decode_s: null, tokenize_s: null, download_bytes: null, model_bytes: modelBytes, first_load_s: null, cached_load_s: null,
    cached_load_downloaded_bytes: null, first_token_cached_s: null, page_start_s: null,
    wasm_gemm_gflops: null, node_gemm_gflops: null, gflop_per_audio_s: null, xrt_bound: null, bound_over_node: null, errors,
  };
}

/** The Node side of the same run, and the MatMul ceilings where they were measured. */
export interface NodeFigures {
  xrt: number | null;
  fastXrt?: number | null;
  gemmGflops?: number | null;
  wasmGemmGflops?: number | null;
  gflopPerAudioSecond?: number | null;
}

/** Sets the Node figures beside the browser's (after both ran), and the bound they give. */
export function withNodeFigures(result: BrowserResult, node: NodeFigures): BrowserResult {
  const xrtBound = ratio(node.wasmGemmGflops ?? null, node.gflopPerAudioSecond ?? null);
  return {
    ...result,
    node_xrt: node.xrt,
    over_node: ratio(result.xrt, node.xrt),
    node_fast_xrt: node.fastXrt ?? null,
    fast_over_node: ratio(result.fast_xrt, node.fastXrt),
    wasm_gemm_gflops: node.wasmGemmGflops ?? null,
    node_gemm_gflops: node.gemmGflops ?? null,
    gflop_per_audio_s: node.gflopPerAudioSecond ?? null,
    xrt_bound: xrtBound,
    bound_over_node: ratio(xrtBound, node.xrt),
  };
}

/** One timed pass over the workload's files in the page: its wall time and the pass's cards (all must succeed). */
async function timedPass(page: Page, workload: Workload): Promise<{ seconds: number; cards: CardResult[] }> {
  const started = performance.now();
  const cards = await tokenizeFiles(page, workload.utterances.map((u) => u.path), PASS_TIMEOUT_MS);
  const seconds = (performance.now() - started) / 1000;
  // tokenizeFiles answers every card, newest first: this pass's are the workload's count.
  const pass = cards.slice(0, workload.utterances.length);
  const failed = pass.filter((c) => c.state !== "done");
  if (failed.length > 0) throw new Error(`${failed.length} files failed in the page, e.g. ${failed[0]!.key}: ${failed[0]!.facts}`);
  return { seconds, cards: pass };
}

export async function benchBrowser(key: string, input: BrowserBenchInput): Promise<BrowserResult> {
  const result = emptyBrowserResult(input.modelBytes, {});
  const chromium = findChromium();
  if (chromium === null) {
    result.errors["browser"] = "no Chromium found ($CHROMIUM, $PUPPETEER_EXECUTABLE_PATH, /usr/bin/chromium)";
    return result;
  }
  result.chromium = chromiumVersion(chromium);
  let phase: "first" | "second" = "first";
  const served = { first: { js: 0, wasm: 0, other: 0, models: 0 }, second: { js: 0, wasm: 0, other: 0, models: 0 } };
  // Each file once: workers import onnxruntime-web's module again, which is not more to download.
  const seen = { first: new Set<string>(), second: new Set<string>() };
  const site = await servePage(input.modelsDir, (path, bytes) => {
    if (seen[phase].has(path)) return;
    seen[phase].add(path);
    const tally = served[phase];
    const ext = extname(path);
    if (path.startsWith("/models/")) tally.models += bytes;
    else if (ext === ".js" || ext === ".mjs") tally.js += bytes;
    else if (ext === ".wasm") tally.wasm += bytes;
    else tally.other += bytes;
  });
  let browser: Browser | null = null;
  const url = `${site.server.url}?threads=${BROWSER_THREADS}`;
  // Each URL with its sha256, as a user would give a pinned model: the page verifies it and keeps
  // it in the browser's cache, which is what the second visit's "cached" means.
  const digests = await Promise.all(input.files.map((f) => sha256File(join(input.modelsDir, f))));
  const modelUrls = input.files.map((f, i) => `${site.server.url}models/${f.split("/").map(encodeURIComponent).join("/")} ${digests[i]}`);
  const firstToken = join(input.workload.dir, "first_token.wav");
  try {
    browser = await launchChromium(chromium);
    // 1. First visit: load, warm up, one timed pass.
    input.log(`${key} browser: first visit, loading ${input.files.join(" + ")} by URL (${BROWSER_THREADS} threads)`);
    const page = await openPage(browser, url);
    result.cross_origin_isolated = await page.evaluate(() => crossOriginIsolated);
    await loadModelByUrls(page, modelUrls, { family: input.family, timeoutMs: LOAD_TIMEOUT_MS });
    result.first_load_s = Number(await page.$eval("body", (b) => b.dataset.modelLoadMs)) / 1000;
    await tokenizeFiles(page, [firstToken], PASS_TIMEOUT_MS);
    input.log(`  ${key} browser: model loaded in ${result.first_load_s.toFixed(1)} s; timed pass over ${input.workload.utterances.length} files`);
    const exact = await timedPass(page, input.workload);
    result.pass_s = exact.seconds;
    result.xrt = input.workload.audioSeconds / exact.seconds;
    result.decode_s = sumMs(exact.cards, "decodeMs");
    result.tokenize_s = sumMs(exact.cards, "ms");
    input.log(`  ${key} browser: ${result.pass_s.toFixed(1)} s (${result.xrt.toFixed(2)}x real time)`);
    if (input.hasFastMode) {
      await loadModelByUrls(page, modelUrls, { family: input.family, mode: "fast", timeoutMs: LOAD_TIMEOUT_MS });
      await tokenizeFiles(page, [firstToken], PASS_TIMEOUT_MS);
      const fast = await timedPass(page, input.workload);
      result.fast_xrt = input.workload.audioSeconds / fast.seconds;
      input.log(`  ${key} browser, fast mode: ${fast.seconds.toFixed(1)} s (${result.fast_xrt.toFixed(2)}x real time)`);
    }
    await page.close();
    const { js, wasm, other } = served.first;
    result.download_bytes = { js, wasm, other };

    // 2. Second visit: the model from the page's cache, the utterance queued before it loads.
    phase = "second";
    const again = await openPage(browser, url);
    result.page_start_s = Number(await again.$eval("body", (b) => b.dataset.pageReadyMs)) / 1000;
    const input16k = await again.$("#audio-files");
    await (input16k as unknown as { uploadFile(...paths: string[]): Promise<void> }).uploadFile(firstToken);
    await again.waitForSelector('#results .result[data-state="waiting"]', { timeout: 60_000 });
    await loadModelByUrls(again, modelUrls, { family: input.family, timeoutMs: LOAD_TIMEOUT_MS });
    const [card] = await tokenizeFiles(again, [], PASS_TIMEOUT_MS);
    const facts = await again.$eval("body", (b) => ({ started: Number(b.dataset.loadStartedMs), load: Number(b.dataset.modelLoadMs) }));
    result.cached_load_s = facts.load / 1000;
    result.first_token_cached_s = card?.data.sinceNavigationMs ? (Number(card.data.sinceNavigationMs) - facts.started) / 1000 : null;
    result.cached_load_downloaded_bytes = served.second.models;
    await again.close();
  } catch (error) {
    result.errors["browser"] = message(error);
  } finally {
    await browser?.close().catch(() => undefined);
    await site.server.close();
  }
  return result;
}
