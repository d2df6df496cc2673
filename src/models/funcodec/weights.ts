/**
 * The generator's tensors of a FunCodec encodec checkpoint, found by name and checked by shape
 * against the config before any graph is built. Only encoder.*, decoder.* and the quantizer's
 * stacked codebook are read: discriminator.*, mel_spec_transforms.* and the quantizer's training
 * buffers (embed_avg, cluster_size) are left alone. `inited` must be 1 for every layer: upstream's
 * inference runs the quantizer's forward(), which would k-means-initialise an uninitialised
 * codebook from the input itself.
 */
import { requireTensor } from "../../checkpoint/requireTensor.js";
import { CheckpointTensorError } from "../../errors.js";
import { DataType } from "../../onnx/types.js";
import { asFloat32, elementCount, type TensorData } from "../../onnx/tensor.js";
import type { LstmLayer } from "../common/lstm.js";
import type { FunCodecConfig, SeanetConfig } from "./config.js";

/** Conv1d [out, in, k] (ConvTranspose1d [in, out, k]) with bias [out], then GroupNorm(1, out) weight/bias [out]. */
export interface NormedConv {
  weight: TensorData;
  bias: TensorData;
  normWeight: TensorData;
  normBias: TensorData;
}

/** SEANetResnetBlock: ELU, conv (k, dilation), ELU, conv (1); plus a kernel-1 shortcut conv unless true_skip. */
export interface ResidualBlock {
  conv1: NormedConv;
  conv2: NormedConv;
  dilation: number;
  shortcut?: NormedConv;
}

export interface EncoderStage {
  blocks: ResidualBlock[];
  /** Strided conv, kernel 2·stride: C → 2C. */
  down: NormedConv;
  stride: number;
}

export interface DecoderStage {
  /** Transposed conv, kernel 2·stride: C → C/2. */
  up: NormedConv;
  stride: number;
  blocks: ResidualBlock[];
}

export interface FunCodecWeights {
  encoder: { first: NormedConv; stages: EncoderStage[]; lstm: LstmLayer[]; last: NormedConv };
  decoder: { first: NormedConv; lstm: LstmLayer[]; stages: DecoderStage[]; last: NormedConv };
  /** quantizer.rq.model.embed, [Q, K, D]. */
  codebooks: TensorData;
}

/** Gives the tensor `name` of `shape` (from a checkpoint, checked; or made up, for random weights). */
export type TensorSource = (name: string, shape: readonly number[]) => TensorData;

/** A source over a checkpoint's state dict: by name, checked by shape and type; `path` names it in errors. */
export function stateDictSource(dict: ReadonlyMap<string, TensorData>, path: string): TensorSource {
  return (name, shape) => {
    const tensor = requireTensor(dict, name, shape, path);
    if (tensor.dataType !== DataType.FLOAT) throw new CheckpointTensorError(path, name, `element type ${tensor.dataType}, expected float32`);
    return tensor;
  };
}

/** Walks the generator's layout in upstream's module numbering, asking the source for each tensor. */
class TensorReader {
  constructor(readonly take: TensorSource) {}

  /** `<prefix>.conv.conv.*` (weight [out, in, k]) and `<prefix>.conv.norm.*`. */
  conv(prefix: string, out: number, inChannels: number, kernel: number): NormedConv {
    return this.normed(`${prefix}.conv`, "conv", [out, inChannels, kernel], out);
  }

  /** `<prefix>.convtr.convtr.*` (weight [in, out, k], torch's ConvTranspose1d layout) and `<prefix>.convtr.norm.*`. */
  convTranspose(prefix: string, inChannels: number, out: number, kernel: number): NormedConv {
    return this.normed(`${prefix}.convtr`, "convtr", [inChannels, out, kernel], out);
  }

  private normed(module: string, layer: string, weightShape: readonly number[], out: number): NormedConv {
    return {
      weight: this.take(`${module}.${layer}.weight`, weightShape),
      bias: this.take(`${module}.${layer}.bias`, [out]),
      normWeight: this.take(`${module}.norm.weight`, [out]),
      normBias: this.take(`${module}.norm.bias`, [out]),
    };
  }

  block(prefix: string, dim: number, conf: SeanetConfig, j: number): ResidualBlock {
    const hidden = Math.floor(dim / conf.compress);
    return {
      conv1: this.conv(`${prefix}.block.1`, hidden, dim, conf.residualKernelSize),
      conv2: this.conv(`${prefix}.block.3`, dim, hidden, 1),
      dilation: conf.dilationBase ** j,
      shortcut: conf.trueSkip ? undefined : this.conv(`${prefix}.shortcut`, dim, dim, 1),
    };
  }

