/**
 * The facts of a fairseq HuBERT or data2vec-audio encoder, read from its checkpoint's config:
 * `cfg.model` / `cfg.task` (an omegaconf DictConfig, read as plain dicts), or the flat
 * `args` Namespace of older files, where options left at their defaults are absent and take the
 * dataclass defaults (fairseq's HubertConfig / Data2VecAudioConfig, audio tasks). Both models
 * share the wav2vec 2.0 body; what differs is a fact here (the positional convolution). Anything
 * this project does not implement is refused by name.
 */
import { parsePythonListSum, PythonLiteralError, PythonTuple } from "../common/pythonLiteral.js";
import { SpeechEncoderModelError, UnsupportedSpeechEncoderError } from "./errors.js";

/** One block of the convolutional front end: Conv1d(in, channels, kernel, stride). */
export interface ConvLayerSpec {
  channels: number;
  kernel: number;
  stride: number;
}

/**
 * The positional convolution: HuBERT's one weight-normed Conv1d (norm over dim 2), or data2vec's
 * chain of `depth` plain Conv1d → LayerNorm (no affine) → GELU blocks.
 */
export type PositionalConvSpec =
  | { kind: "weight-norm"; kernel: number; groups: number }
  | { kind: "layer-norm-chain"; kernel: number; groups: number; depth: number };

export interface SpeechEncoderConfig {
  /** fairseq's model name (cfg.model._name or args.arch). */
  architecture: "hubert" | "data2vec_audio";
  /** "default": GroupNorm(C, C) in conv block 0 only; "layer_norm": LayerNorm over channels in every block. */
  extractorMode: "default" | "layer_norm";
  convLayers: ConvLayerSpec[];
  convBias: boolean;
  width: number;
  layers: number;
  heads: number;
  ffnWidth: number;
  /** Pre-LN layers (and no encoder LayerNorm before them) when true. */
  layerNormFirst: boolean;
  positionalConv: PositionalConvSpec;
  /** task.normalize: the waveform is layer-normalised over the whole utterance first. */
  normalize: boolean;
  sampleRate: number;
}

/** The dataclass defaults that a legacy `args` Namespace leaves out (fairseq HubertConfig, Wav2Vec2Config, audio tasks). */
const DEFAULTS: Record<string, unknown> = {
  extractor_mode: "default",
  encoder_layers: 12,
  encoder_embed_dim: 768,
  encoder_ffn_embed_dim: 3072,
  encoder_attention_heads: 12,
  activation_fn: "gelu",
  layer_type: "transformer",
  layer_norm_first: false,
  conv_feature_layers: "[(512,10,5)] + [(512,3,2)] * 4 + [(512,2,2)] * 2",
  conv_bias: false,
  conv_pos: 128,
  conv_pos_groups: 16,
  conv_pos_batch_norm: false,
  pos_conv_depth: 1,
  pos_enc_type: "abs",
  normalize: false,
  sample_rate: 16000,
};

/** Model names that are the fine-tuned or other variants of these bodies, for a clearer refusal. */
const KNOWN_OTHERS: Record<string, string> = {
  wav2vec2: "a wav2vec 2.0 pre-trained model (only HuBERT and data2vec-audio are implemented)",
  hubert_ctc: "a fine-tuned HuBERT (CTC); use the pre-trained checkpoint",
  hubert_seq2seq: "a fine-tuned HuBERT (seq2seq); use the pre-trained checkpoint",
  wav2vec_ctc: "a fine-tuned wav2vec 2.0 / data2vec (CTC); use the pre-trained checkpoint",
  wav2vec_seq2seq: "a fine-tuned wav2vec 2.0 (seq2seq); use the pre-trained checkpoint",
  data2vec_multi: "data2vec 2.0 (data2vec_multi), whose encoder differs from data2vec-audio's",
};

/** A config section as a lookup: Map entries, or nothing. */
type Section = (key: string) => unknown;

function sectionOf(node: unknown): Section | null {
  return node instanceof Map ? (key) => node.get(key) : null;
}

/** The model and task sections of a checkpoint's root: cfg.model / cfg.task, or the flat args for both. */
function sections(path: string, root: unknown): { model: Section; task: Section; name: unknown } {
  const top = sectionOf(root);
  if (top === null) throw new SpeechEncoderModelError(path, "the checkpoint is not a dict");
  const cfg = sectionOf(top("cfg"));
  if (cfg !== null) {
    const model = sectionOf(cfg("model"));
    const task = sectionOf(cfg("task"));
    if (model === null || task === null) throw new SpeechEncoderModelError(path, `"cfg" has no "model" and "task" sections: not a fairseq checkpoint`);
    return { model, task, name: model("_name") };
  }
  const args = sectionOf(top("args"));
  if (args !== null) return { model: args, task: args, name: args("arch") };
  throw new SpeechEncoderModelError(path, `no "cfg" or "args" entry: not a fairseq checkpoint`);
}

