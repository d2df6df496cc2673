/**
 * How far a family's opt-in fast mode (int8 products) moves its tokens, on the family's conformance
 * fixtures, where exact mode gives upstream's tokens: the fixture model loaded in both modes, every
 * fixture clip encoded by each, and the share of positions whose codes are equal. Beside the
 * benchmark's fast-mode speed, this says what that speed costs; the random released-size weights
 * of the timed runs have no trained codebook, so their agreement (also reported) says less.
 */
import { loadLocalFiles } from "../src/family/loadLocal.js";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import type { TokenizerModel } from "../src/family/types.js";
import { repcodecFamily } from "../src/models/repcodec/family.js";
import { openRepCodecSpeechEncoder } from "../src/models/repcodec/speechEncoderRepCodec.js";
import { readNpy } from "../test/support/npy.js";
import { repcodecFixturesDir } from "../test/support/repcodecFixtures.js";
import type { FamilyKey } from "./familyModels.js";

export interface FastAgreement {
  /** Share of the clips' code positions where fast mode's code equals exact mode's, in percent. */
  equal_pct: number;
  positions: number;
  differing: number;
  /** The fixture folder and its clips. */
  fixtures: string;
  clips: string[];
}

/** A fixture model's folder, its clips (16 kHz float32 .npy under inputs/) and its opener per mode. */
interface FixtureSet {
  dir: string;
  clips: string[];
  open(mode: "exact" | "fast"): Promise<TokenizerModel>;
}

/** The fixture model of each benchmark family that has a fast mode. */
function fixtureSet(key: FamilyKey): FixtureSet | null {
  const root = repcodecFixturesDir();
  if (root === null) return null;
  const clipsIn = (dir: string) => readdirSync(join(dir, "inputs")).filter((name) => name.endsWith(".npy")).sort();
  if (key === "repcodec_whisper") {
    const dir = join(root, "whisper");
    const files = { "repcodec_whisper_tiny.pkl": join(dir, "repcodec_whisper_tiny.pkl"), "whisper_tiny_random.pt": join(dir, "whisper_tiny_random.pt") };
    return { dir, clips: clipsIn(dir), open: (mode) => loadLocalFiles(repcodecFamily, files, `fixture (${mode})`, { mode }) };
  }
  if (key === "repcodec_hubert") {
    // The base-style fixture: HuBERT base's layout (GroupNorm front end, post-LN), read at layer 2.
    const dir = join(root, "hubert");
    const files = { featureModel: join(dir, "base", "hubert_base_tiny.pt"), repcodec: join(dir, "base", "repcodec_hubert_base_tiny.pkl"), layer: 2 };
    return { dir, clips: clipsIn(dir), open: (mode) => openRepCodecSpeechEncoder(files, `fixture (${mode})`, { mode }) };
  }
  return null;
}

/** Fast against exact mode on `family`'s fixtures; null where there are none (or no fast mode). */
export async function fixtureFastAgreement(key: FamilyKey): Promise<FastAgreement | null> {
  const set = fixtureSet(key);
  if (set === null) return null;
  const audio = set.clips.map((clip) => readNpy(join(set.dir, "inputs", clip)).data as Float32Array);
  const exact = await set.open("exact");
  try {
    const fast = await set.open("fast");
    try {
      const [a, b] = [await exact.encode(audio), await fast.encode(audio)];
      let positions = 0;
      let differing = 0;
      a.forEach((codes, i) => {
        const [x, y] = [codes.data, b[i]!.data];
        const length = Math.max(x.length, y.length);
        // A position one side lacks counts as differing (undefined !== a code).
        for (let t = 0; t < length; t++) if (x[t] !== y[t]) differing++;
        positions += length;
      });
      return { equal_pct: 100 * (1 - differing / positions), positions, differing, fixtures: set.dir, clips: set.clips };
    } finally {
      await fast.dispose();
    }
  } finally {
    await exact.dispose();
  }
}
