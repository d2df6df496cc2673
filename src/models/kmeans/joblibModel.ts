/**
 * A scikit-learn k-means model as fairseq's learn_kmeans.py saves it (`joblib.dump` of a
 * MiniBatchKMeans, uncompressed), read without running any of it. The file is a pickle in which
 * each numpy array is a `joblib.numpy_pickle.NumpyArrayWrapper` whose BUILD is followed, in the
 * stream, by the array's raw bytes (after a padding-length byte and that many padding bytes when
 * the wrapper records an alignment). The pickle goes through the project's pickle interpreter
 * with an allow-list of exactly these globals: the estimator classes, the wrapper, numpy.ndarray
 * (named as the wrapper's subclass), numpy.dtype and numpy scalars; anything else is refused with
 * CheckpointUnsafeError before it could be called. Only `cluster_centers_` is used.
 */
import { CheckpointUnsafeError, TokenizerError } from "../../errors.js";
import { PickleError, runPickle, type PickleHooks } from "../../checkpoint/pickleMachine.js";
import { KMeansModelError } from "./errors.js";

/** The cluster centres [clusters, dim], float32 or float64 as stored. */
export interface KMeansModel {
  readonly path: string;
  readonly clusters: number;
  readonly dim: number;
  readonly centers: Float32Array | Float64Array;
}

/** Class names of the estimators (current and pre-0.22 module paths). */
const ESTIMATORS = [
  "sklearn.cluster._kmeans.MiniBatchKMeans",
  "sklearn.cluster._kmeans.KMeans",
  "sklearn.cluster.k_means_.MiniBatchKMeans",
  "sklearn.cluster.k_means_.KMeans",
];
const WRAPPERS = ["joblib.numpy_pickle.NumpyArrayWrapper", "sklearn.externals.joblib.numpy_pickle.NumpyArrayWrapper"];
/** The element types an array may have here: numpy's dtype code → bytes per element. */
const ELEMENT_BYTES: Record<string, number> = { f4: 4, f8: 8, i4: 4, i8: 8 };
/** Most elements of one array: far above any k-means model (the released ones are 500 × 1024). */
const MAX_ELEMENTS = 2 ** 28;

class Marker {
  constructor(readonly name: string) {
    Object.freeze(this);
  }
}
class Dtype {
  byteOrder = "<";
  constructor(readonly code: string) {}
}
/** A numpy array read from the stream: dtype code, shape, little-endian values. */
class NumpyArray {
  constructor(
    readonly code: string,
    readonly shape: number[],
    readonly values: Float32Array | Float64Array | Int32Array | BigInt64Array,
  ) {}
}

const isShape = (value: unknown): value is number[] => Array.isArray(value) && value.every((d) => typeof d === "number" && Number.isSafeInteger(d) && d >= 0);

/** The hooks for one joblib file: the allow-list, estimator attributes, arrays read after their wrapper's BUILD. */
function joblibHooks(path: string): PickleHooks {
  const damaged = (problem: string): KMeansModelError => new KMeansModelError(path, `damaged joblib file: ${problem}`);
  const estimators = new WeakSet<object>();
  const wrappers = new WeakSet<object>();
  const allowed = new Map<string, unknown>();
  for (const name of ESTIMATORS) allowed.set(name, new Marker("estimator"));
  for (const name of WRAPPERS) allowed.set(name, new Marker("wrapper"));
  allowed.set("numpy.ndarray", new Marker("numpy.ndarray"));
  // numpy.dtype("f4", False, True): the code only; its byte order comes by BUILD.
  allowed.set("numpy.dtype", (code: unknown) => {
    if (typeof code !== "string" || !(code in ELEMENT_BYTES)) throw new KMeansModelError(path, `an array of dtype ${JSON.stringify(code)} (only f4, f8, i4, i8 are read)`);
    return new Dtype(code);
  });
  // numpy.core.multiarray.scalar(dtype, bytes): a plain number (estimator attributes such as inertia_).
  allowed.set("numpy.core.multiarray.scalar", (dtype: unknown, data: unknown) => {
    if (!(dtype instanceof Dtype) || !(data instanceof Uint8Array) || data.length !== ELEMENT_BYTES[dtype.code]) throw damaged("a numpy scalar that is not (dtype, its bytes)");
    const view = new DataView(data.buffer, data.byteOffset, data.length);
    return dtype.code === "f4" ? view.getFloat32(0, true) : dtype.code === "f8" ? view.getFloat64(0, true) : dtype.code === "i4" ? view.getInt32(0, true) : Number(view.getBigInt64(0, true));
  });

  const readArray = (state: Map<unknown, unknown>, take: (count: number) => Uint8Array): NumpyArray => {
    const dtype = state.get("dtype");
    const shape = state.get("shape");
    if (!(dtype instanceof Dtype) || !isShape(shape)) throw damaged("an array wrapper without a dtype and a shape");
    if (dtype.byteOrder !== "<" && dtype.byteOrder !== "|") throw new KMeansModelError(path, "a big-endian array (only little-endian files are read)");
    if (state.get("order") !== "C" && shape.length > 1) throw new KMeansModelError(path, `an array in ${JSON.stringify(state.get("order"))} order (only C order is read)`);
    const count = shape.reduce((a, b) => a * b, 1);
    if (count > MAX_ELEMENTS) throw damaged(`an array of ${count} elements`);
    if (state.get("numpy_array_alignment_bytes") !== undefined && state.get("numpy_array_alignment_bytes") !== null) take(take(1)[0]!);
    const bytes = new Uint8Array(take(count * ELEMENT_BYTES[dtype.code]!)); // a copy of its own (a Buffer's slice would be a view), aligned for the typed array
    const values = dtype.code === "f4" ? new Float32Array(bytes.buffer) : dtype.code === "f8" ? new Float64Array(bytes.buffer)
      : dtype.code === "i4" ? new Int32Array(bytes.buffer) : new BigInt64Array(bytes.buffer);
    return new NumpyArray(dtype.code, shape, values);
  };

  return {
    global(module, name) {
      const global = `${module}.${name}`;
      if (!allowed.has(global)) throw new CheckpointUnsafeError(path, global);
      return allowed.get(global);
    },
    persistentLoad() {
      throw damaged("a persistent id (joblib files have none)");
    },
    call(callable, args) {
      if (typeof callable !== "function" || args.length > 3) throw damaged("a call of something that is not numpy.dtype or numpy scalar");
      return (callable as (...a: unknown[]) => unknown)(...args);
    },
    newObject(cls, args) {
      if (!(cls instanceof Marker) || (cls.name !== "estimator" && cls.name !== "wrapper") || args.length > 0) throw damaged("NEWOBJ of something other than the estimator or an array wrapper");
      const made = new Map<unknown, unknown>();
      (cls.name === "estimator" ? estimators : wrappers).add(made);
      return made;
    },
    build(target, state, stream) {
      if (target instanceof Dtype) {
        // (version, byte order, subarray, names, fields, elsize, alignment, flags)
        if (!Array.isArray(state) || typeof state[1] !== "string") throw damaged("a dtype state that is not numpy's tuple");
        target.byteOrder = state[1];
        return;
      }
      const attributes = state instanceof Map && [...state.keys()].every((k) => typeof k === "string");
      if (!(target instanceof Map) || !attributes) throw damaged("BUILD on something other than the estimator or an array wrapper");
      if (wrappers.has(target)) {
        wrappers.delete(target);
        target.set("array", readArray(state, (count) => stream.take(count)));
      } else if (estimators.has(target)) {
        estimators.delete(target);
        for (const [key, value] of state) target.set(key, value instanceof Map && value.has("array") ? value.get("array") : value);
      } else {
        throw damaged("BUILD on a dict");
      }
    },
    extension(code) {
      throw new CheckpointUnsafeError(path, `extension code ${code}`);
    },
  };
}

