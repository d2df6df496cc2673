/**
 * Unpickles a torch checkpoint's object pickle without running any of its code. pickleMachine.ts
 * does the opcodes; the hooks here answer only an allow-list of globals (the ones state dicts use)
 * with inert JavaScript stand-ins and refuse every other global with CheckpointUnsafeError before
 * anything could be called. BUILD (setting an object's state) is refused except on an
 * OrderedDict, whose state is its attributes (a state dict's _metadata), which are dropped, and
 * on the inert stand-ins of a fairseq config (inertObjects.ts: omegaconf containers, argparse
 * Namespace, fairseq Dictionary), which become plain dicts and lists.
 * Storages come through persistent ids; tensors are recorded as pending and materialised once
 * every storage's bytes are known (the legacy format stores the bytes after the pickle).
 */
import { CheckpointFormatError, CheckpointUnsafeError, TokenizerError } from "../errors.js";
import type { TensorData } from "../onnx/tensor.js";
import { InertObjects } from "./inertObjects.js";
import { PickleError, runPickle, type PickleHooks } from "./pickleMachine.js";
import { STORAGE_TYPES, type StorageType } from "./storageTypes.js";
import { tensorFromStorage, type TensorLayout } from "./tensorLayout.js";

/** A storage a persistent id named: its type, key, size, and (legacy only) the view on a root storage. */
export interface StorageRef {
  readonly type: StorageType;
  /** The storage's key: zip entry `<prefix>/data/<key>`, or the legacy root key. */
  readonly key: string;
  /** Elements the persistent id says the (root) storage holds. */
  readonly numel: number;
  /** Element offset inside the root storage (legacy storage views; 0 otherwise). */
  readonly viewOffset: number;
}

/** A tensor whose storage bytes may not be known yet. */
class PendingTensor {
  constructor(
    readonly storage: StorageRef,
    readonly layout: TensorLayout,
  ) {
    Object.freeze(this);
  }
}

/** What a storage class global resolves to: a marker the persistent id points at. */
class StorageClass {
  constructor(readonly type: StorageType) {
    Object.freeze(this);
  }
}

/** Decodes a checked persistent id tuple into the storage it names. */
export type PersistentLoad = (pid: unknown[], storageClass: StorageType) => StorageRef;

const KNOWN_TYPES = new Set(STORAGE_TYPES.values());
/** _rebuild_tensor_v2's 7 is the most any allowed global takes. */
const MAX_CALL_ARGUMENTS = 8;

const isCount = (value: unknown): value is number => typeof value === "number" && Number.isSafeInteger(value) && value >= 0;

function asIntegerList(value: unknown): number[] | null {
  if (!Array.isArray(value)) return null;
  const out = value.map((v) => (typeof v === "bigint" ? Number(v) : v));
  return out.every((v) => typeof v === "number" && Number.isSafeInteger(v)) ? (out as number[]) : null;
}

/** The hooks for one pickle of `path`: the allow-list, storages through `load`, BUILD held to OrderedDicts. */
function checkpointHooks(path: string, load: PersistentLoad): PickleHooks {
  const damaged = (problem: string): CheckpointFormatError => new CheckpointFormatError(path, `damaged checkpoint: ${problem}`);
  const storages = new WeakSet<StorageRef>();
  const orderedDicts = new WeakSet<Map<unknown, unknown>>();
  const inert = new InertObjects(damaged);

  const describe = (value: unknown): string => {
    const standIn = inert.describe(value);
    if (standIn !== undefined) return standIn;
    if (value instanceof PendingTensor) return `the tensor in storage "${value.storage.key}"`;
    if (typeof value === "object" && value !== null && storages.has(value as StorageRef)) return `the storage reference "${(value as StorageRef).key}"`;
    if (value instanceof StorageClass) return `the class torch.${value.type.name}`;
    if (Array.isArray(value)) return "a list or tuple";
    if (value instanceof Map) return "a dict";
    if (typeof value === "function") return "a function";
    return value === null ? "None" : `a ${typeof value}`;
  };

  const allowed = inert.globals();
  // OrderedDict(): called with no arguments (items come by SETITEMS) or a list of pairs.
  allowed.set("collections.OrderedDict", (items?: unknown) => {
    if (items !== undefined && !(Array.isArray(items) && items.every((pair) => Array.isArray(pair) && pair.length === 2))) {
      throw damaged("OrderedDict called with something other than a list of pairs");
    }
    const dict = new Map((items ?? []) as [unknown, unknown][]);
    orderedDicts.add(dict);
    return dict;
  });
  // torch._utils._rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])
  allowed.set("torch._utils._rebuild_tensor_v2", (storage: unknown, offset: unknown, size: unknown, stride: unknown) => {
    const sizes = asIntegerList(size);
    const strides = asIntegerList(stride);
    if (!(typeof storage === "object" && storage !== null && storages.has(storage as StorageRef)) || !isCount(offset) || sizes === null || strides === null) {
      throw new CheckpointFormatError(path, "_rebuild_tensor_v2 called with arguments that are not (storage, offset, size, stride)");
    }
    return new PendingTensor(storage as StorageRef, Object.freeze({ offset, size: sizes, stride: strides }));
  });
  // _rebuild_parameter(data, requires_grad, backward_hooks): a Parameter is its tensor here.
  allowed.set("torch._utils._rebuild_parameter", (data: unknown) => {
    if (!(data instanceof PendingTensor)) throw damaged(`_rebuild_parameter called on ${describe(data)}, not a tensor`);
    return data;
  });
  for (const type of STORAGE_TYPES.values()) allowed.set(`torch.${type.name}`, new StorageClass(type));

  return {
    global(module, name) {
      const global = `${module}.${name}`;
      if (!allowed.has(global)) throw new CheckpointUnsafeError(path, global);
      return allowed.get(global);
    },
    persistentLoad(pid) {
      // ("storage", storage_type, key, location, numel[, view_metadata])
      if (!Array.isArray(pid) || pid[0] !== "storage" || !(pid[1] instanceof StorageClass)) {
        throw new CheckpointFormatError(path, "a persistent id is not a torch storage reference");
      }
      if (typeof pid[2] !== "string" || typeof pid[3] !== "string" || !isCount(pid[4])) {
        throw new CheckpointFormatError(path, "a storage reference is not (\"storage\", type, key, location, element count)");
      }
      const ref = Object.freeze(load(pid, pid[1].type));
      storages.add(ref);
      return ref;
    },
    call(callable, args) {
      if (typeof callable !== "function") throw damaged(`calls ${describe(callable)}`);
      // A huge tuple must not be spread onto the stack.
      if (args.length > MAX_CALL_ARGUMENTS) throw damaged(`calls a function with ${args.length} arguments`);
      return (callable as (...args: unknown[]) => unknown)(...args);
    },
    newObject(cls, args) {
      const made = inert.newObject(cls, args);
      if (made === undefined) throw damaged(`NEWOBJ instantiates ${describe(cls)}`);
      return made;
    },
    build(target, state) {
      if (inert.build(target, state)) return;
      // pickle's BUILD sets attributes; an OrderedDict's are not its items, so they are dropped.
      const attributes = state === null || (state instanceof Map && [...state.keys()].every((key) => typeof key === "string"));
      if (target instanceof Map && orderedDicts.has(target) && attributes) return;
      throw damaged(`BUILD sets the state of ${describe(target)} (only an OrderedDict's attributes, such as a state dict's _metadata, are ever set)`);
    },
    extension(code) {
      throw new CheckpointUnsafeError(path, `extension code ${code}`);
    },
  };
}

