/**
 * SpeechTokenizer's weights out of a state dict: every tensor the config implies is checked by
 * name and shape before anything is built (a typed error names the checkpoint, the tensor, its
 * shape and the expected one), then weight norm is folded into plain conv weights.
 */
import { requireTensor } from "../../checkpoint/requireTensor.js";
import { CheckpointTensorError } from "../../errors.js";
import { DataType } from "../../onnx/types.js";
import type { TensorData } from "../../onnx/tensor.js";
import type { ConvParams } from "../common/paddedConv.js";
import type { LstmLayer } from "../common/lstm.js";
import { foldWeightNorm } from "../common/weightNorm.js";
import type { SpeechTokenizerConfig } from "./config.js";
import { codebookName, expectedTensors } from "./layout.js";

export type StateDict = ReadonlyMap<string, TensorData>;

export interface SpeechTokenizerWeights {
  readonly config: SpeechTokenizerConfig;
  /** Folded conv (and transposed conv) weights by module name (e.g. "encoder.model.0"). */
  conv(name: string): ConvParams;
  /** Snake's alpha [1, C, 1] of an activation module. */
  alpha(name: string): TensorData;
  /** The stacked layers of an SLSTM module. */
  lstm(name: string, layers: number, bidirectional: boolean): LstmLayer[];
  /** Codebooks [K, D] of every quantizer layer. */
  readonly codebooks: readonly TensorData[];
}

/** Throws unless every tensor the config implies is present, float32 and of the expected shape. */
export function checkStateDict(dict: StateDict, config: SpeechTokenizerConfig, file: string): void {
  for (const [name, shape] of expectedTensors(config)) {
    const tensor = requireTensor(dict, name, shape, file);
    if (tensor.dataType !== DataType.FLOAT) throw new CheckpointTensorError(file, name, `data type ${tensor.dataType}, expected float32 (${DataType.FLOAT})`);
  }
}

/** Checked weights of `dict` for `config`; `file` names the checkpoint in errors. */
export function importWeights(dict: StateDict, config: SpeechTokenizerConfig, file: string): SpeechTokenizerWeights {
  checkStateDict(dict, config, file);
  const get = (name: string): TensorData => dict.get(name)!;
  const folded = new Map<string, ConvParams>();
  return {
    config,
    conv(name) {
      let params = folded.get(name);
      if (params === undefined) {
        const prefix = dict.has(`${name}.convtr.convtr.weight_v`) ? `${name}.convtr.convtr` : `${name}.conv.conv`;
        params = { weight: foldWeightNorm(get(`${prefix}.weight_g`), get(`${prefix}.weight_v`)), bias: get(`${prefix}.bias`) };
        folded.set(name, params);
      }
      return params;
    },
    alpha: (name) => get(`${name}.alpha`),
    lstm(name, layers, bidirectional) {
      const suffixes = bidirectional ? ["", "_reverse"] : [""];
      return Array.from({ length: layers }, (_, layer) =>
        suffixes.map((suffix) => ({
          weightIh: get(`${name}.lstm.weight_ih_l${layer}${suffix}`),
          weightHh: get(`${name}.lstm.weight_hh_l${layer}${suffix}`),
          biasIh: get(`${name}.lstm.bias_ih_l${layer}${suffix}`),
          biasHh: get(`${name}.lstm.bias_hh_l${layer}${suffix}`),
        })),
      );
    },
    codebooks: Array.from({ length: config.nQ }, (_, i) => get(codebookName(i))),
  };
}
