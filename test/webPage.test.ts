/**
 * The page in a real browser: headless Chromium (puppeteer-core, the installed browser) opens the
 * page from its static server, loads each family's fixture model by URL (the shared fixtures
 * served at /models/), is given audio files through its file picker, and must show the fixture
 * references' tokens, in the CLI's JSON line format. S3's fast mode in the page must give the
 * browser core's fast tokens (onnxruntime-web in Node); a family without one must refuse it in a
 * message. A damaged file and a model too large for
 * the tab must show their errors in the page; a screenshot after a run must show the tokens in
 * real pixels. On WebGPU (Chromium's SwiftShader adapter) the page's S3 tokens must match the
 * references as the Node WebGPU tests' do. Skipped, with the reason, where no Chromium is
 * installed or the fixtures are absent (the WebGPU case also where Chromium offers no adapter).
 */
import assert from "node:assert/strict";
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { Browser, Page } from "puppeteer-core";
import { encodeWav } from "../src/audio/wavWrite.js";
import { decodeAudioToMono16k, loadWebModel, tokenize } from "../src/web/index.js";
import { compareTokens, summarize } from "../src/s3Verify/missRate.js";
import {
  chromiumSkipReason,
  dropFiles,
  findChromium,
  type CardResult,
  jsonLineRows,
  launchChromium,
  loadModelByUrls,
  openPage,
  pageErrors,
  recordFromMicrophone,
  servePage,
  tokenizeFiles,
  type PageSite,
} from "../src/webpage/pageDriver.js";
import { fixturesDir, skipReason } from "./support/fixtures.js";
import { readNpy, readNpyF32 } from "./support/npy.js";

const chromium = findChromium();
const s3Fixtures = fixturesDir();
/** ../shared/fixtures: served at /models/. */
const shared = s3Fixtures === null ? null : dirname(s3Fixtures);
const skip = chromium === null ? chromiumSkipReason : shared === null ? skipReason : false;

interface Clip {
  /** The audio file the page is given (its name without extension is the key). */
  path: () => string;
  /** Reference rows [codebooks][frames]. */
  reference: () => number[][];
}

interface FamilyCase {
  family: string;
  /** Model files, relative to the fixtures folder (served at /models/). */
  files: string[];
  clips: Clip[];
}

let work = "";

/** Rows of an int64 codes array shaped (rows, 1, T) or (T,). */
function npyRows(path: string): number[][] {
  const { shape, data } = readNpy(path);
  const values = Array.from(data as BigInt64Array, Number);
  const frames = shape[shape.length - 1]!;
  return Array.from({ length: values.length / frames }, (_, r) => values.slice(r * frames, (r + 1) * frames));
}

/** A fixture's float32 input clip written as a float32 WAV (no rounding: the page sees the same samples). */
function wavOfNpy(npy: string, name: string): string {
  const path = join(work, `${name}.wav`);
  writeFileSync(path, encodeWav(readNpyF32(npy).data, 16_000, "f32"));
  return path;
}

function npyClip(family: string, inputs: string, refs: string, name: string, suffix: string): Clip {
  return {
    path: () => wavOfNpy(join(shared!, family, inputs, `${name}.npy`), name),
    reference: () => npyRows(join(shared!, family, refs, `${name}.${suffix}`)),
  };
}

function s3Clip(file: string, key: string): Clip {
  return {
    path: () => join(shared!, "s3tokenizer", "audio", file),
    reference: () => {
      const tokens = JSON.parse(readFileSync(join(shared!, "s3tokenizer", "reference", "tokens.speech_tokenizer_v2_25hz.json"), "utf8")) as { single: Record<string, number[]> };
      return [tokens.single[key]!];
    },
  };
}

