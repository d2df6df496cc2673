/**
 * The SpeechTokenizer family as the toolkit sees it: its released models, how to recognise its
 * files, how to load them, and a random-weight model of the released format for tests and benches.
 */
import { readFile, mkdir, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { readCheckpoint, writeTorchCheckpoint } from "../../checkpoint/index.js";
import { isFile } from "../../family/fileCheck.js";
import type { FamilyLoadOptions, ModelFiles, SpeechTokenizerModel, TokenizerFamily } from "../../family/types.js";
import { ModelConfigError } from "../../errors.js";
import { configJson } from "./config.js";
import { readConfig } from "./readConfig.js";
import { SpeechTokenizerOnnxModel } from "./model.js";
import { randomModelConfig, randomStateDict } from "./randomModel.js";
import { importWeights } from "./weights.js";

const CONFIG = "config.json";
/** The checkpoint's file name in each release: the hubert_avg model's, and the Snake (AnyGPT) model's. */
const CHECKPOINTS = ["SpeechTokenizer.pt", "ckpt.dev"];
const HF = "https://huggingface.co/fnlp/SpeechTokenizer/resolve/main/speechtokenizer_hubert_avg";


/** True when the folder's config.json names the fields of a SpeechTokenizer config (a 1 kB read). */
async function speechTokenizerConfig(path: string): Promise<boolean> {
  try {
    const json = JSON.parse(await readFile(path, "utf8")) as Record<string, unknown>;
    return ["n_filters", "strides", "dimension", "semantic_dimension", "n_q", "codebook_size"].every((key) => key in json);
  } catch {
    return false;
  }
}

/** The checkpoint a model's files name (whichever of the release's names is present). */
function checkpointOf(files: ModelFiles, source: string): string {
  const name = CHECKPOINTS.find((file) => files[file] !== undefined);
  if (name === undefined) throw new ModelConfigError(source, `no checkpoint among the model's files (expected one of ${CHECKPOINTS.join(", ")})`);
  return files[name]!;
}

export const speechTokenizerFamily: TokenizerFamily = {
  name: "speechtokenizer",
  description: "SpeechTokenizer (fnlp): 8 RVQ rows × 1024 codes at 50 Hz (row 0 semantic), decodes to 16 kHz audio",
  models: [
    {
      name: "speechtokenizer_hubert_avg",
      description: "SpeechTokenizer, HuBERT-average distillation (fnlp/SpeechTokenizer speechtokenizer_hubert_avg)",
      files: [
        { file: CONFIG, url: `${HF}/${CONFIG}`, sha256: "ea343ad69ca7e70c8febf8fc4cda683b1c4b1c36709e5e577936ffb05d62e6eb", size: 906 },
        { file: "SpeechTokenizer.pt", url: `${HF}/SpeechTokenizer.pt`, sha256: "d04593b6c9a4b475f91ca481141a6ef5b23e6ac112f347dd2b2717f193c1c728", size: 481906997 },
      ],
    },
  ],
  decodes: true,

  async detect(path: string): Promise<ModelFiles | null> {
    const folder = (await isFile(path)) ? dirname(path) : path;
    const config = join(folder, CONFIG);
    if (!(await speechTokenizerConfig(config))) return null;
    if (await isFile(path)) {
      const name = basename(path);
      if (!CHECKPOINTS.includes(name) && !name.endsWith(".pt")) return null;
      return { [CONFIG]: config, [CHECKPOINTS.includes(name) ? name : CHECKPOINTS[0]!]: path };
    }
    for (const name of CHECKPOINTS) {
      if (await isFile(join(folder, name))) return { [CONFIG]: config, [name]: join(folder, name) };
    }
    return null;
  },

  async load(files: ModelFiles, source: string, options: FamilyLoadOptions = {}): Promise<SpeechTokenizerModel> {
    const configPath = files[CONFIG];
    if (configPath === undefined) throw new ModelConfigError(source, `no ${CONFIG} among the model's files`);
    const config = await readConfig(configPath);
    const checkpointPath = checkpointOf(files, source);
    const checkpoint = await readCheckpoint(checkpointPath);
    const weights = importWeights(checkpoint.stateDict(), config, checkpointPath);
    const model = await new SpeechTokenizerOnnxModel(weights, source, options).open();
    model.files = files;
    return model;
  },

  async writeRandomModel(dir: string, options: { seed: number; size: "tiny" | "released" }): Promise<ModelFiles> {
    const config = randomModelConfig(options.size);
    await mkdir(dir, { recursive: true });
    const files = { [CONFIG]: join(dir, CONFIG), [CHECKPOINTS[0]!]: join(dir, CHECKPOINTS[0]!) };
    await writeFile(files[CONFIG]!, `${JSON.stringify(configJson(config), null, 4)}\n`);
    writeTorchCheckpoint(files[CHECKPOINTS[0]!]!, randomStateDict(config, options.seed));
    return files;
  },
};
