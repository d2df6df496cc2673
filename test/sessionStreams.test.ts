/** Session streams: several sessions in worker threads running batches side by side. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { InvalidInputError, ModelFormatError } from "../src/errors.js";
import { logMelSpectrogram } from "../src/features/logMel.js";
import { buildBatchedModel } from "../src/models/s3/modelFile.js";
import { runMelBatch } from "../src/models/s3/encoderRunner.js";
import { SessionStreams } from "../src/runtime/sessionStreams.js";
import { discardSessionThread, prestartSessionThread, sessionThreadWaiting } from "../src/runtime/sessionThread.js";
import { S3Tokenizer } from "../src/s3Tokenizer.js";
import { modelPath, sixteenKilohertzUtterances } from "./support/conformance.js";
import { fixturesDir, skipReason } from "./support/fixtures.js";

const fixtures = fixturesDir();
const skip = fixtures ? false : skipReason;
const MODEL = "speech_tokenizer_v2_25hz";

test("three streams give every utterance the tokens one stream gives", { skip }, async () => {
  const utterances = await sixteenKilohertzUtterances(fixtures!);
  // Batches of at most two inputs, so that many batches are in flight across the streams.
  const limits = { maxBatchSize: 2, maxPaddingRatio: Infinity };
  const one = await S3Tokenizer.load(modelPath(fixtures!, MODEL), { ...limits, streams: 1 });
  const three = await S3Tokenizer.load(modelPath(fixtures!, MODEL), { ...limits, streams: 3, intraOpThreads: 1 });
  try {
    assert.equal(three.parallelism, 3);
    const mels = utterances.map((u) => logMelSpectrogram(u.samples, one.info.dims.nMels));
    const expected = await one.quantizeMels(mels);
    const actual = await three.quantizeMels(mels);
    assert.equal(actual.length, expected.length);
    expected.forEach((codes, i) => assert.deepEqual(Array.from(actual[i]!), Array.from(codes), utterances[i]!.key));
    // Calls that overlap share the streams and still get their own answers.
    const [first, second] = await Promise.all([three.quantizeMels(mels.slice(0, 5)), three.quantizeMels(mels.slice(5))]);
    assert.deepEqual([...first, ...second].map((c) => Array.from(c)), expected.map((c) => Array.from(c)));
  } finally {
    await one.dispose();
    await three.dispose();
  }
  await assert.rejects(three.quantizeMels([]), InvalidInputError);
});

test("a batch onnxruntime rejects fails alone; the stream goes on with the next", { skip }, async () => {
  const { bytes, info } = await buildBatchedModel(modelPath(fixtures!, MODEL));
  const streams = await SessionStreams.open(bytes, { intraOpThreads: 1 }, "fixture v2", 1);
  try {
    const frames = 200;
    const wrongBands = info.dims.nMels + 1;
    await assert.rejects(
      runMelBatch(streams, { mels: new Float32Array(wrongBands * frames), lengths: Int32Array.from([frames]), nMels: wrongBands, frames }),
      /fixture v2: onnxruntime failed/,
    );
    const good = await runMelBatch(streams, { mels: new Float32Array(info.dims.nMels * frames), lengths: Int32Array.from([frames]), nMels: info.dims.nMels, frames });
    assert.deepEqual(Array.from(good.codeLengths), [frames / 4]); // 25 Hz: two stride-2 convolutions
    assert.equal(good.codes.length, good.width);
  } finally {
    await streams.close();
  }
  await assert.rejects(
    runMelBatch(streams, { mels: new Float32Array(1), lengths: Int32Array.from([1]), nMels: 1, frames: 1 }),
    /sessions are closed/,
  );
});

test("batches run on the first stream while a later one is still opening, in order and with the tokens one stream gives", { skip }, async () => {
  const utterances = await sixteenKilohertzUtterances(fixtures!);
  const { bytes, info } = await buildBatchedModel(modelPath(fixtures!, MODEL));
  const mels = utterances.map((u) => logMelSpectrogram(u.samples, info.dims.nMels));
  // One utterance per batch: [1, nMels, frames] with its length.
  const batchOf = (i: number) => ({ mels: mels[i]!.data.slice(), lengths: Int32Array.from([mels[i]!.frames]), nMels: info.dims.nMels, frames: mels[i]!.frames });
  const codesOf = (out: Awaited<ReturnType<typeof runMelBatch>>) => Array.from(out.codes.subarray(0, out.codeLengths[0]!));

  const single = await SessionStreams.open(bytes, { intraOpThreads: 1 }, "fixture v2", 1);
  let expected: number[][];
  try {
    expected = [];
    for (let i = 0; i < mels.length; i++) expected.push(codesOf(await runMelBatch(single, batchOf(i))));
  } finally {
    await single.close();
  }

  // The second stream is held back until the test lets it open.
  let letSecondOpen!: () => void;
  const secondMayOpen = new Promise<void>((resolve) => (letSecondOpen = resolve));
  const opening: number[] = [];
  const streams = await SessionStreams.open(bytes, { intraOpThreads: 1 }, "fixture v2", 2, undefined, {
    beforeOpen: async (stream) => {
      opening.push(stream);
      if (stream === 1) await secondMayOpen;
    },
  });
  try {
    assert.equal(streams.size, 1, "open() answers with the first stream alone");
    const early = await Promise.all(mels.map((_, i) => runMelBatch(streams, batchOf(i))));
    assert.deepEqual(opening, [0, 1], "the second stream was waiting to open");
    assert.equal(streams.size, 1, "every batch above ran before the second stream opened");
    assert.deepEqual(early.map(codesOf), expected);

    letSecondOpen();
    while (streams.size < 2) await new Promise((resolve) => setTimeout(resolve, 10));
    const both = await Promise.all(mels.map((_, i) => runMelBatch(streams, batchOf(i))));
    assert.deepEqual(both.map(codesOf), expected, "each answer is its own batch's, whichever stream ran it");
  } finally {
    letSecondOpen();
    await streams.close();
  }
});

test("on demand, a later stream opens only once a batch waits for it", { skip }, async () => {
  const { bytes, info } = await buildBatchedModel(modelPath(fixtures!, MODEL));
  const frames = 200;
  // [1, nMels, frames]: a different signal per batch, so that answers cannot be swapped unseen.
  const batch = (k: number) => ({ mels: Float32Array.from({ length: info.dims.nMels * frames }, (_, i) => Math.sin(i * 0.01 * (k + 1))), lengths: Int32Array.from([frames]), nMels: info.dims.nMels, frames });
  const codes = (out: Awaited<ReturnType<typeof runMelBatch>>) => Array.from(out.codes);
  const single = await SessionStreams.open(bytes, { intraOpThreads: 1 }, "fixture v2", 1);
  const expected = await Promise.all([0, 1, 2, 3].map(async (k) => codes(await runMelBatch(single, batch(k))))).finally(() => single.close());

  const opening: number[] = [];
  const streams = await SessionStreams.open(bytes, { intraOpThreads: 1 }, "fixture v2", 2, undefined, {
    later: "on-demand",
    beforeOpen: async (stream) => void opening.push(stream),
  });
  try {
    // One batch at a time: the first stream is never busy when one comes, so no other opens.
    for (const k of [0, 1]) assert.deepEqual(codes(await runMelBatch(streams, batch(k))), expected[k]);
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.deepEqual(opening, [0]);
    assert.equal(streams.size, 1);
    // Batches at once: one waits, so the second stream opens, and each answer is its own batch's.
    const together = await Promise.all([0, 1, 2, 3].map(async (k) => codes(await runMelBatch(streams, batch(k)))));
    assert.deepEqual(together, expected);
    assert.deepEqual(opening, [0, 1]);
    while (streams.size < 2) await new Promise((resolve) => setTimeout(resolve, 10));
  } finally {
    await streams.close();
  }
});

test("a thread started ahead of its model serves the first stream; one nobody took is ended", { skip }, async () => {
  const { bytes, info } = await buildBatchedModel(modelPath(fixtures!, MODEL));
  const frames = 200;
  const batch = () => ({ mels: Float32Array.from({ length: info.dims.nMels * frames }, (_, i) => Math.sin(i * 0.01)), lengths: Int32Array.from([frames]), nMels: info.dims.nMels, frames });
  const fresh = await SessionStreams.open(bytes, { intraOpThreads: 1 }, "fixture v2", 1);
  const expected = await runMelBatch(fresh, batch()).finally(() => fresh.close());

  prestartSessionThread();
  assert.ok(sessionThreadWaiting());
  const streams = await SessionStreams.open(bytes, { intraOpThreads: 1 }, "fixture v2", 1);
  try {
    assert.ok(!sessionThreadWaiting(), "the stream took the thread started ahead");
    assert.deepEqual(Array.from((await runMelBatch(streams, batch())).codes), Array.from(expected.codes));
  } finally {
    await streams.close();
  }
  prestartSessionThread();
  await discardSessionThread();
  assert.ok(!sessionThreadWaiting());
  // A bad model still fails with its typed error on a thread started ahead.
  prestartSessionThread();
  await assert.rejects(SessionStreams.open(new TextEncoder().encode("not an onnx model"), {}, "garbage.onnx", 1), ModelFormatError);
});

test("bytes that are not a model fail to open with ModelFormatError naming the source", async () => {
  await assert.rejects(SessionStreams.open(new TextEncoder().encode("not an onnx model"), {}, "garbage.onnx", 2), (error: unknown) =>
    error instanceof ModelFormatError && /garbage\.onnx/.test(error.message));
});
