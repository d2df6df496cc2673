/**
 * FunCodec's config.yaml, read as upstream reads it (PyYAML, i.e. YAML 1.1: under YAML 1.2
 * `1e-5` would stay a string and `on`/`off` would not be booleans), reduced to what the encodec
 * generator's shapes and arithmetic need. Options upstream offers but this toolkit does not
 * build (causal convolutions, weight norm, transformers, Snake, projections, frequency-domain
 * codecs) are refused with a typed error instead of being silently ignored.
 */
import { describeValue, parseConfigYaml } from "../../family/configText.js";
import { unsupportedConfig } from "./errors.js";

/** One SEANet half (encoder or decoder), upstream's constructor defaults filled in. */
export interface SeanetConfig {
  /** As written in the config; the encoder walks them reversed (upstream reverses them). */
  ratios: number[];
  nFilters: number;
  /** Latent width D (the encoder's output, the decoder's input). */
  dimension: number;
  kernelSize: number;
  lastKernelSize: number;
  residualKernelSize: number;
  dilationBase: number;
  nResidualLayers: number;
  compress: number;
  /** true: identity shortcut in the residual blocks; false: a kernel-1 conv. */
  trueSkip: boolean;
  lstmLayers: number;
}

export interface FunCodecConfig {
  sampleRate: number;
  encoder: SeanetConfig;
  decoder: SeanetConfig;
  codebookSize: number;
  numQuantizers: number;
  /** The quantizer's own sampling_rate and encoder_hop_length: bit width → rows uses these. */
  quantizerSampleRate: number;
  quantizerHopLength: number;
  /** Per-utterance RMS normalisation (model_conf.audio_normalize). */
  audioNormalize: boolean;
  /** GroupNorm epsilon (torch's default; config norm_params may not change it here). */
  groupNormEps: number;
}

type Dict = Record<string, unknown>;

