/**
 * The SpeechTokenizer family as the toolkit sees it: its released models, how to recognise its
 * files, how to open them, and a random-weight model of the released format for tests and benches.
 */
import { ModelConfigError } from "../../errors.js";
import { sourceFiles, type ModelSource } from "../../family/modelSource.js";
import type { TokenizerFamily } from "../../family/types.js";
import { checkpointName, SPEECHTOKENIZER_CHECKPOINTS, SPEECHTOKENIZER_CONFIG, SPEECHTOKENIZER_MODELS } from "./releases.js";
import { SPEECHTOKENIZER_OPTIONS } from "./options.js";

const CONFIG = SPEECHTOKENIZER_CONFIG;
const CHECKPOINTS = SPEECHTOKENIZER_CHECKPOINTS;

/** config.json's text, or ModelConfigError naming it (not a regular file, or too large). */
function configText(source: ModelSource): Promise<string> {
  const where = source.locate(CONFIG);
  return source.text(CONFIG, (problem, cause) => new ModelConfigError(where, problem, cause === undefined ? {} : { cause }));
}

/**
 * True when the source's config.json names the fields of a SpeechTokenizer config. Absent or not
 * JSON: false; present but a FIFO, device or oversized file: its ModelConfigError, as reading it
 * would hang or never end.
 */
async function speechTokenizerConfig(source: ModelSource): Promise<boolean> {
  if (!source.names.includes(CONFIG)) return false;
  const text = await configText(source);
  try {
    const json = JSON.parse(text) as Record<string, unknown>;
    return typeof json === "object" && json !== null && ["n_filters", "strides", "dimension", "semantic_dimension", "n_q", "codebook_size"].every((key) => key in json);
  } catch {
    return false;
  }
}

export const speechTokenizerFamily: TokenizerFamily = {
  name: "speechtokenizer",
  title: "SpeechTokenizer",
  options: SPEECHTOKENIZER_OPTIONS,
  batching: { unitName: "code frames (50 a second)", defaults: "3000 (60 s)" },
  description: "SpeechTokenizer (fnlp): 8 RVQ rows × 1024 codes at 50 Hz (row 0 semantic), decodes to 16 kHz audio",
  models: SPEECHTOKENIZER_MODELS,
  decodes: true,

  /** config.json (a SpeechTokenizer one) and a checkpoint: a release's name, or any .pt named on its own. */
  async detect(source) {
    if (!(await speechTokenizerConfig(source))) return null;
    const { chosen } = source;
    if (chosen !== undefined) return CHECKPOINTS.includes(chosen) || chosen.endsWith(".pt") ? [CONFIG, chosen] : null;
    const checkpoint = CHECKPOINTS.find((name) => source.names.includes(name));
    return checkpoint === undefined ? null : [CONFIG, checkpoint];
  },

  async open(source, options, context) {
    const configPath = source.locate(CONFIG);
    if (!source.names.includes(CONFIG)) throw new ModelConfigError(source.label, `no ${CONFIG} among the model's files`);
    const text = await configText(source);
    const name = source.chosen ?? CHECKPOINTS.find((n) => source.names.includes(n)) ?? source.names.find((n) => n.endsWith(".pt")) ?? checkpointName(source.names, source.label);
    // The model code loads when a model opens: a command that only lists families or parses flags stays quick.
    const [{ parseCheckpoint }, { openSpeechTokenizer }] = await Promise.all([import("../../checkpoint/parseCheckpoint.js"), import("./open.js")]);
    const checkpoint = await parseCheckpoint(await source.read(name), source.locate(name));
    const model = await openSpeechTokenizer(text, configPath, checkpoint, source.label, options, context.backend);
    model.files = sourceFiles(source, [CONFIG, name]);
    return model;
  },

  writeRandomModel: async (dir, options) => (await import("./randomFiles.node.js")).writeRandomSpeechTokenizer(dir, options),
};
