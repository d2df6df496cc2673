/**
 * Progress of an extraction run on stderr: a one-line bar redrawn in place on a TTY, plain
 * periodic lines otherwise (logs of batch schedulers). Utterances, audio hours, ×real-time, ETA.
 * Hand-written: a dozen lines, and the plain-line mode for non-TTY logs is what matters here.
 */

export interface ProgressCounts {
  done: number;
  failed: number;
  skipped: number;
  total: number;
  audioSeconds: number;
}

function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return "?";
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h}h${String(m).padStart(2, "0")}m` : `${m}m${String(s % 60).padStart(2, "0")}s`;
}

export function describe(counts: ProgressCounts, elapsedSeconds: number): string {
  const processed = counts.done + counts.failed;
  const remaining = counts.total - counts.skipped - processed;
  const rate = processed / Math.max(elapsedSeconds, 1e-9);
  const eta = remaining > 0 && rate > 0 ? remaining / rate : 0;
  const xrt = counts.audioSeconds / Math.max(elapsedSeconds, 1e-9);
  return `${processed + counts.skipped}/${counts.total} utts (${counts.failed} failed, ${counts.skipped} skipped), ` +
    `${(counts.audioSeconds / 3600).toFixed(3)} h audio, ${xrt.toFixed(1)}x real time, ETA ${duration(eta)}`;
}

export class ProgressReporter {
  private readonly started = Date.now();
  private lastPrint = 0;
  private readonly tty: boolean;

  constructor(
    private readonly stream: NodeJS.WriteStream = process.stderr,
    private readonly intervalMs = 10_000,
  ) {
    this.tty = Boolean(stream.isTTY);
  }

  get elapsedSeconds(): number {
    return (Date.now() - this.started) / 1000;
  }

  update(counts: ProgressCounts, force = false): void {
    const now = Date.now();
    if (!force && now - this.lastPrint < (this.tty ? 200 : this.intervalMs)) return;
    this.lastPrint = now;
    const text = describe(counts, this.elapsedSeconds);
    if (this.tty) {
      const width = 24;
      const share = counts.total === 0 ? 1 : (counts.done + counts.failed + counts.skipped) / counts.total;
      const filled = Math.round(share * width);
      this.stream.write(`\r[${"#".repeat(filled)}${"-".repeat(width - filled)}] ${text}\x1b[K`);
    } else {
      this.stream.write(`progress: ${text}\n`);
    }
  }

  finish(counts: ProgressCounts): void {
    if (this.tty) this.stream.write("\n");
    const xrt = counts.audioSeconds / Math.max(this.elapsedSeconds, 1e-9);
    this.stream.write(
      `summary: ${counts.done} done, ${counts.failed} failed, ${counts.skipped} skipped of ${counts.total}; ` +
        `${(counts.audioSeconds / 3600).toFixed(4)} h audio in ${this.elapsedSeconds.toFixed(1)} s wall, ${xrt.toFixed(1)}x real time\n`,
    );
  }
}