/** Reads a model fact: the value, or the default when absent; a typed error naming the key when the type is wrong. */
function reader(path: string, section: Section) {
  const value = (key: string): unknown => {
    const found = section(key);
    return found === undefined ? DEFAULTS[key] : found;
  };
  const wrong = (key: string, expected: string, found: unknown): never => {
    throw new SpeechEncoderModelError(path, `config "${key}" is ${JSON.stringify(found)}, expected ${expected}`);
  };
  return {
    integer(key: string, min = 1): number {
      const found = value(key);
      return typeof found === "number" && Number.isSafeInteger(found) && found >= min ? found : wrong(key, `an integer ≥ ${min}`, found);
    },
    boolean(key: string): boolean {
      const found = value(key);
      return typeof found === "boolean" ? found : wrong(key, "true or false", found);
    },
    text(key: string): string {
      const found = value(key);
      return typeof found === "string" ? found : wrong(key, "a string", found);
    },
  };
}

/** `conv_feature_layers` parsed as the list-of-tuples expression it is (never evaluated). */
export function parseConvLayers(path: string, text: string): ConvLayerSpec[] {
  let items;
  try {
    items = parsePythonListSum(text);
  } catch (error) {
    if (!(error instanceof PythonLiteralError)) throw error;
    throw new SpeechEncoderModelError(path, `config "conv_feature_layers" is not a list of (dim, kernel, stride) tuples: ${error.message}: ${JSON.stringify(text.slice(0, 200))}`);
  }
  if (items.length === 0) throw new SpeechEncoderModelError(path, `config "conv_feature_layers" lists no layers`);
  return items.map((item, i) => {
    const numbers = item instanceof PythonTuple ? item.items : null;
    if (numbers === null || numbers.length !== 3 || !numbers.every((n) => typeof n === "number" && n >= 1)) {
      throw new SpeechEncoderModelError(path, `config "conv_feature_layers" item ${i} is not a (dim, kernel, stride) tuple of positive integers`);
    }
    const [channels, kernel, stride] = numbers as number[];
    return { channels: channels!, kernel: kernel!, stride: stride! };
  });
}

/** The encoder facts of a read fairseq checkpoint's root; typed errors for what is absent or not implemented. */
export function speechEncoderConfig(path: string, root: unknown): SpeechEncoderConfig {
  const { model, task, name } = sections(path, root);
  if (name !== "hubert" && name !== "data2vec_audio") {
    const label = typeof name === "string" ? name : JSON.stringify(name ?? null);
    throw new UnsupportedSpeechEncoderError(path, `model "${label}"`, KNOWN_OTHERS[label] ?? "not a HuBERT or data2vec-audio model, the speech encoders implemented");
  }
  const m = reader(path, model);
  const t = reader(path, task);
  const unsupported = (what: string, detail: string): never => {
    throw new UnsupportedSpeechEncoderError(path, `${name} with ${what}`, detail);
  };
  const mode = m.text("extractor_mode");
  const extractorMode = mode === "default" || mode === "layer_norm" ? mode : unsupported(`extractor_mode "${mode}"`, "only default and layer_norm exist in fairseq");
  // data2vec's reader sets layer_type to transformer itself; its configs have none.
  if (name === "hubert" && m.text("layer_type") !== "transformer") unsupported(`layer_type "${m.text("layer_type")}"`, "only Transformer layers are implemented (not Conformer)");
  if (m.text("activation_fn") !== "gelu") unsupported(`activation_fn "${m.text("activation_fn")}"`, "only GELU is implemented");
  if (m.text("pos_enc_type") !== "abs") unsupported(`pos_enc_type "${m.text("pos_enc_type")}"`, "only the convolutional (abs) positions are implemented");
  if (model("conv_pos_batch_norm") !== undefined && m.boolean("conv_pos_batch_norm")) unsupported("conv_pos_batch_norm", "a batch-normed positional convolution is not implemented");
  const width = m.integer("encoder_embed_dim");
  const heads = m.integer("encoder_attention_heads");
  if (width % heads !== 0) throw new SpeechEncoderModelError(path, `encoder_embed_dim ${width} is not a multiple of encoder_attention_heads ${heads}`);
  const convPos = m.integer("conv_pos");
  const groups = m.integer("conv_pos_groups");
  if (width % groups !== 0) throw new SpeechEncoderModelError(path, `encoder_embed_dim ${width} is not a multiple of conv_pos_groups ${groups}`);
  const depth = name === "data2vec_audio" ? m.integer("pos_conv_depth") : 1;
  const positionalConv: PositionalConvSpec = depth > 1
    ? { kind: "layer-norm-chain", kernel: Math.max(3, Math.floor(convPos / depth)), groups, depth }
    : { kind: "weight-norm", kernel: convPos, groups };
  return {
    architecture: name,
    extractorMode,
    convLayers: parseConvLayers(path, m.text("conv_feature_layers")),
    convBias: m.boolean("conv_bias"),
    width,
    layers: m.integer("encoder_layers"),
    heads,
    ffnWidth: m.integer("encoder_ffn_embed_dim"),
    layerNormFirst: m.boolean("layer_norm_first"),
    positionalConv,
    normalize: t.boolean("normalize"),
    sampleRate: t.integer("sample_rate"),
  };
}
