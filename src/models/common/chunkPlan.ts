/**
 * Running a stack of convolutions (finite receptive field) over a long input in overlapping
 * chunks, exactly: each chunk keeps only the output frames whose receptive field lies inside it,
 * or that touch one of the input's real edges (where the chunk's edge IS the input's edge, so its
 * reflect padding is the same). Chunk starts fall on multiples of the hop, so every layer's
 * frames line up with the unchunked run.
 */
import { convPadding } from "./paddedConv.js";

export interface ConvGeometry {
  kernel: number;
  stride: number;
  dilation: number;
  /** A SEANet transposed conv (kernel 2·stride, trimmed): upsamples by `stride`. */
  transposed?: boolean;
}

/**
 * Input steps an output step reads beyond its own span, left and right, for convolutions in
 * order (a sum over layers of each one's padding, scaled to input steps): an upper bound, since
 * parallel branches (a residual block's shortcut) are counted as if in series. May be fractional
 * after upsampling.
 */
export function receptiveContext(layers: readonly ConvGeometry[]): { left: number; right: number } {
  let scale = 1;
  let left = 0;
  let right = 0;
  for (const layer of layers) {
    if (layer.transposed) {
      // A trimmed output sample of a kernel-2r, stride-r transposed conv reads the input frames
      // next to its own on either side (masked to zero past a chunk's end, hence the margin).
      left += scale;
      right += scale;
      scale /= layer.stride;
      continue;
    }
    const padding = convPadding(layer.kernel, layer.stride, layer.dilation);
    left += padding.left * scale;
    // The right pad plus at most stride − 1 "extra" frames at a real end.
    right += (padding.right + layer.stride - 1) * scale;
    scale *= layer.stride;
  }
  return { left, right };
}

export interface Chunk {
  /** Input samples [start, end) the chunk runs on. */
  start: number;
  end: number;
  /** Output frames of the chunk (chunk-local) to keep: [keepFrom, keepTo). */
  keepFrom: number;
  keepTo: number;
}

/**
 * Chunks of `chunkFrames` output frames each for an input of `length` samples, `hop` samples per
 * output frame, with `context` samples (per side, an upper bound) read around each chunk.
 */
export function planChunks(length: number, hop: number, chunkFrames: number, context: { left: number; right: number }): Chunk[] {
  const frames = Math.ceil(length / hop);
  // Two frames of slack each side on top of the bound, in whole frames so that starts stay on the hop grid.
  const leftFrames = Math.ceil(context.left / hop) + 2;
  const rightFrames = Math.ceil(context.right / hop) + 2;
  const chunks: Chunk[] = [];
  for (let first = 0; first < frames; first += chunkFrames) {
    const last = Math.min(frames, first + chunkFrames);
    const startFrame = Math.max(0, first - leftFrames);
    const endFrame = Math.min(frames, last + rightFrames);
    chunks.push({
      start: startFrame * hop,
      end: Math.min(length, endFrame * hop),
      keepFrom: first - startFrame,
      keepTo: last - startFrame,
    });
  }
  return chunks;
}
