/**
 * `npm run bench`: the performance benchmark of the project. Prepares the cached models and
 * workload, measures every requested version in turn (see versionBench.ts), prints the report,
 * and writes the JSON with --json. A failure is reported for its version or variant and the rest
 * goes on; the exit code is 1 when anything failed.
 */
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { readWavScp } from "../src/audio/wavScp.js";
import { defaultCacheDir } from "../src/hub/cacheDir.js";
import { isCpu } from "../src/runtime/session.js";
import { FULL_SIZE } from "../src/models/s3/randomWeights.js";
import { BENCH_HELP, BenchUsageError, parseBenchArgs, type BenchOptions } from "./args.js";
import { ensureBenchModel, MODEL_SEED } from "./benchModels.js";
import { workloadFlops } from "./flops.js";
import { GemmCeiling } from "./gemm.js";
import { measureWasmGemmCeiling } from "./wasmGemm.js";
import { machineInfo } from "./machine.js";
import { formatReport } from "./report.js";
import { benchFamily } from "./familyBench.js";
import { upstreamAdapter, type UpstreamAdapter } from "./upstreamAdapters.js";
import { ensureFamilyModel, isEncodecKey } from "./familyModels.js";
import { benchEncodec } from "./encodecBench.js";
import { formatFamilyReport } from "./familyReport.js";
import { failedFamilyResult, failedResult, type FamilyResult, type VersionResult } from "./results.js";
import { benchVersion } from "./versionBench.js";
import { benchBrowser, BROWSER_KEYS, BROWSER_THREADS, emptyBrowserResult, withNodeFigures, type BrowserBenchInput, type BrowserResult, type NodeFigures } from "./browserBench.js";
import { formatBrowserReport } from "./browserReport.js";
import { chromiumSkipReason, findChromium } from "../src/webpage/pageDriver.js";
import { ensureWorkload, workloadSpec } from "./workload.js";
import { benchFirstTokens, formatFirstTokenReport } from "./firstTokenBench.js";

const log = (line: string) => process.stderr.write(`bench: ${line}\n`);

