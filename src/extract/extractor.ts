/**
 * The extraction loop of one rank: features computed in worker threads (bounded queue, so
 * memory stays flat however long the list), gathered into look-ahead groups that the tokenizer
 * sorts by length and packs under its frame budget, results appended to the part file after
 * every group. A failed utterance is recorded and the run goes on.
 */
import type { ScpEntry } from "../audio/wavScp.js";
import type { S3Tokenizer } from "../tokenizer.js";
import type { FeatureResult } from "./featureJob.js";
import { FeaturePool } from "./featurePool.js";
import { JsonLinesAppender } from "./partFile.js";
import type { ProgressCounts, ProgressReporter } from "./progress.js";

export interface ExtractionOptions {
  numWorkers: number;
  /** Mel frames gathered before a group goes to the model (several frame budgets). */
  groupFrames: number;
  /** Features computed ahead of the model at most (back-pressure). */
  queueDepth: number;
  allowPipes: boolean;
}

export interface ExtractionOutputs {
  part: JsonLinesAppender;
  errors: JsonLinesAppender;
  progress: ProgressReporter;
}

interface ReadyUtterance {
  entry: ScpEntry;
  result: FeatureResult;
}

export async function extractTokens(
  tokenizer: S3Tokenizer,
  entries: readonly ScpEntry[],
  counts: ProgressCounts,
  outputs: ExtractionOutputs,
  options: ExtractionOptions,
): Promise<void> {
  const pool = new FeaturePool(options.numWorkers);
  const nMels = tokenizer.info.dims.nMels;
  const queue: Promise<ReadyUtterance>[] = [];
  let next = 0;
  const refill = () => {
    while (queue.length < options.queueDepth && next < entries.length) {
      const entry = entries[next++]!;
      if (entry.isPipe && !options.allowPipes) {
        const error = `${entry.key}: pipe entry "${entry.path}" needs --allow_pipes`;
        queue.push(Promise.resolve({ entry, result: { id: -1, ok: false, error, errorName: "UsageError" } }));
        continue;
      }
      queue.push(pool.compute({ key: entry.key, path: entry.path, isPipe: entry.isPipe, nMels }).then((result) => ({ entry, result })));
    }
  };
  try {
    refill();
    while (queue.length > 0) {
      const group: ReadyUtterance[] = [];
      const failures: ReadyUtterance[] = [];
      let frames = 0;
      while (queue.length > 0 && frames < options.groupFrames) {
        const ready = await queue.shift()!;
        refill();
        if (ready.result.ok) {
          group.push(ready);
          frames += ready.result.mel.frames;
        } else {
          failures.push(ready);
        }
      }
      outputs.errors.append(failures.map(({ entry, result }) => ({ key: entry.key, path: entry.path, error: result.ok ? "" : result.error })));
      counts.failed += failures.length;
      if (group.length > 0) await tokenizeGroup(tokenizer, group, counts, outputs);
      outputs.progress.update(counts);
    }
  } finally {
    await pool.close();
  }
}

async function tokenizeGroup(tokenizer: S3Tokenizer, group: ReadyUtterance[], counts: ProgressCounts, outputs: ExtractionOutputs): Promise<void> {
  const mels = group.map(({ result }) => (result.ok ? result.mel : undefined)!);
  try {
    const codes = await tokenizer.quantizeMels(mels);
    outputs.part.append(group.map(({ entry }, i) => ({ key: entry.key, code: Array.from(codes[i]!) })));
    counts.done += group.length;
    counts.audioSeconds += group.reduce((sum, { result }) => sum + (result.ok ? result.seconds : 0), 0);
  } catch (error) {
    // A model failure fails this group only; the next group may still succeed.
    const message = error instanceof Error ? error.message : String(error);
    outputs.errors.append(group.map(({ entry }) => ({ key: entry.key, path: entry.path, error: `model: ${message}` })));
    counts.failed += group.length;
  }
}
