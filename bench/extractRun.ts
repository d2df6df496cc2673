/**
 * Variant (a): this project end to end, files to tokens, through exactly what the CLI runs
 * (extractTokens with the CLI's CPU defaults, feature workers, part file). Shared by the timed
 * runs and by the child that measures peak memory, so both do the same work.
 */
import { mkdirSync, readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import type { ScpEntry } from "../src/audio/wavScp.js";
import { extractTokens, type ExtractionOptions } from "../src/extract/extractor.js";
import { JsonLinesAppender } from "../src/extract/partFile.js";
import { ProgressReporter, type ProgressCounts } from "../src/extract/progress.js";
import type { S3Tokenizer } from "../src/tokenizer.js";

/** The CLI's --max_frames default on cpu (extractCommand.ts); its group size is four of these. */
const CLI_CPU_MAX_BATCH_FRAMES = 12_000;

/** What `s3tokenizer --wav_scp ...` passes to extractTokens by default (see extractCommand.ts). */
export function cliExtractionOptions(): ExtractionOptions {
  const numWorkers = Math.max(1, availableParallelism() - 1);
  return {
    numWorkers,
    groupFrames: CLI_CPU_MAX_BATCH_FRAMES * 4,
    queueDepth: Math.max(16, numWorkers * 8),
    allowPipes: false,
  };
}

/** The progress bar is the CLI's, but a benchmark's output must stay readable: a sink for it. */
const silentStream = { isTTY: false, write: () => true } as unknown as NodeJS.WriteStream;

export interface ExtractOutcome {
  seconds: number;
  audioSeconds: number;
  /** Tokens per key, read back from the part file after the clock stopped. */
  tokens: Map<string, number[]>;
}

/** One timed extraction of `entries` into `workDir/part` (replaced). Throws when any utterance failed. */
export async function extractOnce(tokenizer: S3Tokenizer, entries: readonly ScpEntry[], workDir: string): Promise<ExtractOutcome> {
  mkdirSync(workDir, { recursive: true });
  const partPath = join(workDir, "part");
  const errorsPath = join(workDir, "errors");
  const counts: ProgressCounts = { done: 0, failed: 0, skipped: 0, total: entries.length, audioSeconds: 0 };
  const part = new JsonLinesAppender(partPath, true);
  const errors = new JsonLinesAppender(errorsPath, true);
  const progress = new ProgressReporter(silentStream);
  const start = performance.now();
  try {
    await extractTokens(tokenizer, entries, counts, { part, errors, progress }, cliExtractionOptions());
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
    const record = JSON.parse(line) as { key: string; code: number[] };
    tokens.set(record.key, record.code);
  }
  return { seconds, audioSeconds: counts.audioSeconds, tokens };
}
