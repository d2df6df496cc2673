/**
 * An EnCodec checkpoint's tensors, walked in SEANet's module order (common/seanetLayout.ts) and
 * checked by name, shape and type before any graph is built. Weight norm is folded into plain
 * conv weights; a time-group-norm model's convs carry their GroupNorm(1, C) beside. The
 * quantizer's training buffers (cluster_size, embed_avg) are not read; `inited` must be 1, as
 * upstream's encode would otherwise k-means-initialise a codebook from the input.
 */
import { requireTensor } from "../../checkpoint/requireTensor.js";
import { CheckpointTensorError } from "../../errors.js";
import { DataType } from "../../onnx/types.js";
import { asFloat32, type TensorData } from "../../onnx/tensor.js";
import type { ConvParams } from "../common/paddedConv.js";
import type { LstmLayer } from "../common/lstm.js";
import { decoderSteps, encoderSteps, lstmTensorShapes, residualConvs, weightNormConvShapes, type Step } from "../common/seanetLayout.js";
import { foldWeightNorm } from "../common/weightNorm.js";
import type { EncodecConfig } from "./config.js";
import { codebookKey, type StateDict } from "./recognise.js";

/** A conv (Conv1d [out, in, k] or ConvTranspose1d [in, out, k]) and, for time_group_norm, its GroupNorm(1, out). */
export interface EncodecConv extends ConvParams {
  norm?: { weight: TensorData; bias: TensorData };
}

export interface EncodecWeights {
  readonly config: EncodecConfig;
  /** The conv of a conv or convtr step, by module name ("encoder.model.0", "decoder.model.4", "...block.1"). */
  conv(name: string): EncodecConv;
  /** The stacked layers of an SLSTM module. */
  lstm(name: string): LstmLayer[];
  /** Codebooks [bins, dimension] of every layer. */
  readonly codebooks: readonly TensorData[];
}

/** Every conv and convtr step, a residual block's own convs included. */
function convSteps(steps: readonly Step[]): Step[] {
  return steps.flatMap((step) => (step.kind === "residual" ? Object.values(residualConvs(step)) : step.kind === "conv" || step.kind === "convtr" ? [step] : []));
}

/** A time-group-norm conv's tensors: the plain conv and its norm, name → shape. */
function groupNormConvShapes(step: Step): Map<string, number[]> {
  const shapes = new Map<string, number[]>();
  if (step.kind !== "conv" && step.kind !== "convtr") return shapes;
  const layer = step.kind === "conv" ? "conv" : "convtr";
  const out = step.outChannels;
  const prefix = `${step.name}.${layer}`;
  shapes.set(`${prefix}.${layer}.weight`, step.kind === "conv" ? [out, step.inChannels, step.kernel] : [step.inChannels, out, 2 * step.stride]);
  shapes.set(`${prefix}.${layer}.bias`, [out]);
  shapes.set(`${prefix}.norm.weight`, [out]);
  shapes.set(`${prefix}.norm.bias`, [out]);
  return shapes;
}

/** Every tensor the model reads, name → shape (PyTorch layout). */
export function expectedTensors(config: EncodecConfig): Map<string, number[]> {
  const shapes = new Map<string, number[]>();
  const steps = [...encoderSteps(config), ...decoderSteps(config)];
  const convShapes = config.norm === "weight_norm" ? weightNormConvShapes : groupNormConvShapes;
  for (const step of convSteps(steps)) for (const [name, shape] of convShapes(step)) shapes.set(name, shape);
  for (const step of steps) if (step.kind === "lstm") for (const [name, shape] of lstmTensorShapes(step)) shapes.set(name, shape);
  for (let i = 0; i < config.nQ; i++) {
    shapes.set(codebookKey(i), [config.bins, config.dimension]);
    shapes.set(`quantizer.vq.layers.${i}._codebook.inited`, [1]);
  }
  return shapes;
}

/** The checked weights of `dict` for `config`; `path` names the checkpoint in errors. */
export function encodecWeights(config: EncodecConfig, dict: StateDict, path: string): EncodecWeights {
  for (const [name, shape] of expectedTensors(config)) {
    const tensor = requireTensor(dict, name, shape, path);
    if (tensor.dataType !== DataType.FLOAT) throw new CheckpointTensorError(path, name, `element type ${tensor.dataType}, expected float32`);
    if (name.endsWith(".inited") && asFloat32(tensor)[0] !== 1) {
      throw new CheckpointTensorError(path, name, "the codebook is not initialised (inited must be 1; upstream would k-means it from the input)");
    }
  }
  const get = (name: string): TensorData => dict.get(name)!;
  const convs = new Map<string, EncodecConv>();
  const readConv = (name: string): EncodecConv => {
    const layer = dict.has(`${name}.convtr.convtr.bias`) ? "convtr" : "conv";
    const prefix = `${name}.${layer}.${layer}`;
    if (config.norm === "weight_norm") return { weight: foldWeightNorm(get(`${prefix}.weight_g`), get(`${prefix}.weight_v`)), bias: get(`${prefix}.bias`) };
    return { weight: get(`${prefix}.weight`), bias: get(`${prefix}.bias`), norm: { weight: get(`${name}.${layer}.norm.weight`), bias: get(`${name}.${layer}.norm.bias`) } };
  };
  return {
    config,
    conv(name) {
      let conv = convs.get(name);
      if (conv === undefined) {
        conv = readConv(name);
        convs.set(name, conv);
      }
      return conv;
    },
    lstm: (name) =>
      Array.from({ length: config.lstmLayers }, (_, l) => [{
        weightIh: get(`${name}.lstm.weight_ih_l${l}`),
        weightHh: get(`${name}.lstm.weight_hh_l${l}`),
        biasIh: get(`${name}.lstm.bias_ih_l${l}`),
        biasHh: get(`${name}.lstm.bias_hh_l${l}`),
      }]),
    codebooks: Array.from({ length: config.nQ }, (_, i) => get(codebookKey(i))),
  };
}
