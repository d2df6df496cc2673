/**
 * Download progress on stderr: a cli-progress bar on a terminal; elsewhere (CI logs, a job's
 * redirected output) a plain line every few seconds, which a log file can hold.
 */
import cliProgress from "cli-progress";

export interface ProgressReporter {
  /** A transfer begins (again, after a retry): `total` bytes when known, `done` already on disk. */
  start(total: number | undefined, done: number): void;
  update(done: number): void;
  /** The transfer ended (success or not); `message` is printed when given. */
  stop(message?: string): void;
}

const SILENT: ProgressReporter = { start() {}, update() {}, stop() {} };

const LINE_INTERVAL_MS = 5000;

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ["KiB", "MiB", "GiB", "TiB"];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

function describe(done: number, total: number | undefined): string {
  if (total === undefined || total <= 0) return formatBytes(done);
  return `${formatBytes(done)} / ${formatBytes(total)} (${Math.floor((100 * done) / total)}%)`;
}

/** Plain lines: at start, then at most one per LINE_INTERVAL_MS, then at the end. */
class LineReporter implements ProgressReporter {
  private total: number | undefined;
  private done = 0;
  private last = 0;
  constructor(private readonly label: string, private readonly stream: NodeJS.WritableStream) {}

  start(total: number | undefined, done: number): void {
    this.total = total;
    this.done = done;
    this.last = Date.now();
    this.stream.write(`s3tokenizer: downloading ${this.label}: ${describe(done, total)}\n`);
  }

  update(done: number): void {
    this.done = done;
    const now = Date.now();
    if (now - this.last < LINE_INTERVAL_MS) return;
    this.last = now;
    this.stream.write(`s3tokenizer: downloading ${this.label}: ${describe(done, this.total)}\n`);
  }

  stop(message?: string): void {
    if (message) this.stream.write(`s3tokenizer: ${this.label}: ${message}\n`);
  }
}

/** A cli-progress bar; falls back to lines while the size is unknown (no bar to draw). */
class BarReporter implements ProgressReporter {
  private bar: cliProgress.SingleBar | null = null;
  private readonly lines: LineReporter;
  constructor(private readonly label: string, private readonly stream: NodeJS.WriteStream) {
    this.lines = new LineReporter(label, stream);
  }

  start(total: number | undefined, done: number): void {
    this.bar?.stop();
    this.bar = null;
    if (total === undefined || total <= 0) {
      this.lines.start(total, done);
      return;
    }
    this.bar = new cliProgress.SingleBar(
      {
        stream: this.stream,
        format: `${this.label} [{bar}] {percentage}% | {amount} | {eta_formatted}`,
        hideCursor: true,
        barsize: 30,
      },
      cliProgress.Presets.shades_classic,
    );
    this.bar.start(total, done, { amount: `${formatBytes(done)} / ${formatBytes(total)}` });
  }

  update(done: number): void {
    if (this.bar) this.bar.update(done, { amount: `${formatBytes(done)} / ${formatBytes(this.bar.getTotal())}` });
    else this.lines.update(done);
  }

  stop(message?: string): void {
    this.bar?.stop();
    this.bar = null;
    this.lines.stop(message);
  }
}

export function createProgress(label: string, enabled: boolean, stream: NodeJS.WriteStream = process.stderr): ProgressReporter {
  if (!enabled) return SILENT;
  return stream.isTTY ? new BarReporter(label, stream) : new LineReporter(label, stream);
}
