/**
 * Downloads one released file with Node's fetch: streamed to `<dest>.partial` and hashed on the
 * way, resumed with a Range request after an interruption, retried with exponential backoff on
 * network errors, stalls and HTTP 5xx, checked against the registry's sha256, then renamed into
 * place. Callers hold the file's lock (see fileLock.ts): nobody else writes the partial file.
 */
import { createHash, type Hash } from "node:crypto";
import { open, rename, rm, stat, type FileHandle } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { ChecksumMismatchError, DownloadError, ModelNotFoundError, TokenizerError } from "../errors.js";
import { hashFileInto } from "./checksumRecord.js";
import type { DownloadOptions } from "./options.js";
import { createProgress, formatBytes, type ProgressReporter } from "./progress.js";
import { unrecoverableNetworkError } from "./unrecoverable.js";

export interface DownloadRequest {
  url: string;
  /** The final file; it appears only complete and verified. */
  dest: string;
  /** Where the bytes go meanwhile; an existing one is resumed. */
  partial: string;
  /** Expected sha256, lowercase hex. */
  sha256: string;
  /** Names the download in progress output. */
  label: string;
  options: Required<DownloadOptions>;
  /** Aborts the download (e.g. the lock was lost). */
  signal?: AbortSignal;
}

export interface DownloadResult {
  /** Size of the file. */
  bytes: number;
  /** HTTP requests made, including failed ones. */
  attempts: number;
}

/** A failure worth another attempt (network, stall, 5xx). `restart`: drop the partial file first. */
class RetryableFailure extends Error {
  constructor(message: string, readonly restart = false, options: { cause?: unknown } = {}) {
    super(message, options);
  }
}

/** What went wrong in a fetch or a body read, in words: undici hides the socket error in `cause`. */
function networkProblem(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause as { message?: unknown; code?: unknown } | undefined;
  const detail = typeof cause?.code === "string" ? cause.code : typeof cause?.message === "string" ? cause.message : "";
  return detail && !error.message.includes(detail) ? `${error.message} (${detail})` : error.message;
}

async function sizeOf(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}

/** The first byte the response carries (0 or `offset`), or a typed error / retryable failure. */
async function checkResponse(response: Response, url: string, offset: number): Promise<number> {
  const { status } = response;
  if (status === 200) return 0; // a server that ignores Range sends everything again: restart.
  if (status === 206) {
    const range = /^bytes (\d+)-\d+\/(\d+|\*)$/.exec(response.headers.get("content-range") ?? "");
    if (range && Number(range[1]) === offset) return offset;
    await response.body?.cancel();
    throw new RetryableFailure(`server answered the resume at byte ${offset} with range "${response.headers.get("content-range")}"`, true);
  }
  await response.body?.cancel();
  const reason = `HTTP ${status}${response.statusText ? ` ${response.statusText}` : ""}`;
  if (status === 404 || status === 410) throw new ModelNotFoundError(url, reason);
  // The partial file is as long as or longer than the file on the server: it is not a prefix of it.
  if (status === 416) throw new RetryableFailure(`${reason} for the resume at byte ${offset}`, true);
  if (status >= 500 || status === 408 || status === 429) throw new RetryableFailure(reason);
  throw new DownloadError(url, reason);
}

/** Full size of the file, when the response says. */
function totalSize(response: Response, start: number): number | undefined {
  // A compressed body's Content-Length is not the file's size (we ask for identity; be safe).
  if (response.headers.get("content-encoding")) return undefined;
  const range = /\/(\d+)$/.exec(response.headers.get("content-range") ?? "");
  if (range) return Number(range[1]);
  const length = response.headers.get("content-length");
  return length === null ? undefined : start + Number(length);
}