/**
 * Reads one pickle of `bytes` starting at `start`; returns its value and the offset after it.
 * Typed errors pass through; a malformed pickle or one past a bound becomes CheckpointFormatError.
 */
export function readPickle(bytes: Uint8Array, start: number, path: string, what: string, load: PersistentLoad): { value: unknown; end: number } {
  try {
    return runPickle(bytes, start, checkpointHooks(path, load));
  } catch (error) {
    if (error instanceof TokenizerError) throw error;
    if (error instanceof PickleError) {
      const where = `${what}, byte ${error.offset}`;
      throw new CheckpointFormatError(path, error.damaged ? `${where}: damaged or truncated pickle (${error.message})` : `${where}: refused: ${error.message}`, { cause: error });
    }
    throw error;
  }
}

/** Reads the whole of `bytes` as one pickle (the zip format's data.pkl). */
export function unpickle(bytes: Uint8Array, path: string, what: string, load: PersistentLoad): unknown {
  return readPickle(bytes, 0, path, what, load).value;
}

/** A key of a dict as errors show it: ["model"]["w"]. */
function keyLabel(key: unknown): string {
  return `[${typeof key === "string" ? JSON.stringify(key) : String(key)}]`;
}

/**
 * Replaces every pending tensor in `root` by its TensorData, with each storage's bytes from
 * `storageBytes`. Shared pending tensors (memoised in the pickle) become one TensorData. Recursive:
 * runPickle refused any value nested deeper than MAX_DEPTH or containing itself.
 */
export function materialize(
  root: unknown,
  storageBytes: (storage: StorageRef) => Uint8Array,
  path: string,
): unknown {
  const done = new Map<PendingTensor, TensorData>();
  const seen = new Set<object>();
  const resolve = (value: unknown, where: string): unknown => {
    if (value instanceof PendingTensor) {
      let tensor = done.get(value);
      if (tensor === undefined) {
        const { storage, layout } = value;
        const what = `tensor ${where || "(the root)"} (storage ${storage.key})`;
        if (!KNOWN_TYPES.has(storage.type)) throw new CheckpointFormatError(path, `${what}: not a torch storage type`);
        tensor = tensorFromStorage(
          storageBytes(storage),
          storage.type.dataType,
          storage.type.width,
          { ...layout, offset: layout.offset + storage.viewOffset },
          path,
          what,
        );
        done.set(value, tensor);
      }
      return tensor;
    }
    if (typeof value !== "object" || value === null || seen.has(value)) return value;
    seen.add(value);
    // Labels are built for objects only: a list of a million token ids makes no strings.
    const child = (item: unknown, key: unknown): unknown => (typeof item === "object" && item !== null ? resolve(item, where + keyLabel(key)) : item);
    if (value instanceof Map) {
      for (const [key, item] of value) value.set(key, child(item, key));
    } else if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) value[i] = child(value[i], i);
    }
    return value;
  };
  return resolve(root, "");
}

/** True for a value the unpickler turned into a tensor. */
export function isTensorData(value: unknown): value is TensorData {
  return typeof value === "object" && value !== null && "dataType" in value && "dims" in value &&
    (value as TensorData).bytes instanceof Uint8Array;
}