const CASES: FamilyCase[] = [
  {
    family: "s3",
    files: ["s3tokenizer/models/speech_tokenizer_v2_25hz.onnx"],
    // A 16 kHz WAV, and a 22.05 kHz FLAC: the project's FLAC decoder and resampler in the page.
    clips: [s3Clip("aishell_0121.wav", "aishell_0121_wav"), s3Clip("en_22k.flac", "en_22k_flac")],
  },
  {
    family: "speechtokenizer",
    files: ["speechtokenizer/hubert_avg_tiny/config.json", "speechtokenizer/hubert_avg_tiny/SpeechTokenizer.pt"],
    clips: ["short_0p3s", "aishell_0122"].map((n) => npyClip("speechtokenizer", "inputs", "hubert_avg_tiny/ref", n, "codes.npy")),
  },
  {
    family: "funcodec",
    files: ["funcodec/config.yaml", "funcodec/model.pth"],
    clips: ["clip_0p5s", "aishell_0121"].map((n) => npyClip("funcodec", "inputs", "ref", n, "bw8000.codes.npy")),
  },
  {
    family: "repcodec",
    files: ["repcodec/whisper/repcodec_whisper_tiny.pkl", "repcodec/whisper/whisper_tiny_random.pt"],
    clips: ["short_0p3s", "aishell_0122"].map((n) => npyClip("repcodec/whisper", "inputs", "ref", n, "tokens.npy")),
  },
  {
    // 48 kHz stereo: the fixture's exact float WAV (both channels) read as the model's format; all 16 rows
    // (24 kbps). One segment's length exactly, so two segments (48000 and 480 samples): their codes joined.
    family: "encodec",
    files: ["encodec/encodec_48k_tiny/encodec_48k_tiny-6bb39e48.th", "encodec/encodec_48k_tiny/config.json"],
    clips: [
      {
        path: () => join(shared!, "encodec", "encodec_48k_tiny", "inputs", "stereo_1seg.wav"),
        reference: () => {
          const [f0, f1] = [0, 1].map((i) => npyRows(join(shared!, "encodec", "encodec_48k_tiny", "ref", `stereo_1seg.bw24.f${i}.codes.npy`)));
          return f0!.map((row, r) => [...row, ...f1![r]!]);
        },
      },
    ],
  },
];

/** Pixel facts of a PNG screenshot, computed in the page from the image itself. */
interface Pixels {
  width: number;
  height: number;
  /** Distinct colours (6 bits a channel) over the whole image. */
  colours: number;
  /** Pixels inside `box` far (sum of channel differences > 150) from the box's commonest colour. */
  ink: number;
  boxPixels: number;
}

async function screenshotPixels(page: Page, png: string, box: { x: number; y: number; width: number; height: number }): Promise<Pixels> {
  return page.evaluate(
    async (data: string, b: { x: number; y: number; width: number; height: number }) => {
      const image = new Image();
      image.src = `data:image/png;base64,${data}`;
      await image.decode();
      const canvas = document.createElement("canvas");
      canvas.width = image.naturalWidth;
      canvas.height = image.naturalHeight;
      const context = canvas.getContext("2d")!;
      context.drawImage(image, 0, 0);
      const all = context.getImageData(0, 0, canvas.width, canvas.height).data; // [height, width, 4] RGBA
      const colours = new Set<number>();
      for (let i = 0; i < all.length; i += 4) colours.add(((all[i]! >> 2) << 12) | ((all[i + 1]! >> 2) << 6) | (all[i + 2]! >> 2));
      const x0 = Math.max(0, Math.floor(b.x));
      const y0 = Math.max(0, Math.floor(b.y));
      const x1 = Math.min(canvas.width, Math.ceil(b.x + b.width));
      const y1 = Math.min(canvas.height, Math.ceil(b.y + b.height));
      const counts = new Map<number, number>();
      const at = (x: number, y: number) => (y * canvas.width + x) * 4;
      for (let y = y0; y < y1; y++) {
        for (let x = x0; x < x1; x++) {
          const i = at(x, y);
          const key = (all[i]! << 16) | (all[i + 1]! << 8) | all[i + 2]!;
          counts.set(key, (counts.get(key) ?? 0) + 1);
        }
      }
      const background = [...counts.entries()].sort((p, q) => q[1] - p[1])[0]?.[0] ?? 0;
      let ink = 0;
      for (let y = y0; y < y1; y++) {
        for (let x = x0; x < x1; x++) {
          const i = at(x, y);
          const distance = Math.abs(all[i]! - (background >> 16)) + Math.abs(all[i + 1]! - ((background >> 8) & 255)) + Math.abs(all[i + 2]! - (background & 255));
          if (distance > 150) ink++;
        }
      }
      return { width: canvas.width, height: canvas.height, colours: colours.size, ink, boxPixels: Math.max(0, x1 - x0) * Math.max(0, y1 - y0) };
    },
    png,
    box,
  );
}

