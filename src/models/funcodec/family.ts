/**
 * The FunCodec family as the rest of the toolkit sees it: a folder holding config.yaml and
 * model.pth (its released layout), loaded into a FunCodecModel, and random-weight models of the
 * same format for tests and the benchmark.
 *
 * Models by name: none yet. The released encodec checkpoints (Hugging Face alibaba-damo /
 * ModelScope damo: audio_codec-encodec-en-libritts-16k-nq32ds640-pytorch, its ds320 sibling and
 * the zh_en-general ones) could not be pinned to a sha256 and exact size from their hub pages,
 * and an entry is only offered when every file is verified; they load from a local folder
 * (`--model DIR`) meanwhile.
 */
import { basename, dirname, join } from "node:path";
import { readCheckpoint } from "../../checkpoint/index.js";
import { InvalidInputError, ModelConfigError } from "../../errors.js";
import { readConfigFile } from "../../family/configFile.js";
import { isFile } from "../../family/fileCheck.js";
import type { FamilyLoadOptions, FamilyModelSpec, ModelFiles, TokenizerFamily } from "../../family/types.js";
import { nodeBackend } from "../../runtime/nodeBackend.js";
import type { FunCodecLoadOptions, FunCodecModel } from "./model.js";
import { FUNCODEC_CHECKPOINT, FUNCODEC_CONFIG, openFunCodec } from "./open.js";
import { writeRandomFunCodec } from "./randomModel.js";
import { FUNCODEC_OPTIONS } from "./options.js";

const CONFIG = FUNCODEC_CONFIG;
const CHECKPOINT = FUNCODEC_CHECKPOINT;

/** config.yaml's text: a regular file of bounded size, else ModelConfigError naming it. */
function readConfigText(path: string): string {
  return readConfigFile(path, (problem, cause) => new ModelConfigError(path, problem, cause === undefined ? {} : { cause }));
}

/** config.yaml + model.pth of a folder (or of the folder of one of them), when the config is a FunCodec one. */
async function detect(path: string): Promise<ModelFiles | null> {
  let dir = path;
  if (await isFile(path)) {
    if (![CONFIG, CHECKPOINT].includes(basename(path))) return null;
    dir = dirname(path);
  }
  const files = { [CONFIG]: join(dir, CONFIG), [CHECKPOINT]: join(dir, CHECKPOINT) };
  if (!(await isFile(files[CONFIG])) || !(await isFile(files[CHECKPOINT]))) return null;
  // Other toolkits also ship config.yaml + model.pth: FunCodec's names its quantizer and encoder.
  const text = readConfigText(files[CONFIG]);
  return /^quantizer_conf:/m.test(text) && /^encoder_conf:/m.test(text) ? files : null;
}

/** Loads config.yaml + model.pth: config parsed (YAML 1.1), generator tensors checked, graphs built. */
export async function loadFunCodec(files: ModelFiles, source: string, options: FamilyLoadOptions & FunCodecLoadOptions = {}): Promise<FunCodecModel> {
  const configPath = files[CONFIG];
  const checkpointPath = files[CHECKPOINT];
  if (!configPath || !checkpointPath) throw new InvalidInputError(`${source}: a FunCodec model needs ${CONFIG} and ${CHECKPOINT}`);
  const text = readConfigText(configPath);
  const model = await openFunCodec(text, configPath, await readCheckpoint(checkpointPath), source, options, nodeBackend);
  model.files = files;
  return model;
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
  detect,
  load: loadFunCodec,
  writeRandomModel: writeRandomFunCodec,
};
