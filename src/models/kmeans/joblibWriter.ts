/**
 * Writes a k-means model as `joblib.dump` of a fitted scikit-learn MiniBatchKMeans does (the
 * layout joblibModel.ts reads: the estimator's attributes, its centres a NumpyArrayWrapper whose
 * BUILD is followed by a padding-length byte, the padding to a 16-byte boundary and the raw
 * little-endian float32 values), for seeded random models in tests and the benchmark.
 */
import { PickleWriter } from "../../checkpoint/pickleWriter.js";

const NEWOBJ = 0x81;
/** joblib's default array alignment. */
const ALIGNMENT = 16;

/** The joblib file of a k-means model with these centres [clusters, dim] (row-major float32). */
export function joblibKMeansBytes(centers: Float32Array, clusters: number, dim: number): Uint8Array {
  const w = new PickleWriter().proto(2);
  w.global("sklearn.cluster._kmeans", "MiniBatchKMeans").emptyTuple().raw([NEWOBJ]);
  w.emptyDict().mark().string("n_clusters").int(clusters).string("cluster_centers_");
  w.global("joblib.numpy_pickle", "NumpyArrayWrapper").emptyTuple().raw([NEWOBJ]);
  w.emptyDict().mark();
  w.string("subclass").global("numpy", "ndarray");
  w.string("shape").mark().int(clusters).int(dim).tuple();
  w.string("order").string("C");
  // numpy.dtype("f4", False, True), then its state (version, byte order, subarray, names, fields, elsize, alignment, flags).
  w.string("dtype").global("numpy", "dtype").mark().string("f4").bool(false).bool(true).tuple().reduce();
  w.mark().int(3).string("<").none().none().none().int(-1).int(-1).int(0).tuple().build();
  w.string("allow_mmap").bool(true).string("numpy_array_alignment_bytes").int(ALIGNMENT);
  w.setItems().build();
  const padding = (ALIGNMENT - ((w.bytes().length + 1) % ALIGNMENT)) % ALIGNMENT;
  w.raw([padding, ...new Array<number>(padding).fill(0)]).raw(new Uint8Array(centers.buffer, centers.byteOffset, centers.byteLength));
  return w.setItems().build().stop().bytes();
}