/** Runs `use` on a fresh tab of `url`, and closes the tab whatever happens. */
async function withPage(browser: Browser, url: string, use: (page: Page) => Promise<void>): Promise<void> {
  const page = await openPage(browser, url);
  try {
    await use(page);
  } finally {
    await page.close();
  }
}

/**
 * The screenshot check, after a run: the first card's first token row, scrolled into view, lies
 * inside the viewport, shows the card's codes as text, and its pixels in a screenshot are text
 * (ink on the row's background), which they are not once the glyphs are made transparent.
 */
async function assertScreenshotShowsTokens(page: Page, jsonl: string): Promise<void> {
  const tokens = await page.$("#results .result .tokens code");
  assert.ok(tokens, "a token row is in the page");
  await tokens.evaluate((node) => node.scrollIntoView({ block: "center" }));
  const box = await tokens.boundingBox();
  assert.ok(box !== null && box.width > 0 && box.height > 0, "the token row has a box");
  const viewport = page.viewport()!;
  assert.ok(box.x >= 0 && box.y >= 0 && box.x + box.width <= viewport.width && box.y + box.height <= viewport.height, `the token row ${JSON.stringify(box)} is inside the viewport`);
  const text = await tokens.evaluate((node) => node.textContent ?? "");
  assert.equal(text, jsonLineRows(jsonl).rows[0]!.join(" "), "the row shows the card's codes");
  // The box of the text itself (the row's element spans the column): where the glyphs are.
  const textBox = await tokens.evaluate((node) => {
    const range = document.createRange();
    range.selectNodeContents(node);
    const { x, y, width, height } = range.getBoundingClientRect();
    return { x, y, width, height };
  });
  const png = Buffer.from(await page.screenshot({ type: "png" })).toString("base64");
  const pixels = await screenshotPixels(page, png, textBox);
  assert.equal(pixels.width, viewport.width);
  assert.ok(pixels.colours > 20, `the screenshot is not blank (${pixels.colours} colours)`);
  // Text in the box: dark glyph pixels on the light code background, a real share of the box.
  assert.ok(pixels.ink > pixels.boxPixels * 0.05, `the token row's pixels show text (${pixels.ink} of ${pixels.boxPixels} pixels are ink)`);
  // The same box with the glyphs made transparent (layout unchanged) holds no text: the ink above is the tokens'.
  await tokens.evaluate((node) => ((node as HTMLElement).style.color = "transparent"));
  const bare = await screenshotPixels(page, Buffer.from(await page.screenshot({ type: "png" })).toString("base64"), textBox);
  assert.ok(bare.ink < pixels.ink / 10, `without the glyphs the box has little ink (${bare.ink} against ${pixels.ink})`);
}

/**
 * A card's "Decode and play": the codes decoded in the page (decodeToWav → Blob → <audio>); the
 * browser reads the WAV, and its duration is the frames' (SpeechTokenizer: 320 samples a frame).
 */
async function assertDecodedAudio(page: Page, card: CardResult): Promise<void> {
  const frames = jsonLineRows(card.jsonl!).rows[0]!.length;
  const selector = `#results .result[data-key="${card.key}"]`;
  await page.$$eval(`${selector} button`, (buttons) => (buttons.find((b) => b.textContent === "Decode and play") as HTMLButtonElement).click());
  await page.waitForFunction((s: string) => (document.querySelector<HTMLAudioElement>(`${s} audio`)?.readyState ?? 0) >= 1, { timeout: 60_000 }, selector);
  const duration = await page.$eval(`${selector} audio`, (audio) => (audio as HTMLAudioElement).duration);
  assert.ok(Math.abs(duration - (frames * 320) / 16_000) < 1e-3, `decoded audio of ${duration} s for ${frames} frames`);
  assert.deepEqual(await pageErrors(page), [], "no error messages");
}

