/**
 * A fairseq HuBERT / data2vec-audio state dict (`model`), as the encoder graph takes it: every
 * tensor checked for shape against the config, widened to float32, linear weights transposed to
 * [in, out], HuBERT's weight-normed positional convolution folded. Only the first `layers`
 * Transformer layers are taken (features come from a 1-based layer). Keys the feature path never
 * reads (mask_emb, label_embs_concat, final_proj*, data2vec's `_ema` teacher, which is a dict and
 * not a tensor) are left alone.
 */
import { requireTensor } from "../../checkpoint/requireTensor.js";
import { asFloat32, elementCount, float32Tensor, type TensorData } from "../../onnx/tensor.js";
import { foldWeightNorm } from "../common/weightNorm.js";
import { transposed, widened } from "../common/tensors.js";
import type { TransformerBlockWeights } from "../common/transformerBlock.js";
import type { ConvWeights, LayerNormWeights, LinearWeights } from "../common/weights.js";
import type { SpeechEncoderConfig } from "./config.js";
import { SpeechEncoderModelError } from "./errors.js";

/** fairseq's LayerNorm and GroupNorm epsilon (torch's default). */
export const NORM_EPSILON = 1e-5;

export interface FrontEndBlock {
  /** [C, C_in, k] (+ bias [C] when conv_bias). */
  conv: ConvWeights;
  /** GroupNorm(C, C) on block 0 in "default" mode, LayerNorm over channels in "layer_norm" mode; absent otherwise. */
  norm?: LayerNormWeights;
}

export interface SpeechEncoderWeights {
  config: SpeechEncoderConfig;
  /** Transformer layers taken: the 1-based feature layer. */
  layers: number;
  frontEnd: FrontEndBlock[];
  /** `layer_norm`: over the front end's channels C. */
  featureNorm: LayerNormWeights;
  /** `post_extract_proj` [C, D]; absent when C = D and the checkpoint has none. */
  projection?: LinearWeights;
  /** The positional convolution(s) [D, D/groups, k] with bias (weight norm folded). */
  positionalConvs: ConvWeights[];
  /** `encoder.layer_norm`: applied before the layers in post-LN models, never at the end for a requested layer. */
  encoderNorm: LayerNormWeights;
  blocks: TransformerBlockWeights[];
}

/**
 * torch's weight_norm with dim=2 over a Conv1d weight: w[:, :, j] = g[j] · v[:, :, j] / ‖v[:, :, j]‖,
 * one norm per kernel tap (g [1, 1, k], v [D, D/groups, k]): the dim-0 fold on v seen tap-major.
 */
export function foldTapWeightNorm(gain: TensorData, direction: TensorData): TensorData {
  const taps = direction.dims[2]!;
  const rows = elementCount(direction.dims) / taps;
  const tapMajor = transposed(float32Tensor([rows, taps], asFloat32(direction))); // [k, D·D/groups]
  const folded = foldWeightNorm(float32Tensor([taps], asFloat32(gain)), tapMajor); // [k, D·D/groups]
  return float32Tensor([...direction.dims], asFloat32(transposed(folded))); // [D, D/groups, k]
}

/** The encoder's weights up to `layer` (1-based) from a fairseq `model` state dict. */
export function speechEncoderWeights(dict: ReadonlyMap<string, TensorData>, config: SpeechEncoderConfig, layer: number, file: string): SpeechEncoderWeights {
  if (!Number.isInteger(layer) || layer < 1 || layer > config.layers) {
    throw new SpeechEncoderModelError(file, `layer ${layer} does not exist: the encoder has layers 1..${config.layers}`);
  }
  const tensor = (name: string, shape: number[]): TensorData => widened(requireTensor(dict, name, shape, file));
  const norm = (prefix: string, width: number): LayerNormWeights => ({ scale: tensor(`${prefix}.weight`, [width]), bias: tensor(`${prefix}.bias`, [width]), epsilon: NORM_EPSILON });
  const linearOf = (prefix: string, out: number, input: number): LinearWeights => ({
    weight: transposed(requireTensor(dict, `${prefix}.weight`, [out, input], file)),
    bias: tensor(`${prefix}.bias`, [out]),
  });
  const { width, ffnWidth } = config;

  let channelsIn = 1;
  const frontEnd = config.convLayers.map((spec, i): FrontEndBlock => {
    const prefix = `feature_extractor.conv_layers.${i}`;
    const conv: ConvWeights = { weight: tensor(`${prefix}.0.weight`, [spec.channels, channelsIn, spec.kernel]) };
    if (config.convBias) conv.bias = tensor(`${prefix}.0.bias`, [spec.channels]);
    channelsIn = spec.channels;
    if (config.extractorMode === "layer_norm") return { conv, norm: norm(`${prefix}.2.1`, spec.channels) };
    return i === 0 ? { conv, norm: norm(`${prefix}.2`, spec.channels) } : { conv };
  });
  const channels = channelsIn;

  let projection: LinearWeights | undefined;
  if (dict.has("post_extract_proj.weight") || channels !== width) projection = linearOf("post_extract_proj", width, channels);

  const pos = config.positionalConv;
  const groupWidth = width / pos.groups;
  const positionalConvs: ConvWeights[] = pos.kind === "weight-norm"
    ? [{
        weight: foldTapWeightNorm(tensor("encoder.pos_conv.0.weight_g", [1, 1, pos.kernel]), tensor("encoder.pos_conv.0.weight_v", [width, groupWidth, pos.kernel])),
        bias: tensor("encoder.pos_conv.0.bias", [width]),
      }]
    : Array.from({ length: pos.depth }, (_, i) => ({
        weight: tensor(`encoder.pos_conv.${i}.0.weight`, [width, groupWidth, pos.kernel]),
        bias: tensor(`encoder.pos_conv.${i}.0.bias`, [width]),
      }));

  const blocks: TransformerBlockWeights[] = [];
  for (let i = 0; i < layer; i++) {
    const p = `encoder.layers.${i}`;
    blocks.push({
      query: linearOf(`${p}.self_attn.q_proj`, width, width),
      key: linearOf(`${p}.self_attn.k_proj`, width, width),
      value: linearOf(`${p}.self_attn.v_proj`, width, width),
      out: linearOf(`${p}.self_attn.out_proj`, width, width),
      attnLn: norm(`${p}.self_attn_layer_norm`, width),
      mlpUp: linearOf(`${p}.fc1`, ffnWidth, width),
      mlpDown: linearOf(`${p}.fc2`, width, ffnWidth),
      mlpLn: norm(`${p}.final_layer_norm`, width),
    });
  }
  return {
    config,
    layers: layer,
    frontEnd,
    featureNorm: norm("layer_norm", channels),
    projection,
    positionalConvs,
    encoderNorm: norm("encoder.layer_norm", width),
    blocks,
  };
}