/** Runs `io`; a file system failure is a DownloadError naming the file (not worth a retry). */
async function fileIo<T>(url: string, path: string, io: () => Promise<T>): Promise<T> {
  try {
    return await io();
  } catch (error) {
    throw new DownloadError(url, `cannot use ${path}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}

/** One HTTP request: resumes the partial file where it ends, returns the sha256 of the whole file. */
async function transferOnce(request: DownloadRequest, progress: ProgressReporter): Promise<string> {
  const { url, partial, options } = request;
  const offset = await sizeOf(partial);
  let hash: Hash = createHash("sha256");
  if (offset > 0) await fileIo(url, partial, () => hashFileInto(hash, partial)); // the digest covers the bytes already there

  const controller = new AbortController();
  const forwardAbort = (): void => controller.abort(request.signal?.reason);
  request.signal?.addEventListener("abort", forwardAbort, { once: true });
  let stalled = false;
  let timer: NodeJS.Timeout | undefined;
  const armStallTimer = (): void => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      stalled = true;
      controller.abort();
    }, options.stallTimeoutMs);
  };

  let file: FileHandle | undefined;
  try {
    armStallTimer();
    let response: Response;
    try {
      response = await fetch(url, {
        headers: { "accept-encoding": "identity", ...(offset > 0 ? { range: `bytes=${offset}-` } : {}) },
        signal: controller.signal,
      });
    } catch (error) {
      const fatal = unrecoverableNetworkError(error);
      if (fatal !== null && !stalled) throw new DownloadError(url, fatal, { cause: error });
      throw new RetryableFailure(networkProblem(error), false, { cause: error });
    }
    armStallTimer();
    const start = await checkResponse(response, url, offset);
    if (start === 0 && offset > 0) hash = createHash("sha256");
    const total = totalSize(response, start);
    progress.start(total, start);

    const handle = await fileIo(url, partial, () => open(partial, start === 0 ? "w" : "a"));
    file = handle;
    let done = start;
    if (response.body) {
      const reader = response.body.getReader();
      for (;;) {
        let chunk: ReadableStreamReadResult<Uint8Array>;
        try {
          chunk = await reader.read();
        } catch (error) {
          throw new RetryableFailure(networkProblem(error), false, { cause: error });
        }
        if (chunk.done) break;
        armStallTimer();
        hash.update(chunk.value);
        await fileIo(url, partial, () => handle.writeFile(chunk.value)); // writeFile: no short writes
        done += chunk.value.byteLength;
        progress.update(done);
      }
    }
    if (total !== undefined && done !== total) {
      throw new RetryableFailure(`connection closed after ${done} of ${total} bytes`);
    }
    return hash.digest("hex");
  } catch (error) {
    // Aborting makes fetch fail with an AbortError; say why it was aborted instead.
    if (stalled) throw new RetryableFailure(`no data received for ${options.stallTimeoutMs / 1000} s`, false, { cause: error });
    if (request.signal?.aborted) {
      const reason = request.signal.reason;
      throw reason instanceof TokenizerError ? reason : new DownloadError(url, `aborted: ${networkProblem(reason)}`, { cause: reason });
    }
    throw error;
  } finally {
    clearTimeout(timer);
    controller.abort(); // frees the connection when we stopped reading early; a no-op once the body ended
    request.signal?.removeEventListener("abort", forwardAbort);
    await file?.close().catch(() => undefined);
  }
}

/** Downloads `request.url` to `request.dest`, verified. Throws ModelNotFoundError, ChecksumMismatchError or DownloadError. */
export async function downloadFile(request: DownloadRequest): Promise<DownloadResult> {
  const { url, partial, options } = request;
  const progress = createProgress(request.label, options.progress);
  let attempts = 0;
  let failures = 0;
  let furthest = await sizeOf(partial);
  // A partial file left by an earlier run may hold other bytes (the registry entry changed):
  // when a resumed download fails its checksum, it is fetched once more from zero.
  let mayBeStale = furthest > 0;
  for (;;) {
    attempts++;
    let digest: string;
    try {
      digest = await transferOnce(request, progress);
    } catch (error) {
      if (!(error instanceof RetryableFailure)) {
        progress.stop();
        throw error;
      }
      if (error.restart) await rm(partial, { force: true });
      const size = await sizeOf(partial);
      // Bytes were gained: the link works, if flakily. Only failures in a row count.
      if (size > furthest) {
        furthest = size;
        failures = 0;
      }
      failures++;
      if (failures > options.retries) {
        progress.stop();
        throw new DownloadError(url, `${error.message} (gave up after ${attempts} attempts)`, { cause: error });
      }
      const delay = Math.min(options.maxRetryDelayMs, options.retryDelayMs * 2 ** (failures - 1));
      progress.stop(`${error.message}; retrying in ${(delay / 1000).toFixed(1)} s`);
      try {
        await sleep(delay, undefined, request.signal ? { signal: request.signal } : {});
      } catch {
        throw new DownloadError(url, `aborted: ${networkProblem(request.signal?.reason)}`, { cause: request.signal?.reason });
      }
      continue;
    }
    if (digest !== request.sha256) {
      await rm(partial, { force: true });
      if (mayBeStale) {
        mayBeStale = false;
        furthest = 0;
        progress.stop("checksum mismatch after resuming an earlier partial download; downloading again from the start");
        continue;
      }
      progress.stop();
      throw new ChecksumMismatchError(url, request.sha256, digest);
    }
    const bytes = await sizeOf(partial);
    await fileIo(url, request.dest, () => rename(partial, request.dest));
    progress.stop(`done (${formatBytes(bytes)}, sha256 verified)`);
    return { bytes, attempts };
  }
}
