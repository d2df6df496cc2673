/**
 * Tokens through the whole path a user takes — audio file -> loadAudio (decode, channel 0,
 * torchaudio resampling) -> log-mel -> model — for every fixture utterance (WAV at 8 to 48 kHz,
 * 24-bit stereo, float, FLAC) and every fixture model, against upstream's tokens. The MP3 is left
 * out: its reference depends on the MP3 decoder torchaudio used (audioDecode.test.ts compares it).
 */
import test, { describe } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { S3Tokenizer } from "../src/s3Tokenizer.js";
import { compareTokens, summarize } from "../src/s3Verify/missRate.js";
import { fixturesDir, skipReason } from "./support/fixtures.js";
import { MODEL_NAMES, modelPath, referenceTokens } from "./support/conformance.js";

const FIXTURES = fixturesDir();

describe("tokens from audio files", { skip: FIXTURES === null ? skipReason : false }, () => {
  const entries = () =>
    readFileSync(join(FIXTURES!, "audio", "wav.scp"), "utf8")
      .split("\n")
      .map((line) => line.trim().split(/\s+/))
      .filter((parts) => parts.length === 2 && parts[0] !== "en_mp3")
      .map(([key, rel]) => ({ key: key!, path: join(FIXTURES!, "audio", rel!) }));

  for (const name of MODEL_NAMES) {
    test(`${name}: file -> loadAudio -> log-mel -> model matches upstream's tokens`, async (t) => {
      const list = entries();
      const reference = referenceTokens(FIXTURES!, name).single;
      const tokenizer = await S3Tokenizer.load(modelPath(FIXTURES!, name));
      try {
        const tokens = await tokenizer.tokenize(list.map((e) => e.path));
        const comparisons = list.map(({ key }, i) => {
          const expected = reference[key];
          assert.ok(expected, `no reference tokens for ${key}`);
          const c = compareTokens(expected, tokens[i]!);
          assert.equal(c.candidateLength, c.referenceLength, `${name} ${key}: token count`);
          if (c.misses > 0) t.diagnostic(`${key}: ${c.misses} of ${c.compared} tokens differ`);
          return c;
        });
        const total = summarize(comparisons);
        t.diagnostic(`${name}: ${list.length} files, miss rate ${(100 * total.missRate).toFixed(4)}% over ${total.compared} tokens`);
        assert.equal(total.lengthMismatches, 0);
        assert.ok(total.missRate <= 0.001, `miss rate ${total.missRate}`);
      } finally {
        await tokenizer.dispose();
      }
    });
  }
});
