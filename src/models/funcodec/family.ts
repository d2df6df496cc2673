/**
 * The FunCodec family as the rest of the toolkit sees it: config.yaml and model.pth (its released
 * layout), opened into a FunCodecModel, and random-weight models of the same format for tests and
 * the benchmark.
 *
 * Models by name: none yet. The released encodec checkpoints (Hugging Face alibaba-damo /
 * ModelScope damo: audio_codec-encodec-en-libritts-16k-nq32ds640-pytorch, its ds320 sibling and
 * the zh_en-general ones) could not be pinned to a sha256 and exact size from their hub pages,
 * and an entry is only offered when every file is verified; they load from a local folder
 * (`--model DIR`) meanwhile.
 */
import { ModelConfigError } from "../../errors.js";
import { sourceFiles, type ModelSource } from "../../family/modelSource.js";
import type { FamilyModelSpec, TokenizerFamily } from "../../family/types.js";
import { FUNCODEC_CHECKPOINT, FUNCODEC_CONFIG } from "./files.js";
import { FUNCODEC_OPTIONS } from "./options.js";

const CONFIG = FUNCODEC_CONFIG;
const CHECKPOINT = FUNCODEC_CHECKPOINT;

/** config.yaml's text: a regular file of bounded size, else ModelConfigError naming it. */
function configText(source: ModelSource): Promise<string> {
  const where = source.locate(CONFIG);
  return source.text(CONFIG, (problem, cause) => new ModelConfigError(where, problem, cause === undefined ? {} : { cause }));
}

const models: readonly FamilyModelSpec[] = [];

/** The released encodec models this family loads, as Hugging Face (alibaba-damo) and ModelScope (damo) name them. */
const RELEASES = [
  "audio_codec-encodec-en-libritts-16k-nq32ds640-pytorch",
  "audio_codec-encodec-en-libritts-16k-nq32ds320-pytorch",
  "audio_codec-encodec-zh_en-general-16k-nq32ds640-pytorch",
  "audio_codec-encodec-zh_en-general-16k-nq32ds320-pytorch",
];

export const funcodecFamily: TokenizerFamily = {
  name: "funcodec",
  title: "FunCodec",
  options: FUNCODEC_OPTIONS,
  batching: { unitName: "samples", defaults: "480000 (30 s)" },
  description: "FunCodec encodec codecs: 16 kHz audio → up to 32 RVQ rows × 1024 codes and a per-utterance scale (bit width → rows); decodes to audio",
  models,
  byHand: [
    `${CONFIG} + ${CHECKPOINT} of a release, from https://huggingface.co/alibaba-damo/<release> or https://www.modelscope.cn/models/damo/<release>`,
    `  (releases: ${RELEASES.join(", ")});`,
    "  pass the folder holding both as --model DIR (no digest is published, so no name downloads them)",
  ],
  decodes: true,

  /** config.yaml + model.pth (a source holding both, or one of them named), when the config is a FunCodec one. */
  async detect(source) {
    if (source.chosen !== undefined && ![CONFIG, CHECKPOINT].includes(source.chosen)) return null;
    if (!source.names.includes(CONFIG) || !source.names.includes(CHECKPOINT)) return null;
    // Other toolkits also ship config.yaml + model.pth: FunCodec's names its quantizer and encoder.
    const text = await configText(source);
    return /^quantizer_conf:/m.test(text) && /^encoder_conf:/m.test(text) ? [CONFIG, CHECKPOINT] : null;
  },

  /** config.yaml parsed (YAML 1.1), generator tensors of model.pth checked, graphs built. */
  async open(source, options, context) {
    const text = await configText(source);
    // The model code loads when a model opens: a command that only lists families or parses flags stays quick.
    const [{ parseCheckpoint }, { openFunCodec }] = await Promise.all([import("../../checkpoint/parseCheckpoint.js"), import("./open.js")]);
    const checkpoint = await parseCheckpoint(await source.read(CHECKPOINT), source.locate(CHECKPOINT));
    const model = await openFunCodec(text, source.locate(CONFIG), checkpoint, source.label, options, context.backend);
    model.files = sourceFiles(source, [CONFIG, CHECKPOINT]);
    return model;
  },

  writeRandomModel: async (dir, options) => (await import("./randomModel.node.js")).writeRandomFunCodec(dir, options),
};
