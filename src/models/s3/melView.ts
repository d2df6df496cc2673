/**
 * A frame range of a mel spectrogram stored row-major [nMels, rowLength] (one utterance, or one
 * row of a padded batch), so windows and batch rows are described without copying.
 */
export interface MelView {
  /** Backing storage; band m, frame t of the view is data[offset + m·rowStride + t]. */
  data: Float32Array;
  nMels: number;
  offset: number;
  rowStride: number;
  frames: number;
}

/** Copies views into one zero-padded batch [B, nMels, maxFrames]. */
export function packBatch(views: readonly MelView[], nMels: number): { data: Float32Array; frames: number } {
  const frames = Math.max(1, ...views.map((v) => v.frames));
  const data = new Float32Array(views.length * nMels * frames); // [B, M, Tmax]
  views.forEach((view, b) => {
    for (let m = 0; m < nMels; m++) {
      const from = view.offset + m * view.rowStride;
      data.set(view.data.subarray(from, from + view.frames), (b * nMels + m) * frames);
    }
  });
  return { data, frames };
}

/** A sub-range [start, start + frames) of a view. */
export function sliceView(view: MelView, start: number, frames: number): MelView {
  return { ...view, offset: view.offset + start, frames };
}
