/**
 * EnCodec's `.ecdc` files against upstream's (../shared/fixtures/encodec/<variant>/ecdc, written by
 * encodec.compress.compress): every file without the language model read back to upstream's codes
 * and scales, compressed from the clip to the same bytes, and decompressed to upstream's decoded
 * audio trimmed to the clip (within 1e-4); files coded with the language model refused with the
 * typed error that says why; damaged files refused with a typed error naming the file.
 */
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { readCheckpoint } from "../src/checkpoint/index.js";
import { BitPacker, unpackBits } from "../src/models/encodec/ecdcBits.js";
import { compressEcdc, decompressEcdc } from "../src/models/encodec/ecdc.js";
import { readEcdc } from "../src/models/encodec/ecdcFile.js";
import { decodeEcdcHeader } from "../src/models/encodec/ecdcHeader.js";
import { EcdcFormatError, EcdcLanguageModelError } from "../src/models/encodec/errors.js";
import type { EncodecModel } from "../src/models/encodec/model.js";
import { openEncodec } from "../src/models/encodec/open.js";
import { nodeBackend } from "../src/runtime/nodeBackend.js";
import { familyFixturesDir } from "./support/familyFixtures.js";
import { readNpy } from "./support/npy.js";

const root = familyFixturesDir("encodec");
const skip = root === null ? "EnCodec fixtures (../shared/fixtures/encodec) absent" : false;
const TOLERANCE = 1e-4;

const VARIANTS = [
  { folder: "encodec_24k_tiny", bandwidths: { bw1p5: 1.5, bw12: 12 } as Record<string, number> },
  { folder: "encodec_48k_tiny", bandwidths: { bw3: 3, bw24: 24 } as Record<string, number> },
];

test("bit packing: LSB first, flushed to a byte boundary, read back", () => {
  const packer = new BitPacker(7);
  [69, 33, 127, 0, 5].forEach((v) => packer.push(v));
  packer.flush();
  const bytes = packer.take();
  // 69 | 33 << 7 | 127 << 14 | 0 << 21 | 5 << 28 over 35 bits → 5 bytes, the last partial.
  const expected = 69 + 33 * 2 ** 7 + 127 * 2 ** 14 + 5 * 2 ** 28;
  assert.deepEqual(Array.from(bytes), [0, 1, 2, 3, 4].map((i) => Math.floor(expected / 2 ** (8 * i)) % 256));
  assert.deepEqual(Array.from(unpackBits(bytes, 0, 7, 5)!.values), [69, 33, 127, 0, 5]);
  assert.equal(unpackBits(bytes, 0, 7, 6), null, "a sixth value would need a sixth byte");
});

