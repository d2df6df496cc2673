/**
 * The reader on hand-made checkpoints: half-precision storages, offsets and strides, storages
 * shared by several tensors, the legacy format, integer buffers, and every error it reports; then
 * hostile files, each of which must fail fast with a typed error (or load, where the hostile part
 * is never read): BUILD on objects that take no state, zip bombs and overlapping entries, layouts
 * that repeat one element, huge integers, deep nesting, folders, FIFOs and devices.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { deflateRawSync, constants as zlibConstants } from "node:zlib";
import { readCheckpoint, requireTensor, writeTorchPickle } from "../src/checkpoint/index.js";
import { PickleWriter } from "../src/checkpoint/pickleWriter.js";
import { pickleTensor, type PickledTensor } from "../src/checkpoint/writeCheckpoint.js";
import { CheckpointFormatError, CheckpointTensorError, CheckpointUnsafeError } from "../src/errors.js";
import { asIntegers, toFloat32 } from "../src/onnx/tensor.js";
import { DataType } from "../src/onnx/types.js";
import { runCliWithin } from "./support/cli.js";
import { writeCraftedLegacy, writeCraftedZip, writeRawZip, type RawZipEntry } from "./support/craftCheckpoint.js";
import { familyFixturesDir } from "./support/familyFixtures.js";
import { zipContents } from "./support/zipContents.js";

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

// ---- Hostile files -------------------------------------------------------------------------

const speechTokenizerDir = familyFixturesDir("speechtokenizer");
/** FIX: the tiny SpeechTokenizer fixture (config.json + SpeechTokenizer.pt). */
const FIX = speechTokenizerDir === null ? null : join(speechTokenizerDir, "hubert_avg_tiny");
const noFix = FIX === null && "../shared/fixtures/speechtokenizer absent";

/** EMPTY_LIST, EMPTY_DICT {"length": 2^32-1} (LONG1), BUILD: once set a list's length and aborted the process. */
const LIST_LENGTH_BUILD = Buffer.concat([
  Buffer.from([0x80, 0x02, 0x5d, 0x7d, 0x58, 0x06, 0x00, 0x00, 0x00]),
  Buffer.from("length"),
  Buffer.from([0x8a, 0x05, 0xff, 0xff, 0xff, 0xff, 0x00, 0x73, 0x62, 0x2e]),
]);

test("BUILD on a list (its length set to 2^32-1) is refused, not obeyed", async () => {
  const path = file("list_length.pt");
  writeCraftedZip(path, LIST_LENGTH_BUILD, {});
  await assert.rejects(readCheckpoint(path), formatError(path, /BUILD sets the state of a list/));
});

test("BUILD is refused on a dict, a storage reference and with non-attribute state; an OrderedDict's _metadata is dropped", async () => {
  const dictBuild = file("dict_build.pt");
  writeCraftedZip(dictBuild, new PickleWriter().proto(2).emptyDict().emptyDict().mark().string("x").int(1).setItems().build().stop().bytes(), {});
  await assert.rejects(readCheckpoint(dictBuild), formatError(dictBuild, /BUILD sets the state of a dict/));

  const orderedDict = (w: PickleWriter): PickleWriter => w.global("collections", "OrderedDict").emptyTuple().reduce();
  const listState = file("ordered_list_state.pt");
  writeCraftedZip(listState, orderedDict(new PickleWriter().proto(2)).emptyList().build().stop().bytes(), {});
  await assert.rejects(readCheckpoint(listState), formatError(listState, /BUILD sets the state of a dict/));

  // The storage reference's type rewritten to an element type no storage has, before the tensor is built.
  const storageBuild = file("storage_build.pt");
  const w = new PickleWriter().proto(2).emptyDict().mark().string("w");
  w.global("torch._utils", "_rebuild_tensor_v2").mark();
  w.mark().string("storage").global("torch", "FloatStorage").string("0").string("cpu").int(2).tuple().binPersId();
  w.emptyDict().mark().string("type").emptyDict().mark().string("dataType").int(99).string("width").int(1).setItems().setItems().build();
  w.int(0).mark().int(2).tuple().mark().int(1).tuple().bool(false);
  orderedDict(w).tuple().reduce().setItems().stop();
  writeCraftedZip(storageBuild, w.bytes(), { "0": f32([1, 2]) });
  await assert.rejects(readCheckpoint(storageBuild), formatError(storageBuild, /BUILD sets the state of the storage reference "0"/));

  // What torch writes: OrderedDict(), items, then BUILD {"_metadata": OrderedDict(...)}.
  const metadata = file("metadata.pt");
  const m = orderedDict(new PickleWriter().proto(2)).mark().string("w");
  pickleTensor(m, contiguous("FloatStorage", "0", 2));
  m.setItems().emptyDict().string("_metadata");
  orderedDict(m).mark().string("").emptyDict().string("version").int(1).setItem().setItems().setItem().build().stop();
  writeCraftedZip(metadata, m.bytes(), { "0": f32([3, 4]) });
  const checkpoint = await readCheckpoint(metadata);
  assert.deepEqual([...(checkpoint.root as Map<string, unknown>).keys()], ["w"], "attributes are not items");
  assert.deepEqual(Array.from(toFloat32(checkpoint.stateDict().get("w")!)), [3, 4]);
});

