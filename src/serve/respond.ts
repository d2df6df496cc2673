/** Writing JSON answers, and knowing when they have left (graceful shutdown waits for that). */
import type { ServerResponse } from "node:http";
import type { HttpError } from "./httpError.js";

/** Resolves when the answer is flushed to the socket, or the connection is gone. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): Promise<void> {
  if (res.headersSent || res.destroyed) return Promise.resolve();
  const text = JSON.stringify(body);
  const done = new Promise<void>((resolve) => {
    res.once("finish", resolve);
    res.once("close", resolve);
  });
  res.writeHead(status, { ...headers, "content-type": "application/json; charset=utf-8", "content-length": String(Buffer.byteLength(text)) });
  res.end(text);
  return done;
}

export function sendError(res: ServerResponse, error: HttpError): Promise<void> {
  return sendJson(res, error.status, { error: { code: error.code, message: error.message } }, error.headers);
}
