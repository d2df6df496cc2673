/**
 * A SpeechTokenizer from its files' contents, on any runtime backend: Node's loader reads them
 * from disk (family.ts), a page from downloaded bytes (web/). Also the release facts both need:
 * file names and the models offered by name.
 */
import type { Checkpoint } from "../../checkpoint/parseCheckpoint.js";
import { ModelConfigError } from "../../errors.js";
import { requireExactMode } from "../../family/exactOnly.js";
import type { FamilyLoadOptions, FamilyModelSpec } from "../../family/types.js";
import type { RuntimeBackend } from "../../runtime/backend.js";
import { SpeechTokenizerCodec } from "./codecModel.js";
import { parseConfigText } from "./config.js";
import { importWeights } from "./weights.js";

export const SPEECHTOKENIZER_CONFIG = "config.json";
/** The checkpoint's file name in each release: the hubert_avg model's, and the Snake (AnyGPT) model's. */
export const SPEECHTOKENIZER_CHECKPOINTS = ["SpeechTokenizer.pt", "ckpt.dev"];
const HF = "https://huggingface.co/fnlp/SpeechTokenizer/resolve/main/speechtokenizer_hubert_avg";

export const SPEECHTOKENIZER_MODELS: readonly FamilyModelSpec[] = [
  {
    name: "speechtokenizer_hubert_avg",
    description: "SpeechTokenizer, HuBERT-average distillation (fnlp/SpeechTokenizer speechtokenizer_hubert_avg)",
    files: [
      { file: SPEECHTOKENIZER_CONFIG, url: `${HF}/${SPEECHTOKENIZER_CONFIG}`, sha256: "ea343ad69ca7e70c8febf8fc4cda683b1c4b1c36709e5e577936ffb05d62e6eb", size: 906 },
      { file: "SpeechTokenizer.pt", url: `${HF}/SpeechTokenizer.pt`, sha256: "d04593b6c9a4b475f91ca481141a6ef5b23e6ac112f347dd2b2717f193c1c728", size: 481906997 },
    ],
  },
];

/** The checkpoint name among `names` (whichever of the release's names is present). */
export function checkpointName(names: readonly string[], source: string): string {
  const name = SPEECHTOKENIZER_CHECKPOINTS.find((file) => names.includes(file));
  if (name === undefined) throw new ModelConfigError(source, `no checkpoint among the model's files (expected one of ${SPEECHTOKENIZER_CHECKPOINTS.join(", ")})`);
  return name;
}

/**
 * config.json's text (`configName` names it in errors) and the parsed checkpoint: weights
 * imported and checked, the encoder's sessions opened.
 */
export async function openSpeechTokenizer(
  configText: string,
  configName: string,
  checkpoint: Checkpoint,
  source: string,
  options: FamilyLoadOptions,
  backend: RuntimeBackend,
): Promise<SpeechTokenizerCodec> {
  requireExactMode(options.mode, source, "SpeechTokenizer");
  const config = parseConfigText(configText, configName);
  const weights = importWeights(checkpoint.stateDict(), config, checkpoint.path);
  return new SpeechTokenizerCodec(backend, weights, source, options).open();
}
