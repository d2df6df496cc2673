/**
 * The SpeechTokenizer family as the toolkit sees it: its released models, how to recognise its
 * files, how to load them, and a random-weight model of the released format for tests and benches.
 */
import { mkdir, stat, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { readCheckpoint, writeTorchCheckpoint } from "../../checkpoint/index.js";
import { isFile } from "../../family/fileCheck.js";
import type { FamilyLoadOptions, ModelFiles, SpeechTokenizerModel, TokenizerFamily } from "../../family/types.js";
import { ModelConfigError } from "../../errors.js";
import { nodeBackend } from "../../runtime/nodeBackend.js";
import { configJson } from "./config.js";
import { readConfigText } from "./readConfig.js";
import { checkpointName, openSpeechTokenizer, SPEECHTOKENIZER_CHECKPOINTS, SPEECHTOKENIZER_CONFIG, SPEECHTOKENIZER_MODELS } from "./open.js";
import { randomModelConfig, randomStateDict } from "./randomModel.js";
import { SPEECHTOKENIZER_OPTIONS } from "./options.js";

const CONFIG = SPEECHTOKENIZER_CONFIG;
const CHECKPOINTS = SPEECHTOKENIZER_CHECKPOINTS;

/**
 * True when the folder's config.json names the fields of a SpeechTokenizer config (a 1 kB read).
 * Absent or not JSON: false; present but a FIFO, device or oversized file: its ModelConfigError,
 * as reading it would hang or never end.
 */
async function speechTokenizerConfig(path: string): Promise<boolean> {
  if ((await stat(path).catch(() => null)) === null) return false;
  const text = await readConfigText(path);
  try {
    const json = JSON.parse(text) as Record<string, unknown>;
    return typeof json === "object" && json !== null && ["n_filters", "strides", "dimension", "semantic_dimension", "n_q", "codebook_size"].every((key) => key in json);
  } catch {
    return false;
  }
}

/** The checkpoint a model's files name (whichever of the release's names is present). */
function checkpointOf(files: ModelFiles, source: string): string {
  return files[checkpointName(Object.keys(files), source)]!;
}

export const speechTokenizerFamily: TokenizerFamily = {
  name: "speechtokenizer",
  title: "SpeechTokenizer",
  options: SPEECHTOKENIZER_OPTIONS,
  batching: { unitName: "code frames (50 a second)", defaults: "3000 (60 s)" },
  description: "SpeechTokenizer (fnlp): 8 RVQ rows × 1024 codes at 50 Hz (row 0 semantic), decodes to 16 kHz audio",
  models: SPEECHTOKENIZER_MODELS,
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
    const configText = await readConfigText(configPath);
    const checkpoint = await readCheckpoint(checkpointOf(files, source));
    const model = await openSpeechTokenizer(configText, configPath, checkpoint, source, options, nodeBackend);
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
