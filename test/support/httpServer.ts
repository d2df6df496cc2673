/**
 * A scriptable HTTP file server on 127.0.0.1 (port chosen by the OS) for download tests: each
 * path serves one body, honouring `Range: bytes=N-`, and the n-th request to a path can instead
 * fail in a chosen way (an HTTP status, a dropped connection, a stall, other bytes). Every request
 * is logged.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export type Behavior =
  /** The body (or its requested range), optionally in delayed chunks. */
  | { kind: "serve"; chunkSize?: number; chunkDelayMs?: number; ignoreRange?: boolean }
  /** An empty response with this status. */
  | { kind: "status"; status: number }
  /** Headers for the whole (range of the) body, `bytes` of it, then the socket is destroyed. */
  | { kind: "drop"; bytes: number }
  /** Headers and `bytes` of the body, then nothing more (until the server closes). */
  | { kind: "stall"; bytes: number }
  /** A 200 with this body instead of the route's. */
  | { kind: "body"; body: Uint8Array }
  /** A 302 to another path of this server. */
  | { kind: "redirect"; to: string };

export interface Route {
  body: Uint8Array;
  /** Behaviour of the first, second, ... request; after the script: `serve`. */
  script?: Behavior[];
}

export interface LoggedRequest {
  path: string;
  /** The Range header, when sent. */
  range: string | undefined;
  status: number;
}

export interface TestServer {
  /** Absolute URL of a path on this server. */
  url(path: string): string;
  readonly requests: LoggedRequest[];
  /** Requests to `path` (optionally only those without a Range header: full downloads). */
  count(path: string, options?: { full?: boolean }): number;
  close(): Promise<void>;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** [start, end) of the body that the request asks for, or null when the range cannot be served. */
function requestedRange(request: IncomingMessage, length: number, ignoreRange: boolean): { start: number; partial: boolean } | null {
  const header = request.headers.range;
  if (ignoreRange || header === undefined) return { start: 0, partial: false };
  const match = /^bytes=(\d+)-$/.exec(header);
  if (!match) return { start: 0, partial: false };
  const start = Number(match[1]);
  return start < length ? { start, partial: true } : null;
}

function writeHead(response: ServerResponse, body: Uint8Array, start: number, partial: boolean): number {
  const status = partial ? 206 : 200;
  const headers: Record<string, string | number> = { "content-type": "application/octet-stream", "content-length": body.length - start };
  if (partial) headers["content-range"] = `bytes ${start}-${body.length - 1}/${body.length}`;
  response.writeHead(status, headers);
  return status;
}

async function respond(request: IncomingMessage, response: ServerResponse, route: Route, behavior: Behavior): Promise<number> {
  if (behavior.kind === "status") {
    response.writeHead(behavior.status).end();
    return behavior.status;
  }
  if (behavior.kind === "redirect") {
    response.writeHead(302, { location: behavior.to }).end();
    return 302;
  }
  if (behavior.kind === "body") {
    response.writeHead(200, { "content-length": behavior.body.length }).end(behavior.body);
    return 200;
  }
  const range = requestedRange(request, route.body.length, behavior.kind === "serve" && behavior.ignoreRange === true);
  if (range === null) {
    response.writeHead(416, { "content-range": `bytes */${route.body.length}` }).end();
    return 416;
  }
  const status = writeHead(response, route.body, range.start, range.partial);
  const rest = route.body.subarray(range.start);
  if (behavior.kind === "drop" || behavior.kind === "stall") {
    const sent = rest.subarray(0, behavior.bytes);
    // Destroy a moment after the bytes are handed to the kernel: a stream that errors drops the
    // chunks its reader has not taken yet, and the test wants all of them received.
    if (behavior.kind === "drop") response.write(sent, () => setTimeout(() => response.socket?.destroy(), 50));
    else response.write(sent);
    return status;
  }
  const chunkSize = behavior.chunkSize ?? rest.length;
  for (let offset = 0; offset < rest.length; offset += chunkSize) {
    if (offset > 0 && behavior.chunkDelayMs) await sleep(behavior.chunkDelayMs);
    if (response.destroyed) return status;
    response.write(rest.subarray(offset, offset + chunkSize));
  }
  response.end();
  return status;
}

export async function startServer(routes: Record<string, Route>): Promise<TestServer> {
  const requests: LoggedRequest[] = [];
  const seen = new Map<string, number>();
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? "/", "http://127.0.0.1").pathname;
    const route = routes[path];
    const logged: LoggedRequest = { path, range: request.headers.range, status: 0 };
    requests.push(logged);
    if (!route) {
      logged.status = 404;
      response.writeHead(404).end();
      return;
    }
    const index = seen.get(path) ?? 0;
    seen.set(path, index + 1);
    const behavior = route.script?.[index] ?? { kind: "serve" };
    respond(request, response, route, behavior).catch(() => response.destroy());
    // respond() writes the head before its first await, so the status is known here.
    logged.status = response.statusCode;
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: (path) => `http://127.0.0.1:${port}${path}`,
    requests,
    count: (path, options = {}) => requests.filter((r) => r.path === path && (!options.full || r.range === undefined)).length,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections(); // stalled responses would keep it open forever
        server.close(() => resolve());
      }),
  };
}