/** Zlib, gzip, bz2, xz and lz4 magic numbers: joblib.dump(compress=...) output, which is not read here. */
const COMPRESSED = [[0x78], [0x1f, 0x8b], [0x42, 0x5a, 0x68], [0xfd, 0x37, 0x7a, 0x58, 0x5a], [0x04, 0x22, 0x4d, 0x18]];

/** The k-means model in `bytes` (the whole file); `path` names it in every error. */
export function parseKMeansModel(bytes: Uint8Array, path: string): KMeansModel {
  if (COMPRESSED.some((magic) => magic.every((b, i) => bytes[i] === b))) {
    throw new KMeansModelError(path, "a compressed joblib file (joblib.dump with compress=...); save it uncompressed, as learn_kmeans.py does");
  }
  if (bytes[0] !== 0x80) throw new KMeansModelError(path, "not a pickle (joblib.dump output starts with a pickle protocol byte)");
  let root: unknown;
  try {
    root = runPickle(bytes, 0, joblibHooks(path)).value;
  } catch (error) {
    if (error instanceof TokenizerError) throw error;
    if (error instanceof PickleError) throw new KMeansModelError(path, `byte ${error.offset}: ${error.damaged ? "damaged or truncated pickle" : "refused"} (${error.message})`, { cause: error });
    throw error;
  }
  const centers = root instanceof Map ? root.get("cluster_centers_") : undefined;
  if (!(centers instanceof NumpyArray)) throw new KMeansModelError(path, "no cluster_centers_ array: not a fitted scikit-learn KMeans / MiniBatchKMeans");
  if (centers.shape.length !== 2 || centers.shape[0]! < 1 || centers.shape[1]! < 1) throw new KMeansModelError(path, `cluster_centers_ has shape [${centers.shape.join(", ")}], expected [clusters, dim]`);
  if (!(centers.values instanceof Float32Array || centers.values instanceof Float64Array)) throw new KMeansModelError(path, `cluster_centers_ holds ${centers.code}, not floats`);
  if (!centers.values.every(Number.isFinite)) throw new KMeansModelError(path, "cluster_centers_ holds NaN or infinite values");
  return { path, clusters: centers.shape[0]!, dim: centers.shape[1]!, centers: centers.values };
}

/** Bytes of a file's opening that looksLikeKMeansFile reads: the estimator's global comes first. */
export const KMEANS_HEAD_BYTES = 256;

/**
 * Whether a file's opening bytes are a joblib dump of a scikit-learn k-means estimator: a pickle
 * (protocol byte first, not torch's legacy magic number) naming one of the estimator classes
 * before anything else. Nothing is run; the whole file is read and checked by parseKMeansModel.
 */
export function looksLikeKMeansFile(head: Uint8Array): boolean {
  if (head[0] !== 0x80) return false;
  const text = new TextDecoder("latin1").decode(head.subarray(0, KMEANS_HEAD_BYTES));
  return ESTIMATORS.some((name) => {
    const dot = name.lastIndexOf(".");
    return text.includes(name.slice(0, dot)) && text.includes(name.slice(dot + 1));
  });
}