/** The clip the fake microphone plays (16 kHz WAV under s3tokenizer/audio), and how long Record runs. */
const MICROPHONE_CLIP = "aishell_0121.wav";
const RECORD_MS = 2500;

/** How many of `tokens` the `pool` also holds, each token of the pool counted once (a multiset intersection). */
function tokensInCommon(tokens: readonly number[], pool: readonly number[]): number {
  const left = new Map<number, number>();
  for (const token of pool) left.set(token, (left.get(token) ?? 0) + 1);
  let common = 0;
  for (const token of tokens) {
    const n = left.get(token) ?? 0;
    if (n > 0) {
      common++;
      left.set(token, n - 1);
    }
  }
  return common;
}

/** The first code row of each file's card (S3's only row), in the files' order; every file must have one. */
function firstRows(cards: readonly CardResult[], paths: readonly string[]): number[][] {
  return paths.map((path) => {
    const key = basename(path).replace(/\.[^.]+$/, "");
    const card = cards.find((k) => k.key === key);
    assert.ok(card?.jsonl, `a card with tokens for ${key}: ${JSON.stringify(card)}`);
    return jsonLineRows(card.jsonl).rows[0]!;
  });
}

/** One state of the page's download bar: bytes so far, the total, and the line beside it. */
interface ProgressStep {
  value: number;
  max: number;
  text: string;
}

/**
 * Records every change of the model's download bar (value, max, and its text) from now on; the
 * returned function gives what was seen.
 */
async function watchProgress(page: Page): Promise<() => Promise<ProgressStep[]>> {
  await page.evaluate(() => {
    const bar = document.querySelector<HTMLProgressElement>("#model-progress")!;
    const text = document.querySelector("#model-progress-text")!;
    const seen: ProgressStep[] = [];
    (window as unknown as { progressSeen: typeof seen }).progressSeen = seen;
    new MutationObserver(() => {
      const last = seen.at(-1);
      const now = { value: bar.value, max: bar.max, text: text.textContent ?? "" };
      // Only updates that show bytes (the bar is reset to 0 with an empty text when a load starts).
      if (now.text !== "" && (last === undefined || last.value !== now.value || last.text !== now.text)) seen.push(now);
    }).observe(bar.parentElement!, { subtree: true, attributes: true, childList: true, characterData: true });
  });
  return () => page.evaluate(() => (window as unknown as { progressSeen: ProgressStep[] }).progressSeen);
}

/**
 * "Download all" saves codes.jsonl (Chromium's downloads sent to a scratch folder) and "Copy all"
 * puts the same text on the clipboard (permission granted to the page's origin): the cards' JSON
 * lines, oldest first, a line each, as a corpus run writes them.
 */
async function assertBulkOutputs(page: Page, origin: string, cards: readonly CardResult[]): Promise<void> {
  const expected = [...cards].reverse().map((card) => `${card.jsonl}\n`).join("");
  const downloads = mkdtempSync(join(work, "downloads-"));
  const cdp = await page.createCDPSession();
  await cdp.send("Browser.setDownloadBehavior", { behavior: "allow", downloadPath: downloads });
  await page.click("#download-all");
  const saved = join(downloads, "codes.jsonl");
  const deadline = Date.now() + 15_000;
  while (!existsSync(saved) && Date.now() < deadline) await new Promise((done) => setTimeout(done, 100));
  assert.equal(readFileSync(saved, "utf8"), expected, "codes.jsonl holds every card's line");
  await page.browserContext().overridePermissions(new URL(origin).origin, ["clipboard-read", "clipboard-write", "clipboard-sanitized-write"]);
  await page.click("#copy-all");
  await page.waitForFunction(() => document.querySelector("#copy-all")?.textContent === "Copied", { timeout: 10_000 });
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), expected, "the clipboard holds the same lines");
  assert.deepEqual(await pageErrors(page), [], "no error messages");
}

