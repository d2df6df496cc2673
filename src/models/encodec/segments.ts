/**
 * EnCodec's segments (EncodecModel.encode / decode): the input cut at offsets range(0, L, stride)
 * into pieces of at most the segment length (one piece of the whole input when the model has no
 * segment), each normalised on its own when the model normalises, and the decoded pieces joined
 * by a linear overlap-add. Arithmetic in float32 where upstream's tensors are float32.
 * Audio is planar: [C, L] row-major (channel c, sample t at c · L + t).
 */
import { segmentLength, segmentStride, type EncodecFacts } from "./config.js";
import { torchFloatSum } from "./torchSum.js";

export interface SegmentSpan {
  offset: number;
  length: number;
}

/** The segments of an input of `length` samples. */
export function planSegments(length: number, facts: Pick<EncodecFacts, "segment" | "sampleRate" | "overlap">): SegmentSpan[] {
  const size = segmentLength(facts) ?? length;
  const stride = segmentStride(facts) ?? length;
  const spans: SegmentSpan[] = [];
  for (let offset = 0; offset < length; offset += stride) spans.push({ offset, length: Math.min(size, length - offset) });
  return spans;
}

/** Samples [C, span.length] of the span, copied out of planar audio [C, L]. */
export function sliceSegment(audio: Float32Array, channels: number, span: SegmentSpan): Float32Array {
  const length = audio.length / channels;
  const out = new Float32Array(channels * span.length); // [C, span]
  for (let c = 0; c < channels; c++) out.set(audio.subarray(c * length + span.offset, c * length + span.offset + span.length), c * span.length);
  return out;
}

/**
 * 1e-8 + sqrt(mean over time of (mean over channels)²) of a segment [C, n], in float32 as
 * upstream's _encode_frame computes it: channel mean, squares, torch's own float32 sum (the scale
 * is written into .ecdc files, so its last bit matters), divided by n.
 */
export function segmentScale(segment: Float32Array, channels: number): number {
  const n = segment.length / channels;
  const squares = new Float32Array(n); // [n]
  for (let t = 0; t < n; t++) {
    let channelSum = 0;
    for (let c = 0; c < channels; c++) channelSum = Math.fround(channelSum + segment[c * n + t]!);
    const mono = Math.fround(channelSum / channels);
    squares[t] = Math.fround(mono * mono);
  }
  const volume = Math.fround(Math.sqrt(Math.fround(torchFloatSum(squares) / n)));
  return Math.fround(Math.fround(1e-8) + volume);
}

/** segment / scale in place, each quotient rounded to float32 as torch's division. */
export function divideByScale(segment: Float32Array, scale: number): Float32Array {
  for (let i = 0; i < segment.length; i++) segment[i] = segment[i]! / scale;
  return segment;
}

/** segment · scale in place (upstream's out * scale). */
export function multiplyByScale(segment: Float32Array, scale: number): Float32Array {
  for (let i = 0; i < segment.length; i++) segment[i] = segment[i]! * scale;
  return segment;
}

/** torch.linspace(0, 1, n + 2)[1:-1] in float32, as its CPU kernel computes it (from both ends towards the middle). */
function innerLinspace(n: number): Float32Array {
  const steps = n + 2;
  const step = Math.fround(1 / Math.fround(steps - 1));
  const halfway = Math.floor(steps / 2);
  const out = new Float32Array(n);
  for (let i = 1; i <= n; i++) out[i - 1] = i < halfway ? Math.fround(step * i) : Math.fround(1 - Math.fround(step * (steps - i - 1)));
  return out;
}

/**
 * Upstream's _linear_overlap_add of decoded segments (planar [C, n_j] each) placed `stride`
 * samples apart: each weighted by the triangle 0.5 − |t − 0.5| (t from the FIRST segment's
 * length), summed, divided by the summed weights. Output [C, stride · (J − 1) + n_last].
 */
export function linearOverlapAdd(frames: readonly Float32Array[], channels: number, stride: number): Float32Array {
  const lengths = frames.map((f) => f.length / channels);
  const total = stride * (frames.length - 1) + lengths[lengths.length - 1]!;
  const weight = innerLinspace(lengths[0]!).map((t) => Math.fround(0.5 - Math.abs(Math.fround(t - 0.5)))); // [n0]
  const sumWeight = new Float32Array(total);
  const out = new Float32Array(channels * total); // [C, total]
  frames.forEach((frame, j) => {
    const offset = j * stride;
    const n = lengths[j]!;
    for (let c = 0; c < channels; c++) {
      for (let t = 0; t < n; t++) out[c * total + offset + t] = Math.fround(out[c * total + offset + t]! + Math.fround(weight[t]! * frame[c * n + t]!));
    }
    for (let t = 0; t < n; t++) sumWeight[offset + t] = Math.fround(sumWeight[offset + t]! + weight[t]!);
  });
  for (let c = 0; c < channels; c++) for (let t = 0; t < total; t++) out[c * total + t] = out[c * total + t]! / sumWeight[t]!;
  return out;
}
