/**
 * Start-up latency with a cached model: the CLI on a one-line list (one 2 s utterance). A first
 * run warms whatever the CLI caches (the converted batched graph, the file digest, the OS page
 * cache); the next `runs` are measured and their median reported (one start-up is a single,
 * noisy sample). Measured: seconds from spawning the process until its part file holds the first
 * line (the first tokens are out), and until the process has exited.
 */
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { childFailure, runChild } from "./children.js";
import { median } from "./stats.js";

export interface FirstTokenResult {
  /** Median over the measured runs of spawn → the part file is non-empty (one write per batch, so a whole line). */
  first_token_s: number;
  first_token_runs_s: number[];
  /** Median over the measured runs of spawn → exit. */
  process_total_s: number;
  /** The unmeasured warm-up run's total, for comparison. */
  cold_run_total_s: number;
  /** 1-minute load average before the warm-up run and after the last measured one: other work on the machine shows here. */
  load_average_1m: [number, number];
}

const CLI_TIMEOUT_MS = 10 * 60_000;
const POLL_MS = 5;

function partSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

async function runCli(cliPath: string, scp: string, model: string, device: string, watchPart: boolean): Promise<{ total: number; firstLine: number }> {
  const outputDir = mkdtempSync(join(tmpdir(), "s3tok-bench-cli-"));
  const partPath = join(outputDir, "part_1_of_1");
  let firstLine = Number.NaN;
  let poll: NodeJS.Timeout | undefined;
  try {
    // Explicit rank flags: a benchmark started under a launcher's environment must not shard.
    const args = [cliPath, "--wav_scp", scp, "--model", model, "--output_dir", outputDir, "--rank", "0", "--world_size", "1", "--device", device];
    const result = await runChild(process.execPath, args, {
      timeoutMs: CLI_TIMEOUT_MS,
      onSpawn: (_child, startedAt) => {
        if (!watchPart) return;
        poll = setInterval(() => {
          if (Number.isNaN(firstLine) && partSize(partPath) > 0) firstLine = (performance.now() - startedAt) / 1000;
        }, POLL_MS);
      },
    });
    const failure = childFailure("the CLI", result);
    if (failure) throw new Error(failure);
    // A run faster than one poll interval: the part is there at exit.
    if (watchPart && Number.isNaN(firstLine) && partSize(partPath) > 0) firstLine = result.wall_s;
    return { total: result.wall_s, firstLine };
  } finally {
    if (poll) clearInterval(poll);
    rmSync(outputDir, { recursive: true, force: true });
  }
}

/** `model`: what the CLI's --model takes (an S3 file, a family's folder). */
export async function measureFirstToken(cliPath: string, scp: string, model: string, runs: number, device = "cpu"): Promise<FirstTokenResult> {
  const loadBefore = loadavg()[0]!;
  const cold = await runCli(cliPath, scp, model, device, false);
  const warm = [];
  for (let i = 0; i < runs; i++) warm.push(await runCli(cliPath, scp, model, device, true));
  const firstLines = warm.map((w) => w.firstLine);
  return {
    first_token_s: median(firstLines),
    first_token_runs_s: firstLines,
    process_total_s: median(warm.map((w) => w.total)),
    cold_run_total_s: cold.total,
    load_average_1m: [loadBefore, loadavg()[0]!],
  };
}
