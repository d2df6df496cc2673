/**
 * Models of several files (a config plus a checkpoint): a registry file's multi-file entry is
 * cached as <cache>/<name>/<file>, each file downloaded under its lock and verified by sha256,
 * usable offline, with one offline error naming every missing file. Served by the local test
 * server from the RepCodec fixture's files.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { test, type TestContext } from "node:test";
import { InvalidInputError, OfflineModelMissingError, RegistryError } from "../src/errors.js";
import { load } from "../src/registry/load.js";
import { listModels } from "../src/hub/listModels.js";
import type { DownloadOptions, HubOptions } from "../src/hub/options.js";
import { parseRegistry } from "../src/hub/registry.js";
import { registryEntry, resolveEntryFiles, resolveModelFile } from "../src/hub/resolve.js";
import { startServer, type TestServer } from "./support/httpServer.js";

const FIXTURE = resolve("../shared/fixtures/repcodec");
const skip = existsSync(join(FIXTURE, "repcodec_tiny_dim64.pkl")) ? false : `${FIXTURE} not found: multi-file hub tests skipped`;
const FAST: DownloadOptions = { retries: 3, retryDelayMs: 5, maxRetryDelayMs: 20, stallTimeoutMs: 2000, lockPollMs: 20, progress: false };
const NAME = "repcodec_tiny";
const FILES = { "config.yaml": "repcodec_dim64.yaml", "model.pkl": "repcodec_tiny_dim64.pkl" } as const;

const sha256 = (bytes: Uint8Array): string => createHash("sha256").update(bytes).digest("hex");

interface Setup {
  server: TestServer;
  options: HubOptions;
  cacheDir: string;
  bytes: Record<string, Uint8Array>;
}

/** A server with the fixture's two files, a registry file naming them as one model of `family`, a temporary cache. */
async function setup(t: TestContext, family = "repcodec"): Promise<Setup> {
  const dir = await mkdtemp(join(tmpdir(), "s3tokenizer-hubfiles-"));
  const bytes: Record<string, Uint8Array> = {};
  for (const [file, fixture] of Object.entries(FILES)) bytes[file] = new Uint8Array(await readFile(join(FIXTURE, fixture)));
  const server = await startServer(Object.fromEntries(Object.entries(bytes).map(([file, body]) => [`/${file}`, { body }])));
  t.after(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });
  const files = Object.entries(bytes).map(([file, body]) => ({ file, url: server.url(`/${file}`), sha256: sha256(body) }));
  const registry = join(dir, "registry.json");
  await writeFile(registry, JSON.stringify({ [NAME]: { files, family } }));
  const cacheDir = join(dir, "cache");
  return { server, cacheDir, bytes, options: { cacheDir, registry, offline: false, download: FAST } };
}

async function resolveFiles(options: HubOptions) {
  return resolveEntryFiles(await registryEntry(NAME, options), options, "unused");
}

test("a multi-file model downloads each file into <cache>/<name>/<file>, verified; the next call is all cache", { skip }, async (t) => {
  const { server, cacheDir, bytes, options } = await setup(t);
  const first = await resolveFiles(options);
  assert.equal(first.downloaded, true);
  assert.deepEqual(Object.keys(first.files).sort(), Object.keys(FILES).sort());
  for (const [file, path] of Object.entries(first.files)) {
    assert.equal(path, join(cacheDir, NAME, file));
    assert.deepEqual(new Uint8Array(await readFile(path)), bytes[file]);
    assert.equal(JSON.parse(await readFile(`${path}.sha256`, "utf8")).sha256, sha256(bytes[file]!), "checksum record beside each file");
    assert.equal(server.count(`/${file}`), 1);
  }
  const again = await resolveFiles({ ...options, offline: true });
  assert.equal(again.downloaded, false);
  assert.deepEqual(again.files, first.files);
  assert.equal(server.requests.length, 2, "no request once cached");
  const [listed] = (await listModels(options)).filter((m) => m.name === NAME);
  assert.equal(listed?.family, "repcodec");
  assert.equal(listed?.cachePath, join(cacheDir, NAME));
  assert.deepEqual(listed?.cache, { state: "cached", size: bytes["config.yaml"]!.length + bytes["model.pkl"]!.length, verified: true });
});

test("offline: one error names every missing file, where it goes and its URL; a corrupt file is refetched alone", { skip }, async (t) => {
  const { server, cacheDir, options } = await setup(t);
  const offline = { ...options, offline: true };
  await assert.rejects(resolveFiles(offline), (error: unknown) => {
    assert.ok(error instanceof OfflineModelMissingError);
    assert.deepEqual(error.missing.map((m) => m.expectedPath).sort(), Object.keys(FILES).map((f) => join(cacheDir, NAME, f)).sort());
    for (const file of Object.keys(FILES)) {
      assert.ok(error.message.includes(join(cacheDir, NAME, file)), error.message);
      assert.ok(error.message.includes(server.url(`/${file}`)), error.message);
    }
    return true;
  });
  assert.equal(server.requests.length, 0);

  const { files } = await resolveFiles(options);
  const model = files["model.pkl"]!;
  const good = await readFile(model);
  const bad = Buffer.from(good);
  bad[bad.length >> 1]! ^= 0xff;
  await writeFile(model, bad);
  await rm(`${model}.sha256`);
  await assert.rejects(resolveFiles(offline), (error: unknown) => {
    assert.ok(error instanceof OfflineModelMissingError);
    assert.deepEqual(error.missing.map((m) => m.expectedPath), [model], "only the corrupt file");
    assert.match(error.message, /sha256/);
    return true;
  });
  assert.equal((await resolveFiles(options)).downloaded, true);
  assert.deepEqual(await readFile(model), good);
  assert.equal(server.count("/model.pkl"), 2);
  assert.equal(server.count("/config.yaml"), 1, "the good file was not fetched again");
});

test("a multi-file entry is not an S3Tokenizer file; a family this toolkit lacks is a typed error", { skip }, async (t) => {
  const { options } = await setup(t, "wavtokenizer");
  await assert.rejects(resolveModelFile(NAME, options), (error: unknown) => error instanceof InvalidInputError && /2 files/.test(error.message));
  await assert.rejects(load(NAME, options), (error: unknown) => error instanceof InvalidInputError && /family "wavtokenizer"/.test(error.message));
});

test("registry files: multi-file entries are checked (file names, files, family)", () => {
  const file = { file: "config.json", url: "https://example.org/c.json", sha256: "a".repeat(64) };
  const [entry] = parseRegistry(JSON.stringify({ st: { files: [file, { ...file, file: "model.pt", size: 10 }], family: "speechtokenizer" } }), "r.json");
  assert.deepEqual(entry?.files?.map((f) => f.file), ["config.json", "model.pt"]);
  assert.equal(entry?.family, "speechtokenizer");
  assert.equal(entry?.url, file.url);
  for (const [bad, why] of [
    [{ files: [] }, /non-empty/],
    [{ files: [{ ...file, file: "../escape" }] }, /plain file name/],
    [{ files: [{ ...file, file: "a/b" }] }, /plain file name/],
    [{ files: [file, file] }, /twice/],
    [{ files: [{ ...file, sha256: "xyz" }] }, /sha256/],
    [{ files: [{ ...file, size: -1 }] }, /size/],
    [{ files: [file], family: 3 }, /family/],
  ] as const) {
    assert.throws(() => parseRegistry(JSON.stringify({ m: bad }), "r.json"), (error: unknown) => error instanceof RegistryError && why.test(error.message));
  }
});
