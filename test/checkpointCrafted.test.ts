/**
 * The reader on hand-made checkpoints: half-precision storages, offsets and strides, storages
 * shared by several tensors, the legacy format, integer buffers, and every error it reports.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { readCheckpoint, requireTensor } from "../src/checkpoint/index.js";
import { PickleWriter } from "../src/checkpoint/pickleWriter.js";
import { pickleTensor, type PickledTensor } from "../src/checkpoint/writeCheckpoint.js";
import { CheckpointFormatError, CheckpointTensorError, CheckpointUnsafeError } from "../src/errors.js";
import { asIntegers, toFloat32 } from "../src/onnx/tensor.js";
import { DataType } from "../src/onnx/types.js";
import { writeCraftedLegacy, writeCraftedZip } from "./support/craftCheckpoint.js";

const dir = mkdtempSync(join(tmpdir(), "ckpt-crafted-"));
let counter = 0;
const file = (name: string): string => join(dir, `${counter++}_${name}`);

/** The pickle of {name: tensor} for the given tensors. */
function stateDictPickle(tensors: Record<string, PickledTensor>): Uint8Array {
  const w = new PickleWriter().proto(2).emptyDict().mark();
  for (const [name, t] of Object.entries(tensors)) {
    w.string(name);
    pickleTensor(w, t);
  }
  return w.setItems().stop().bytes();
}

const u16 = (values: number[]): Uint8Array => new Uint8Array(Uint16Array.from(values).buffer);
const f32 = (values: number[]): Uint8Array => new Uint8Array(Float32Array.from(values).buffer);
const contiguous = (storage: string, key: string, numel: number): PickledTensor =>
  ({ storage, key, numel, offset: 0, size: [numel], stride: [1] });

test("float16 and bfloat16 storages read and widen to float32", async () => {
  const path = file("half.pt");
  // IEEE binary16 bit patterns: 1.5, -2, 65504 (largest), 2^-24 (smallest subnormal), +inf.
  const half = u16([0x3e00, 0xc000, 0x7bff, 0x0001, 0x7c00]);
  // bfloat16 is a float32's top 16 bits: 1.5, -2, 1, +inf.
  const bf16 = u16([0x3fc0, 0xc000, 0x3f80, 0x7f80]);
  const pickle = stateDictPickle({ h: contiguous("HalfStorage", "0", 5), b: contiguous("BFloat16Storage", "1", 4) });
  writeCraftedZip(path, pickle, { "0": half, "1": bf16 });
  const sd = (await readCheckpoint(path)).stateDict();
  assert.equal(sd.get("h")!.dataType, DataType.FLOAT16);
  assert.equal(sd.get("b")!.dataType, DataType.BFLOAT16);
  assert.deepEqual(Array.from(toFloat32(sd.get("h")!)), [1.5, -2, 65504, 2 ** -24, Infinity]);
  assert.deepEqual(Array.from(toFloat32(sd.get("b")!)), [1.5, -2, 1, Infinity]);
});

test("storage offset and strides: a transposed slice is copied out in row-major order", async () => {
  const path = file("strided.pt");
  const storage = Array.from({ length: 12 }, (_, i) => i * 10);
  // Tensor [3, 2] starting at element 1 with strides [1, 3]: element (i, j) is storage[1 + i + 3j].
  const tensor: PickledTensor = { storage: "FloatStorage", key: "0", numel: 12, offset: 1, size: [3, 2], stride: [1, 3] };
  writeCraftedZip(path, stateDictPickle({ t: tensor }), { "0": f32(storage) });
  const t = (await readCheckpoint(path)).stateDict().get("t")!;
  assert.deepEqual(t.dims, [3, 2]);
  const expected: number[] = [];
  for (let i = 0; i < 3; i++) for (let j = 0; j < 2; j++) expected.push(storage[1 + i + 3 * j]!);
  assert.deepEqual(Array.from(toFloat32(t)), expected);
});

test("tensors sharing one storage are views at their own offsets", async () => {
  const path = file("shared.pt");
  const storage = [1, 2, 3, 4, 5, 6, 7, 8];
  const pickle = stateDictPickle({
    head: { storage: "FloatStorage", key: "s", numel: 8, offset: 0, size: [2, 2], stride: [2, 1] },
    tail: { storage: "FloatStorage", key: "s", numel: 8, offset: 4, size: [4], stride: [1] },
  });
  writeCraftedZip(path, pickle, { s: f32(storage) }, "shared_prefix");
  const sd = (await readCheckpoint(path)).stateDict();
  assert.deepEqual(Array.from(toFloat32(sd.get("head")!)), [1, 2, 3, 4]);
  assert.deepEqual(Array.from(toFloat32(sd.get("tail")!)), [5, 6, 7, 8]);
  assert.equal(sd.get("head")!.bytes.buffer, sd.get("tail")!.bytes.buffer, "one buffer, no copies");
  assert.equal(sd.get("tail")!.bytes.byteOffset - sd.get("head")!.bytes.byteOffset, 16);
});

