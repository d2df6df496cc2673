/**
 * (u): an upstream model (PyTorch) at batch 1, as a long-lived child process of one of
 * bench/upstream/*_run.py in --serve mode (their protocol: bench/upstream/upstream_common.py).
 * The model loads once; each timed run is one command line ("encode" or "decode") answered by one
 * JSON line whose seconds the runner measured around upstream's own calls, so the pipe's latency
 * is not counted.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

/** Which runner script, with the flags that name its checkout(s) and model files. */
export interface RunnerCommand {
  /** File name under bench/upstream (e.g. "funcodec_run.py"). */
  script: string;
  args: readonly string[];
}

export interface UpstreamOptions extends RunnerCommand {
  /** Python with torch (Debian: /usr/bin/python3). */
  python: string;
  /** 16 kHz PCM16 WAV (or float32 .npy) files, in workload order. */
  files: readonly string[];
  threads: number;
}

/** The runner's first line: how torch runs on this machine. */
export interface UpstreamReady {
  torch: string;
  threads: number;
  /** Best-run 1024×1024 fp32 matmul GFLOP/s on `threads`: the check for a slow BLAS. */
  matmul_gflops: number;
  slow_blas: boolean;
  /** The kernel OpenBLAS chose (null when torch's BLAS is not OpenBLAS). */
  openblas_core: string | null;
  load_s: number;
  audio_s: number;
  /** Resident set after loading (MB); the peak counter restarts here when the kernel allows. */
  rss_mb: number | null;
}

export interface UpstreamPass {
  encode_s: number | null;
  decode_s: number | null;
  /** Peak resident set since loading, in MB (the process's own, VmHWM). */
  peak_rss_mb: number;
  /** key → rows of codes (n_q rows; one for RepCodec), on the first encode when asked for. */
  codes?: Record<string, number[][]>;
}

const RUNNERS = new URL("../../bench/upstream/", import.meta.url);
const STDERR_TAIL = 4096;

export class UpstreamRunner {
  private readonly pending: { resolve: (line: Record<string, unknown>) => void; reject: (error: Error) => void }[] = [];
  private stderrTail = "";
  private exited: Error | null = null;

  private constructor(private readonly child: ChildProcess) {
    createInterface({ input: child.stdout! }).on("line", (line) => this.answer(line));
    child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (this.stderrTail = (this.stderrTail + chunk).slice(-STDERR_TAIL)));
    child.on("error", (error) => this.fail(error));
    child.on("exit", (code, signal) => this.fail(new Error(`the upstream runner exited (${signal ?? `code ${code}`})${this.lastLog()}`)));
  }

  /** Starts the runner and waits until the model is loaded; `emitCodes` asks for the first encode's codes. */
  static async open(options: UpstreamOptions, emitCodes: boolean): Promise<{ runner: UpstreamRunner; ready: UpstreamReady }> {
    const args = [
      fileURLToPath(new URL(options.script, RUNNERS)), "--serve", ...options.args,
      "--threads", String(options.threads), ...(emitCodes ? ["--emit-codes"] : []), ...options.files,
    ];
    const child = spawn(options.python, args, { stdio: ["pipe", "pipe", "pipe"] });
    // It must not outlive the benchmark, however the benchmark ends.
    const kill = () => child.kill("SIGKILL");
    process.once("exit", kill);
    child.once("exit", () => process.removeListener("exit", kill));
    const runner = new UpstreamRunner(child);
    try {
      const ready = (await runner.next()) as unknown as UpstreamReady;
      return { runner, ready };
    } catch (error) {
      kill();
      throw error;
    }
  }

  /** One timed pass of upstream `encode` over every file (codes kept for the decodes). */
  encode(): Promise<UpstreamPass> {
    return this.command("encode");
  }

  /** One timed pass of upstream `decode` over the latest encode's codes. */
  decode(): Promise<UpstreamPass> {
    return this.command("decode");
  }

  async dispose(): Promise<void> {
    if (this.exited) return;
    const exited = new Promise<void>((resolve) => this.child.once("exit", () => resolve()));
    this.child.stdin!.end("quit\n");
    await exited;
  }

  private command(name: "encode" | "decode"): Promise<UpstreamPass> {
    if (this.exited) return Promise.reject(this.exited);
    const answer = this.next();
    this.child.stdin!.write(`${name}\n`);
    return answer as Promise<unknown> as Promise<UpstreamPass>;
  }

  private next(): Promise<Record<string, unknown>> {
    if (this.exited) return Promise.reject(this.exited);
    return new Promise((resolve, reject) => this.pending.push({ resolve, reject }));
  }

  private answer(line: string): void {
    const waiter = this.pending.shift();
    if (!waiter) return;
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(line) as Record<string, unknown>;
    } catch {
      waiter.reject(new Error(`the upstream runner printed a line that is not JSON: ${line.slice(0, 200)}`));
      return;
    }
    if (parsed["type"] === "error") waiter.reject(new Error(`upstream runner: ${String(parsed["message"])}`));
    else waiter.resolve(parsed);
  }

  private fail(error: Error): void {
    this.exited ??= error;
    for (const waiter of this.pending.splice(0)) waiter.reject(this.exited);
  }

  private lastLog(): string {
    const tail = this.stderrTail.trim().split("\n").slice(-3).join(" | ");
    return tail ? `: ${tail}` : "";
  }
}
