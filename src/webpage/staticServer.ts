/**
 * The page's static server (`npm run web`, the browser tests, the browser benchmark): serves the
 * built page (dist/web) and, optionally, a local model folder under /models/, on a loopback
 * address. Every answer carries COOP same-origin and COEP require-corp, which make the page
 * cross-origin isolated: only then does the browser give it SharedArrayBuffer, and so
 * onnxruntime-web its WebAssembly threads. node:http only, no framework.
 */
import { createReadStream } from "node:fs";
import { realpath, stat } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { extname, resolve, sep } from "node:path";
import { isLoopback } from "../serve/bind.js";
import { UsageError } from "../errors.js";

/** MIME types of what the page and its models are made of; anything else is octet-stream. */
const MIME: Readonly<Record<string, string>> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".wasm": "application/wasm",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".txt": "text/plain; charset=utf-8",
  ".yaml": "text/yaml; charset=utf-8",
  ".wav": "audio/wav",
  ".flac": "audio/flac",
  ".mp3": "audio/mpeg",
  ".ogg": "audio/ogg",
  ".opus": "audio/ogg",
};

export function mimeType(path: string): string {
  return MIME[extname(path).toLowerCase()] ?? "application/octet-stream";
}

/** The headers that make a page cross-origin isolated (and so allowed wasm threads). */
export const ISOLATION_HEADERS: Readonly<Record<string, string>> = {
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Embedder-Policy": "require-corp",
  "Cross-Origin-Resource-Policy": "same-origin",
};

export interface StaticServerOptions {
  /** Folder served at / (the built page). */
  root: string;
  /** Folder served at /models/ (local model files, so the page loads them by URL offline). */
  models?: string;
  /** Loopback address only (default 127.0.0.1): the server has no authentication. */
  host?: string;
  /** Port (default 8787; 0 picks a free one). */
  port?: number;
  /** Told of every file served (URL path, bytes): what the benchmark counts as the page's download. */
  onServed?: (path: string, bytes: number) => void;
}

export interface StaticServer {
  /** The page's address, e.g. http://127.0.0.1:8787/ */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/**
 * The file under `base` that the URL path `rest` names, or null when it would leave `base`
 * (`..`, an encoded separator, a link pointing out) or is not a plain file.
 */
async function fileUnder(base: string, rest: string): Promise<{ path: string; size: number } | null> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(rest);
  } catch {
    return null;
  }
  if (decoded.includes("\0") || decoded.includes("\\")) return null;
  const path = resolve(base, "." + sep + decoded);
  if (path !== base && !path.startsWith(base + sep)) return null;
  try {
    // realpath: a symlink inside the folder must not lead outside it.
    const real = await realpath(path);
    const realBase = await realpath(base);
    if (real !== realBase && !real.startsWith(realBase + sep)) return null;
    const info = await stat(real);
    return info.isFile() ? { path: real, size: info.size } : null;
  } catch {
    return null;
  }
}

function answer(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { ...ISOLATION_HEADERS, "Content-Type": "text/plain; charset=utf-8", "Content-Length": Buffer.byteLength(text) });
  res.end(text);
}

async function handle(req: IncomingMessage, res: ServerResponse, root: string, models: string | undefined, onServed: StaticServerOptions["onServed"]): Promise<void> {
  if (req.method !== "GET" && req.method !== "HEAD") {
    res.setHeader("Allow", "GET, HEAD");
    answer(res, 405, `${req.method} is not served here\n`);
    return;
  }
  const pathname = new URL(req.url ?? "/", "http://localhost").pathname;
  let file: { path: string; size: number } | null;
  if (pathname.startsWith("/models/")) {
    file = models === undefined ? null : await fileUnder(models, pathname.slice("/models/".length));
  } else {
    file = await fileUnder(root, pathname.endsWith("/") ? pathname.slice(1) + "index.html" : pathname.slice(1));
  }
  if (file === null) {
    answer(res, 404, `not found: ${pathname}\n`);
    return;
  }
  res.writeHead(200, {
    ...ISOLATION_HEADERS,
    "Content-Type": mimeType(file.path),
    "Content-Length": file.size,
    // The page is rebuilt in place during development; models are verified by sha256 anyway.
    "Cache-Control": "no-cache",
  });
  if (req.method === "HEAD") {
    res.end();
    return;
  }
  onServed?.(pathname, file.size);
  const stream = createReadStream(file.path);
  stream.on("error", () => res.destroy());
  stream.pipe(res);
}

/** Starts the server; resolves once it listens. */
export async function startStaticServer(options: StaticServerOptions): Promise<StaticServer> {
  const host = options.host ?? "127.0.0.1";
  if (!isLoopback(host)) throw new UsageError(`the page server listens on loopback addresses only, not ${host}: it serves local files without authentication`);
  const root = resolve(options.root);
  const models = options.models === undefined ? undefined : resolve(options.models);
  for (const [what, dir] of [["page folder", root], ["models folder", models]] as const) {
    if (dir === undefined) continue;
    const info = await stat(dir).catch(() => null);
    if (!info?.isDirectory()) throw new UsageError(`${what} ${dir} is not a folder${what === "page folder" ? " (build the page first: npm run build:page)" : ""}`);
  }
  const server: Server = createServer((req, res) => {
    handle(req, res, root, models, options.onServed).catch((error: unknown) => {
      if (!res.headersSent) answer(res, 500, `${error instanceof Error ? error.message : String(error)}\n`);
      else res.destroy();
    });
  });
  await new Promise<void>((done, fail) => {
    server.once("error", fail);
    server.listen(options.port ?? 8787, host, () => {
      server.off("error", fail);
      done();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const shownHost = host.includes(":") ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${port}/`,
    port,
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}
