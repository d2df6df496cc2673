/**
 * The facts every tokenizer over a speech encoder shares (RepCodec over HuBERT / data2vec, k-means
 * units): 16 kHz mono audio in, one row of codes at 50 frames a second (the released conv stacks'
 * strides 5 · 2⁶ = 320 samples a frame), one forward pass at a time, batches planned by the
 * encoder's frame count (batching.ts).
 */
import type { BatchLimits, BatchPolicy } from "../../pipeline/batchPlan.js";
import { speechEncoderBatchPolicy } from "./batching.js";

/** The rate fairseq's speech encoders take. */
const ENCODER_SAMPLE_RATE = 16_000;
/** Samples per feature frame of the released conv stacks. */
const SAMPLES_PER_FRAME = 320;

export abstract class SpeechEncoderTokenFacts {
  readonly sampleRate = ENCODER_SAMPLE_RATE;
  readonly frameRate = ENCODER_SAMPLE_RATE / SAMPLES_PER_FRAME;
  readonly codebooks = 1;
  readonly hopLength = SAMPLES_PER_FRAME;
  readonly parallelism = 1;
  /** Mono: channel 0 of a file of several, as fairseq's and RepCodec's readers take it. */
  readonly channels = 1;
  readonly batching: BatchPolicy;

  protected constructor(protected readonly batchLimits: Required<BatchLimits>) {
    this.batching = speechEncoderBatchPolicy(batchLimits);
  }
}
