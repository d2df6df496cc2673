/**
 * Variant (a): this project end to end, files to tokens, through exactly what the CLI runs
 * (the feature workers started while the tokenizer loads, extractTokens with the CLI's defaults
 * for the device, part file). Shared by the timed runs and by the child that measures peak memory, so
 * both do the same work.
 */
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { ScpEntry } from "../src/audio/wavScp.js";
import { defaultFeatureWorkers } from "../src/pipeline/featureWorkers.js";
import { corpusGrouping, extractTokens, type ExtractionOptions } from "../src/extract/extractor.js";
import { FeaturePool } from "../src/extract/featurePool.js";
import { JsonLinesAppender } from "../src/extract/partFile.js";
import { ProgressReporter, type ProgressCounts } from "../src/extract/progress.js";
import { load } from "../src/registry/load.js";
import type { FamilyLoadOptions, TokenizerModel } from "../src/family/types.js";
import type { Device } from "../src/runtime/session.js";
import { S3Tokenizer, type TokenizerOptions } from "../src/s3Tokenizer.js";

/** What `s3tokenizer --wav_scp ...` passes to extractTokens by default (see extractCommand.ts). */
function cliExtractionOptions(tokenizer: TokenizerModel, featurePool: FeaturePool, device: Device | undefined): ExtractionOptions {
  return { numWorkers: featurePool.size, featurePool, ...corpusGrouping(tokenizer, device), allowPipes: false };
}

/** A tokenizer and feature workers set up as the CLI does: the workers start first, then the model loads. */
export class CliExtraction<M extends TokenizerModel = S3Tokenizer> {
  private constructor(
    readonly tokenizer: M,
    private readonly featurePool: FeaturePool,
    private readonly device: Device | undefined,
  ) {}

  static open(modelPath: string, options: TokenizerOptions = {}): Promise<CliExtraction<S3Tokenizer>> {
    return CliExtraction.start((path) => S3Tokenizer.load(path, options), modelPath, options.device);
  }

  /** Any family's model through `load(path)`, as the CLI's extract command now loads it. */
  static openFamily(modelPath: string, options: FamilyLoadOptions = {}): Promise<CliExtraction<TokenizerModel>> {
    return CliExtraction.start((path) => load(path, options), modelPath, options.device);
  }

  /** A model `loader` opens (e.g. by a library call the CLI does not make yet), on the CLI's extraction path. */
  static openModel(loader: () => Promise<TokenizerModel>, device: Device | undefined): Promise<CliExtraction<TokenizerModel>> {
    return CliExtraction.start(loader, "", device);
  }

  private static async start<T extends TokenizerModel>(loader: (path: string) => Promise<T>, modelPath: string, device: Device | undefined) {
    const featurePool = new FeaturePool(defaultFeatureWorkers("corpus"));
    try {
      return new CliExtraction<T>(await loader(modelPath), featurePool, device);
    } catch (error) {
      await featurePool.close();
      throw error;
    }
  }

  /** One timed extraction of `entries` into `workDir/part` (replaced). Throws when any utterance failed. */
  run(entries: readonly ScpEntry[], workDir: string): Promise<ExtractOutcome> {
    return extractOnce(this.tokenizer, cliExtractionOptions(this.tokenizer, this.featurePool, this.device), entries, workDir);
  }

  async dispose(): Promise<void> {
    await Promise.all([this.tokenizer.dispose(), this.featurePool.close()]);
  }
}

/** The progress bar is the CLI's, but a benchmark's output must stay readable: a sink for it. */
const silentStream = { isTTY: false, write: () => true } as unknown as NodeJS.WriteStream;

export interface ExtractOutcome {
  seconds: number;
  audioSeconds: number;
  /** Tokens per key, read back from the part file after the clock stopped; rows of codebooks flattened row-major. */
  tokens: Map<string, number[]>;
}

async function extractOnce(
  tokenizer: TokenizerModel,
  options: ExtractionOptions,
  entries: readonly ScpEntry[],
  workDir: string,
): Promise<ExtractOutcome> {
  mkdirSync(workDir, { recursive: true });
  const partPath = join(workDir, "part");
  const errorsPath = join(workDir, "errors");
  const counts: ProgressCounts = { done: 0, failed: 0, skipped: 0, total: entries.length, audioSeconds: 0 };
  const part = new JsonLinesAppender(partPath, true);
  const errors = new JsonLinesAppender(errorsPath, true);
  const progress = new ProgressReporter(silentStream);
  const start = performance.now();
  try {
    await extractTokens(tokenizer, entries, counts, { part, errors, progress }, options);
  } finally {
    part.close();
    errors.close();
  }
  const seconds = (performance.now() - start) / 1000;
  if (counts.failed > 0) {
    const first = readFileSync(errorsPath, "utf8").split("\n")[0];
    throw new Error(`${counts.failed} of ${entries.length} utterances failed, e.g. ${first}`);
  }
  const tokens = new Map<string, number[]>();
  for (const line of readFileSync(partPath, "utf8").split("\n")) {
    if (!line) continue;
    // One row (S3) or rows of codebooks (codesJson): flat, row-major either way.
    const record = JSON.parse(line) as { key: string; code: number[] | number[][] };
    tokens.set(record.key, record.code.flat());
  }
  return { seconds, audioSeconds: counts.audioSeconds, tokens };
}
