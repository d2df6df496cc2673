/**
 * RepCodec's own options: which encoder layer's output is tokenized (--layer, 1-based as RepCodec
 * counts; other tokens, so the part file records it), a configuration YAML checked against the
 * weights, and --feature_model, which with --model names the two local files of a model outside
 * any registry (the feature model is Whisper's or fairseq's checkpoint, told apart by its content). The commands, help and provenance are made from these (family/options.ts).
 */
import type { FamilyOption } from "../../family/options.js";

export const REPCODEC_OPTIONS: readonly FamilyOption[] = [
  {
    name: "feature-model",
    type: "file",
    placeholder: "PT",
    help: [
      "RepCodec (or k-means units) from local files: --model is RepCodec's trainer checkpoint (.pkl)",
      "(or the k-means model), this is the checkpoint its features come from: openai's Whisper .pt,",
      "or fairseq's HuBERT / data2vec-audio .pt",
    ],
    commands: ["extract"],
    into: { files: (model, value) => ({ "repcodec.pkl": model, "feature_model.pt": value }) },
  },
  {
    name: "layer",
    type: "integer",
    placeholder: "N",
    help: [
      "RepCodec, k-means units: the encoder layer (1-based, as RepCodec counts) whose output is",
      "tokenized (RepCodec's default: the release's for a model by name or a released .pkl's name,",
      "else Whisper's last block; HuBERT / data2vec-audio otherwise need it)",
    ],
    commands: ["extract", "serve"],
    into: { load: "layer" },
    provenance: { field: "layer", label: "layer" },
  },
  {
    name: "model-config-path",
    type: "string",
    placeholder: "Y",
    help: ["RepCodec: a configuration YAML checked against the weights"],
    commands: ["extract"],
    into: { load: "configPath" },
  },
];
