/**
 * Long audio: input over 30 s (3000 mel frames) is cut into 30 s windows starting every 26 s
 * (4 s overlap) while the start lies inside the audio; every window's tokens lose their first
 * 2 s (except the first window's) and their last 2 s (except the last window's), and the rest
 * is concatenated. Written once for every model version.
 */

/** Mel frames per second: 16 kHz audio, hop 160. */
export const FRAMES_PER_SECOND = 100;
export const WINDOW_SECONDS = 30;
export const OVERLAP_SECONDS = 4;
export const WINDOW_FRAMES = WINDOW_SECONDS * FRAMES_PER_SECOND; // 3000
export const WINDOW_HOP_FRAMES = (WINDOW_SECONDS - OVERLAP_SECONDS) * FRAMES_PER_SECOND; // 2600

/** One model input: a frame range of one utterance's mel spectrogram. */
export interface Segment {
  /** Index of the utterance in the call. */
  utterance: number;
  /** Index of this window within the utterance (0 for short audio). */
  window: number;
  /** Windows of this utterance; 1 for audio of at most 30 s. */
  windowCount: number;
  /** First mel frame. */
  start: number;
  /** Mel frames in this segment (the last window may be short). */
  frames: number;
}

/** The segments of utterances with the given mel frame counts, in utterance order. */
export function planSegments(frameCounts: readonly number[]): Segment[] {
  const segments: Segment[] = [];
  frameCounts.forEach((frames, utterance) => {
    if (frames <= WINDOW_FRAMES) {
      segments.push({ utterance, window: 0, windowCount: 1, start: 0, frames });
      return;
    }
    const starts: number[] = [];
    for (let start = 0; start < frames; start += WINDOW_HOP_FRAMES) starts.push(start);
    starts.forEach((start, window) => {
      segments.push({ utterance, window, windowCount: starts.length, start, frames: Math.min(WINDOW_FRAMES, frames - start) });
    });
  });
  return segments;
}

/**
 * Merges the token sequences of one utterance's windows (in window order). A window shorter
 * than what is dropped contributes nothing, exactly as Python slicing tokens[l:-r] behaves.
 */
export function mergeWindowTokens(windows: readonly ArrayLike<number>[], tokenRate: number): Int32Array {
  if (windows.length === 1) return Int32Array.from(windows[0]!);
  const dropped = (OVERLAP_SECONDS / 2) * tokenRate;
  const parts: ArrayLike<number>[] = [];
  windows.forEach((tokens, i) => {
    const from = i === 0 ? 0 : dropped;
    const to = i === windows.length - 1 ? tokens.length : tokens.length - dropped;
    parts.push(Array.prototype.slice.call(tokens, Math.min(from, tokens.length), Math.max(0, to)) as number[]);
  });
  const merged = new Int32Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    merged.set(part, offset);
    offset += part.length;
  }
  return merged;
}
