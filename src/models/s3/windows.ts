/**
 * Long audio: input over 30 s (3000 mel frames) is cut into 30 s windows starting every 26 s
 * (4 s overlap); every window's tokens lose their first 2 s (except the first window's) and
 * their last 2 s (except the last window's), and the rest is concatenated. Written once for
 * every model version.
 *
 * Where the windows stop: at the first window that yields fewer tokens than a 30 s window, since
 * it holds the end of the audio. S3Tokenizer 0.3.0 went on while the next start lay inside the
 * audio, so after such a window it made one more, with fewer tokens than the 4 s overlap; the
 * merge then dropped that window's first 2 s (often all of it) and the last 2 s of the window
 * before, losing up to 2 s of tokens (upstream issue #53; PR #54 stops the windows likewise).
 * The plans differ exactly there. Where a window of 30 s worth of tokens ends at the end of the
 * audio (56 s, 82 s, ...), the 4 s window after it still comes, as in 0.3.0: it gives exactly the
 * last 2 s, so 0.3.0's tokens were whole and stay as they were. `longAudioCompat:
 * "s3tokenizer-0.3.0"` plans as 0.3.0 did, for token files that must match it.
 */

/** Mel frames per second: 16 kHz audio, hop 160. */
export const FRAMES_PER_SECOND = 100;
export const WINDOW_SECONDS = 30;
export const OVERLAP_SECONDS = 4;
export const WINDOW_FRAMES = WINDOW_SECONDS * FRAMES_PER_SECOND; // 3000
export const WINDOW_HOP_FRAMES = (WINDOW_SECONDS - OVERLAP_SECONDS) * FRAMES_PER_SECOND; // 2600

/** Window plans other than this project's: only upstream S3Tokenizer 0.3.0's. */
export const LONG_AUDIO_COMPAT_VALUES = ["s3tokenizer-0.3.0"] as const;
export type LongAudioCompat = (typeof LONG_AUDIO_COMPAT_VALUES)[number];

/** What provenance records: the plan a part file's long utterances were cut by. */
export type LongAudioPlan = "full-length" | LongAudioCompat;

export function longAudioPlan(compat: LongAudioCompat | undefined): LongAudioPlan {
  return compat ?? "full-length";
}

/** `value` as a LongAudioCompat, or null when it names no plan this project has. */
export function parseLongAudioCompat(value: string): LongAudioCompat | null {
  return (LONG_AUDIO_COMPAT_VALUES as readonly string[]).includes(value) ? (value as LongAudioCompat) : null;
}

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

/**
 * Tokens a model of `tokenRate` tokens/s makes of `frames` mel frames: each stride-2
 * convolution (kernel 3, padding 1) keeps ceil(L / 2), so every S3 version keeps
 * ceil(frames / frames per token).
 */
export function windowTokens(frames: number, tokenRate: number): number {
  return Math.ceil((frames * tokenRate) / FRAMES_PER_SECOND);
}

/** First frames of the windows of an utterance of `frames` mel frames (over WINDOW_FRAMES). */
function windowStarts(frames: number, tokenRate: number, compat: LongAudioCompat | undefined): number[] {
  const fullWindow = windowTokens(WINDOW_FRAMES, tokenRate);
  const starts: number[] = [];
  for (let start = 0; start < frames; start += WINDOW_HOP_FRAMES) {
    starts.push(start);
    // Fewer tokens than 30 s make: this window holds the end, another would only repeat its tail.
    if (compat === undefined && windowTokens(Math.min(WINDOW_FRAMES, frames - start), tokenRate) < fullWindow) break;
  }
  return starts;
}

/**
 * The segments of utterances with the given mel frame counts, in utterance order, for a model of
 * `tokenRate` tokens/s (where the windows stop depends on how many tokens a window yields).
 */
export function planSegments(frameCounts: readonly number[], tokenRate: number, compat?: LongAudioCompat): Segment[] {
  const segments: Segment[] = [];
  frameCounts.forEach((frames, utterance) => {
    if (frames <= WINDOW_FRAMES) {
      segments.push({ utterance, window: 0, windowCount: 1, start: 0, frames });
      return;
    }
    const starts = windowStarts(frames, tokenRate, compat);
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
