/**
 * The family-neutral side of a front end: feature workers (the corpus job's, the service's) turn
 * the model's samples (its rate and channels) into what the model's group runs on, without knowing the family. A model with
 * a FeatureFrontEnd gets its features (S3: log-mel); any other gets the samples.
 */
import { logMelSpectrogram, type MelSpectrogram } from "../features/logMel.js";
import type { Codes, EncodeOptions, FamilyFacts, FrontEndSpec, TokenizerModel } from "./types.js";
import { defaultGroupFrames, type BatchEngine } from "../pipeline/dynamicBatcher.js";

/** One utterance as a model's group takes it: front-end features [bands, frames], or samples. */
export type ModelInput = MelSpectrogram | Float32Array;

/** `spec`'s features of the samples, or the samples themselves where the model has no front end. */
export function runFrontEnd(samples: Float32Array, spec: FrontEndSpec | undefined, source: string): ModelInput {
  return spec ? logMelSpectrogram(samples, spec.nMels, { source }) : samples;
}

/** The buffer to transfer from a worker thread. */
export function inputBuffer(input: ModelInput): ArrayBuffer {
  return (input instanceof Float32Array ? input : input.data).buffer as ArrayBuffer;
}

/** Frames (front-end features) or samples: what a group budget counts. */
function inputSize(input: ModelInput): number {
  return input instanceof Float32Array ? input.length : input.frames;
}

function expectSamples(inputs: readonly ModelInput[]): Float32Array[] {
  return inputs.map((input) => {
    if (!(input instanceof Float32Array)) throw new TypeError("this model takes samples, and was given features");
    return input;
  });
}

function expectFeatures(inputs: readonly ModelInput[]): MelSpectrogram[] {
  return inputs.map((input) => {
    if (input instanceof Float32Array) throw new TypeError("this model takes its front end's features, and was given samples");
    return input;
  });
}

/** A dynamic batcher's engine over a model: its front end's features where it has one, else samples. */
export function modelEngine(model: TokenizerModel, options: EncodeOptions = {}): BatchEngine<ModelInput, Codes> {
  const { frontEnd } = model;
  return {
    parallelism: model.parallelism,
    groupCost: inputSize,
    passCost: modelPassCost(model),
    encodeGroup: frontEnd
      ? (inputs) => frontEnd.encodeFeatures(expectFeatures(inputs), options)
      : (inputs) => model.encode(expectSamples(inputs), options),
  };
}

/** Seconds of audio one forward pass holds where a family states no feature budget (one 30 s window). */
const PASS_SECONDS = 30;

/** What one forward pass of `model` holds, in its engine's unit (front-end frames or samples). */
function modelPassCost(model: TokenizerModel): number {
  return model.frontEnd?.batchFrames ?? PASS_SECONDS * model.sampleRate;
}

/** A batching group's default budget for `model`, in its engine's unit. */
export function groupBudget(model: TokenizerModel): number {
  return defaultGroupFrames({ passCost: modelPassCost(model) });
}

/**
 * One utterance's codes as JSON: a flat list for a one-row family's model (S3, as the output
 * always was), a list of rows for a model of several rows, even when fewer were asked for.
 */
export function codesJson(codes: Codes, model: Pick<FamilyFacts, "codebooks">): number[] | number[][] {
  if (model.codebooks === 1) return Array.from(codes.data);
  return Array.from({ length: codes.codebooks }, (_, r) => Array.from(codes.data.subarray(r * codes.frames, (r + 1) * codes.frames)));
}
