/**
 * A HuBERT checkpoint with seeded random weights in fairseq's checkpoint layout, for tests and
 * the benchmark: `cfg` holds `model` and `task` sections with fairseq's key names (as plain dicts:
 * fairseq's loader turns a dict `cfg` into its DictConfig with `OmegaConf.create`, and
 * `torch.load` reads it with no omegaconf installed), `model` the full state dict with fairseq's
 * key names (the pre-training heads included, as in the released files). "released" is
 * hubert_base_ls960's shapes; "tiny" the fixtures' base-style shapes.
 */
import { writeTorchCheckpoint } from "../../checkpoint/index.js";
import type { TensorData } from "../../onnx/tensor.js";
import type { RandomTensors } from "../common/randomTensors.js";
import { parseConvLayers } from "./config.js";

interface HubertShapes {
  convFeatureLayers: string;
  width: number;
  layers: number;
  heads: number;
  ffnWidth: number;
  convPos: number;
  convPosGroups: number;
  /** final_proj's width, and the pre-training labels' count (label_embs_concat's rows). */
  finalDim: number;
  labels: number;
}

const SHAPES: Record<"tiny" | "released", HubertShapes> = {
  tiny: { convFeatureLayers: "[(32,10,5)] + [(32,3,2)] * 4 + [(32,2,2)] * 2", width: 64, layers: 3, heads: 4, ffnWidth: 128, convPos: 16, convPosGroups: 4, finalDim: 24, labels: 24 },
  released: { convFeatureLayers: "[(512,10,5)] + [(512,3,2)] * 4 + [(512,2,2)] * 2", width: 768, layers: 12, heads: 12, ffnWidth: 3072, convPos: 128, convPosGroups: 16, finalDim: 256, labels: 504 },
};

/** hubert_base_librispeech.yaml's model facts (post-LN, GroupNorm front end) with these shapes. */
function modelSection(shapes: HubertShapes): Map<string, unknown> {
  return new Map<string, unknown>(Object.entries({
    _name: "hubert", label_rate: 50.0, extractor_mode: "default", encoder_layers: shapes.layers, encoder_embed_dim: shapes.width,
    encoder_ffn_embed_dim: shapes.ffnWidth, encoder_attention_heads: shapes.heads, activation_fn: "gelu", layer_type: "transformer",
    dropout: 0.1, attention_dropout: 0.1, activation_dropout: 0.0, encoder_layerdrop: 0.05, dropout_input: 0.1, dropout_features: 0.1,
    final_dim: shapes.finalDim, untie_final_proj: false, layer_norm_first: false, conv_feature_layers: shapes.convFeatureLayers,
    conv_bias: false, logit_temp: 0.1, target_glu: false, feature_grad_mult: 0.1, conv_pos: shapes.convPos,
    conv_pos_groups: shapes.convPosGroups, required_seq_len_multiple: 2, pos_enc_type: "abs",
  }));
}

/** hubert_pretraining's task facts (16 kHz, no waveform normalisation, as hubert_base_ls960). */
function taskSection(): Map<string, unknown> {
  return new Map<string, unknown>(Object.entries({
    _name: "hubert_pretraining", data: "/unused", fine_tuning: false, labels: ["km"], label_dir: null, label_rate: 50.0,
    sample_rate: 16000, normalize: false, enable_padding: false, max_sample_size: 250000, min_sample_size: 32000,
    single_target: false, random_crop: true, pad_audio: false,
  }));
}

function stateDict(shapes: HubertShapes, random: RandomTensors): Map<string, TensorData> {
  const state = new Map<string, TensorData>();
  const put = (name: string, dims: number[], scale: number, offset = 0): void => void state.set(name, random(dims, scale, offset));
  const norm = (prefix: string, width: number): void => {
    put(`${prefix}.weight`, [width], 0.1, 1);
    put(`${prefix}.bias`, [width], 0.05);
  };
  const linear = (prefix: string, out: number, input: number): void => {
    put(`${prefix}.weight`, [out, input], 1 / Math.sqrt(input));
    put(`${prefix}.bias`, [out], 0.05);
  };
  const conv = parseConvLayers("random HuBERT", shapes.convFeatureLayers);
  const d = shapes.width;
  let channelsIn = 1;
  conv.forEach((layer, i) => {
    put(`feature_extractor.conv_layers.${i}.0.weight`, [layer.channels, channelsIn, layer.kernel], Math.sqrt(3 / (channelsIn * layer.kernel)));
    if (i === 0) norm(`feature_extractor.conv_layers.0.2`, layer.channels);
    channelsIn = layer.channels;
  });
  put("mask_emb", [d], 1);
  norm("layer_norm", channelsIn);
  linear("post_extract_proj", d, channelsIn);
  // Weight norm over dim 2: one g per kernel tap, v of any scale.
  put("encoder.pos_conv.0.weight_g", [1, 1, shapes.convPos], 0.5, 1);
  put("encoder.pos_conv.0.weight_v", [d, d / shapes.convPosGroups, shapes.convPos], 1);
  put("encoder.pos_conv.0.bias", [d], 0.05);
  norm("encoder.layer_norm", d);
  for (let i = 0; i < shapes.layers; i++) {
    const p = `encoder.layers.${i}`;
    for (const name of ["k_proj", "v_proj", "q_proj", "out_proj"]) linear(`${p}.self_attn.${name}`, d, d);
    norm(`${p}.self_attn_layer_norm`, d);
    linear(`${p}.fc1`, shapes.ffnWidth, d);
    linear(`${p}.fc2`, d, shapes.ffnWidth);
    norm(`${p}.final_layer_norm`, d);
  }
  linear("final_proj", shapes.finalDim, d);
  put("label_embs_concat", [shapes.labels, shapes.finalDim], 1);
  return state;
}

/** Writes a random-weight HuBERT checkpoint of `size` at `path` (fairseq's `cfg` layout). */
export function writeRandomHubert(path: string, size: "tiny" | "released", random: RandomTensors): void {
  const shapes = SHAPES[size];
  writeTorchCheckpoint(path, new Map<string, unknown>([
    ["args", null],
    ["cfg", new Map<string, unknown>([["model", modelSection(shapes)], ["task", taskSection()]])],
    ["model", stateDict(shapes, random)],
    ["criterion", null],
    ["optimizer_history", []],
    ["extra_state", new Map()],
  ]));
}
