/**
 * Speech-like test audio, deterministic from a seed: a source-filter synthesiser (glottal pulse
 * train with drifting pitch through three formant resonators; noise through a high resonator
 * for fricatives) speaking phrases of syllables with pauses between them, over a faint noise
 * floor. The model's speed does not depend on what is said, but the front end and any
 * value-dependent kernels see a realistic signal (energy envelope, harmonics, silences) rather
 * than white noise or a sine.
 */
import { SAMPLE_RATE } from "../src/features/constants.js";
import type { Random } from "./random.js";

type Formants = readonly [number, number, number];

/** Typical adult formants F1, F2, F3 (Hz) of the vowels a, e, i, o, u. */
const VOWELS: readonly Formants[] = [
  [730, 1090, 2440],
  [530, 1840, 2480],
  [270, 2290, 3010],
  [570, 840, 2410],
  [300, 870, 2240],
];
const FORMANT_BANDWIDTHS: Formants = [80, 100, 140];
/** Fricative noise level at its centre frequency, relative to a vowel's typical peak (~0.1). */
const FRICATIVE_LEVEL = 0.04;
/** Formant coefficients are re-tuned this often (samples): smooth glides at low cost. */
const RETUNE_EVERY = 32;

/** Klatt's two-pole digital resonator, unity gain at 0 Hz. */
class Resonator {
  private a = 0;
  private b = 0;
  private c = 0;
  private y1 = 0;
  private y2 = 0;

  tune(frequency: number, bandwidth: number): void {
    const T = 1 / SAMPLE_RATE;
    this.c = -Math.exp(-2 * Math.PI * bandwidth * T);
    this.b = 2 * Math.exp(-Math.PI * bandwidth * T) * Math.cos(2 * Math.PI * frequency * T);
    this.a = 1 - this.b - this.c;
  }

  /** |H| at `frequency`: dividing by it gives unit gain at the resonance. */
  gainAt(frequency: number): number {
    const w = (2 * Math.PI * frequency) / SAMPLE_RATE;
    // 1 - b e^{-jw} - c e^{-2jw}
    const re = 1 - this.b * Math.cos(w) - this.c * Math.cos(2 * w);
    const im = this.b * Math.sin(w) + this.c * Math.sin(2 * w);
    return Math.abs(this.a) / Math.hypot(re, im);
  }

  step(x: number): number {
    const y = this.a * x + this.b * this.y1 + this.c * this.y2;
    this.y2 = this.y1;
    this.y1 = y;
    return y;
  }
}

/** Raised-cosine attack and release, so syllables start and end without clicks. */
function envelope(i: number, length: number, attack: number, release: number): number {
  if (i < attack) return 0.5 - 0.5 * Math.cos((Math.PI * i) / attack);
  const fromEnd = length - 1 - i;
  if (fromEnd < release) return 0.5 - 0.5 * Math.cos((Math.PI * Math.max(0, fromEnd)) / release);
  return 1;
}

interface Voice {
  /** The speaker's mean pitch (Hz). */
  f0: number;
  /** Speaking-rate factor on every duration. */
  tempo: number;
  /** The vowel of the previous syllable: formants glide from it (coarticulation). */
  lastVowel: Formants;
}

/** A fricative onset (noise through a resonator between 3.5 and 6 kHz), added at `start`. */
function renderFricative(out: Float32Array, start: number, random: Random, voice: Voice): number {
  const length = Math.round(random.between(0.05, 0.11) * voice.tempo * SAMPLE_RATE);
  const resonator = new Resonator();
  const centre = random.between(3500, 6000);
  resonator.tune(centre, random.between(1200, 2000));
  // Unit gain at the centre, then FRICATIVE_LEVEL: fricatives are 10-20 dB below vowels.
  const gain = random.between(0.5, 1) * FRICATIVE_LEVEL / resonator.gainAt(centre);
  const attack = Math.round(0.01 * SAMPLE_RATE);
  let previous = 0;
  for (let i = 0; i < length && start + i < out.length; i++) {
    const noise = random.normal();
    // A first difference makes the noise high-pass: fricatives have little energy below ~2 kHz.
    out[start + i]! += gain * envelope(i, length, attack, attack) * resonator.step(noise - previous);
    previous = noise;
  }
  return start + length;
}

