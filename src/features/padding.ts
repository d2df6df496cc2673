/**
 * Batching of log-mel spectrograms, as upstream's `padding()`: every utterance is zero-padded on
 * the right to the longest one's frame count, and the true lengths travel alongside so the
 * encoder can mask the padding.
 */

import { InvalidInputError } from "../errors.js";
import type { MelSpectrogram } from "./logMel.js";

export interface PaddedBatch {
  data: Float32Array; // [batch, nMels, frames], zeros past each item's length
  batch: number;
  nMels: number;
  /** The longest input's frame count. */
  frames: number;
  lengths: Int32Array; // [batch] each input's own frame count
}

export function padding(mels: MelSpectrogram[]): PaddedBatch {
  if (mels.length === 0) throw new InvalidInputError("padding: the list of mel spectrograms is empty");
  const nMels = mels[0]!.nMels;
  let frames = 0;
  for (let i = 0; i < mels.length; i++) {
    const m = mels[i]!;
    if (m.nMels !== nMels) {
      throw new InvalidInputError(
        `padding: mel spectrogram ${i} has ${m.nMels} mel bands but spectrogram 0 has ${nMels}`,
      );
    }
    if (m.data.length !== m.nMels * m.frames) {
      throw new InvalidInputError(
        `padding: mel spectrogram ${i} has ${m.data.length} values, expected ${m.nMels} x ${m.frames}`,
      );
    }
    if (m.frames > frames) frames = m.frames;
  }
  const batch = mels.length;
  const data = new Float32Array(batch * nMels * frames); // [batch, nMels, frames], zero-filled
  const lengths = new Int32Array(batch); // [batch]
  for (let i = 0; i < batch; i++) {
    const m = mels[i]!; // data [nMels, m.frames]
    lengths[i] = m.frames;
    for (let b = 0; b < nMels; b++) {
      // One band row at a time: the source row is shorter than the destination row.
      data.set(m.data.subarray(b * m.frames, (b + 1) * m.frames), (i * nMels + b) * frames);
    }
  }
  return { data, batch, nMels, frames, lengths };
}
