/**
 * The threads of session streams (sessionWorker.ts), and one started ahead of its model. A stream's
 * thread spends its first few hundred milliseconds loading onnxruntime (its JavaScript and native
 * library) before it can open anything; a command that knows it will open streams (the corpus
 * job) starts one at once with `prestartSessionThread`, so that this happens while the command
 * loads its own code, reads its list and finds its model, and the first stream to open takes it.
 * A thread started for nothing (the model turned out to be of a family that runs no streams) is
 * ended by `discardSessionThread`; it never keeps the process alive meanwhile. No heavy import
 * here: the point is to be started before anything heavy loads.
 */
import { Worker } from "node:worker_threads";

const WORKER_SCRIPT = new URL("./sessionWorker.js", import.meta.url);

/** The thread started ahead, while it is alive and not taken. */
let spare: Worker | null = null;

function forget(worker: Worker): void {
  if (spare === worker) spare = null;
}

/** Starts a session thread now (unless one is waiting), for the next stream that opens to take. */
export function prestartSessionThread(): void {
  if (spare !== null) return;
  let worker: Worker;
  try {
    worker = new Worker(WORKER_SCRIPT);
  } catch {
    return; // the stream that opens later starts its own thread and reports what is wrong
  }
  worker.unref();
  // A thread that fails while waiting is dropped: the stream then starts its own, which fails
  // again with the reason where it is reported.
  worker.once("error", () => forget(worker));
  worker.once("exit", () => forget(worker));
  spare = worker;
}

/** A new session thread: the one started ahead when it is alive, else a fresh one. */
export function startSessionThread(): Worker {
  const worker = spare;
  spare = null;
  if (worker === null) return new Worker(WORKER_SCRIPT);
  worker.removeAllListeners("error");
  worker.removeAllListeners("exit");
  return worker;
}

/** True while a thread started ahead waits for a stream to take it. */
export function sessionThreadWaiting(): boolean {
  return spare !== null;
}

/** Ends the thread started ahead if no stream took it. */
export async function discardSessionThread(): Promise<void> {
  const worker = spare;
  spare = null;
  await worker?.terminate();
}
