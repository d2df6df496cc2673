/**
 * SpeechTokenizer's tensors: the SEANet module list (common/seanetLayout.ts) named and sized from
 * its config.
 */
import { convGeometry, decoderSteps, encoderSteps, lstmTensorShapes, residualConvs, weightNormConvShapes, type Step } from "../common/seanetLayout.js";
import type { SpeechTokenizerConfig } from "./config.js";

export { convGeometry, decoderSteps, encoderSteps, residualConvs, type Step };

/** Every tensor the model reads, name → shape, in PyTorch layout. */
export function expectedTensors(config: SpeechTokenizerConfig): Map<string, number[]> {
  const shapes = new Map<string, number[]>();
  const addConv = (step: Step): void => {
    for (const [name, shape] of weightNormConvShapes(step)) shapes.set(name, shape);
  };
  const addActivation = (name: string, channels: number): void => {
    if (config.activation === "Snake") shapes.set(`${name}.alpha`, [1, channels, 1]);
  };
  for (const step of [...encoderSteps(config), ...decoderSteps(config)]) {
    if (step.kind === "act") addActivation(step.name, step.channels);
    else if (step.kind === "residual") {
      const convs = residualConvs(step);
      addActivation(`${step.name}.block.0`, step.channels);
      addActivation(`${step.name}.block.2`, step.hidden);
      [convs.first, convs.second, convs.shortcut].forEach(addConv);
    } else if (step.kind === "lstm") {
      for (const [name, shape] of lstmTensorShapes(step)) shapes.set(name, shape);
    } else addConv(step);
  }
  for (let i = 0; i < config.nQ; i++) shapes.set(codebookName(i), [config.codebookSize, config.dimension]);
  return shapes;
}

export function codebookName(layer: number): string {
  return `quantizer.vq.layers.${layer}._codebook.embed`;
}
