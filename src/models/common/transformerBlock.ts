/**
 * The pre-norm Transformer block shared by S3Tokenizer's encoder and Whisper's (S3 v1 is a
 * Whisper-style encoder): x += Attn(LN(x)); x += MLP(LN(x)) with exact GELU. One builder for
 * both, so both get the same fused attention and int8 fast mode. The node names are the S3
 * releases' (/blocks.N/attn_ln, …/mlp/mlp.0), which the S3 importer and release writer read.
 * x is in the frame layout: packed [N, D] or padded [B, T, D]; D = width, H = heads.
 */
import { attr, type GraphBuilder } from "../../onnx/builder.js";
import { selfAttention, type AttentionContext, type AttentionDims, type AttentionWeights, type FusedAttentionInputs } from "./attention.js";
import { packedFrames, PADDED_FRAMES } from "./framePacking.js";
import { gelu, layerNorm, linear, type LayerNormStyle, type Precision } from "./layers.js";
import type { LayerNormWeights, LinearWeights } from "./weights.js";

export interface TransformerBlockWeights extends AttentionWeights {
  attnLn: LayerNormWeights;
  mlpLn: LayerNormWeights;
  /** [D, 4D] */
  mlpUp: LinearWeights;
  /** [4D, D] */
  mlpDown: LinearWeights;
}

/** One block over x in the frame layout ([N, D] or [B, T, D]), named under `scope` (/blocks.N). */
export function transformerBlock(ctx: AttentionContext, x: string, block: TransformerBlockWeights, scope: string): string {
  const { g } = ctx;
  const attnInput = layerNorm(g, x, block.attnLn, `${scope}/attn_ln`, ctx.layerNormStyle);
  const attended = g.node("Add", [x, selfAttention(ctx, attnInput, block, `${scope}/attn`)]);
  const mlpInput = layerNorm(g, attended, block.mlpLn, `${scope}/mlp_ln`, ctx.layerNormStyle);
  const hidden = gelu(g, linear(g, mlpInput, block.mlpUp, `${scope}/mlp/mlp.0`, ctx.precision)); // [N, 4D] or [B, T, 4D]
  return g.node("Add", [attended, linear(g, hidden, block.mlpDown, `${scope}/mlp/mlp.2`, ctx.precision)]);
}

/** The extra head column of the fused attention core (see FusedAttentionInputs); keyBias [B, T]. */
function fusedAttentionInputs(g: GraphBuilder, keyBias: string, heads: number): FusedAttentionInputs {
  const columnShape = g.node("Concat", [g.node("Shape", [keyBias]), g.int64s([heads, 1])], { axis: attr.int(0) }); // [4] = [B, T, H, 1]
  return {
    queryOnes: g.node("Expand", [g.scalarFloat(1), columnShape]), // [B, T, H, 1]
    keyBiasColumn: g.node("Expand", [g.node("Unsqueeze", [keyBias, g.int64s([2, 3])]), columnShape]), // [B, T, H, 1]
  };
}

/** Score bias on padded keys, as the S3 reference's mask_to_bias. */
const PADDING_BIAS = -1e10;

export interface MaskedAttentionOptions {
  layerNormStyle: LayerNormStyle;
  precision: Precision;
  /** Run the per-frame layers on the real frames only ([N, D]); false keeps [B, T, D]. */
  packed: boolean;
  /** The attention core as onnxruntime's MultiHeadAttention (flash attention on a CPU). */
  fused: boolean;
}

/**
 * The attention context of a batch whose rows are valid up to their lengths: padded keys biased
 * away, so each row attends to its own frames only. valid [B, T] bool, validF its float copy,
 * frames the scalar int64 T.
 */
export function maskedAttentionContext(g: GraphBuilder, dims: AttentionDims, valid: string, validF: string, frames: string, options: MaskedAttentionOptions): AttentionContext {
  const keyBias = g.node("Mul", [g.node("Sub", [g.scalarFloat(1), validF]), g.scalarFloat(PADDING_BIAS)]); // [B, T]
  const ctx: AttentionContext = {
    g,
    dims,
    keyBias: g.node("Reshape", [keyBias, g.int64s([0, 1, 1, -1])]), // [B, 1, 1, T]
    padMask: g.node("Unsqueeze", [validF, g.int64s([2])]), // [B, T, 1]
    layerNormStyle: options.layerNormStyle,
    precision: options.precision,
    frames: options.packed ? packedFrames(g, valid, frames, dims.width) : PADDED_FRAMES,
  };
  if (options.fused) ctx.fused = fusedAttentionInputs(g, keyBias, dims.heads);
  return ctx;
}
