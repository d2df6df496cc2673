/**
 * The writer: random weights round trip through our reader, the zip has torch's structure
 * (entries, byteorder, version, 64-byte aligned data), and -- where /usr/bin/python3 has torch --
 * torch.load reads both kinds of file back to the same values.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { Parser } from "pickleparser";
import { readCheckpoint, writeTorchCheckpoint, writeTorchPickle } from "../src/checkpoint/index.js";
import { zipContents } from "./support/zipContents.js";
import { float32Tensor, int64Tensor, type TensorData } from "../src/onnx/tensor.js";

const dir = mkdtempSync(join(tmpdir(), "ckpt-writer-"));
const PYTHON = "/usr/bin/python3";
const torchMissing = spawnSync(PYTHON, ["-c", "import torch"]).status !== 0
  ? `${PYTHON} cannot import torch: torch.load checks skipped` : false;

function randomTensor(dims: number[], seed: number): TensorData {
  const values = new Float32Array(dims.reduce((a, b) => a * b, 1));
  let s = seed;
  for (let i = 0; i < values.length; i++) {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    values[i] = s / 2 ** 31 - 0.5;
  }
  return float32Tensor(dims, values);
}

const stateDict = new Map<string, TensorData>([
  ["encoder.conv.weight", randomTensor([8, 4, 3], 1)],
  ["encoder.conv.bias", randomTensor([8], 2)],
  ["quantizer.embed", randomTensor([16, 8], 3)],
  ["steps", int64Tensor([1], [123456789012])],
]);
const tree = new Map<string, unknown>([["model", new Map([["repcodec", stateDict]])], ["steps", 7], ["epochs", 2]]);

test("writeTorchCheckpoint: nested state dict round trips through the reader, torch's zip layout", async () => {
  const path = join(dir, "repcodec_random.pkl");
  writeTorchCheckpoint(path, tree);
  const checkpoint = await readCheckpoint(path);
  const back = checkpoint.stateDict(["model", "repcodec"]);
  assert.deepEqual([...back.keys()], [...stateDict.keys()]);
  for (const [name, tensor] of stateDict) {
    assert.deepEqual(back.get(name)!.dims, tensor.dims, name);
    assert.equal(back.get(name)!.dataType, tensor.dataType, name);
    assert.deepEqual(Buffer.from(back.get(name)!.bytes), Buffer.from(tensor.bytes), name);
  }
  assert.equal((checkpoint.root as Map<string, unknown>).get("steps"), 7);

  const entries = await zipContents(path);
  assert.deepEqual([...entries.keys()], [
    "repcodec_random/data.pkl",
    "repcodec_random/byteorder",
    ...[...stateDict.keys()].map((_, i) => `repcodec_random/data/${i}`),
    "repcodec_random/version",
  ]);
  assert.equal(entries.get("repcodec_random/byteorder")!.toString(), "little");
  assert.equal(entries.get("repcodec_random/version")!.toString(), "3\n");
  const file = readFileSync(path);
  for (const [name, tensor] of stateDict) {
    assert.equal(file.indexOf(tensor.bytes) % 64, 0, `${name}: data not 64-byte aligned in the file`);
  }
});

test("writeTorchPickle: a plain dict of token lists, no globals, read back by our reader", async () => {
  const path = join(dir, "utt2speech_token.pt");
  const tokens = new Map([["utt_b", [1, 2, 4095]], ["utt_a", []], ["utt_c", Array.from({ length: 2500 }, (_, i) => i % 4096)]]);
  writeTorchPickle(path, tokens);
  const back = (await readCheckpoint(path)).root as Map<string, number[]>;
  assert.deepEqual([...back.entries()], [...tokens.entries()]);
  const entries = await zipContents(path);
  assert.deepEqual([...entries.keys()], ["utt2speech_token/data.pkl", "utt2speech_token/byteorder", "utt2speech_token/version"]);
  // The pickle names no global at all (so weights_only loaders accept it): a resolver that
  // records every name it is asked for is never asked. A general pickle library (a dev dependency,
  // not our own reader) is the independent check that the bytes are plain pickle.
  const asked: string[] = [];
  const parser = new Parser({
    unpicklingTypeOfDictionary: "Map",
    nameResolver: { resolve: (module: string, name: string) => (asked.push(`${module}.${name}`), () => null) },
  });
  assert.deepEqual([...(parser.parse(entries.get("utt2speech_token/data.pkl")!) as Map<string, number[]>).keys()], [...tokens.keys()]);
  assert.deepEqual(asked, []);
});

test("torch.load reads both files (weights_only too) to the same values", { skip: torchMissing }, () => {
  const ckpt = join(dir, "repcodec_random.pkl");
  const tokens = join(dir, "utt2speech_token_torch.pt");
  writeTorchCheckpoint(ckpt, new Map([["model", new Map([["repcodec", stateDict]])]]));
  writeTorchPickle(tokens, new Map([["k1", [5, 6, 7]], ["k2", [70000]]]));
  const script = [
    "import json, sys, torch",
    "sd = torch.load(sys.argv[1], weights_only=True)['model']['repcodec']",
    "tok = torch.load(sys.argv[2], weights_only=True)",
    "print(json.dumps({'sd': {k: [list(v.shape), v.flatten().tolist()] for k, v in sd.items()}, 'tok': tok}))",
  ].join("\n");
  const run = spawnSync(PYTHON, ["-c", script, ckpt, tokens], { encoding: "utf8" });
  assert.equal(run.status, 0, run.stderr);
  const out = JSON.parse(run.stdout) as { sd: Record<string, [number[], number[]]>; tok: Record<string, number[]> };
  assert.deepEqual(out.tok, { k1: [5, 6, 7], k2: [70000] });
  for (const [name, tensor] of stateDict) {
    const [shape, values] = out.sd[name]!;
    assert.deepEqual(shape, tensor.dims, name);
    const ours = tensor.dataType === 7
      ? Array.from(new BigInt64Array(new Uint8Array(tensor.bytes).buffer), Number)
      : Array.from(new Float32Array(new Uint8Array(tensor.bytes).buffer));
    assert.deepEqual(values, ours, name);
  }
});