function isDict(value: unknown): value is Dict {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Parses config.yaml text; `path` names it in errors. */
export function parseFunCodecConfig(text: string, path: string): FunCodecConfig {
  const doc = parseConfigYaml(text, (problem) => unsupportedConfig(path, problem));
  if (!isDict(doc)) throw unsupportedConfig(path, "the document is not a mapping");
  const model = doc.model ?? "encodec";
  if (model !== "encodec") {
    const kind = model === "freq_codec" ? " (a frequency-domain freqcodec model, another architecture)" : "";
    throw unsupportedConfig(path, `model: ${String(model)}${kind}`);
  }
  expectValue(path, "encoder", doc.encoder ?? "encodec_seanet_encoder", "encodec_seanet_encoder");
  expectValue(path, "decoder", doc.decoder ?? "encodec_seanet_decoder", "encodec_seanet_decoder");
  expectValue(path, "quantizer", doc.quantizer, "costume_quantizer");
  expectValue(path, "input_size", doc.input_size ?? 1, 1);
  const modelConf = section(doc, "model_conf", path);
  const quantizerConf = section(doc, "quantizer_conf", path);
  // Upstream's Encodec defaults segment_dur to 1.0 (one-second segments): only an explicit null is one segment.
  if (modelConf.segment_dur !== null) {
    throw unsupportedConfig(path, `model_conf.segment_dur: ${String(modelConf.segment_dur ?? "absent (upstream's default 1.0)")} (only segment_dur: null, one segment per utterance)`);
  }
  expectValue(path, "model_conf.codec_domain", modelConf.codec_domain ?? "time", "time");
  expectValue(path, "model_conf.bypass_quantizer", modelConf.bypass_quantizer ?? false, false);
  expectValue(path, "frontend", doc.frontend ?? null, null);
  for (const key of ["codec_dim", "codec_range"]) {
    if (quantizerConf[key] !== undefined && quantizerConf[key] !== null) {
      throw unsupportedConfig(path, `quantizer_conf.${key} (quantizer projections)`);
    }
  }
  if (quantizerConf.use_ddp === false) throw unsupportedConfig(path, "quantizer_conf.use_ddp: false (per-layer codebooks)");
  const encoder = seanet(section(doc, "encoder_conf", path), "encoder_conf", path);
  const decoderConf = section(doc, "decoder_conf", path);
  // The decoder's input width is upstream's `input_size` (default 128); it must be the latent.
  const decoder = seanet(decoderConf, "decoder_conf", path, count(decoderConf, "input_size", encoder.dimension, "decoder_conf", path, LIMITS.dimension));
  if (decoder.dimension !== encoder.dimension) {
    throw unsupportedConfig(path, `decoder_conf.input_size ${decoder.dimension} differs from the encoder's dimension ${encoder.dimension}`);
  }
  const quantizerSampleRate = sampleRateOf(quantizerConf, "sampling_rate", 24000, "quantizer_conf", path);
  const sampleRate = sampleRateOf(modelConf, "target_sample_hz", sampleRateOf(doc, "sampling_rate", 16000, "", path), "model_conf", path);
  return {
    sampleRate,
    encoder,
    decoder,
    codebookSize: count(quantizerConf, "codebook_size", 1024, "quantizer_conf", path, LIMITS.codebookSize),
    numQuantizers: count(quantizerConf, "num_quantizers", 8, "quantizer_conf", path, LIMITS.quantizers),
    quantizerSampleRate,
    quantizerHopLength: count(quantizerConf, "encoder_hop_length", 320, "quantizer_conf", path, LIMITS.hop),
    // Upstream's Encodec defaults audio_normalize to true.
    audioNormalize: (modelConf.audio_normalize ?? true) === true,
    groupNormEps: 1e-5,
  };
}

/** Samples one code frame covers: the product of the ratios. */
export function hopLength(config: FunCodecConfig): number {
  return config.encoder.ratios.reduce((product, r) => product * r, 1);
}

function seanet(conf: Dict, name: string, path: string, dimension?: number): SeanetConfig {
  expectValue(path, `${name}.norm`, conf.norm ?? "weight_norm", "time_group_norm");
  expectValue(path, `${name}.causal`, conf.causal ?? false, false);
  expectValue(path, `${name}.seq_model`, conf.seq_model ?? "lstm", "lstm");
  expectValue(path, `${name}.pad_mode`, conf.pad_mode ?? "reflect", "reflect");
  expectValue(path, `${name}.activation`, conf.activation ?? "ELU", "ELU");
  expectValue(path, `${name}.add_snake_activation`, conf.add_snake_activation ?? false, false);
  expectValue(path, `${name}.res_seq`, conf.res_seq ?? true, true);
  expectValue(path, name === "encoder_conf" ? `${name}.double_filters` : `${name}.half_filters`, conf.double_filters ?? conf.half_filters ?? true, true);
  if (isDict(conf.norm_params) && Object.keys(conf.norm_params).length > 0) {
    throw unsupportedConfig(path, `${name}.norm_params (only GroupNorm(1, C) with torch's defaults)`);
  }
  if (conf.final_activation !== undefined && conf.final_activation !== null) {
    throw unsupportedConfig(path, `${name}.final_activation`);
  }
  const ratios = conf.ratios ?? [8, 5, 4, 2];
  if (!Array.isArray(ratios) || ratios.length === 0 || !ratios.every((r) => Number.isInteger(r) && r > 0)) {
    throw unsupportedConfig(path, `${name}.ratios must be a list of positive integers`);
  }
  if (ratios.length > LIMITS.ratios || ratios.some((r: number) => r > LIMITS.ratio)) {
    throw unsupportedConfig(path, `${name}.ratios: ${ratios.length} ratios, at most ${LIMITS.ratios} of at most ${LIMITS.ratio} each in any model`);
  }
  const nFilters = count(conf, "n_filters", 32, name, path, LIMITS.filters);
  if (nFilters * 2 ** ratios.length > LIMITS.channels) {
    throw unsupportedConfig(path, `${name}.n_filters ${nFilters} doubled for each of ${ratios.length} ratios is more than ${LIMITS.channels} channels`);
  }
  return {
    ratios: ratios as number[],
    nFilters,
    dimension: dimension ?? count(conf, "dimension", 128, name, path, LIMITS.dimension),
    kernelSize: count(conf, "kernel_size", 7, name, path, LIMITS.kernel),
    lastKernelSize: count(conf, "last_kernel_size", 7, name, path, LIMITS.kernel),
    residualKernelSize: count(conf, "residual_kernel_size", 3, name, path, LIMITS.kernel),
    dilationBase: count(conf, "dilation_base", 2, name, path, LIMITS.dilationBase),
    nResidualLayers: count(conf, "n_residual_layers", 1, name, path, LIMITS.layers),
    compress: count(conf, "compress", 2, name, path, LIMITS.compress),
    trueSkip: (conf.true_skip ?? false) === true,
    lstmLayers: count(conf, "seq_layer_num", 2, name, path, LIMITS.layers),
  };
}

function section(doc: Dict, key: string, path: string): Dict {
  const value = doc[key] ?? {};
  if (!isDict(value)) throw unsupportedConfig(path, `${key} is not a mapping`);
  return value;
}

/**
 * The largest value of each count: far beyond every release (32 quantizers, 1024 codes, 2 LSTM
 * layers, 5 ratios), small enough that the loops and tensor names a config implies stay small.
 */
const LIMITS = {
  filters: 4096,
  dimension: 65536,
  kernel: 1024,
  dilationBase: 64,
  layers: 64,
  compress: 64,
  codebookSize: 1 << 20,
  quantizers: 1024,
  hop: 1 << 20,
  ratios: 16,
  ratio: 1024,
  /** n_filters · 2^ratios: the widest tensors the config asks for. */
  channels: 1 << 20,
} as const;

/** Audio sample rates a codec may run at: a rate is a whole number of samples per second. */
const MIN_SAMPLE_RATE = 1000;
const MAX_SAMPLE_RATE = 384000;

const keyName = (scope: string, key: string): string => `${scope ? `${scope}.` : ""}${key}`;

/** A positive integer of at most `max` (`fallback` when absent). */
function count(conf: Dict, key: string, fallback: number, scope: string, path: string, max: number): number {
  const value = conf[key] ?? fallback;
  if (typeof value !== "number" || !Number.isInteger(value) || value <= 0) {
    throw unsupportedConfig(path, `${keyName(scope, key)}: expected a positive integer, got ${describeValue(value)}`);
  }
  if (value > max) throw unsupportedConfig(path, `${keyName(scope, key)}: ${value}, more than any model has (at most ${max})`);
  return value;
}

/** A sample rate: an integer number of samples per second in [MIN_SAMPLE_RATE, MAX_SAMPLE_RATE]. */
function sampleRateOf(conf: Dict, key: string, fallback: number, scope: string, path: string): number {
  const value = conf[key] ?? fallback;
  if (typeof value !== "number" || !Number.isInteger(value) || value < MIN_SAMPLE_RATE || value > MAX_SAMPLE_RATE) {
    throw unsupportedConfig(path, `${keyName(scope, key)}: expected a sample rate, an integer from ${MIN_SAMPLE_RATE} to ${MAX_SAMPLE_RATE} Hz, got ${describeValue(value)}`);
  }
  return value;
}

function expectValue(path: string, key: string, value: unknown, expected: unknown): void {
  if (value !== expected) throw unsupportedConfig(path, `${key}: ${String(value)}`);
}
