/** Writing JSON (and WAV) answers, and knowing when they have left (graceful shutdown waits for that). */
import type { ServerResponse } from "node:http";
import type { HttpError } from "./httpError.js";

/** Resolves when the answer is flushed to the socket, or the connection is gone. */
export function sendBytes(res: ServerResponse, status: number, body: Uint8Array | string, contentType: string, headers: Record<string, string> = {}): Promise<void> {
  if (res.headersSent || res.destroyed) return Promise.resolve();
  const done = new Promise<void>((resolve) => {
    res.once("finish", resolve);
    res.once("close", resolve);
  });
  const length = typeof body === "string" ? Buffer.byteLength(body) : body.byteLength;
  res.writeHead(status, { ...headers, "content-type": contentType, "content-length": String(length) });
  res.end(body);
  return done;
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): Promise<void> {
  return sendBytes(res, status, JSON.stringify(body), "application/json; charset=utf-8", headers);
}

export function sendError(res: ServerResponse, error: HttpError): Promise<void> {
  return sendJson(res, error.status, { error: { code: error.code, message: error.message } }, error.headers);
}