describe("the page in headless Chromium", { skip }, () => {
  let browser: Browser;
  let site: PageSite;

  before(async () => {
    work = mkdtempSync(join(tmpdir(), "s3tok-webpage-"));
    site = await servePage(shared!);
    // The microphone plays a fixture clip (Chromium's fake capture), for the Record button's test.
    browser = await launchChromium(chromium!, { fakeMicrophone: join(shared!, "s3tokenizer", "audio", MICROPHONE_CLIP) });
  });

  after(async () => {
    await browser?.close();
    await site?.server.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  for (const c of CASES) {
    test(`${c.family}: the page's tokens of the fixture clips equal the references`, async (t) => {
      await withPage(browser, site.server.url, async (page) => {
        const isolated = await page.evaluate(() => crossOriginIsolated);
        assert.equal(isolated, true, "the server's COOP/COEP headers make the page cross-origin isolated (wasm threads)");
        await loadModelByUrls(page, c.files.map((f) => `${site.server.url}models/${f}`));
        const paths = c.clips.map((clip) => clip.path());
        const cards = await tokenizeFiles(page, paths);
        assert.deepEqual(await pageErrors(page), [], "no error messages");
        for (const [i, clip] of c.clips.entries()) {
          const key = basename(paths[i]!).replace(/\.[^.]+$/, "");
          const card = cards.find((k) => k.key === key);
          assert.ok(card?.jsonl, `a card with tokens for ${key}: ${JSON.stringify(card)}`);
          const line = jsonLineRows(card.jsonl);
          assert.equal(line.key, key);
          const reference = clip.reference();
          assert.equal(line.rows.length, reference.length, `${key}: rows`);
          assert.deepEqual(line.rows, reference, `${key}: the page's codes equal the reference`);
          t.diagnostic(`${c.family} ${key}: ${reference.length} × ${reference[0]!.length} codes equal; ${card.facts}`);
        }
        if (c.family === "speechtokenizer") await t.test("Decode and play gives an <audio> of the codes' length", () => assertDecodedAudio(page, cards[0]!));
        // One family's run is enough for the screenshot and the bulk buttons; S3 is the first.
        if (c === CASES[0]) {
          await t.test("a screenshot after the run shows the tokens", () => assertScreenshotShowsTokens(page, cards[0]!.jsonl!));
          await t.test("Download all and Copy all give every card's JSON line, oldest first", () => assertBulkOutputs(page, site.server.url, cards));
        }
      });
    });
  }

  test("s3: fast mode in the page gives the library's fast tokens and every clip's length", async (t) => {
    const s3 = CASES[0]!;
    const paths = s3.clips.map((clip) => clip.path());
    // The same browser core in Node: onnxruntime-web's int8 kernels, the same .wasm as the page's.
    const library = await loadWebModel({ files: [new File([readFileSync(join(shared!, s3.files[0]!))], basename(s3.files[0]!))] }, { mode: "fast", cacheStorage: null });
    let expected: number[][];
    try {
      expected = [];
      for (const path of paths) expected.push(Array.from((await tokenize(library, await decodeAudioToMono16k(readFileSync(path), basename(path)))).data));
    } finally {
      await library.dispose();
    }
    await withPage(browser, site.server.url, async (page) => {
      await loadModelByUrls(page, s3.files.map((f) => `${site.server.url}models/${f}`), { mode: "fast" });
      assert.equal(await page.$eval("body", (b) => b.dataset.modelMode), "fast");
      assert.match(await page.$eval("#model-status", (p) => p.textContent ?? ""), /fast mode/, "the status says which mode is loaded");
      const cards = await tokenizeFiles(page, paths);
      assert.deepEqual(await pageErrors(page), [], "no error messages");
      const rows = firstRows(cards, paths);
      rows.forEach((row, i) => assert.deepEqual(row, expected[i], `${basename(paths[i]!)}: the page's fast tokens equal the library's`));
      const comparisons = s3.clips.map((clip, i) => compareTokens(clip.reference()[0]!, rows[i]!));
      const total = summarize(comparisons);
      t.diagnostic(`s3 v2 fast mode in the page: ${total.misses}/${total.compared} tokens differ from the exact reference`);
      assert.equal(total.lengthMismatches, 0);
      // The conformance suite's bound for fast mode on these random-weight fixtures.
      assert.ok(total.missRate < 0.2, `fast-mode miss rate ${total.missRate}`);
    });
  });

  test("s3: download progress, then a dropped file and a recording from the microphone give their tokens", async (t) => {
    const s3 = CASES[0]!;
    await withPage(browser, site.server.url, async (page) => {
      const progress = await watchProgress(page);
      await loadModelByUrls(page, s3.files.map((f) => `${site.server.url}models/${f}`));
      await t.test("the progress bar counts the model's bytes up to its size, naming the file", async () => {
        const seen = await progress();
        const size = statSync(join(shared!, s3.files[0]!)).size;
        const file = basename(s3.files[0]!);
        assert.ok(seen.length >= 3, `${seen.length} progress updates for ${size} bytes`);
        seen.forEach((step, i) => {
          assert.equal(step.max, size, "the bar's end is the file's size (the server's Content-Length)");
          if (i > 0) assert.ok(step.value >= seen[i - 1]!.value, "the bar never goes back");
          assert.ok(step.text.startsWith(`${file}: `), step.text);
        });
        assert.equal(seen.at(-1)!.value, size, "the bar ends full");
      });
      await t.test("a file dropped on the drop zone gives the reference tokens", async () => {
        const clip = s3.clips[0]!;
        const path = clip.path();
        const cards = await dropFiles(page, [path]);
        assert.deepEqual(firstRows(cards, [path]), clip.reference());
      });
      await t.test("Record, then Stop: a card of the microphone's audio at 25 tokens a second", async () => {
        const cards = await recordFromMicrophone(page, RECORD_MS);
        const card = cards.find((c) => c.key === "recording-1");
        assert.equal(card?.state, "done", JSON.stringify(card));
        assert.deepEqual(await pageErrors(page), [], "no error messages");
        assert.equal(await page.$eval("#record", (button) => button.getAttribute("aria-pressed")), "false", "the button is back to Record");
        const seconds = Number(card.data.audioSeconds);
        assert.ok(seconds > 1 && seconds < RECORD_MS / 1000 + 2, `${seconds} s recorded in ${RECORD_MS} ms`);
        const [row] = jsonLineRows(card.jsonl!).rows;
        assert.ok(Math.abs(row!.length - seconds * 25) <= 1, `${row!.length} tokens for ${seconds} s at 25 a second`);
        // The fixture's speech came through (not silence or a test tone): most of the recording's
        // tokens are tokens of that clip's reference. The capture's start is not aligned to the
        // clip's frames, so position by position they need not agree.
        const inClip = tokensInCommon(row!, s3Clip(MICROPHONE_CLIP, "aishell_0121_wav").reference()[0]!);
        t.diagnostic(`recording: ${seconds.toFixed(2)} s, ${row!.length} tokens, ${new Set(row).size} distinct, ${inClip} found in the clip's reference`);
        assert.ok(new Set(row).size > 5, "more than a handful of distinct tokens");
        assert.ok(inClip >= 0.5 * row!.length, `${inClip} of ${row!.length} tokens are the clip's`);
      });
    });
  });

  test("speechtokenizer: fast mode is refused in the page with a message naming the mode", async () => {
    await withPage(browser, site.server.url, async (page) => {
      const st = CASES[1]!;
      await assert.rejects(loadModelByUrls(page, st.files.map((f) => `${site.server.url}models/${f}`), { mode: "fast" }), /"fast" mode/);
      const errors = await pageErrors(page);
      assert.equal(errors.length, 1, errors.join(" | "));
      assert.match(errors[0]!, /SpeechTokenizer has no "fast" mode/);
    });
  });

  test("a model too large for the tab is refused with a message before it loads", async () => {
    await withPage(browser, site.server.url, async (page) => {
      // 3 GiB without using the disk (a sparse file): twice that is over the 4 GiB WebAssembly heap.
      const huge = join(work, "huge_model.onnx");
      closeSync(openSync(huge, "w"));
      truncateSync(huge, 3 * 1024 ** 3);
      await page.click('input[name="model-source"][value="files"]');
      const picker = await page.$("#model-files");
      await (picker as unknown as { uploadFile(...paths: string[]): Promise<void> }).uploadFile(huge);
      await page.click("#load-model");
      await page.waitForSelector("#errors .error", { timeout: 30_000 });
      const [message] = await pageErrors(page);
      assert.match(message!, /huge_model\.onnx/, "the message names the model");
      assert.match(message!, /too large for WebAssembly/);
      assert.notEqual(await page.$eval("body", (b) => b.dataset.model ?? ""), "loading", "nothing started loading");
    });
  });

  test("a damaged audio file shows its error in the page, naming the file", async () => {
    await withPage(browser, site.server.url, async (page) => {
      // A RIFF/WAVE header whose fmt chunk is cut short, then noise: neither a WAV nor any other format.
      const damaged = join(work, "damaged_clip.wav");
      const header = Buffer.from("RIFF\x24\x00\x00\x00WAVEfmt \x10\x00\x00\x00\x01\x00", "latin1");
      writeFileSync(damaged, Buffer.concat([header, Buffer.from(Array.from({ length: 300 }, (_, i) => (i * 97) % 256))]));
      const [card] = await tokenizeFiles(page, [damaged], 30_000);
      assert.equal(card!.state, "error");
      const errors = await pageErrors(page);
      assert.equal(errors.length, 1, `one message: ${errors.join(" | ")}`);
      assert.match(errors[0]!, /damaged_clip\.wav/, "the message names the file");
      const visible = await page.$eval("#errors .error", (node) => {
        const box = node.getBoundingClientRect();
        return box.width > 0 && box.height > 0 && getComputedStyle(node).visibility === "visible";
      });
      assert.ok(visible, "the message is visible");
    });
  });
});

// As test/webgpu.test.ts: a GPU's float32 sums may move a value across a rounding edge.
const MAX_WEBGPU_MISS_RATE = 0.001;

describe("the page on WebGPU in headless Chromium", { skip }, () => {
  let browser: Browser;
  let site: PageSite;

  before(async () => {
    site = await servePage(shared!);
    browser = await launchChromium(chromium!, { webgpu: "swiftshader" });
  });

  after(async () => {
    await browser?.close();
    await site?.server.close();
  });

  test("s3: the page's WebGPU tokens of the fixture clips match the references", async (t) => {
    await withPage(browser, `${site.server.url}?device=webgpu`, async (page) => {
      const adapter = await page.evaluate(async () => {
        const gpu = (navigator as unknown as { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
        return gpu !== undefined && (await gpu.requestAdapter()) !== null;
      });
      if (!adapter) {
        t.skip("this Chromium offers no WebGPU adapter (SwiftShader)");
        return;
      }
      assert.equal(await page.$eval("#device", (select) => (select as HTMLSelectElement).value), "webgpu", "?device=webgpu selects WebGPU");
      const s3 = CASES[0]!;
      await loadModelByUrls(page, s3.files.map((f) => `${site.server.url}models/${f}`));
      const paths = s3.clips.map((clip) => clip.path());
      const cards = await tokenizeFiles(page, paths);
      assert.deepEqual(await pageErrors(page), [], "no error messages");
      const rows = firstRows(cards, paths);
      const comparisons = s3.clips.map((clip, i) => compareTokens(clip.reference()[0]!, rows[i]!));
      const total = summarize(comparisons);
      t.diagnostic(`s3 v2 in the page on WebGPU: ${total.misses}/${total.compared} tokens differ from the reference`);
      assert.equal(total.lengthMismatches, 0);
      assert.ok(total.missRate <= MAX_WEBGPU_MISS_RATE, `miss rate ${(100 * total.missRate).toFixed(4)}% over 0.1%`);
    });
  });
});