/** A raw deflate stream of `pieces` × 16 MiB of zeros, made by repeating one fully flushed piece (fast to build). */
function zeroBomb(pieces: number, final = true): Buffer {
  const piece = deflateRawSync(Buffer.alloc(1 << 24), { level: 9, finishFlush: zlibConstants.Z_FULL_FLUSH });
  const finalBlock = Buffer.from([0x01, 0x00, 0x00, 0xff, 0xff]); // an empty stored block marked last
  return Buffer.concat([...new Array<Buffer>(pieces).fill(piece), ...(final ? [finalBlock] : [])]);
}
const GIB = 2 ** 30;

test("a 1 MB entry inflating to 1 GiB that nothing reads is never inflated: FIX's checkpoint still loads", { skip: noFix }, async () => {
  const original = join(FIX!, "SpeechTokenizer.pt");
  const entries: RawZipEntry[] = [...(await zipContents(original))].map(([name, data]) => ({ name, data }));
  // The bomb lacks its last block: inflating it at all would run through 1 GiB of zeros into an
  // error, so the file loading shows it was left alone.
  const bomb = zeroBomb(64, false);
  assert.ok(bomb.length < 1.1e6);
  const path = file("fix_plus_bomb.pt");
  writeRawZip(path, [...entries, { name: "SpeechTokenizer/extra/bomb", data: bomb, method: 8, size: GIB }]);
  const loaded = (await readCheckpoint(path)).stateDict();
  const expected = (await readCheckpoint(original)).stateDict();
  assert.deepEqual([...loaded.keys()], [...expected.keys()]);
  for (const [name, tensor] of expected) assert.deepEqual(Buffer.from(loaded.get(name)!.bytes), Buffer.from(tensor.bytes), name);
});

test("a read entry is checked before inflating: its declared size against the storage, then the compression ratio", async () => {
  const bomb = zeroBomb(64);
  const small = file("bomb_declared.pt");
  writeRawZip(small, [
    { name: "archive/data.pkl", data: stateDictPickle({ w: contiguous("FloatStorage", "0", 4) }) },
    { name: "archive/data/0", data: bomb, method: 8, size: GIB },
  ]);
  await assert.rejects(readCheckpoint(small), formatError(small, /archive\/data\/0: declares 1073741824 bytes, but the storage it holds has 16/));

  // The pickle claims a 1 GiB storage, matching the header: the ratio (1000:1) gives it away.
  const claimed = file("bomb_ratio.pt");
  writeRawZip(claimed, [
    { name: "archive/data.pkl", data: stateDictPickle({ w: contiguous("FloatStorage", "0", GIB / 4) }) },
    { name: "archive/data/0", data: bomb, method: 8, size: GIB },
  ]);
  await assert.rejects(readCheckpoint(claimed), formatError(claimed, /archive\/data\/0: \d+ bytes declared to inflate to 1073741824, more than 200 times/));

  // Within bounds a deflated storage reads like a stored one.
  const values = Array.from({ length: 300 }, (_, i) => Math.sin(i));
  const deflated = file("deflated_ok.pt");
  writeRawZip(deflated, [
    { name: "archive/data.pkl", data: stateDictPickle({ w: contiguous("FloatStorage", "0", 300) }) },
    { name: "archive/data/0", data: deflateRawSync(f32(values)), method: 8, size: 1200 },
  ]);
  assert.deepEqual(Array.from(toFloat32((await readCheckpoint(deflated)).stateDict().get("w")!)), Array.from(Float32Array.from(values)));
});

