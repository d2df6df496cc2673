/**
 * Child processes of the benchmark (model generation, the peak-memory run, the CLI start-up
 * runs), tracked so that none outlives it: each has a time limit, and whatever is still running
 * when the benchmark exits or is interrupted is killed.
 */
import { spawn, type ChildProcess } from "node:child_process";

export interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  /** The last few kilobytes of stderr, for error messages. */
  stderrTail: string;
  wall_s: number;
  timedOut: boolean;
}

export interface ChildOptions {
  timeoutMs: number;
  env?: NodeJS.ProcessEnv;
  /** Called right after spawning, with the spawn time (performance.now()). */
  onSpawn?: (child: ChildProcess, startedAt: number) => void;
}

const live = new Set<ChildProcess>();
const STDERR_TAIL = 4096;
let cleanupInstalled = false;

function killAll(): void {
  for (const child of live) child.kill("SIGKILL");
  live.clear();
}

/** Kills every live child when this process exits or is interrupted. */
function installCleanup(): void {
  if (cleanupInstalled) return;
  cleanupInstalled = true;
  process.on("exit", killAll);
  for (const [signal, code] of [["SIGINT", 130], ["SIGTERM", 143]] as const) {
    process.once(signal, () => {
      killAll();
      process.exit(code);
    });
  }
}

export function runChild(command: string, args: readonly string[], options: ChildOptions): Promise<ChildResult> {
  installCleanup();
  return new Promise((resolve, reject) => {
    const startedAt = performance.now();
    const child = spawn(command, args, { env: options.env ?? process.env, stdio: ["ignore", "pipe", "pipe"] });
    live.add(child);
    let stdout = "";
    let stderrTail = "";
    let timedOut = false;
    child.stdout!.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (stderrTail = (stderrTail + chunk).slice(-STDERR_TAIL)));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, options.timeoutMs);
    child.on("error", (error) => {
      clearTimeout(timer);
      live.delete(child);
      reject(error);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      live.delete(child);
      resolve({ code, signal, stdout, stderrTail, wall_s: (performance.now() - startedAt) / 1000, timedOut });
    });
    options.onSpawn?.(child, startedAt);
  });
}

/** A one-line reason a child failed, or null when it exited 0. */
export function childFailure(what: string, result: ChildResult): string | null {
  if (result.code === 0) return null;
  const how = result.timedOut ? "timed out" : result.signal ? `was killed by ${result.signal}` : `exited with code ${result.code}`;
  const detail = result.stderrTail.trim().split("\n").slice(-3).join(" | ");
  return `${what} ${how}${detail ? `: ${detail}` : ""}`;
}
