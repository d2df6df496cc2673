/**
 * The k-means family's options: the feature model its units are computed from (--feature_model,
 * a fairseq HuBERT / data2vec-audio checkpoint; with --model, the two local files), the encoder
 * layer (--layer: other units, so the part file records it) and --dedup (runs of one unit merged:
 * other codes, so it is recorded too, given or not). RepCodec declares --feature_model and
 * --layer as well; the CLI hands the files to the family whose detect() accepts them.
 */
import type { FamilyOption } from "../../family/options.js";

/** Names the two local files go under (the k-means file is recognised by its content, not its name). */
export const KMEANS_FILES = { kmeans: "kmeans_model.bin", featureModel: "feature_model.pt" } as const;

export const KMEANS_OPTIONS: readonly FamilyOption[] = [
  {
    name: "feature-model",
    type: "file",
    placeholder: "PT",
    help: ["k-means units from local files: --model is the joblib k-means model, this is fairseq's HuBERT / data2vec-audio .pt"],
    commands: ["extract"],
    into: { files: (model, value) => ({ [KMEANS_FILES.kmeans]: model, [KMEANS_FILES.featureModel]: value }) },
  },
  {
    name: "layer",
    type: "integer",
    placeholder: "N",
    help: ["k-means units: the encoder layer (1-based) whose features the k-means model was fitted on"],
    commands: ["extract", "serve"],
    into: { load: "layer" },
    provenance: { field: "layer", label: "layer" },
  },
  {
    name: "dedup",
    type: "boolean",
    help: ["k-means units: merge runs of one unit into one (as GSLM and SpeechGPT use HuBERT units)"],
    commands: ["extract", "serve"],
    into: { load: "dedup" },
    provenance: { field: "dedup", label: "dedup", record: (value) => value === true, quiet: false, olderRecords: false },
  },
];
