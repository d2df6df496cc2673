/**
 * Child entry for the peak-memory figure: `node childA.js --model PATH --wav_scp FILE --work DIR [--device D]`
 * loads the tokenizer and runs variant (a) once over the list, alone in its process, then prints
 * one JSON line with the process's peak resident set size (bench/peakRss.ts says which figure).
 */
import { parseArgs } from "node:util";
import { readWavScp } from "../src/audio/wavScp.js";
import { selectDevice } from "../src/runtime/session.js";
import { CliExtraction } from "./extractRun.js";
import { peakRss } from "./peakRss.js";

const { values } = parseArgs({
  options: { model: { type: "string" }, "wav_scp": { type: "string" }, work: { type: "string" }, device: { type: "string", default: "cpu" } },
});
if (!values.model || !values.wav_scp || !values.work) {
  process.stderr.write("usage: childA.js --model PATH --wav_scp FILE --work DIR [--device D]\n");
  process.exit(2);
}
const extraction = await CliExtraction.open(values.model, selectDevice(values.device));
let seconds: number;
try {
  seconds = (await extraction.run(await readWavScp(values.wav_scp), values.work)).seconds;
} finally {
  await extraction.dispose();
}
const peak = peakRss();
process.stdout.write(JSON.stringify({ peak_rss_mb: peak.mb, peak_rss_source: peak.source, seconds }) + "\n");