test("legacy format: float, int64 and float16 storages, nested dicts and plain values", async () => {
  const path = file("legacy.pt");
  const w = new PickleWriter().proto(2).emptyDict().mark();
  w.string("model").emptyDict().mark();
  const legacy = (t: PickledTensor): PickledTensor => ({ ...t, pidTail: [null] }); // view_metadata None
  w.string("w");
  pickleTensor(w, legacy({ storage: "FloatStorage", key: "140", numel: 6, offset: 0, size: [2, 3], stride: [3, 1] }));
  w.string("wt");
  pickleTensor(w, legacy({ storage: "FloatStorage", key: "140", numel: 6, offset: 0, size: [3, 2], stride: [1, 3] }));
  w.string("steps");
  pickleTensor(w, legacy(contiguous("LongStorage", "7", 2)));
  w.string("h");
  pickleTensor(w, legacy(contiguous("HalfStorage", "9", 1)));
  w.setItems().string("epoch").int(3).string("name").string("x").setItems().stop();
  const steps = new Uint8Array(BigInt64Array.from([5n, -(2n ** 40n)]).buffer);
  writeCraftedLegacy(path, w.bytes(), [
    { key: "140", width: 4, bytes: f32([0, 1, 2, 3, 4, 5]) },
    { key: "7", width: 8, bytes: steps },
    { key: "9", width: 2, bytes: u16([0x3c00]) },
  ]);
  const checkpoint = await readCheckpoint(path);
  const sd = checkpoint.stateDict(["model"]);
  assert.deepEqual(Array.from(toFloat32(sd.get("w")!)), [0, 1, 2, 3, 4, 5]);
  assert.deepEqual(Array.from(toFloat32(sd.get("wt")!)), [0, 3, 1, 4, 2, 5]);
  assert.equal(sd.get("steps")!.dataType, DataType.INT64);
  assert.deepEqual(asIntegers(sd.get("steps")!), [5, -(2 ** 40)]);
  assert.deepEqual(Array.from(toFloat32(sd.get("h")!)), [1]);
  const root = checkpoint.root as Map<string, unknown>;
  assert.equal(root.get("epoch"), 3);
  assert.equal(root.get("name"), "x");
});

test("legacy format: a storage shorter than recorded is a format error", async () => {
  const path = file("legacy_short.pt");
  const pickle = stateDictPickle({ w: { ...contiguous("FloatStorage", "0", 4), pidTail: [null] } });
  writeCraftedLegacy(path, pickle, [{ key: "0", width: 4, bytes: f32([1, 2, 3]), count: 4 }]);
  await assert.rejects(readCheckpoint(path), (e: unknown) => e instanceof CheckpointFormatError && e.message.includes(path) && /storage 0/.test(e.message));
});

for (const [module, name] of [["os", "system"], ["builtins", "eval"], ["subprocess", "Popen"], ["posix", "system"], ["torch", "load"]]) {
  test(`a pickle naming ${module}.${name} is refused without running it`, async () => {
    const path = file("evil.pt");
    // The classic payload: os.system("touch <marker>") by GLOBAL + REDUCE.
    const marker = join(dir, `pwned_${counter}`);
    const pickle = new PickleWriter().proto(2).global(module, name).mark().string(`touch ${marker}`).tuple().reduce().stop().bytes();
    writeCraftedZip(path, pickle, {});
    await assert.rejects(readCheckpoint(path), (e: unknown) =>
      e instanceof CheckpointUnsafeError && e.code === "CHECKPOINT_UNSAFE" && e.global === `${module}.${name}` &&
      e.message.includes(path) && e.message.includes(`${module}.${name}`));
  });
}

test("STACK_GLOBAL (protocol 4) is held to the same allow-list", async () => {
  const path = file("evil4.pt");
  const shortUnicode = (s: string): number[] => [0x8c, s.length, ...Buffer.from(s)];
  const pickle = new PickleWriter().proto(4).raw([...shortUnicode("os"), ...shortUnicode("system"), 0x93]).mark().string("true").tuple().reduce().stop().bytes();
  writeCraftedZip(path, pickle, {});
  await assert.rejects(readCheckpoint(path), (e: unknown) => e instanceof CheckpointUnsafeError && e.global === "os.system");
});

const formatError = (path: string, pattern: RegExp) => (e: unknown): boolean =>
  e instanceof CheckpointFormatError && e.code === "CHECKPOINT_FORMAT" && e.path === path && pattern.test(e.message);