function withPython(adapter: UpstreamAdapter | null, python: string): { adapter: UpstreamAdapter; python: string } | null {
  return adapter === null ? null : { adapter, python };
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A model's files as the browser column serves them: relative to the models folder, with their total size. */
function browserInput(modelsDir: string, family: string, paths: readonly string[]): Omit<BrowserBenchInput, "workload" | "log" | "hasFastMode"> {
  const files = paths.map((p) => relative(modelsDir, p));
  return { modelsDir, family, files, modelBytes: files.reduce((sum, f) => sum + statSync(join(modelsDir, f)).size, 0) };
}

async function bench(options: BenchOptions): Promise<number> {
  // The project's cache rule ($S3TOKENIZER_CACHE, else XDG, else ~/.cache/s3tokenizer), under bench/.
  const cacheDir = options.cache ? resolve(options.cache) : join(defaultCacheDir(undefined), "bench");
  const machine = machineInfo();
  const workload = ensureWorkload(cacheDir, workloadSpec(options.quick), log);
  const entries = await readWavScp(workload.scp);
  const cliPath = fileURLToPath(new URL("../src/cli/main.js", import.meta.url));

  // Every model before anything is timed, one at a time (each in its own process).
  const modelPaths = new Map<string, string>();
  const results: Record<string, VersionResult> = {};
  for (const key of options.versions) {
    try {
      modelPaths.set(key, await ensureBenchModel(cacheDir, key, log));
    } catch (error) {
      results[key] = failedResult(workload.audioSeconds, workloadFlops(FULL_SIZE[key], workload.melFrames), { model: message(error) });
    }
  }

  const familyModels = new Map<string, Awaited<ReturnType<typeof ensureFamilyModel>>>();
  const familyResults: Record<string, FamilyResult> = {};
  for (const key of [...options.families, ...options.encodec]) {
    try {
      familyModels.set(key, await ensureFamilyModel(cacheDir, key, log));
    } catch (error) {
      familyResults[key] = failedFamilyResult(workload.audioSeconds, { model: message(error) });
    }
  }

  if (options.firstTokenOnly) {
    // What --model takes: an S3 version's file, another family's folder; in the order asked for.
    // EnCodec is not in the CLI until the family is registered.
    for (const key of options.encodec) familyResults[key] = failedFamilyResult(workload.audioSeconds, { first_token: "EnCodec is not registered with the CLI yet" });
    const models = options.order.filter((key) => !isEncodecKey(key)).flatMap((key): [string, string][] => {
      const path = modelPaths.get(key) ?? familyModels.get(key)?.dir;
      return path === undefined ? [] : [[key, path]];
    });
    const outcomes = await benchFirstTokens(models, { cliPath, scp: workload.firstTokenScp, repeats: options.repeats, deviceFlag: options.deviceFlag, log });
    // Models that could not be prepared are reported with their reason.
    for (const [key, result] of [...Object.entries(results), ...Object.entries(familyResults)]) outcomes[key] = { error: Object.values(result.errors).join("; ") };
    const ordered = Object.fromEntries(options.order.map((key) => [key, outcomes[key]!]));
    process.stdout.write(`\nMachine: ${machine.cpu_model}, ${machine.cores} cores; node ${machine.node}, onnxruntime-node ${machine.onnxruntime}; device ${options.deviceFlag}\n\n`);
    process.stdout.write(formatFirstTokenReport(ordered));
    if (options.json) {
      writeFileSync(options.json, JSON.stringify({ machine, device: options.deviceFlag, first_token_only: true, repeats: options.repeats, cache_dir: cacheDir, results: ordered, finished_at: new Date().toISOString() }, null, 1) + "\n");
      log(`results written to ${options.json}`);
    }
    return Object.values(ordered).some((o) => "error" in o) ? 1 : 0;
  }

  let gemm: GemmCeiling | null = null;
  const globalErrors: string[] = [];
  if (options.versions.length === 0) {
    // Only other families: the ceiling is measured on S3's shapes, nothing here needs it.
  } else if (isCpu(options.runtime.device)) {
    try {
      gemm = await GemmCeiling.open();
    } catch (error) {
      globalErrors.push(`MatMul ceiling: ${message(error)}`);
    }
  } else {
    // The probe feeds its input from host memory each run: on a GPU it would time the copy.
    log(`(c) left out: the MatMul ceiling is a CPU figure, the variants run on ${options.deviceFlag}`);
  }
  // The browser column, for each of BROWSER_KEYS right after its Node figures (never beside them:
  // the two would share the cores), so each model's column is complete as soon as it can be.
  const browserRows: [string, BrowserResult][] = [];
  const chromium = options.browser ? findChromium() : null;
  if (options.browser && chromium === null) log(`browser column left out: ${chromiumSkipReason}`);
  if (options.browser && !isCpu(options.runtime.device)) log(`browser column left out: it is a CPU (WebAssembly) figure, the Node side runs on ${options.deviceFlag}`);
  const modelsDir = join(cacheDir, "models");
  // The page's MatMul ceiling, measured once (after the first browser pass, so never beside it).
  let wasmCeiling: Promise<number | null> | null = null;
  async function measureWasmCeiling(): Promise<number | null> {
    try {
      return await measureWasmGemmCeiling(BROWSER_THREADS);
    } catch (error) {
      globalErrors.push(`WebAssembly MatMul ceiling: ${message(error)}`);
      return null;
    }
  }
  /** Node's figures for the browser row; S3's come with both MatMul ceilings and its FLOP count. */
  async function nodeFigures(result: VersionResult | FamilyResult): Promise<NodeFigures> {
    if (!("flops" in result)) return { xrt: result.a_xrt, fastXrt: result.fast_xrt };
    wasmCeiling ??= measureWasmCeiling();
    return {
      xrt: result.a_xrt,
      fastXrt: result.fast_xrt,
      gemmGflops: result.gemm_gflops,
      wasmGemmGflops: await wasmCeiling,
      gflopPerAudioSecond: result.flops.total / workload.audioSeconds / 1e9,
    };
  }
  async function browserColumn(key: string, paths: readonly string[], family: string, result: VersionResult | FamilyResult): Promise<void> {
    if (chromium === null || !isCpu(options.runtime.device) || !(BROWSER_KEYS as readonly string[]).includes(key)) return;
    const input = browserInput(modelsDir, family, paths);
    let browser: BrowserResult;
    try {
      // The page times fast mode where Node did: the two figures make a like-for-like ratio.
      const hasFastMode = result.fast_xrt !== null;
      browser = await benchBrowser(key, { ...input, hasFastMode, workload, log });
    } catch (error) {
      browser = emptyBrowserResult(input.modelBytes, { browser: message(error) });
    }
    result.browser = withNodeFigures(browser, await nodeFigures(result));
    browserRows.push([key, result.browser]);
    log(`  ${key} browser/Node (a): ${result.browser.over_node === null ? "–" : `${(100 * result.browser.over_node).toFixed(0)}%`}; ` +
      `page download ${(((browser.download_bytes?.js ?? 0) + (browser.download_bytes?.wasm ?? 0)) / 1e6).toFixed(1)} MB; first token on the cached model ${browser.first_token_cached_s?.toFixed(2) ?? "–"} s`);
  }
  const workDir = mkdtempSync(join(tmpdir(), "s3tok-bench-"));
  try {
    for (const key of options.versions) {
      const modelPath = modelPaths.get(key);
      if (!modelPath) continue;
      try {
        results[key] = await benchVersion(key, {
          modelPath, workload, entries, repeats: options.repeats, gemm, workDir, cliPath, log,
          runtime: options.runtime, deviceFlag: options.deviceFlag,
        });
      } catch (error) {
        results[key] = failedResult(workload.audioSeconds, workloadFlops(FULL_SIZE[key], workload.melFrames), { version: message(error) });
      }
      await browserColumn(key, [modelPath], "s3", results[key]!);
    }
    for (const key of options.families) {
      const model = familyModels.get(key);
      if (!model) continue;
      try {
        familyResults[key] = await benchFamily(key, {
          model, workload, entries, repeats: options.repeats, runtime: options.runtime, deviceFlag: options.deviceFlag, log, workDir: join(workDir, key), cliPath,
          upstream: withPython(upstreamAdapter(key, options.upstream), options.python),
        });
      } catch (error) {
        familyResults[key] = failedFamilyResult(workload.audioSeconds, { family: message(error) });
      }
      await browserColumn(key, Object.values(model.files), key, familyResults[key]!);
    }
    for (const key of options.encodec) {
      const model = familyModels.get(key);
      if (!model) continue;
      try {
        const upstream = options.upstreamEncodec === null ? null : { dir: options.upstreamEncodec, python: options.python };
        familyResults[key] = await benchEncodec(key, { model, workload, entries, repeats: options.repeats, upstream, log, workDir: join(workDir, key) });
      } catch (error) {
        familyResults[key] = failedFamilyResult(workload.audioSeconds, { family: message(error) });
      }
    }
  } finally {
    rmSync(workDir, { recursive: true, force: true });
    await gemm?.dispose();
  }

  // In the order asked for, whatever order they finished in.
  const ordered = Object.fromEntries(options.versions.map((key) => [key, results[key]!]));
  const families = Object.fromEntries([...options.families, ...options.encodec].map((key) => [key, familyResults[key]!]));
  const all = Object.fromEntries(options.order.map((key) => [key, results[key] ?? familyResults[key]!]));
  process.stdout.write("\n" + formatReport(machine, workload, options.repeats, ordered, options.deviceFlag));
  if (options.families.length + options.encodec.length > 0) process.stdout.write("\n" + formatFamilyReport(families));
  if (browserRows.length > 0) process.stdout.write("\n" + formatBrowserReport(browserRows));
  for (const error of globalErrors) process.stdout.write(`ERROR: ${error}\n`);
  if (options.json) {
    const report = {
      machine,
      device: options.deviceFlag,
      workload: {
        name: workload.spec.name,
        seed: workload.spec.seed,
        utterances: workload.utterances.length,
        short_utterances: workload.spec.shortCount,
        long_seconds: workload.spec.longSeconds,
        audio_seconds: workload.audioSeconds,
        repeats: options.repeats,
        model_seed: MODEL_SEED,
        cache_dir: cacheDir,
      },
      results: all,
      errors: globalErrors,
      finished_at: new Date().toISOString(),
    };
    writeFileSync(options.json, JSON.stringify(report, null, 1) + "\n");
    log(`results written to ${options.json}`);
  }
  const failed = globalErrors.length > 0 || Object.values(all).some((r) => Object.keys(r.errors).length > 0 || Object.keys(r.browser?.errors ?? {}).length > 0);
  return failed ? 1 : 0;
}

let code: number;
try {
  const options = parseBenchArgs(process.argv.slice(2));
  if (options === "help") {
    process.stdout.write(BENCH_HELP + "\n");
    code = 0;
  } else {
    code = await bench(options);
  }
} catch (error) {
  if (!(error instanceof BenchUsageError) && !(error instanceof TypeError && "code" in error)) throw error;
  process.stderr.write(`bench: ${error.message}\n\n${BENCH_HELP}\n`);
  code = 2;
}
// Explicit: onnxruntime's thread pools must not keep the process alive; children die on exit.
process.exit(code);
