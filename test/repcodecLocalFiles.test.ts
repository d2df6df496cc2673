/**
 * RepCodec from local files, no registry: `--model REPCODEC.pkl --feature_model WHISPER.pt
 * --layer N` on the extraction command gives upstream's tokens for the Whisper fixture (layer 3),
 * records the layer (another layer cannot resume the part), and refuses a missing file or a
 * layer the encoder does not have before any output.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { readJsonLines, runCli } from "./support/cli.js";
import { inputClip, writeFloatWavs } from "./support/codecCli.js";
import { referenceTokenList, repcodecFixturesDir, repcodecSkipReason } from "./support/repcodecFixtures.js";

const fixtures = repcodecFixturesDir();
const CLIPS = ["aishell_0121", "aishell_0122", "short_0p3s", "silence_2s", "long_56s"] as const;
const EXIT_USAGE = 2;

describe("RepCodec from local files on the command line", { skip: fixtures === null ? repcodecSkipReason : false }, () => {
  let dir: string;
  let scp: string;
  const whisper = () => join(fixtures!, "whisper");
  const extract = (out: string, layer: string, featureModel = join(whisper(), "whisper_tiny_random.pt")) =>
    runCli([
      "--wav_scp", scp,
      "--model", join(whisper(), "repcodec_whisper_tiny.pkl"),
      "--feature_model", featureModel,
      "--layer", layer,
      "--output_dir", out,
      "--num_workers", "1",
    ]);

  before(() => {
    dir = mkdtempSync(join(tmpdir(), "repcodec-local-"));
    scp = writeFloatWavs(dir, new Map(CLIPS.map((clip) => [clip, inputClip(whisper(), clip)])));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test("--layer 3 gives upstream's tokens on every clip, and the part records the layer", async () => {
    const out = join(dir, "l3");
    const result = await extract(out, "3");
    assert.equal(result.code, 0, result.stderr);
    const lines = new Map(readJsonLines<{ key: string; code: number[] }>(join(out, "part_1_of_1")).map((l) => [l.key, l.code]));
    for (const clip of CLIPS) {
      assert.deepEqual(lines.get(clip), referenceTokenList(join(whisper(), "ref", `${clip}.tokens.npy`)), clip);
    }
    const provenance = JSON.parse(readFileSync(join(out, "provenance_1_of_1.json"), "utf8")) as { family: string; layer?: number };
    assert.deepEqual([provenance.family, provenance.layer], ["repcodec", 3]);

    // Layer 2's features make other tokens: resuming this part with them is refused.
    const other = await extract(out, "2");
    assert.equal(other.code, EXIT_USAGE, other.stderr);
    assert.match(other.stderr, /layer 3.*layer 2/);
  });

  test("a missing Whisper file or a layer past the encoder's blocks is refused before any output", async () => {
    for (const [layer, featureModel, expected] of [
      ["3", join(dir, "absent.pt"), /absent\.pt/],
      ["4", join(whisper(), "whisper_tiny_random.pt"), /layer/i],
    ] as const) {
      const out = join(dir, `refused-${layer}`);
      const result = await extract(out, layer, featureModel);
      assert.equal(result.code, EXIT_USAGE, result.stderr);
      assert.match(result.stderr, expected);
      assert.equal(existsSync(out), false);
    }
  });
});
