/**
 * The converted graph's packed copy (runtime/packedCopy.ts): written by the first load, opened by
 * the next with the same tokens, tried and dropped when onnxruntime cannot open it, and never made
 * when the graph is not the cache's own file.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { logMelSpectrogram } from "../src/features/logMel.js";
import { S3Tokenizer } from "../src/s3Tokenizer.js";
import { modelPath, sixteenKilohertzUtterances } from "./support/conformance.js";
import { fixturesDir, skipReason } from "./support/fixtures.js";

const fixtures = fixturesDir();
const skip = fixtures === null ? skipReason : false;

/** Tokens of every 16 kHz fixture utterance, in one batch, from a fresh load with one stream. */
async function tokensOf(cacheDir: string, options: { convertedCache?: boolean } = {}): Promise<number[][]> {
  const utterances = await sixteenKilohertzUtterances(fixtures!);
  const tokenizer = await S3Tokenizer.load(modelPath(fixtures!, "speech_tokenizer_v2_25hz"), { cacheDir, streams: 1, ...options });
  try {
    const mels = utterances.map((u) => logMelSpectrogram(u.samples, tokenizer.info.dims.nMels));
    return (await tokenizer.quantizeMels(mels)).map((row) => Array.from(row));
  } finally {
    await tokenizer.dispose();
  }
}

/** Every packed-copy folder (complete or being written) under the cache. */
function packedFolders(cacheDir: string): string[] {
  const converted = join(cacheDir, "converted");
  if (!existsSync(converted)) return [];
  return readdirSync(converted).filter((name) => name.includes(".packed-")).map((name) => join(converted, name));
}

test("the first load writes the packed copy; the next opens it and gives the same tokens", { skip }, async () => {
  const cacheDir = mkdtempSync(join(tmpdir(), "s3tok-packed-"));
  const first = await tokensOf(cacheDir);
  const [folder, ...others] = packedFolders(cacheDir);
  assert.ok(folder !== undefined && others.length === 0, `one packed copy expected, found ${packedFolders(cacheDir)}`);
  assert.ok(existsSync(join(folder, "complete.json")), "the copy is marked complete");
  // The packed weights sit in the copy's data file, beside the graph's own weights: it is larger.
  const graphData = folder.slice(0, folder.indexOf(".packed-")) + ".data";
  assert.ok(statSync(join(folder, "graph.onnx.data")).size > statSync(graphData).size);

  assert.deepEqual(await tokensOf(cacheDir), first);

  // A copy onnxruntime cannot open is tried, dropped, and the graph itself opened: same tokens.
  const graph = join(folder, "graph.onnx");
  writeFileSync(graph, Buffer.alloc(statSync(graph).size, 0x5a));
  assert.deepEqual(await tokensOf(cacheDir), first);
  assert.equal(existsSync(folder), false, "the damaged copy was removed");
});

test("a graph not stored in the converted cache gets no packed copy", { skip }, async () => {
  const cacheDir = mkdtempSync(join(tmpdir(), "s3tok-packed-"));
  const tokens = await tokensOf(cacheDir, { convertedCache: false });
  assert.ok(tokens.length > 0);
  assert.deepEqual(packedFolders(cacheDir), []);
});
