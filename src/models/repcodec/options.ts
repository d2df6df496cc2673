/**
 * RepCodec's own options: which Whisper block's output is tokenized (--layer, 1-based as RepCodec
 * counts; other tokens, so the part file records it), a configuration YAML checked against the
 * weights, and --feature_model, which with --model names the two local files of a model outside
 * any registry. The commands, help and provenance are made from these (family/options.ts).
 */
import type { FamilyOption } from "../../family/options.js";

export const REPCODEC_OPTIONS: readonly FamilyOption[] = [
  {
    name: "feature-model",
    type: "file",
    placeholder: "PT",
    help: [
      "RepCodec from local files: --model is RepCodec's trainer checkpoint (.pkl),",
      "this is openai's Whisper checkpoint (.pt) its features come from",
    ],
    commands: ["extract"],
    into: { files: (model, value) => ({ "repcodec.pkl": model, "whisper.pt": value }) },
  },
  {
    name: "layer",
    type: "integer",
    placeholder: "N",
    help: [
      "RepCodec: the Whisper block (1-based, as RepCodec counts) whose output is",
      "tokenized (default: the release's for a model by name, else the last block)",
    ],
    commands: ["extract"],
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
