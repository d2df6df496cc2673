/**
 * The fixture utterances whose 16 kHz waveform is available without resampling: the reference
 * `.wave.npy` where there is one, otherwise the WAV itself when it is 16 kHz PCM.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { readWav } from "../../src/audio/wav.js";
import { readNpyF32 } from "./npy.js";

export const MODEL_NAMES = [
  "speech_tokenizer_v1",
  "speech_tokenizer_v1_25hz",
  "speech_tokenizer_v2_25hz",
  "speech_tokenizer_v3_25hz",
] as const;

export interface FixtureUtterance {
  key: string;
  /** [samples] at 16 kHz */
  samples: Float32Array;
}

export interface ReferenceTokens {
  single: Record<string, number[]>;
  batched: Record<string, number[]>;
}

export function modelPath(fixtures: string, name: string): string {
  return join(fixtures, "models", `${name}.onnx`);
}

export function referenceTokens(fixtures: string, name: string): ReferenceTokens {
  return JSON.parse(readFileSync(join(fixtures, "reference", `tokens.${name}.json`), "utf8")) as ReferenceTokens;
}

export async function sixteenKilohertzUtterances(fixtures: string): Promise<FixtureUtterance[]> {
  const scp = readFileSync(join(fixtures, "audio", "wav.scp"), "utf8").trim().split("\n");
  const utterances: FixtureUtterance[] = [];
  for (const line of scp) {
    const [key, file] = line.trim().split(/\s+/) as [string, string];
    const npy = join(fixtures, "reference", `${key}.wave.npy`);
    if (existsSync(npy)) {
      utterances.push({ key, samples: readNpyF32(npy).data });
      continue;
    }
    try {
      const wav = await readWav(join(fixtures, "audio", file));
      if (wav.sampleRate === 16000) utterances.push({ key, samples: wav.samples });
    } catch {
      // Not a format this reader takes: not part of the 16 kHz set.
    }
  }
  return utterances;
}
