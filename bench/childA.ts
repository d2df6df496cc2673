/**
 * Child entry for the peak-memory figure: `node childA.js --model PATH --wav_scp FILE --work DIR`
 * loads the tokenizer and runs variant (a) once over the list, alone in its process, then prints
 * one JSON line with the process's peak resident set size (process.resourceUsage().maxRSS).
 */
import { parseArgs } from "node:util";
import { readWavScp } from "../src/audio/wavScp.js";
import { S3Tokenizer } from "../src/tokenizer.js";
import { extractOnce } from "./extractRun.js";

const { values } = parseArgs({
  options: { model: { type: "string" }, "wav_scp": { type: "string" }, work: { type: "string" } },
});
if (!values.model || !values.wav_scp || !values.work) {
  process.stderr.write("usage: childA.js --model PATH --wav_scp FILE --work DIR\n");
  process.exit(2);
}
const tokenizer = await S3Tokenizer.load(values.model);
let seconds: number;
try {
  seconds = (await extractOnce(tokenizer, await readWavScp(values.wav_scp), values.work)).seconds;
} finally {
  await tokenizer.dispose();
}
// maxRSS is in kilobytes.
const peakRssMb = process.resourceUsage().maxRSS / 1024;
process.stdout.write(JSON.stringify({ peak_rss_mb: peakRssMb, seconds }) + "\n");