for (const variant of VARIANTS) {
  describe(`${variant.folder} .ecdc`, { skip }, () => {
    const dir = root === null ? "" : join(root, variant.folder);
    const files = root === null ? [] : readdirSync(join(dir, "ecdc"));
    const plain = files.filter((f) => !f.endsWith(".lm.ecdc"));
    let model: EncodecModel;
    const parts = (file: string) => {
      const [clip, tag] = file.split(".") as [string, string];
      return { clip, tag, kbps: variant.bandwidths[tag]! };
    };
    const bytesOf = (file: string) => new Uint8Array(readFileSync(join(dir, "ecdc", file)));

    before(async () => {
      const checkpoint = readdirSync(dir).find((f) => f.startsWith("encodec_") && !f.startsWith("encodec_lm_") && f.endsWith(".th"))!;
      model = await openEncodec(await readCheckpoint(join(dir, checkpoint)), undefined, variant.folder, { intraOpThreads: 1 }, nodeBackend);
    });
    after(async () => {
      await model?.dispose();
    });

    test("every file without the LM reads back to upstream's codes and scales", () => {
      assert.equal(plain.length, 10);
      for (const file of plain) {
        const { clip, tag } = parts(file);
        const x = readNpy(join(dir, "inputs", `${clip}.npy`));
        const { meta, codes } = readEcdc(model.config, bytesOf(file), file);
        assert.deepEqual(meta, { model: model.config.name, audioLength: x.shape[1], codebooks: codes.codebooks, languageModel: false });
        let start = 0;
        codes.segments.forEach((segment, j) => {
          const ref = readNpy(join(dir, "ref", `${clip}.${tag}.f${j}.codes.npy`));
          const [, rows, frames] = ref.shape as [number, number, number];
          assert.equal(codes.codebooks, rows, `${file}: rows`);
          assert.equal(segment.frames, frames, `${file} segment ${j}: frames`);
          for (let r = 0; r < rows; r++) {
            for (let t = 0; t < frames; t++) assert.equal(codes.data[r * codes.frames + start + t], Number((ref.data as BigInt64Array)[r * frames + t]), `${file}: row ${r} frame ${t} of segment ${j}`);
          }
          start += frames;
        });
        if (model.config.normalize) {
          const scales = readNpy(join(dir, "ref", `${clip}.scales.npy`)).data as Float32Array;
          assert.deepEqual(codes.segments.map((s) => s.scale), Array.from(scales), `${file}: scales`);
        }
      }
    });

    test("compressing each clip gives upstream's bytes, and decompressing them its decoded audio", async () => {
      for (const file of plain) {
        const { clip, tag, kbps } = parts(file);
        const input = readNpy(join(dir, "inputs", `${clip}.npy`)).data as Float32Array;
        const bytes = await compressEcdc(model, input, { bandwidth: kbps });
        assert.deepEqual(Buffer.from(bytes), Buffer.from(bytesOf(file)), `${file}: bytes`);
        const { audio, sampleRate } = await decompressEcdc(model, bytes, file);
        assert.equal(sampleRate, model.sampleRate);
        const decoded = readNpy(join(dir, "ref", `${clip}.${tag}.decoded.npy`));
        const [, channels, width] = decoded.shape as [number, number, number];
        const length = input.length / channels;
        assert.equal(audio.length, channels * length, `${file}: decompressed length`);
        let diff = 0;
        for (let c = 0; c < channels; c++) {
          for (let t = 0; t < length; t++) diff = Math.max(diff, Math.abs(audio[c * length + t]! - (decoded.data as Float32Array)[c * width + t]!));
        }
        assert.ok(diff <= TOLERANCE, `${file}: decompressed audio differs by ${diff}`);
      }
    });

    test("files coded with the language model: header read, decoding refused with the reason", () => {
      const withLm = files.filter((f) => f.endsWith(".lm.ecdc"));
      assert.equal(withLm.length, 10);
      for (const file of withLm) {
        assert.equal(decodeEcdcHeader(bytesOf(file), file).meta.languageModel, true);
        assert.throws(() => readEcdc(model.config, bytesOf(file), file), (error: unknown) => error instanceof EcdcLanguageModelError && error.message.includes(file) && /bit for bit/.test(error.message));
      }
    });

    test("damaged files are refused, naming the file", () => {
      const good = bytesOf(plain[0]!);
      const cases: [string, Uint8Array][] = [
        ["bad magic", Uint8Array.from(good, (b, i) => (i === 0 ? 0x46 : b))],
        ["version 1", Uint8Array.from(good, (b, i) => (i === 4 ? 1 : b))],
        ["truncated codes", good.subarray(0, good.length - 1)],
        ["trailing bytes", Uint8Array.from([...good, 0])],
        ["truncated header", good.subarray(0, 20)],
      ];
      for (const [what, bytes] of cases) {
        assert.throws(() => readEcdc(model.config, bytes, `damaged.ecdc (${what})`), (error: unknown) => error instanceof EcdcFormatError && error.message.includes(`damaged.ecdc (${what})`), what);
      }
      const other = VARIANTS.find((v) => v.folder !== variant.folder)!;
      const foreign = readdirSync(join(root!, other.folder, "ecdc")).find((f) => !f.endsWith(".lm.ecdc"))!;
      assert.throws(() => readEcdc(model.config, new Uint8Array(readFileSync(join(root!, other.folder, "ecdc", foreign))), foreign), EcdcFormatError, "another model's file");
    });
  });
}