test("zip entries that share bytes, or share a name, are refused", async () => {
  const pickle = stateDictPickle({ a: contiguous("FloatStorage", "0", 2), b: contiguous("FloatStorage", "1", 2), c: contiguous("FloatStorage", "2", 2) });
  const shared = file("shared_entries.pt");
  writeRawZip(shared, [
    { name: "archive/data.pkl", data: pickle },
    { name: "archive/data/0", data: f32([1, 2]) },
    { name: "archive/data/1", data: new Uint8Array(0), sameDataAs: "archive/data/0" },
    { name: "archive/data/2", data: new Uint8Array(0), sameDataAs: "archive/data/0" },
  ]);
  await assert.rejects(readCheckpoint(shared), formatError(shared, /archive\/data\/[012] and archive\/data\/[012] share bytes/));

  const twice = file("twice.pt");
  writeRawZip(twice, [
    { name: "archive/data.pkl", data: stateDictPickle({ a: contiguous("FloatStorage", "0", 2) }) },
    { name: "archive/data/0", data: f32([1, 2]) },
    { name: "archive/data/0", data: f32([3, 4]) },
  ]);
  await assert.rejects(readCheckpoint(twice), formatError(twice, /archive\/data\/0 is listed twice/));
});

test("layouts that repeat elements are refused before anything is copied", async () => {
  // 16384 × 16384 over one float: a 1 GiB copy of a 4-byte storage.
  const repeat = file("stride0.pt");
  writeCraftedZip(repeat, stateDictPickle({ w: { storage: "FloatStorage", key: "0", numel: 1, offset: 0, size: [16384, 16384], stride: [0, 0] } }), { "0": f32([1]) });
  await assert.rejects(readCheckpoint(repeat), formatError(repeat, /\["w"\].*stride 0 over extent 16384/));

  // Positive strides that overlap: 64 × 64 elements read from 127.
  const overlap = file("overlap.pt");
  writeCraftedZip(overlap, stateDictPickle({ w: { storage: "FloatStorage", key: "0", numel: 127, offset: 0, size: [64, 64], stride: [1, 1] } }), { "0": f32(new Array<number>(127).fill(0)) });
  await assert.rejects(readCheckpoint(overlap), formatError(overlap, /more elements than its storage's 127/));

  // A size-1 dimension's stride is never stepped over: any value is fine there.
  const ok = file("size1.pt");
  writeCraftedZip(ok, stateDictPickle({ w: { storage: "FloatStorage", key: "0", numel: 3, offset: 0, size: [1, 3], stride: [0, 1] } }), { "0": f32([1, 2, 3]) });
  assert.deepEqual(Array.from(toFloat32((await readCheckpoint(ok)).stateDict().get("w")!)), [1, 2, 3]);
});

test("integers wider than 8 bytes are refused before being decoded; negative ones read as negative", async () => {
  const long4 = file("long4.pt");
  const length = Buffer.alloc(4);
  length.writeUInt32LE(256 * 1024);
  writeCraftedZip(long4, new PickleWriter().proto(2).raw([0x8b, ...length]).raw(new Uint8Array(256 * 1024).fill(0x7f)).stop().bytes(), {});
  await assert.rejects(readCheckpoint(long4), formatError(long4, /an integer of 262144 bytes/));

  const long1 = file("long1.pt");
  writeCraftedZip(long1, new PickleWriter().proto(2).int(2n ** 70n).stop().bytes(), {});
  await assert.rejects(readCheckpoint(long1), formatError(long1, /an integer of 9 bytes/));

  const values = file("ints.pt");
  writeTorchPickle(values, new Map<string, unknown>([["n", [-5_000_000_000, -1, 2 ** 53 - 1, 300]], ["big", [-(2n ** 63n), 2n ** 62n]]]));
  const root = (await readCheckpoint(values)).root as Map<string, unknown[]>;
  assert.deepEqual(root.get("n"), [-5_000_000_000, -1, 2 ** 53 - 1, 300]);
  assert.deepEqual(root.get("big"), [-(2n ** 63n), 2n ** 62n]);
});

test("nesting deeper than 1000, in a value or a dict key, and a list holding itself are refused", async () => {
  const deep = 100_000;
  const nested = (close: number): number[] => [...new Array<number>(deep).fill(0x28), ...new Array<number>(deep).fill(close)];
  const value = file("deep_value.pt");
  writeCraftedZip(value, new PickleWriter().proto(2).emptyDict().string("k").raw(nested(0x6c)).raw([0x73]).stop().bytes(), {}); // MARK… LIST…
  await assert.rejects(readCheckpoint(value), formatError(value, /nested more than 1000 deep/));

  const key = file("deep_key.pt");
  writeCraftedZip(key, new PickleWriter().proto(2).emptyDict().raw(nested(0x74)).int(1).raw([0x73]).stop().bytes(), {}); // MARK… TUPLE…
  await assert.rejects(readCheckpoint(key), formatError(key, /nested more than 1000 deep/));

  const cycle = file("cycle.pt");
  writeCraftedZip(cycle, new PickleWriter().proto(2).emptyList().raw([0x32, 0x61]).stop().bytes(), {}); // DUP APPEND
  await assert.rejects(readCheckpoint(cycle), formatError(cycle, /contains itself/));

  const fine = file("nested_500.pt");
  writeCraftedZip(fine, new PickleWriter().proto(2).raw([...new Array<number>(500).fill(0x28), ...new Array<number>(500).fill(0x6c)]).stop().bytes(), {});
  let depth = 0;
  for (let node = (await readCheckpoint(fine)).root; Array.isArray(node); node = node[0]) depth++;
  assert.equal(depth, 500);
});

test("a folder, a FIFO and a device are refused at once", { timeout: 20_000 }, async () => {
  await assert.rejects(readCheckpoint(dir), formatError(dir, /a folder, not a checkpoint file/));
  const fifo = join(dir, "fifo.pt");
  execFileSync("mkfifo", [fifo]);
  await assert.rejects(readCheckpoint(fifo), formatError(fifo, /FIFO/));
  await assert.rejects(readCheckpoint("/dev/zero"), formatError("/dev/zero", /a device/));
});

test("the CLI answers each hostile checkpoint beside FIX's config.json with exit 2, quickly", { skip: noFix, timeout: 180_000 }, async () => {
  const cases: [string, Uint8Array, Record<string, Uint8Array>][] = [
    ["list_length", LIST_LENGTH_BUILD, {}],
    ["long4", new PickleWriter().proto(2).raw([0x8b, 0x00, 0x00, 0x04, 0x00]).raw(new Uint8Array(256 * 1024)).stop().bytes(), {}],
    ["stride0", stateDictPickle({ w: { storage: "FloatStorage", key: "0", numel: 1, offset: 0, size: [16384, 16384], stride: [0, 0] } }), { "0": f32([1]) }],
  ];
  for (const [name, pickle, storages] of cases) {
    const model = join(dir, `cli_${name}`);
    mkdirSync(model);
    copyFileSync(join(FIX!, "config.json"), join(model, "config.json"));
    writeCraftedZip(join(model, "SpeechTokenizer.pt"), pickle, storages);
    const scp = join(model, "wav.scp");
    writeFileSync(scp, `u1 ${join(model, "absent.wav")}\n`);
    const run = await runCliWithin(["--wav_scp", scp, "--model", model, "--output_dir", join(model, "out")], 30_000);
    assert.equal(run.code, 2, `${name}: ${run.stderr}`);
    assert.match(run.stderr, /SpeechTokenizer\.pt: not a readable PyTorch checkpoint/, name);
  }
});
