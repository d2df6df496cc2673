/**
 * SpeechTokenizer's config.json: the fields that shape the model (the rest are training settings
 * and are ignored). A missing or mistyped field is a ModelConfigError naming the file and field.
 */
import { ModelConfigError } from "../../errors.js";
import { describeValue } from "../../family/configText.js";

export type Activation = "ELU" | "Snake";

export interface SpeechTokenizerConfig {
  nFilters: number;
  /** Decoder order; the encoder runs them reversed. Their product is the hop (320). */
  strides: number[];
  dimension: number;
  semanticDimension: number;
  bidirectional: boolean;
  dilationBase: number;
  residualKernelSize: number;
  nResidualLayers: number;
  lstmLayers: number;
  activation: Activation;
  codebookSize: number;
  nQ: number;
  sampleRate: number;
}

/**
 * The released models' shape: upstream's config/spt_base_cfg.json (the hubert_avg release's
 * config.json holds these values); the Snake release differs only in its activation.
 */
export const SPT_BASE_CONFIG: Readonly<SpeechTokenizerConfig> = {
  nFilters: 64,
  strides: [8, 5, 4, 2],
  dimension: 1024,
  semanticDimension: 768,
  bidirectional: true,
  dilationBase: 2,
  residualKernelSize: 3,
  nResidualLayers: 1,
  lstmLayers: 2,
  activation: "ELU",
  codebookSize: 1024,
  nQ: 8,
  sampleRate: 16000,
};

/**
 * The largest value each field may take: generous beyond every release (n_q 8, 2 LSTM layers, one
 * residual layer, four strides, 1024-wide latents), yet small enough that the loops and names a
 * config implies stay small before the checkpoint is ever compared with it.
 */
const LIMITS = {
  n_filters: 4096,
  dimension: 65536,
  semantic_dimension: 65536,
  dilation_base: 64,
  residual_kernel_size: 1024,
  n_residual_layers: 64,
  lstm_layers: 64,
  codebook_size: 1 << 20,
  n_q: 1024,
  sample_rate: 384000,
} as const;
const MAX_STRIDES = 16;
const MAX_STRIDE = 1024;
/** Channels after the last stride (n_filters · 2^strides): the widest tensors the config asks for. */
const MAX_CHANNELS = 1 << 20;

function positiveInteger(raw: Record<string, unknown>, key: keyof typeof LIMITS, path: string): number {
  const value = raw[key];
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1) {
    throw new ModelConfigError(path, `"${key}" must be a positive integer, got ${describeValue(value)}`);
  }
  if (value > LIMITS[key]) throw new ModelConfigError(path, `"${key}" is ${value}, more than any model has (at most ${LIMITS[key]})`);
  return value;
}

/** The model's shape from parsed JSON; `path` names the file in errors. */
export function parseConfig(raw: unknown, path: string): SpeechTokenizerConfig {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw new ModelConfigError(path, "expected a JSON object");
  const json = raw as Record<string, unknown>;
  const strides = json["strides"];
  if (!Array.isArray(strides) || strides.length === 0 || !strides.every((s) => typeof s === "number" && Number.isInteger(s) && s >= 1)) {
    throw new ModelConfigError(path, `"strides" must be a non-empty list of positive integers, got ${describeValue(strides)}`);
  }
  if (strides.length > MAX_STRIDES) {
    throw new ModelConfigError(path, `"strides" holds ${strides.length} strides, more than any model has (at most ${MAX_STRIDES})`);
  }
  const tooLong = (strides as number[]).find((s) => s > MAX_STRIDE);
  if (tooLong !== undefined) throw new ModelConfigError(path, `"strides" holds a stride of ${tooLong}, more than any model has (at most ${MAX_STRIDE})`);
  const activation = json["activation"];
  if (activation !== "ELU" && activation !== "Snake") {
    throw new ModelConfigError(path, `"activation" must be "ELU" or "Snake", got ${describeValue(activation)}`);
  }
  const bidirectional = json["bidirectional"];
  if (typeof bidirectional !== "boolean") throw new ModelConfigError(path, `"bidirectional" must be true or false, got ${describeValue(bidirectional)}`);
  const config: SpeechTokenizerConfig = {
    nFilters: positiveInteger(json, "n_filters", path),
    strides: strides as number[],
    dimension: positiveInteger(json, "dimension", path),
    semanticDimension: positiveInteger(json, "semantic_dimension", path),
    bidirectional,
    dilationBase: positiveInteger(json, "dilation_base", path),
    residualKernelSize: positiveInteger(json, "residual_kernel_size", path),
    nResidualLayers: positiveInteger(json, "n_residual_layers", path),
    lstmLayers: positiveInteger(json, "lstm_layers", path),
    activation,
    codebookSize: positiveInteger(json, "codebook_size", path),
    nQ: positiveInteger(json, "n_q", path),
    sampleRate: json["sample_rate"] === undefined ? 16000 : positiveInteger(json, "sample_rate", path),
  };
  if (config.sampleRate !== 16000) throw new ModelConfigError(path, `"sample_rate" must be 16000, got ${config.sampleRate}`);
  if (config.nFilters * 2 ** config.strides.length > MAX_CHANNELS) {
    throw new ModelConfigError(path, `"n_filters" ${config.nFilters} doubled for each of ${config.strides.length} strides is more than ${MAX_CHANNELS} channels`);
  }
  return config;
}

/** The config of config.json's text; `path` names the file in errors. */
export function parseConfigText(text: string, path: string): SpeechTokenizerConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new ModelConfigError(path, `not JSON: ${(error as Error).message}`, { cause: error });
  }
  return parseConfig(raw, path);
}

/** Samples per code frame: the product of the strides (320 in every release). */
export function hopLength(config: SpeechTokenizerConfig): number {
  return config.strides.reduce((a, b) => a * b, 1);
}

/** The config.json of a model of this shape (training fields left out: the loader ignores them). */
export function configJson(config: SpeechTokenizerConfig): Record<string, unknown> {
  return {
    n_filters: config.nFilters,
    strides: config.strides,
    dimension: config.dimension,
    semantic_dimension: config.semanticDimension,
    bidirectional: config.bidirectional,
    dilation_base: config.dilationBase,
    residual_kernel_size: config.residualKernelSize,
    n_residual_layers: config.nResidualLayers,
    lstm_layers: config.lstmLayers,
    activation: config.activation,
    codebook_size: config.codebookSize,
    n_q: config.nQ,
    sample_rate: config.sampleRate,
  };
}
