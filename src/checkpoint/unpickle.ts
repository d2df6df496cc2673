/**
 * Unpickles a torch checkpoint's object pickle without running any of its code. pickleparser does
 * the opcodes; the name resolver answers only an allow-list of globals (the ones state dicts use)
 * with inert JavaScript stand-ins, and refuses every other global with CheckpointUnsafeError
 * before anything could be called. Storages come through persistent ids; tensors are recorded
 * as pending and materialised once every storage's bytes are known (the legacy format stores the
 * bytes after the pickle).
 */
import { BufferReader, Parser } from "pickleparser";
import { CheckpointFormatError, CheckpointUnsafeError, S3TokenizerError } from "../errors.js";
import type { TensorData } from "../onnx/tensor.js";
import { STORAGE_TYPES, type StorageType } from "./storageTypes.js";
import { tensorFromStorage, type TensorLayout } from "./tensorLayout.js";

/** A storage a persistent id named: its type, key, and (legacy only) the view on a root storage. */
export interface StorageRef {
  readonly type: StorageType;
  /** The storage's key: zip entry `<prefix>/data/<key>`, or the legacy root key. */
  readonly key: string;
  /** Element offset inside the root storage (legacy storage views; 0 otherwise). */
  readonly viewOffset: number;
}

/** A tensor whose storage bytes may not be known yet. */
class PendingTensor {
  constructor(
    readonly storage: StorageRef,
    readonly layout: TensorLayout,
  ) {}
}

/** What a storage class global resolves to: a marker the persistent id points at. */
class StorageClass {
  constructor(readonly type: StorageType) {}
}

/** Decodes a persistent id tuple into the storage it names. */
export type PersistentLoad = (pid: unknown[], storageClass: StorageType) => StorageRef;

function asIntegerList(value: unknown): number[] | null {
  if (!Array.isArray(value)) return null;
  const out = value.map((v) => (typeof v === "bigint" ? Number(v) : v));
  return out.every((v) => typeof v === "number" && Number.isInteger(v)) ? (out as number[]) : null;
}

function rebuildTensor(path: string): (...args: unknown[]) => PendingTensor {
  // torch._utils._rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])
  return (storage, offset, size, stride) => {
    const sizes = asIntegerList(size);
    const strides = asIntegerList(stride);
    if (!(typeof storage === "object" && storage !== null && "type" in storage && "key" in storage) ||
      typeof offset !== "number" || sizes === null || strides === null) {
      throw new CheckpointFormatError(path, "_rebuild_tensor_v2 called with arguments that are not (storage, offset, size, stride)");
    }
    return new PendingTensor(storage as StorageRef, { offset, size: sizes, stride: strides });
  };
}

/** "module.name" -> the stand-in the pickle gets; everything else is refused. */
function allowedGlobals(path: string): Map<string, unknown> {
  const allowed = new Map<string, unknown>();
  // OrderedDict(): called with no arguments (items come by SETITEMS) or a list of pairs.
  allowed.set("collections.OrderedDict", (items?: unknown) => new Map(Array.isArray(items) ? (items as [unknown, unknown][]) : []));
  allowed.set("torch._utils._rebuild_tensor_v2", rebuildTensor(path));
  // _rebuild_parameter(data, requires_grad, backward_hooks): a Parameter is its tensor here.
  allowed.set("torch._utils._rebuild_parameter", (data: unknown) => data);
  for (const type of STORAGE_TYPES.values()) allowed.set(`torch.${type.name}`, new StorageClass(type));
  return allowed;
}

/** A parser for one pickle of `path`, resolving storages through `load`. */
function makeParser(path: string, load: PersistentLoad): Parser {
  const allowed = allowedGlobals(path);
  return new Parser({
    unpicklingTypeOfDictionary: "Map",
    unpicklingTypeOfSet: "array",
    nameResolver: {
      resolve(module: string, name: string) {
        const global = `${module}.${name}`;
        if (!allowed.has(global)) throw new CheckpointUnsafeError(path, global);
        return allowed.get(global) as (...args: unknown[]) => unknown;
      },
    },
    persistentResolver: {
      resolve(pid: unknown) {
        // ("storage", storage_type, key, location, numel[, view_metadata])
        if (!Array.isArray(pid) || pid[0] !== "storage" || !(pid[1] instanceof StorageClass)) {
          throw new CheckpointFormatError(path, "a persistent id is not a torch storage reference");
        }
        return load(pid, pid[1].type);
      },
    },
    extensionResolver: {
      resolve(code: number) {
        throw new CheckpointUnsafeError(path, `extension code ${code}`);
      },
    },
  });
}

/**
 * Reads one pickle from `reader` (positioned at its first opcode). Typed errors pass through;
 * anything pickleparser throws (truncation, bad opcodes) becomes CheckpointFormatError.
 */
export function readPickle(reader: BufferReader, path: string, what: string, load: PersistentLoad): unknown {
  try {
    return makeParser(path, load).read(reader);
  } catch (error) {
    if (error instanceof S3TokenizerError) throw error;
    const message = error instanceof Error ? error.message : String(error);
    throw new CheckpointFormatError(path, `${what}: damaged or truncated pickle (${message})`, { cause: error });
  }
}

/** Reads the whole of `bytes` as one pickle (the zip format's data.pkl). */
export function unpickle(bytes: Uint8Array, path: string, what: string, load: PersistentLoad): unknown {
  return readPickle(new BufferReader(bytes), path, what, load);
}

/**
 * Replaces every pending tensor in `root` by its TensorData, with each storage's bytes from
 * `storageBytes`. Shared pending tensors (memoised in the pickle) become one TensorData.
 */
export function materialize(
  root: unknown,
  storageBytes: (storage: StorageRef) => Uint8Array,
  path: string,
): unknown {
  const done = new Map<PendingTensor, TensorData>();
  const seen = new Set<object>();
  const resolve = (value: unknown): unknown => {
    if (value instanceof PendingTensor) {
      let tensor = done.get(value);
      if (tensor === undefined) {
        const { storage, layout } = value;
        tensor = tensorFromStorage(
          storageBytes(storage),
          storage.type.dataType,
          storage.type.width,
          { ...layout, offset: layout.offset + storage.viewOffset },
          path,
          `tensor in storage ${storage.key}`,
        );
        done.set(value, tensor);
      }
      return tensor;
    }
    if (typeof value !== "object" || value === null || seen.has(value)) return value;
    seen.add(value);
    if (value instanceof Map) {
      for (const [key, item] of value) value.set(key, resolve(item));
    } else if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) value[i] = resolve(value[i]);
    }
    return value;
  };
  return resolve(root);
}

/** True for a value the unpickler turned into a tensor. */
export function isTensorData(value: unknown): value is TensorData {
  return typeof value === "object" && value !== null && "dataType" in value && "dims" in value &&
    (value as TensorData).bytes instanceof Uint8Array;
}
