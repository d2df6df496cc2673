/**
 * The page's static server (npm run web): cross-origin isolation headers on every answer, the
 * MIME types the browser insists on (application/wasm for instantiateStreaming), the model
 * folder at /models/, and nothing outside the two folders.
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { UsageError } from "../src/errors.js";
import { startStaticServer, type StaticServer } from "../src/webpage/staticServer.js";

let dir: string;
let server: StaticServer;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "s3tok-webserver-"));
  mkdirSync(join(dir, "page"));
  mkdirSync(join(dir, "models", "s3"), { recursive: true });
  writeFileSync(join(dir, "page", "index.html"), "<!doctype html><title>page</title>");
  writeFileSync(join(dir, "page", "ort.wasm"), Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]));
  writeFileSync(join(dir, "models", "s3", "model.onnx"), Buffer.alloc(1234, 7));
  writeFileSync(join(dir, "secret.txt"), "outside");
  symlinkSync(join(dir, "secret.txt"), join(dir, "page", "link.txt"));
  server = await startStaticServer({ root: join(dir, "page"), models: join(dir, "models"), port: 0 });
});

after(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function get(path: string): Promise<Response> {
  return fetch(new URL(path, server.url));
}

test("listens on 127.0.0.1 and serves the page at / with the cross-origin isolation headers", async () => {
  assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
  const response = await get("/");
  assert.equal(response.status, 200);
  assert.equal(response.headers.get("cross-origin-opener-policy"), "same-origin");
  assert.equal(response.headers.get("cross-origin-embedder-policy"), "require-corp");
  assert.match(response.headers.get("content-type") ?? "", /^text\/html/);
  assert.match(await response.text(), /<title>page<\/title>/);
});

test("WebAssembly is served as application/wasm, with its length", async () => {
  const response = await get("/ort.wasm");
  assert.equal(response.headers.get("content-type"), "application/wasm");
  assert.equal(response.headers.get("content-length"), "8");
  assert.deepEqual([...new Uint8Array(await response.arrayBuffer())].slice(0, 4), [0, 0x61, 0x73, 0x6d]);
});

test("the models folder is served at /models/, with its length for download progress", async () => {
  const response = await get("/models/s3/model.onnx");
  assert.equal(response.status, 200);
  assert.equal(response.headers.get("content-length"), "1234");
  assert.equal(response.headers.get("cross-origin-embedder-policy"), "require-corp");
  assert.equal((await response.arrayBuffer()).byteLength, 1234);
});

test("nothing outside the two folders: .., encoded separators, links out, missing files", async () => {
  for (const path of ["/../secret.txt", "/%2e%2e/secret.txt", "/models/..%2fsecret.txt", "/models/%2e%2e%2fpage/index.html", "/link.txt", "/nope.js", "/models/"]) {
    const response = await get(path);
    assert.equal(response.status, 404, path);
    assert.doesNotMatch(await response.text(), /outside/, path);
  }
  const post = await fetch(new URL("/", server.url), { method: "POST", body: "x" });
  assert.equal(post.status, 405);
});

test("refuses a non-loopback address and a missing page folder with a usage error", async () => {
  await assert.rejects(startStaticServer({ root: join(dir, "page"), host: "0.0.0.0", port: 0 }), UsageError);
  await assert.rejects(startStaticServer({ root: join(dir, "absent"), port: 0 }), (error: unknown) => error instanceof UsageError && /absent/.test(error.message));
});
