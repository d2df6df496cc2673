/**
 * Request bodies with a size limit: refused from Content-Length before a byte is read when it
 * announces too much, and counted as it streams otherwise (chunked uploads announce nothing).
 * The bytes land in one ArrayBuffer of their own, so they can be moved to a worker thread.
 */
import type { IncomingMessage } from "node:http";
import { InvalidInputError } from "../errors.js";
import { DEFAULT_BODY_PACE, watchPace, type BodyPace } from "./bodyPace.js";
import { BodyTooLargeError, ClientClosedError } from "./errors.js";

/** Throws BodyTooLargeError when Content-Length alone says the body is over the limit. */
export function checkAnnouncedLength(req: IncomingMessage, limit: number, reason?: string): void {
  const header = req.headers["content-length"];
  if (header === undefined) return;
  const announced = Number(header);
  if (!/^\d+$/.test(header) || !Number.isSafeInteger(announced)) throw new InvalidInputError(`invalid Content-Length "${header}"`);
  if (announced > limit) throw new BodyTooLargeError(limit, announced, reason);
}

/**
 * What a route checks of its body: its size limit (`reason` says where a limit below the service's
 * comes from, for the 413's message) and, optionally, each piece as it arrives (`inspect` throws to
 * refuse the body before the rest of it is read).
 */
export interface BodyRules {
  limit: number;
  reason?: string;
  inspect?: (piece: Uint8Array) => void;
}

/**
 * The whole body, at most `rules.limit` bytes, each piece passed to `rules.inspect` as it arrives;
 * rejects with signal.reason when the signal fires, with BodyTooSlowError when it stalls or crawls
 * (`pace`), and with whatever `inspect` throws.
 */
export function readBody(req: IncomingMessage, rules: BodyRules, signal: AbortSignal, pace: BodyPace = DEFAULT_BODY_PACE): Promise<Uint8Array> {
  const { limit, reason, inspect } = rules;
  checkAnnouncedLength(req, limit, reason);
  const announced = req.headers["content-length"] === undefined ? null : Number(req.headers["content-length"]);
  return new Promise((resolve, reject) => {
    // Known length: one exact buffer. Unknown: chunks, copied once at the end.
    const exact = announced === null ? null : new Uint8Array(announced);
    const chunks: Buffer[] = [];
    let received = 0;
    const watch = watchPace(pace, (error) => finish(error));
    const finish = (error: unknown, bytes?: Uint8Array) => {
      watch.stop();
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onError);
      req.off("close", onClose);
      signal.removeEventListener("abort", onAbort);
      if (error === null) resolve(bytes!);
      else reject(error);
    };
    const onData = (chunk: Buffer) => {
      watch.data(chunk.length);
      received += chunk.length;
      if (received > limit) return finish(new BodyTooLargeError(limit, undefined, reason));
      try {
        inspect?.(chunk);
      } catch (error) {
        return finish(error);
      }
      if (exact !== null) exact.set(chunk, received - chunk.length);
      else chunks.push(chunk);
    };
    const onEnd = () => {
      if (exact !== null) return finish(null, exact);
      const bytes = new Uint8Array(received); // [received], its own ArrayBuffer
      let at = 0;
      for (const chunk of chunks) {
        bytes.set(chunk, at);
        at += chunk.length;
      }
      finish(null, bytes);
    };
    const onError = () => finish(new ClientClosedError());
    // 'close' before 'end': the client went away mid-upload.
    const onClose = () => {
      if (!req.complete) finish(new ClientClosedError());
    };
    const onAbort = () => finish(signal.reason);
    if (signal.aborted) return onAbort();
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", onError);
    req.on("close", onClose);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

/** After an early answer: discard what is still coming for at most this long / this much, then hang up. */
const LINGER_MS = 2000;
const LINGER_BYTES = 16 * 2 ** 20;

/**
 * Called once an answer was sent before the body was read to its end (413, 401, 404...). Closing
 * at once with unread bytes makes the kernel send a reset, which can destroy the answer before the
 * client reads it; so the rest is read and thrown away (never stored), within a bound, and then
 * the connection is closed if the client is still sending.
 */
export function discardRest(req: IncomingMessage): void {
  if (req.complete || req.destroyed) return;
  let discarded = 0;
  const hangUp = () => {
    clearTimeout(timer);
    req.socket.destroy();
  };
  const timer = setTimeout(hangUp, LINGER_MS);
  timer.unref();
  req.on("data", (chunk: Buffer) => {
    discarded += chunk.length;
    if (discarded > LINGER_BYTES) hangUp();
  });
  req.on("end", () => clearTimeout(timer));
  req.on("close", () => clearTimeout(timer));
  req.resume();
}
