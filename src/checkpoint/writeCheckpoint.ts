/**
 * Writes torch zip checkpoints that torch.load reads: `<name>/data.pkl` (protocol 2, tensors as
 * torch._utils._rebuild_tensor_v2 over persistent storage ids, exactly as torch.save pickles
 * them), `<name>/byteorder`, one `<name>/data/<key>` entry per tensor, and `<name>/version`.
 */
import { basename, extname } from "node:path";
import { InvalidInputError } from "../errors.js";
import type { TensorData } from "../onnx/tensor.js";
import { PickleWriter } from "./pickleWriter.js";
import { StoredZipWriter } from "./storedZip.js";
import { storageTypeOf } from "./storageTypes.js";
import { contiguousStrides } from "./tensorLayout.js";
import { isTensorData } from "./unpickle.js";

/** A state dict, or a tree of dicts holding state dicts and plain data (RepCodec's {"model": {"repcodec": sd}}). */
export type CheckpointTree = ReadonlyMap<string, TensorData | CheckpointTree | unknown>;

/** torch.save's serialization format version (torch/serialization.py writes "3"). */
const FORMAT_VERSION = "3\n";

/** The zip's top folder: torch names it after the file, without its extension. */
function archiveName(path: string): string {
  const name = basename(path, extname(path)).replace(/[^A-Za-z0-9_.-]/g, "_");
  return name === "" ? "archive" : name;
}

/** A tensor as torch pickles it: which storage, and where in it. */
export interface PickledTensor {
  /** Storage class name, e.g. "FloatStorage". */
  storage: string;
  key: string;
  /** Elements in the storage. */
  numel: number;
  offset: number;
  size: readonly number[];
  stride: readonly number[];
  /** Extra persistent-id items after numel (the legacy format's view_metadata: null). */
  pidTail?: readonly null[];
}

/**
 * Emits torch._utils._rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad,
 * backward_hooks), the storage as persistent id ("storage", torch.<Storage>, key, "cpu", numel).
 */
export function pickleTensor(writer: PickleWriter, tensor: PickledTensor): void {
  writer.global("torch._utils", "_rebuild_tensor_v2").mark();
  writer.mark().string("storage").global("torch", tensor.storage).string(tensor.key).string("cpu").int(tensor.numel);
  for (const item of tensor.pidTail ?? []) writer.value(item);
  writer.tuple().binPersId();
  writer.int(tensor.offset);
  writer.mark();
  for (const d of tensor.size) writer.int(d);
  writer.tuple().mark();
  for (const s of tensor.stride) writer.int(s);
  writer.tuple().bool(false);
  writer.global("collections", "OrderedDict").emptyTuple().reduce();
  writer.tuple().reduce();
}

function tensorPickler(path: string, storages: Uint8Array[]) {
  return (writer: PickleWriter, value: unknown): void => {
    if (!isTensorData(value)) {
      throw new InvalidInputError(`${path}: cannot write ${Object.prototype.toString.call(value)} into a checkpoint`);
    }
    const type = storageTypeOf(value.dataType);
    if (type === undefined) throw new InvalidInputError(`${path}: no torch storage for ONNX data type ${value.dataType}`);
    const numel = value.dims.reduce((a, b) => a * b, 1);
    if (value.bytes.byteLength !== numel * type.width) {
      throw new InvalidInputError(`${path}: a tensor [${value.dims}] has ${value.bytes.byteLength} bytes, expected ${numel * type.width}`);
    }
    const key = String(storages.length);
    storages.push(value.bytes);
    pickleTensor(writer, { storage: type.name, key, numel, offset: 0, size: value.dims, stride: contiguousStrides(value.dims) });
  };
}

function writeZip(path: string, pickle: Uint8Array, storages: readonly Uint8Array[]): void {
  const name = archiveName(path);
  const zip = new StoredZipWriter(path);
  try {
    zip.add(`${name}/data.pkl`, [pickle]);
    zip.add(`${name}/byteorder`, [new TextEncoder().encode("little")]);
    storages.forEach((bytes, key) => zip.add(`${name}/data/${key}`, [bytes]));
    zip.add(`${name}/version`, [new TextEncoder().encode(FORMAT_VERSION)]);
  } catch (error) {
    zip.abort();
    throw error;
  }
  zip.finish();
}

/**
 * Writes `tree` (name -> tensor, or nested dicts of tensors and plain data) as a torch checkpoint
 * at `path`. Tensors are written contiguous, each in its own storage, straight from their bytes.
 */
export function writeTorchCheckpoint(path: string, tree: CheckpointTree): void {
  const storages: Uint8Array[] = [];
  const pickle = new PickleWriter().proto(2).value(tree, tensorPickler(path, storages)).stop().bytes();
  writeZip(path, pickle, storages);
}

/**
 * Writes plain data (dicts, lists, strings, numbers, booleans, null) as a torch zip holding only
 * data.pkl: what torch.save writes for e.g. CosyVoice's utt2speech_token.pt (dict key -> list of
 * ints). No globals, so torch.load(weights_only=True) reads it too.
 */
export function writeTorchPickle(path: string, value: unknown): void {
  const pickle = new PickleWriter().proto(2).value(value).stop().bytes();
  writeZip(path, pickle, []);
}
