/**
 * The encoder of an openai/whisper checkpoint (`{"dims", "model_state_dict"}`), as the S3 graph
 * pieces take it: float32 tensors (the released files store float16; they are widened once here),
 * linear weights transposed to [in, out]. Only the first `layers` blocks are taken, since RepCodec's
 * features come from a chosen (1-based) block; `ln_post` is not used by that path.
 */
import { requireTensor } from "../../checkpoint/requireTensor.js";
import type { TensorData } from "../../onnx/tensor.js";
import { transposed, widened } from "../common/tensors.js";
import type { EncoderDims } from "../common/encoderDims.js";
import type { TransformerBlockWeights as BlockWeights } from "../common/transformerBlock.js";
import type { ConvWeights, LayerNormWeights, LinearWeights } from "../common/weights.js";
import { RepCodecModelError } from "./errors.js";

/** Whisper's LayerNorm epsilon (torch's default). */
const LN_EPSILON = 1e-5;

export interface WhisperEncoderWeights {
  dims: EncoderDims;
  /** Rows of the stored positional table (n_audio_ctx, 1500 in every release). */
  contextFrames: number;
  conv1: ConvWeights;
  conv2: ConvWeights;
  /** [n_audio_ctx, D] the checkpoint's table. */
  positionalEmbedding: TensorData;
  blocks: BlockWeights[];
}

/** Checkpoint dims that the encoder uses (ModelDimensions' audio half). */
export interface WhisperDims {
  n_mels: number;
  n_audio_ctx: number;
  n_audio_state: number;
  n_audio_head: number;
  n_audio_layer: number;
}

/** The encoder's first `layers` blocks from a Whisper state dict, every tensor checked for shape. */
export function whisperEncoderWeights(dict: ReadonlyMap<string, TensorData>, dims: WhisperDims, layers: number, file: string): WhisperEncoderWeights {
  const width = dims.n_audio_state;
  if (!Number.isInteger(layers) || layers < 1 || layers > dims.n_audio_layer) {
    throw new RepCodecModelError(file, `layer ${layers} does not exist: the encoder has blocks 1..${dims.n_audio_layer}`);
  }
  const tensor = (name: string, shape: number[]): TensorData => widened(requireTensor(dict, name, shape, file));
  const linearOf = (prefix: string, out: number, input: number, bias = true): LinearWeights => {
    // transposed widens a float16 matrix itself: one float32 copy, not two.
    const weights: LinearWeights = { weight: transposed(requireTensor(dict, `${prefix}.weight`, [out, input], file)) };
    if (bias) weights.bias = tensor(`${prefix}.bias`, [out]);
    return weights;
  };
  const norm = (prefix: string): LayerNormWeights => ({ scale: tensor(`${prefix}.weight`, [width]), bias: tensor(`${prefix}.bias`, [width]), epsilon: LN_EPSILON });
  const conv = (prefix: string, input: number): ConvWeights => ({ weight: tensor(`${prefix}.weight`, [width, input, 3]), bias: tensor(`${prefix}.bias`, [width]) });

  const blocks: BlockWeights[] = [];
  for (let i = 0; i < layers; i++) {
    const p = `encoder.blocks.${i}`;
    blocks.push({
      attnLn: norm(`${p}.attn_ln`),
      query: linearOf(`${p}.attn.query`, width, width),
      key: linearOf(`${p}.attn.key`, width, width, false),
      value: linearOf(`${p}.attn.value`, width, width),
      out: linearOf(`${p}.attn.out`, width, width),
      mlpLn: norm(`${p}.mlp_ln`),
      mlpUp: linearOf(`${p}.mlp.0`, 4 * width, width),
      mlpDown: linearOf(`${p}.mlp.2`, width, 4 * width),
    });
  }
  return {
    dims: {
      nMels: dims.n_mels,
      width,
      heads: dims.n_audio_head,
      headDim: width / dims.n_audio_head,
      layers,
      mlpWidth: 4 * width,
      conv1Stride: 1,
    },
    contextFrames: dims.n_audio_ctx,
    conv1: conv("encoder.conv1", dims.n_mels),
    conv2: conv("encoder.conv2", width),
    positionalEmbedding: tensor("encoder.positional_embedding", [dims.n_audio_ctx, width]),
    blocks,
  };
}