/**
 * A voiced nucleus: impulses at the pitch period, a one-pole glottal low-pass, three formant
 * resonators gliding from the previous vowel, lip radiation (a first difference).
 * `pitchScale` carries the phrase's declination.
 */
function renderVowel(out: Float32Array, start: number, random: Random, voice: Voice, pitchScale: number): number {
  const length = Math.round(random.between(0.09, 0.22) * voice.tempo * SAMPLE_RATE);
  const target = VOWELS[Math.floor(random.uniform() * VOWELS.length)]!;
  const from = voice.lastVowel;
  const stress = random.between(0.55, 1);
  const accent = random.between(-0.05, 0.15);
  const resonators = [new Resonator(), new Resonator(), new Resonator()];
  const attack = Math.round(0.02 * SAMPLE_RATE);
  const release = Math.round(0.04 * SAMPLE_RATE);
  let phase = random.uniform();
  let glottal = 0;
  let previous = 0;
  let jitter = 0;
  for (let i = 0; i < length && start + i < out.length; i++) {
    const progress = i / length;
    if (i % RETUNE_EVERY === 0) {
      const glide = Math.min(1, progress / 0.4);
      resonators.forEach((r, k) => r.tune(from[k]! + (target[k]! - from[k]!) * glide, FORMANT_BANDWIDTHS[k]!));
      jitter = 0.98 * jitter + 0.004 * random.normal(); // a slow random walk of ~1%
    }
    const f0 = voice.f0 * pitchScale * (1 + accent * Math.sin(Math.PI * progress)) * (1 + jitter);
    phase += f0 / SAMPLE_RATE;
    let pulse = 0;
    if (phase >= 1) {
      phase -= 1;
      pulse = 1;
    }
    glottal = 0.92 * glottal + pulse + 0.03 * random.normal(); // plus a little breath noise
    let y = glottal;
    for (const r of resonators) y = r.step(y);
    const radiated = y - previous;
    previous = y;
    out[start + i]! += stress * envelope(i, length, attack, release) * radiated;
  }
  voice.lastVowel = target;
  return start + length;
}

/** `seconds` of speech-like 16 kHz audio in [-1, 1], the same for the same random state. */
export function synthesizeSpeech(seconds: number, random: Random): Float32Array {
  const out = new Float32Array(Math.round(seconds * SAMPLE_RATE)); // [samples]
  const voice: Voice = { f0: random.between(85, 225), tempo: random.between(0.85, 1.15), lastVowel: VOWELS[0]! };
  const tail = Math.round(0.15 * SAMPLE_RATE);
  let t = Math.round(random.between(0.1, 0.3) * SAMPLE_RATE); // leading silence
  while (t < out.length - tail) {
    // A phrase: 3 to 9 words of 1 to 4 syllables; pitch falls ~25% over its first 3 s.
    const phraseStart = t;
    const words = 3 + Math.floor(random.uniform() * 7);
    for (let w = 0; w < words && t < out.length - tail; w++) {
      const syllables = 1 + Math.floor(random.uniform() * 4);
      for (let s = 0; s < syllables && t < out.length - tail; s++) {
        const declination = 1.1 - 0.25 * Math.min(1, (t - phraseStart) / (3 * SAMPLE_RATE));
        // The vowel starts 10 ms before the fricative ends: real onsets overlap.
        if (random.uniform() < 0.5) t = renderFricative(out, t, random, voice) - Math.round(0.01 * SAMPLE_RATE);
        t = renderVowel(out, t, random, voice, declination);
      }
      if (random.uniform() < 0.4) t += Math.round(random.between(0.02, 0.08) * SAMPLE_RATE); // a gap between words
    }
    t += Math.round(random.between(0.25, 0.7) * SAMPLE_RATE); // a pause between phrases
  }
  let peak = 0;
  for (const x of out) peak = Math.max(peak, Math.abs(x));
  const scale = peak > 0 ? 0.5 / peak : 0;
  // A noise floor ~56 dB below full scale: real recordings are never digitally silent.
  for (let i = 0; i < out.length; i++) out[i] = out[i]! * scale + 0.0015 * random.normal();
  return out;
}
