/** k-means units over speech-encoder features (fairseq simple_kmeans), from a joblib model file. */
export { KMeansModelError } from "./errors.js";
export { parseKMeansModel, type KMeansModel } from "./joblibModel.js";
export { dedupUnits, KMeansQuantizer } from "./units.js";
export { openKMeansQuantizer } from "./open.js";
