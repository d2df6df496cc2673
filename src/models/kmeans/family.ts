/**
 * k-means units as the toolkit sees them: a joblib k-means model (fairseq's learn_kmeans.py) over
 * a fairseq HuBERT / data2vec-audio encoder's layer-L features, audio to one row of units. A model
 * is two local files (no registry names: fairseq publishes no digest for its checkpoints); detect
 * recognises the k-means file by its opening bytes, never by running it. Browser-safe.
 */
import { parseCheckpoint } from "../../checkpoint/parseCheckpoint.js";
import { InvalidInputError } from "../../errors.js";
import { namesEnding, sourceFiles, type ModelSource } from "../../family/modelSource.js";
import type { FamilyLoadOptions, TokenizerFamily } from "../../family/types.js";
import { requireFeatureCheckpointKind } from "../common/featureCheckpoint.js";
import { SpeechEncoderFeatureExtractor, type SpeechEncoderOptions } from "../speechEncoders/extractor.js";
import { KMEANS_HEAD_BYTES, looksLikeKMeansFile, parseKMeansModel } from "./joblibModel.js";
import { KMeansUnitsModel, type KMeansUnitsOptions } from "./model.js";
import { KMEANS_OPTIONS } from "./options.js";
import { writeRandomKMeansModel } from "./randomModel.node.js";
import { KMeansQuantizer } from "./units.js";

export interface KMeansFamilyLoadOptions extends FamilyLoadOptions, SpeechEncoderOptions, KMeansUnitsOptions {
  /** 1-based encoder layer the k-means model was fitted on (default: the one its file name states, `_L9_km500`). */
  layer?: number;
}

/** The k-means file of `source` (the chosen file, else the one file that is one), or undefined. */
async function kmeansFile(source: ModelSource): Promise<string | undefined> {
  const candidates = source.chosen !== undefined ? [source.chosen] : source.names.filter((name) => !/\.(pt|onnx|json|ya?ml|txt|md)$/i.test(name));
  const found: string[] = [];
  for (const name of candidates) if (looksLikeKMeansFile(await source.head(name, KMEANS_HEAD_BYTES))) found.push(name);
  return found.length === 1 ? found[0] : undefined;
}

/** The layer a k-means file's name states as fairseq names its released one (`..._L9_km500.bin`), if it does. */
function layerInName(path: string): number | undefined {
  const match = /_L(\d+)_km\d+[^/\\]*$/.exec(path);
  return match === null ? undefined : Number(match[1]);
}

export const kmeansFamily: TokenizerFamily = {
  name: "kmeans",
  title: "k-means units",
  options: KMEANS_OPTIONS,
  batching: { unitName: "speech-encoder frames (50 a second)", defaults: "6000 (2 minutes), at most 16 utterances; audio over 30 s runs alone" },
  description: "k-means units of HuBERT / data2vec features (fairseq simple_kmeans: GSLM, SpeechGPT): 50 Hz, one row; no decoder",
  models: [],
  byHand: [
    "hubert_base_ls960.pt + hubert_base_ls960_L9_km500.bin (layer 9): https://dl.fbaipublicfiles.com/hubert/ (fairseq examples/hubert)",
    "  or any model learn_kmeans.py wrote: pass --model KM --feature_model PT --layer N [--dedup], or a folder holding both",
    "  (--layer may be left out when the k-means file's name states it as fairseq's does: _L9_km500)",
  ],
  decodes: false,

  /** A joblib k-means file (chosen, or the only one in a folder) and the folder's one .pt, if it has one. */
  async detect(source) {
    const kmeans = await kmeansFile(source);
    if (kmeans === undefined) return null;
    const pt = namesEnding(source, ".pt");
    return pt.length === 1 ? [kmeans, pt[0]!] : [kmeans];
  },

  async open(source, familyOptions, context) {
    const options = familyOptions as KMeansFamilyLoadOptions;
    const kmeans = await kmeansFile(source);
    const pt = namesEnding(source, ".pt");
    if (kmeans === undefined) throw new InvalidInputError(`${source.label}: holds no joblib k-means model`);
    if (pt.length !== 1) {
      throw new InvalidInputError(`${source.label}: k-means units need one feature model (fairseq's HuBERT / data2vec-audio .pt): pass --feature_model PT, or put it beside the k-means file (found ${pt.length} .pt files)`);
    }
    const layer = options.layer ?? layerInName(source.locate(kmeans));
    if (layer === undefined) throw new InvalidInputError(`${source.label}: k-means units need --layer (the encoder layer the k-means model was fitted on; fairseq's hubert_base_ls960_L9_km500.bin: 9)`);
    await requireFeatureCheckpointKind(source, pt[0]!, ["fairseq"]);
    const quantizer = new KMeansQuantizer(parseKMeansModel(await source.read(kmeans), source.locate(kmeans)));
    const encoder = await parseCheckpoint(await source.read(pt[0]!), source.locate(pt[0]!));
    const features = await SpeechEncoderFeatureExtractor.fromCheckpoint(encoder, layer, options, context.backend);
    return KMeansUnitsModel.fromParts(features, quantizer, sourceFiles(source, [kmeans, pt[0]!]), source.label, options);
  },

  async writeRandomModel(dir, options) {
    return writeRandomKMeansModel(dir, options.seed, options.size);
  },
};