test("format errors: not a checkpoint, truncated zip, damaged pickle, missing data entry, tensor past its storage", async () => {
  const text = file("notes.pt");
  writeFileSync(text, "just some text\n");
  await assert.rejects(readCheckpoint(text), formatError(text, /neither a torch zip nor a legacy/));

  const good = file("good.pt");
  writeCraftedZip(good, stateDictPickle({ w: contiguous("FloatStorage", "0", 64) }), { "0": f32(Array.from({ length: 64 }, (_, i) => i)) });
  const bytes = readFileSync(good);
  const truncated = file("truncated.pt");
  writeFileSync(truncated, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
  await assert.rejects(readCheckpoint(truncated), formatError(truncated, /truncated zip/));

  const cut = file("cut_pickle.pt");
  const pickle = stateDictPickle({ w: contiguous("FloatStorage", "0", 4) });
  writeCraftedZip(cut, pickle.subarray(0, pickle.length - 9), { "0": f32([1, 2, 3, 4]) });
  await assert.rejects(readCheckpoint(cut), formatError(cut, /damaged or truncated pickle/));

  const missing = file("missing.pt");
  writeCraftedZip(missing, pickle, {});
  await assert.rejects(readCheckpoint(missing), formatError(missing, /missing data entry archive\/data\/0/));

  const past = file("past.pt");
  const tooLong: PickledTensor = { storage: "FloatStorage", key: "0", numel: 4, offset: 2, size: [3], stride: [1] };
  writeCraftedZip(past, stateDictPickle({ w: tooLong }), { "0": f32([1, 2, 3, 4]) });
  await assert.rejects(readCheckpoint(past), formatError(past, /reaches element 4, but its storage holds 4/));

  const absent = join(dir, "no_such_file.pt");
  await assert.rejects(readCheckpoint(absent), formatError(absent, /cannot read the file/));
});

test("stateDict and requireTensor name the file, the tensor and both shapes", async () => {
  const path = file("named.pt");
  const inner = new PickleWriter().proto(2).emptyDict().mark().string("model").emptyDict().mark().string("w");
  pickleTensor(inner, { storage: "FloatStorage", key: "0", numel: 6, offset: 0, size: [2, 3], stride: [3, 1] });
  inner.string("step").int(10).setItems().setItems().stop();
  writeCraftedZip(path, inner.bytes(), { "0": f32([1, 2, 3, 4, 5, 6]) });
  const checkpoint = await readCheckpoint(path);
  const sd = checkpoint.stateDict(["model"]);
  assert.deepEqual([...sd.keys()], ["w"], "non-tensor entries are skipped");
  assert.equal(requireTensor(sd, "w", [2, 3], path), sd.get("w"));
  assert.throws(() => requireTensor(sd, "w", [3, 2], path), (e: unknown) =>
    e instanceof CheckpointTensorError && e.code === "CHECKPOINT_TENSOR" && e.tensor === "w" &&
    e.message.includes(path) && e.message.includes("[2, 3]") && e.message.includes("expected [3, 2]"));
  assert.throws(() => requireTensor(sd, "b", [3], path), (e: unknown) =>
    e instanceof CheckpointTensorError && e.tensor === "b" && /missing/.test(e.message) && e.message.includes(path));
  assert.throws(() => checkpoint.stateDict(["model", "repcodec"]), (e: unknown) =>
    e instanceof CheckpointTensorError && e.message.includes(path) && e.message.includes('["model"]["repcodec"]'));
});

test("torch._utils._rebuild_parameter (nn.Parameter) yields its tensor", async () => {
  const path = file("parameter.pt");
  const w = new PickleWriter().proto(2).emptyDict().mark().string("p");
  // _rebuild_parameter(data, requires_grad, backward_hooks)
  w.global("torch._utils", "_rebuild_parameter").mark();
  pickleTensor(w, contiguous("FloatStorage", "0", 2));
  w.bool(true).global("collections", "OrderedDict").emptyTuple().reduce().tuple().reduce();
  writeCraftedZip(path, w.setItems().stop().bytes(), { "0": f32([0.25, -4]) });
  const sd = (await readCheckpoint(path)).stateDict();
  assert.deepEqual(Array.from(toFloat32(sd.get("p")!)), [0.25, -4]);
});

test("a BUILD opcode cannot rewrite a tensor's storage or layout", async () => {
  const path = file("build.pt");
  const w = new PickleWriter().proto(2).emptyDict().mark().string("w");
  pickleTensor(w, contiguous("FloatStorage", "0", 2));
  // BUILD with state {"layout": {}} on the tensor: a damaged file, not a silently different tensor.
  w.emptyDict().mark().string("layout").emptyDict().setItems().build();
  writeCraftedZip(path, w.setItems().stop().bytes(), { "0": f32([1, 2]) });
  await assert.rejects(readCheckpoint(path), formatError(path, /damaged/));
});
