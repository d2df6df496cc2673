/**
 * Which program wrote a feature model's checkpoint, told from its opening bytes (never by running
 * it): openai's Whisper (top-level dict {"dims", "model_state_dict"}) or fairseq (HuBERT,
 * data2vec-audio: {"args", "cfg", "model", ...}, older files {"args", "model", ...}). RepCodec
 * takes either as --feature_model; k-means units take fairseq's. Also: whether a file is a torch
 * checkpoint at all (a zip or the legacy format), which a RepCodec .pkl is and a joblib file is not.
 * Browser-safe.
 */
import { checkpointFirstKey, FIRST_KEY_HEAD_BYTES } from "../../checkpoint/firstKey.js";
import { isLegacyCheckpoint } from "../../checkpoint/legacyFormat.js";
import { TokenizerError } from "../../errors.js";
import type { ModelSource } from "../../family/modelSource.js";

export type FeatureCheckpointKind = "whisper" | "fairseq";

/** A feature model that is not a checkpoint of the kinds the model takes; names the file and what it is. */
export class FeatureModelKindError extends TokenizerError {
  readonly path: string;
  constructor(path: string, problem: string) {
    // MODEL_STRUCTURE: the stable code every family uses for "not the model we expect".
    super("MODEL_STRUCTURE", `${path}: ${problem}`);
    this.path = path;
  }
}

const FIRST_KEYS: Readonly<Record<string, FeatureCheckpointKind>> = { dims: "whisper", model_state_dict: "whisper", args: "fairseq", cfg: "fairseq" };

/** The kind of feature checkpoint `name` in `source` is, or undefined when it is neither. */
export async function featureCheckpointKind(source: ModelSource, name: string): Promise<FeatureCheckpointKind | undefined> {
  const key = checkpointFirstKey(await source.head(name, FIRST_KEY_HEAD_BYTES));
  return key === undefined ? undefined : FIRST_KEYS[key];
}

/** The kind of `name`, or a typed error naming the file and saying what each kind holds. */
export async function requireFeatureCheckpointKind(source: ModelSource, name: string, accepted: readonly FeatureCheckpointKind[]): Promise<FeatureCheckpointKind> {
  const key = checkpointFirstKey(await source.head(name, FIRST_KEY_HEAD_BYTES));
  const kind = key === undefined ? undefined : FIRST_KEYS[key];
  if (kind !== undefined && accepted.includes(kind)) return kind;
  const expected = accepted.map((k) => (k === "whisper" ? 'an openai Whisper checkpoint ("dims", "model_state_dict")' : 'a fairseq HuBERT / data2vec-audio checkpoint ("args" or "cfg", then "model")')).join(" or ");
  const found = key === undefined ? "no torch checkpoint whose top-level dict could be read" : kind === undefined ? `a checkpoint whose top-level dict starts with ${JSON.stringify(key)}` : `a ${kind} checkpoint`;
  throw new FeatureModelKindError(source.locate(name), `the feature model must be ${expected}; this is ${found}`);
}

/** Whether `name`'s opening bytes are a torch checkpoint's (a zip, or the pre-1.6 format's magic number). */
export async function isTorchCheckpoint(source: ModelSource, name: string): Promise<boolean> {
  const head = await source.head(name, 16);
  const zip = head.length >= 4 && head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04;
  return zip || isLegacyCheckpoint(head);
}
