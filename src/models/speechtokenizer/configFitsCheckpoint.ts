/**
 * A SpeechTokenizer config's counts against the checkpoint it comes with, before any tensor name
 * or graph is built from them. Each count drives a loop that names at least one tensor per turn
 * (a codebook per n_q, an LSTM layer per lstm_layers, a residual block per n_residual_layers and
 * stride, a transposed conv per stride), so a count beyond the tensors the checkpoint holds can
 * only fail, and is refused at once naming the config, the key, its value and what the checkpoint has.
 */
import { ModelConfigError } from "../../errors.js";
import type { TensorData } from "../../onnx/tensor.js";
import type { SpeechTokenizerConfig } from "./config.js";

function countNames(dict: ReadonlyMap<string, TensorData>, pattern: RegExp): number {
  let count = 0;
  for (const name of dict.keys()) if (pattern.test(name)) count++;
  return count;
}

export function checkConfigFitsCheckpoint(
  config: SpeechTokenizerConfig,
  dict: ReadonlyMap<string, TensorData>,
  configPath: string,
  checkpointPath: string,
): void {
  const claims: { key: string; value: number; needs: number; held: number; what: string }[] = [
    { key: "n_q", value: config.nQ, needs: config.nQ, held: countNames(dict, /^quantizer\.vq\.layers\.\d+\._codebook\.embed$/), what: "codebooks" },
    { key: "lstm_layers", value: config.lstmLayers, needs: config.lstmLayers, held: countNames(dict, /^encoder\.model\.\d+\.lstm\.weight_ih_l\d+$/), what: "encoder LSTM layers" },
    { key: "strides", value: config.strides.length, needs: config.strides.length, held: countNames(dict, /^decoder\.model\.\d+\.convtr\.convtr\.weight_v$/), what: "decoder upsampling convolutions" },
    {
      key: "n_residual_layers",
      value: config.nResidualLayers,
      needs: config.nResidualLayers * config.strides.length,
      held: countNames(dict, /^encoder\.model\.\d+\.block\.1\.conv\.conv\.weight_v$/),
      what: `encoder residual blocks (${config.strides.length} strides × n_residual_layers needed)`,
    },
  ];
  for (const { key, value, needs, held, what } of claims) {
    if (needs > held) {
      const shown = key === "strides" ? `holds ${value} strides` : `is ${value}`;
      throw new ModelConfigError(configPath, `"${key}" ${shown}, but the checkpoint ${checkpointPath} has ${held} ${what}`);
    }
  }
}
