/**
 * Long-audio check for SpeechTokenizer at the released size (random weights, in memory):
 * `node dist/bench/speechtokenizerLongAudio.js SECONDS [CHUNK_FRAMES] [--compare]` encodes one
 * utterance of SECONDS seconds (a seeded chirp-and-noise signal) with the encoder front in chunks,
 * prints the wall time and the process's peak RSS; with --compare it also encodes the same audio
 * unchunked (needs far more memory on long inputs) and reports whether every code is equal.
 */
import { SpeechTokenizerOnnxModel } from "../src/models/speechtokenizer/model.js";
import { randomModelConfig, randomStateDict } from "../src/models/speechtokenizer/randomModel.js";
import { importWeights } from "../src/models/speechtokenizer/weights.js";

const args = process.argv.slice(2);
const seconds = Number(args[0] ?? 600);
const chunkFrames = args[1] !== undefined && !args[1].startsWith("--") ? Number(args[1]) : undefined;
const compare = args.includes("--compare");

const config = randomModelConfig("released");
const weights = importWeights(randomStateDict(config, 1), config, "random released");
const length = Math.round(seconds * 16000);
const audio = new Float32Array(length);
let state = 12345;
for (let i = 0; i < length; i++) {
  state = (Math.imul(state, 1103515245) + 12345) >>> 0;
  const t = i / 16000;
  audio[i] = 0.3 * Math.sin(2 * Math.PI * (200 + 50 * Math.sin(t)) * t) + 0.05 * (state / 2 ** 32 - 0.5);
}

const mib = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
const chunked = new SpeechTokenizerOnnxModel(weights, "random released", {}, chunkFrames);
const started = Date.now();
const [codes] = await chunked.encode([audio]);
await chunked.dispose();
const distinct = new Set(codes!.data).size;
console.log(`${seconds} s: ${codes!.frames} frames × ${codes!.codebooks} rows (${distinct} distinct codes) in ${((Date.now() - started) / 1000).toFixed(1)} s; peak RSS ${mib(process.resourceUsage().maxRSS * 1024)}`);
if (compare) {
  const whole = new SpeechTokenizerOnnxModel(weights, "random released", {}, Infinity);
  const [expected] = await whole.encode([audio]);
  await whole.dispose();
  const differing = expected!.data.reduce((n, v, i) => n + (v === codes!.data[i] ? 0 : 1), 0);
  console.log(`unchunked: ${differing} of ${expected!.data.length} codes differ; peak RSS ${mib(process.resourceUsage().maxRSS * 1024)}`);
}
