/**
 * Every fixture checkpoint of the families reads: its state dict has exactly the names, shapes and
 * dtypes of the fixture manifest (written by upstream PyTorch), and every tensor's bytes lie in
 * one of the zip's data entries byte for byte, read independently through yauzl's own streams
 * (a tensor is a whole entry, or a slice of one: FunCodec's periodic windows are n of n + 1).
 */
import assert from "node:assert/strict";
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import yauzl from "yauzl";
import { readCheckpoint } from "../src/checkpoint/index.js";
import { DataType } from "../src/onnx/types.js";
import { familyFixturesDir } from "./support/familyFixtures.js";

type ManifestStateDict = Record<string, [number[], string]>;

interface Case {
  family: "speechtokenizer" | "funcodec" | "repcodec";
  file: string;
  keys: string[];
  /** The manifest's state dict (path inside manifest.json of the family dir or a subdir). */
  manifest: (dir: string) => ManifestStateDict;
}

const json = (path: string): Record<string, unknown> => JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
const variant = (name: string) => (dir: string): ManifestStateDict =>
  ((json(join(dir, "manifest.json")).variants as Record<string, { state_dict: ManifestStateDict }>)[name]!).state_dict;

const CASES: Case[] = [
  { family: "speechtokenizer", file: "hubert_avg_tiny/SpeechTokenizer.pt", keys: [], manifest: variant("hubert_avg_tiny") },
  { family: "speechtokenizer", file: "snake_tiny/SpeechTokenizer.pt", keys: [], manifest: variant("snake_tiny") },
  { family: "funcodec", file: "model.pth", keys: [], manifest: (d) => json(join(d, "manifest.json")).state_dict as ManifestStateDict },
  {
    family: "repcodec",
    file: "repcodec_tiny_dim64.pkl",
    keys: ["model", "repcodec"],
    manifest: (d) => json(join(d, "manifest.json")).state_dict as ManifestStateDict,
  },
  {
    family: "repcodec",
    file: "whisper/repcodec_whisper_tiny.pkl",
    keys: ["model", "repcodec"],
    manifest: (d) => json(join(d, "whisper", "manifest.json")).repcodec_state_dict as ManifestStateDict,
  },
  {
    family: "repcodec",
    file: "whisper/whisper_tiny_random.pt",
    keys: ["model_state_dict"],
    manifest: (d) => json(join(d, "whisper", "manifest.json")).whisper_state_dict as ManifestStateDict,
  },
];

/** Each zip entry's content, read through yauzl's streams. */
function entryContents(path: string): Promise<Buffer[]> {
  return new Promise((resolve, reject) => {
    yauzl.open(path, { lazyEntries: true }, (error, zip) => {
      if (error || !zip) return reject(error);
      const contents: Buffer[] = [];
      zip.on("entry", (entry: yauzl.Entry) => {
        zip.openReadStream(entry, (streamError, stream) => {
          if (streamError || !stream) return reject(streamError);
          const chunks: Buffer[] = [];
          stream.on("data", (c: Buffer) => chunks.push(c));
          stream.on("end", () => {
            contents.push(Buffer.concat(chunks));
            zip.readEntry();
          });
        });
      });
      zip.on("end", () => resolve(contents));
      zip.readEntry();
    });
  });
}

for (const c of CASES) {
  const dir = familyFixturesDir(c.family);
  test(`checkpoint fixture ${c.family}/${c.file}: names, shapes and bytes`, { skip: dir === null && "fixtures absent" }, async () => {
    const path = join(dir!, c.file);
    const checkpoint = await readCheckpoint(path);
    const tensors = checkpoint.stateDict(c.keys);
    const expected = c.manifest(dir!);
    assert.deepEqual([...tensors.keys()].sort(), Object.keys(expected).sort());
    const contents = await entryContents(path);
    for (const [name, tensor] of tensors) {
      const [shape, dtype] = expected[name]!;
      assert.deepEqual(tensor.dims, shape, name);
      assert.equal(dtype, "float32");
      assert.equal(tensor.dataType, DataType.FLOAT, name);
      assert.equal(tensor.bytes.byteLength, shape.reduce((a, b) => a * b, 1) * 4, name);
      // A view on the file's one buffer, not a copy.
      assert.equal(tensor.bytes.buffer.byteLength, statSync(path).size, `${name}: not a view into the file`);
      assert.ok(contents.some((entry) => entry.indexOf(tensor.bytes) >= 0), `${name}: bytes found in no zip entry`);
    }
  });
}

test("whisper fixture checkpoint: the dims dict holds the manifest's plain ints", { skip: familyFixturesDir("repcodec") === null && "fixtures absent" }, async () => {
  const dir = join(familyFixturesDir("repcodec")!, "whisper");
  const checkpoint = await readCheckpoint(join(dir, "whisper_tiny_random.pt"));
  const dims = (checkpoint.root as Map<string, unknown>).get("dims");
  assert.ok(dims instanceof Map);
  for (const [key, value] of Object.entries(json(join(dir, "manifest.json")).whisper_dims as Record<string, number>)) {
    assert.equal(dims.get(key), value, key);
  }
});