  lstm(prefix: string, width: number, layers: number): LstmLayer[] {
    return Array.from({ length: layers }, (_, l) => [{
      weightIh: this.take(`${prefix}.lstm.weight_ih_l${l}`, [4 * width, width]),
      weightHh: this.take(`${prefix}.lstm.weight_hh_l${l}`, [4 * width, width]),
      biasIh: this.take(`${prefix}.lstm.bias_ih_l${l}`, [4 * width]),
      biasHh: this.take(`${prefix}.lstm.bias_hh_l${l}`, [4 * width]),
    }]);
  }
}

/** The generator's weights of `config` from a checkpoint's state dict, every name and shape checked. */
export function funcodecWeights(config: FunCodecConfig, dict: ReadonlyMap<string, TensorData>, path: string): FunCodecWeights {
  const weights = generatorWeights(config, stateDictSource(dict, path));
  const inited = stateDictSource(dict, path)("quantizer.rq.model.inited", [config.numQuantizers, 1]);
  const notReady = asFloat32(inited).findIndex((v) => v !== 1);
  if (notReady >= 0) {
    throw new CheckpointTensorError(path, "quantizer.rq.model.inited", `layer ${notReady} is not initialised (inited must be 1; upstream would k-means its codebook from the input)`);
  }
  return weights;
}

/** The generator's tensors of `config`, each asked of `source` by name and shape. */
export function generatorWeights(config: FunCodecConfig, source: TensorSource): FunCodecWeights {
  const reader = new TensorReader(source);
  const enc = config.encoder;
  const dec = config.decoder;
  const codebooks = reader.take("quantizer.rq.model.embed", [config.numQuantizers, config.codebookSize, enc.dimension]);
  return {
    encoder: readEncoder(reader, enc),
    decoder: readDecoder(reader, dec),
    codebooks,
  };
}

function readEncoder(reader: TensorReader, conf: SeanetConfig): FunCodecWeights["encoder"] {
  let index = 0;
  let mult = 1;
  const first = reader.conv(`encoder.model.${index++}`, conf.nFilters, 1, conf.kernelSize);
  const stages: EncoderStage[] = [...conf.ratios].reverse().map((stride) => {
    const dim = mult * conf.nFilters;
    const blocks = Array.from({ length: conf.nResidualLayers }, (_, j) => reader.block(`encoder.model.${index++}`, dim, conf, j));
    index++; // ELU
    const down = reader.conv(`encoder.model.${index++}`, 2 * dim, dim, 2 * stride);
    mult *= 2;
    return { blocks, down, stride };
  });
  const width = mult * conf.nFilters;
  const lstm = reader.lstm(`encoder.model.${index++}`, width, conf.lstmLayers);
  index++; // ELU
  const last = reader.conv(`encoder.model.${index}`, conf.dimension, width, conf.lastKernelSize);
  return { first, stages, lstm, last };
}

function readDecoder(reader: TensorReader, conf: SeanetConfig): FunCodecWeights["decoder"] {
  let mult = 2 ** conf.ratios.length;
  let index = 0;
  const first = reader.conv(`decoder.model.${index++}`, mult * conf.nFilters, conf.dimension, conf.kernelSize);
  const lstm = reader.lstm(`decoder.model.${index++}`, mult * conf.nFilters, conf.lstmLayers);
  const stages: DecoderStage[] = conf.ratios.map((stride) => {
    const dim = mult * conf.nFilters;
    index++; // ELU
    const up = reader.convTranspose(`decoder.model.${index++}`, dim, dim / 2, 2 * stride);
    const blocks = Array.from({ length: conf.nResidualLayers }, (_, j) => reader.block(`decoder.model.${index++}`, dim / 2, conf, j));
    mult /= 2;
    return { up, stride, blocks };
  });
  index++; // ELU
  const last = reader.conv(`decoder.model.${index}`, 1, conf.nFilters, conf.lastKernelSize);
  return { first, lstm, stages, last };
}

/** Layer `i` of the stacked codebook [Q, K, D] as a view: [K, D]. */
export function codebookLayer(codebooks: TensorData, i: number): TensorData {
  const [, size, width] = codebooks.dims as [number, number, number];
  const bytes = elementCount([size, width]) * 4;
  return { dataType: codebooks.dataType, dims: [size, width], bytes: codebooks.bytes.subarray(i * bytes, (i + 1) * bytes) };
}
