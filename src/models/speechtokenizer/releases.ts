/**
 * SpeechTokenizer's release facts, which the family object needs without loading the model code:
 * its files' names and the models offered by name.
 */
import { ModelConfigError } from "../../errors.js";
import type { FamilyModelSpec } from "../../family/types.js";
import { configJson, SPT_BASE_CONFIG } from "./config.js";

export const SPEECHTOKENIZER_CONFIG = "config.json";
/** The checkpoint's file name in each release: the hubert_avg model's, and the Snake (AnyGPT) model's. */
export const SPEECHTOKENIZER_CHECKPOINTS = ["SpeechTokenizer.pt", "ckpt.dev"];
const HF = "https://huggingface.co/fnlp/SpeechTokenizer/resolve/main/speechtokenizer_hubert_avg";

/** fnlp/AnyGPT-base pinned to a revision: its speechtokenizer/ holds the Snake checkpoint AnyGPT uses. */
const ANYGPT = "https://huggingface.co/fnlp/AnyGPT-base/resolve/5f4692787bea31d7da4d95561ad0e602efa12afe/speechtokenizer";

/**
 * The Snake release's config.json, carried by its entry: upstream publishes that file with no
 * digest, so the entry pins its content. Its shape is spt_base_cfg.json's with Snake activations
 * (the checkpoint is the hubert_avg one's size plus the alpha of each Snake); loading checks every
 * tensor the config implies against the downloaded checkpoint's shapes.
 */
const SNAKE_CONFIG_TEXT = `${JSON.stringify(configJson({ ...SPT_BASE_CONFIG, activation: "Snake" }), null, 4)}\n`;

export const SPEECHTOKENIZER_MODELS: readonly FamilyModelSpec[] = [
  {
    name: "speechtokenizer_hubert_avg",
    description: "SpeechTokenizer, HuBERT-average distillation (fnlp/SpeechTokenizer speechtokenizer_hubert_avg)",
    files: [
      { file: SPEECHTOKENIZER_CONFIG, url: `${HF}/${SPEECHTOKENIZER_CONFIG}`, sha256: "ea343ad69ca7e70c8febf8fc4cda683b1c4b1c36709e5e577936ffb05d62e6eb", size: 906 },
      { file: "SpeechTokenizer.pt", url: `${HF}/SpeechTokenizer.pt`, sha256: "d04593b6c9a4b475f91ca481141a6ef5b23e6ac112f347dd2b2717f193c1c728", size: 481906997 },
    ],
  },
  {
    name: "speechtokenizer_snake",
    description: "SpeechTokenizer with Snake activations, the checkpoint AnyGPT uses (fnlp/AnyGPT-base speechtokenizer/ckpt.dev; config carried)",
    files: [{ file: "ckpt.dev", url: `${ANYGPT}/ckpt.dev`, sha256: "e5687870a9c6d44c3defef4d376c64e6c0b75281e868a95256a14e9b577098eb", size: 481944941 }],
    carried: { [SPEECHTOKENIZER_CONFIG]: SNAKE_CONFIG_TEXT },
  },
];

/** The checkpoint name among `names` (whichever of the release's names is present). */
export function checkpointName(names: readonly string[], source: string): string {
  const name = SPEECHTOKENIZER_CHECKPOINTS.find((file) => names.includes(file));
  if (name === undefined) throw new ModelConfigError(source, `no checkpoint among the model's files (expected one of ${SPEECHTOKENIZER_CHECKPOINTS.join(", ")})`);
  return name;
}

