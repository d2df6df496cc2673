/**
 * Seeded random SpeechTokenizer weights in the released state dict's layout (every tensor the
 * released checkpoint holds, including the ones inference ignores), for tests and the benchmark.
 */
import { float32Tensor, type TensorData } from "../../onnx/tensor.js";
import { SPT_BASE_CONFIG, type SpeechTokenizerConfig } from "./config.js";
import { expectedTensors } from "./layout.js";
import { uniformSource } from "../common/seededRandom.js";

/** "tiny": the conformance fixtures' sizes; "released": config/spt_base_cfg.json's. */
export function randomModelConfig(size: "tiny" | "released"): SpeechTokenizerConfig {
  const released: SpeechTokenizerConfig = { ...SPT_BASE_CONFIG, strides: [...SPT_BASE_CONFIG.strides] };
  return size === "released" ? released : { ...released, nFilters: 8, dimension: 64, semanticDimension: 48, codebookSize: 64 };
}


/**
 * Values of one tensor: PyTorch-like uniform ±1/√fan_in for weights and biases, weight-norm gains
 * near 1, Snake alphas in [0.5, 2], codebook entries uniform ±1 (codes vary from frame to frame).
 */
function values(name: string, dims: readonly number[], random: () => number): Float32Array {
  const count = dims.reduce((a, b) => a * b, 1);
  const out = new Float32Array(count);
  const fanIn = dims.length > 1 ? count / dims[0]! : dims[0]!;
  const uniform = (low: number, high: number): number => low + (high - low) * random();
  for (let i = 0; i < count; i++) {
    if (name.endsWith(".alpha")) out[i] = uniform(0.5, 2);
    else if (name.endsWith(".weight_g")) out[i] = uniform(0.5, 1.5);
    else if (name.endsWith("._codebook.embed")) out[i] = uniform(-1, 1);
    else out[i] = uniform(-1, 1) / Math.sqrt(fanIn);
  }
  return out;
}

/** A state dict of `config`'s shapes with seeded random values, as torch.save(model.state_dict()) holds it. */
export function randomStateDict(config: SpeechTokenizerConfig, seed: number): Map<string, TensorData> {
  const random = uniformSource(seed);
  const dict = new Map<string, TensorData>();
  const add = (name: string, dims: number[], data?: Float32Array): void => {
    dict.set(name, float32Tensor(dims, data ?? values(name, dims, random)));
  };
  for (const [name, dims] of expectedTensors(config)) add(name, dims);
  // Present in the released file, unused by encode and decode.
  if (config.dimension !== config.semanticDimension) {
    add("transform.weight", [config.semanticDimension, config.dimension]);
    add("transform.bias", [config.semanticDimension]);
  }
  for (let i = 0; i < config.nQ; i++) {
    const prefix = `quantizer.vq.layers.${i}._codebook`;
    add(`${prefix}.inited`, [1], Float32Array.of(1));
    add(`${prefix}.cluster_size`, [config.codebookSize], new Float32Array(config.codebookSize).fill(1));
    add(`${prefix}.embed_avg`, [config.codebookSize, config.dimension], new Float32Array(asArray(dict.get(`${prefix}.embed`)!)));
  }
  return dict;
}

function asArray(tensor: TensorData): Float32Array {
  return new Float32Array(tensor.bytes.buffer, tensor.bytes.byteOffset, tensor.bytes.byteLength / 4);
}
