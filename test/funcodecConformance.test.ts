/**
 * FunCodec against upstream's own outputs (../shared/fixtures/funcodec, made by FunCodec 3435d87
 * with torch): codes equal on every clip at bit widths 8000 and 2000 (silence and a 500-sample
 * clip included), the scale equal, every reconstruction (scaled, unscaled, from codes) and the
 * encoder output within 1e-4; one padded batch of every clip equal to each clip alone; the CLI's
 * codecs.txt read, decoded, and written back byte for byte.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import type { Codes } from "../src/family/types.js";
import { parseCodecsText, formatCodecsText } from "../src/parts/codecsText.js";
import { funcodecFamily } from "../src/models/funcodec/family.js";
import { loadFunCodec } from "../src/models/funcodec/loadFiles.js";
import type { FunCodecModel } from "../src/models/funcodec/model.js";
import { familyFixturesDir } from "./support/familyFixtures.js";
import { readNpy } from "./support/npy.js";
import { detectLocal } from "../src/family/loadLocal.js";

const dir = familyFixturesDir("funcodec");
const skip = dir === null ? "FunCodec fixtures (../shared/fixtures/funcodec) absent" : false;
const TOLERANCE = 1e-4;
const BIT_WIDTHS = [8000, 2000] as const;

interface Clip {
  name: string;
  samples: Float32Array;
  scale: number;
}

let model: FunCodecModel;
let clips: Clip[] = [];

const ref = (file: string) => readNpy(join(dir!, "ref", file));

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length, "lengths differ");
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

/** Reference codes (n_q, 1, T) int64 as Codes rows. */
function refCodes(clip: string, bitWidth: number): Int32Array {
  return Int32Array.from(ref(`${clip}.bw${bitWidth}.codes.npy`).data as BigInt64Array, Number);
}

function assertCodesEqual(actual: Codes, expected: Int32Array, rows: number, what: string): void {
  assert.equal(actual.codebooks, rows, `${what}: rows`);
  assert.equal(actual.data.length, expected.length, `${what}: values`);
  const wrong = actual.data.reduce((n, v, i) => n + (v === expected[i] ? 0 : 1), 0);
  assert.equal(wrong, 0, `${what}: ${wrong} of ${expected.length} codes differ`);
}

before(async () => {
  if (skip) return;
  const files = await detectLocal(funcodecFamily, dir!);
  assert.ok(files, "the fixture folder is detected as a FunCodec model");
  // One padded batch for any call: the batched test below then really pads.
  model = await loadFunCodec(files, "funcodec fixture", { intraOpThreads: 1, maxBatchSamples: Infinity });
  const manifest = JSON.parse(readFileSync(join(dir!, "manifest.json"), "utf8")) as { clips: Record<string, { scale: number }> };
  clips = Object.entries(manifest.clips).map(([name, c]) => ({
    name,
    samples: readNpy(join(dir!, "inputs", `${name}.npy`)).data as Float32Array,
    scale: c.scale,
  }));
});

after(async () => {
  await model?.dispose();
});

test("codes equal upstream's on every clip at 8000 and 2000 bit/s, with its scale", { skip }, async () => {
  for (const clip of clips) {
    for (const bitWidth of BIT_WIDTHS) {
      const [codes] = await model.encode([clip.samples], { bitWidth });
      const expected = refCodes(clip.name, bitWidth);
      assertCodesEqual(codes!, expected, bitWidth === 8000 ? 32 : 8, `${clip.name} @ ${bitWidth}`);
      assert.equal(codes!.frames, Math.ceil(clip.samples.length / 640));
      assert.equal(codes!.scale, clip.scale, `${clip.name}: scale`);
    }
  }
});

test("encoder output within 1e-4 of upstream's", { skip }, async () => {
  for (const clip of clips) {
    const [encoded] = await model.encodeAll([clip.samples]);
    const diff = maxAbsDiff(encoded!.latent, ref(`${clip.name}.encoder_out.npy`).data as Float32Array);
    assert.ok(diff <= TOLERANCE, `${clip.name}: encoder output differs by ${diff}`);
  }
});

test("reconstructions (scaled, unscaled, from codes alone) within 1e-4 of upstream's", { skip }, async () => {
  for (const clip of clips) {
    for (const bitWidth of BIT_WIDTHS) {
      const what = `${clip.name} @ ${bitWidth}`;
      const [scaled] = await model.reconstruct([clip.samples], { bitWidth });
      const [unscaled] = await model.reconstruct([clip.samples], { bitWidth, useScale: false });
      // Upstream's decode mode: codes alone (the scale lost), hop · T samples.
      const [fromCodes] = await model.decode([{ data: refCodes(clip.name, bitWidth), codebooks: bitWidth === 8000 ? 32 : 8, frames: Math.ceil(clip.samples.length / 640) }]);
      const checks: [string, Float32Array, string][] = [
        ["scaled", scaled!, "recon_scaled"],
        ["unscaled", unscaled!, "recon_unscaled"],
        ["decode", fromCodes!, "recon_decode"],
      ];
      for (const [kind, actual, file] of checks) {
        const diff = maxAbsDiff(actual, ref(`${clip.name}.bw${bitWidth}.${file}.npy`).data as Float32Array);
        assert.ok(diff <= TOLERANCE, `${what}: ${kind} reconstruction differs by ${diff}`);
      }
    }
  }
});

test("one padded batch of clips of different lengths equals each clip alone", { skip }, async () => {
  const batched = await model.encodeAll(clips.map((c) => c.samples));
  for (const [i, clip] of clips.entries()) {
    const [alone] = await model.encodeAll([clip.samples]);
    assert.deepEqual(batched[i]!.codes, alone!.codes, `${clip.name}: codes`);
    assert.equal(batched[i]!.scale, alone!.scale);
    assert.ok(maxAbsDiff(batched[i]!.latent, alone!.latent) <= 1e-5, `${clip.name}: latent`);
  }
  const codes = await model.encode(clips.map((c) => c.samples), { bitWidth: 2000 });
  const decodedTogether = await model.decode(codes);
  for (const [i, c] of codes.entries()) {
    const [alone] = await model.decode([c]);
    assert.ok(maxAbsDiff(decodedTogether[i]!, alone!) <= 1e-5, `${clips[i]!.name}: decoded audio`);
  }
});

test("codecs.txt of upstream's CLI: read, decoded as upstream, written back byte for byte", { skip }, async () => {
  const text = readFileSync(join(dir!, "cli_encode_bw2000", "codecs.txt"), "utf8");
  const entries = parseCodecsText(text, "codecs.txt");
  assert.deepEqual(entries.map((e) => e.key), clips.map((c) => c.name));
  for (const entry of entries) {
    assertCodesEqual(entry.codes, refCodes(entry.key, 2000), 8, `codecs.txt ${entry.key}`);
    const [audio] = await model.decode([entry.codes]);
    const diff = maxAbsDiff(audio!, ref(`${entry.key}.bw2000.recon_decode.npy`).data as Float32Array);
    assert.ok(diff <= TOLERANCE, `codecs.txt ${entry.key}: decoded audio differs by ${diff}`);
  }
  // Our own codes, written out, are upstream's file exactly.
  const ours = await model.encode(clips.map((c) => c.samples), { bitWidth: 2000 });
  assert.equal(formatCodecsText(ours.map((codes, i) => ({ key: clips[i]!.name, codes }))), text);
});
