/**
 * A stereo test double of a model (no family is stereo yet): it implements the model interface
 * with `channels` 2, so the toolkit's channel path (reading, keeping, duplicating, answering and
 * writing two channels) can be checked end to end before a stereo family exists.
 *
 * Codes are computed from each hop of each channel, so they show which audio reached the model:
 * row c, frame t = ⌊1000 · mean |x_c| over the hop⌋ mod 1024. Decoding gives, per channel, each
 * hop filled with its code / 1024 (row c → channel c), so the answer's channel order shows too.
 */
import { InvalidInputError } from "../../src/errors.js";
import type { Codes, TokenizerModel } from "../../src/family/types.js";

export class StereoHopModel implements TokenizerModel {
  readonly family = "funcodec" as const;
  readonly source = "stereo-hop-double";
  readonly files = {};
  readonly channels = 2;
  readonly batching = { unit: "samples", unitName: "samples", maxBatchUnits: 480_000, maxBatchSize: Infinity } as const;
  readonly codebooks = 2;
  readonly codebookSize = 1024;
  readonly parallelism = 1;
  readonly frameRate: number;

  constructor(
    readonly sampleRate = 24_000,
    readonly hopLength = 480,
  ) {
    this.frameRate = sampleRate / hopLength;
  }

  async encode(inputs: readonly Float32Array[]): Promise<Codes[]> {
    return inputs.map((x, i) => {
      // [channels, frames] planar: channel c's samples at c · length.
      if (x.length % this.channels !== 0) throw new InvalidInputError(`inputs[${i}]: ${x.length} samples are not ${this.channels} channels of equal length`);
      const length = x.length / this.channels;
      const frames = Math.ceil(length / this.hopLength);
      const data = new Int32Array(this.codebooks * frames); // [codebooks, frames]
      for (let c = 0; c < this.channels; c++) {
        const channel = x.subarray(c * length, (c + 1) * length);
        for (let t = 0; t < frames; t++) {
          const hop = channel.subarray(t * this.hopLength, (t + 1) * this.hopLength);
          data[c * frames + t] = Math.floor((1000 * hop.reduce((sum, v) => sum + Math.abs(v), 0)) / hop.length) % this.codebookSize;
        }
      }
      return { data, codebooks: this.codebooks, frames };
    });
  }

  async decode(codes: readonly Codes[]): Promise<Float32Array[]> {
    return codes.map(({ data, frames }) => {
      const length = frames * this.hopLength;
      const audio = new Float32Array(this.channels * length); // [channels, frames · hop]
      for (let c = 0; c < this.channels; c++) {
        for (let t = 0; t < frames; t++) audio.fill(data[c * frames + t]! / 1024, c * length + t * this.hopLength, c * length + (t + 1) * this.hopLength);
      }
      return audio;
    });
  }

  async dispose(): Promise<void> {}
}
