/**
 * Test helpers for `s3tokenizer serve`: the server in-process or as a child process (always on
 * 127.0.0.1, port chosen by the OS), requests, and reading values out of /metrics.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { request as httpRequest } from "node:http";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseServeOptions } from "../../src/cli/serveCommand.js";
import { startServe, type ServeHandle } from "../../src/serve/serve.js";
import { CLI } from "./cli.js";

/** An in-process server from command-line flags (`--model` and `--port 0` are added), ready. */
export async function startInProcess(model: string, flags: string[] = []): Promise<ServeHandle> {
  const options = parseServeOptions(["--model", model, "--port", "0", "--host", "127.0.0.1", ...flags]);
  const handle = await startServe(options);
  await handle.ready;
  return handle;
}

export interface Answer {
  status: number;
  headers: Headers;
  body: any;
}

/** Status, headers and body (parsed as JSON, or the text itself when it is not: metrics). */
async function answer(response: Response): Promise<Answer> {
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Not JSON (Prometheus text): keep the text.
  }
  return { status: response.status, headers: response.headers, body: parsed };
}

export async function post(url: string, body: Uint8Array | string, headers: Record<string, string> = {}): Promise<Answer> {
  // (A Uint8Array is a valid fetch body; TypeScript 5.9's ArrayBufferLike generics just cannot tell.)
  return answer(await fetch(url, { method: "POST", body: body as string | Uint8Array<ArrayBuffer>, headers }));
}

export async function get(url: string, headers: Record<string, string> = {}): Promise<Answer> {
  return answer(await fetch(url, { headers }));
}

/**
 * The sum of the samples of `name` whose labels include `labels`, in Prometheus text; 0 when
 * there are none (a labelled counter appears only once incremented).
 */
export function metricValue(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of text.split("\n")) {
    if (line.startsWith("#")) continue;
    const match = /^([a-zA-Z_:][\w:]*)(\{([^}]*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const present = new Map<string, string>();
    for (const pair of (match[3] ?? "").matchAll(/(\w+)="([^"]*)"/g)) present.set(pair[1]!, pair[2]!);
    if (Object.entries(labels).every(([k, v]) => present.get(k) === v)) sum += Number(match[4]);
  }
  return sum;
}

export async function scrape(baseUrl: string, headers: Record<string, string> = {}): Promise<string> {
  const answer = await get(`${baseUrl}/metrics`, headers);
  if (answer.status !== 200) throw new Error(`/metrics answered ${answer.status}`);
  return answer.body as string;
}

/** Polls `condition` every 10 ms until it holds; throws after `timeoutMs`. */
export async function waitFor(what: string, condition: () => Promise<boolean> | boolean, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** The fixture audio files the service must answer exactly (WAV and FLAC; MP3 is decoder-dependent). */
export function fixtureAudio(fixtures: string): { key: string; bytes: Uint8Array }[] {
  const scp = readFileSync(join(fixtures, "audio", "wav.scp"), "utf8").trim().split("\n");
  return scp
    .map((line) => line.trim().split(/\s+/) as [string, string])
    .filter(([, file]) => !file.endsWith(".mp3"))
    .map(([key, file]) => ({ key, bytes: new Uint8Array(readFileSync(join(fixtures, "audio", file))) }));
}

/**
 * A request whose connection the test controls: the body is written and the socket can be
 * destroyed before any answer. Resolves `sent` once the body is on its way.
 */
export function openRequest(url: string, body: Uint8Array): { destroy: () => void; answered: Promise<number | null> } {
  const req = httpRequest(url, { method: "POST", headers: { "content-length": String(body.length) } });
  const answered = new Promise<number | null>((resolve) => {
    req.on("response", (res) => {
      res.resume();
      resolve(res.statusCode ?? null);
    });
    req.on("error", () => resolve(null));
    req.on("close", () => resolve(null));
  });
  req.end(body);
  return { destroy: () => req.destroy(), answered };
}

/** POSTs `total` bytes in `chunk`-sized pieces with no Content-Length (chunked); resolves with the status. */
export function postChunked(url: string, total: number, headers: Record<string, string> = {}, chunk = 64 * 1024): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: "POST", headers });
    req.on("response", (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (text += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    // The server may hang up once it has answered: the answer already arrived or the test fails on it.
    req.on("error", (error) => reject(error));
    let sent = 0;
    const piece = new Uint8Array(chunk).fill(1);
    const pump = () => {
      while (sent < total) {
        sent += chunk;
        if (!req.write(piece)) return void req.once("drain", pump);
      }
      req.end();
    };
    pump();
  });
}

export interface ServeChild {
  child: ChildProcess;
  url: string;
  /** Resolves with the exit code and everything written to stderr. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
}

/** `s3tokenizer serve ...` in a child process on 127.0.0.1 and a free port; resolves once it is ready. */
export function startChild(model: string, flags: string[] = [], timeoutMs = 30_000): Promise<ServeChild> {
  const child = spawn(process.execPath, [CLI, "serve", "--model", model, "--host", "127.0.0.1", "--port", "0", ...flags], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) =>
    child.on("close", (code, signal) => resolve({ code, signal, stderr })),
  );
  return new Promise((resolve, reject) => {
    let url: string | null = null;
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`the server did not become ready in ${timeoutMs} ms:\n${stderr}`));
    }, timeoutMs);
    child.stderr!.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk;
      url ??= /listening on (http:\/\/[^\s;]+)/.exec(stderr)?.[1] ?? null;
      if (url !== null && /serve: ready/.test(stderr)) {
        clearTimeout(timer);
        resolve({ child, url, exited });
      }
    });
    void exited.then(({ code }) => {
      clearTimeout(timer);
      reject(new Error(`the server exited (code ${code}) before it was ready:\n${stderr}`));
    });
  });
}
