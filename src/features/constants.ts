/**
 * Fixed parameters of the Whisper / S3Tokenizer log-mel front end. The released tokenizers were
 * trained on features computed with exactly these values, so they are constants, not options.
 */

/** Audio is resampled to 16 kHz before feature extraction; every other figure assumes it. */
export const SAMPLE_RATE = 16000;

/**
 * The audio the log-mel front end takes, as an audio format: 16 kHz mono, channel 0 of a file of
 * several (as upstream's `load_audio()`). audio/format.ts names it SPEECH_16K_MONO: what the
 * library's loadAudio() gives when no model's format is named.
 */
export const LOG_MEL_AUDIO = { sampleRate: SAMPLE_RATE, channels: 1, mixToMono: "first" } as const;

/**
 * STFT window length: 25 ms at 16 kHz = 0.025 * 16000 = 400 samples. A real FFT of 400 points
 * gives N_FFT / 2 + 1 = 201 frequency bins, 40 Hz apart, from 0 Hz to the 8 kHz Nyquist frequency.
 */
export const N_FFT = 400;

/**
 * STFT hop: 10 ms at 16 kHz = 0.010 * 16000 = 160 samples, i.e. 100 feature frames per second.
 *
 * Frame count rule: the STFT is centred (N_FFT / 2 = 200 samples of reflect padding on each side),
 * which yields 1 + floor(samples / HOP_LENGTH) frames; upstream drops the last one, so an input of
 * `samples` samples gives floor(samples / HOP_LENGTH) frames (30 s = 480000 samples -> 3000 frames).
 */
export const HOP_LENGTH = 160;

/** Number of rFFT bins per frame: N_FFT / 2 + 1. */
export const N_BINS = N_FFT / 2 + 1;
