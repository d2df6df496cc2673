/**
 * Child entry for the peak-memory figure: `node childA.js --model PATH --wav_scp FILE --work DIR [--device D]`
 * loads the tokenizer and runs variant (a) once over the list, alone in its process, then prints
 * one JSON line with the process's peak resident set size.
 *
 * The peak is VmHWM from /proc/self/status where there is one, not process.resourceUsage().maxRSS:
 * Linux carries ru_maxrss across fork and exec, so a child spawned by the benchmark (which holds
 * gigabytes of sessions) would report the parent's size instead of its own. VmHWM belongs to the
 * address space the exec created, so it counts this process only.
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { readWavScp } from "../src/audio/wavScp.js";
import { selectDevice } from "../src/runtime/session.js";
import { CliExtraction } from "./extractRun.js";

/** Peak RSS in MiB, and where it was read from. */
function peakRss(): { mb: number; source: string } {
  try {
    const kb = /^VmHWM:\s*(\d+)\s*kB/m.exec(readFileSync("/proc/self/status", "utf8"))?.[1];
    if (kb) return { mb: Number(kb) / 1024, source: "VmHWM" };
  } catch {
    // Not Linux: fall through.
  }
  return { mb: process.resourceUsage().maxRSS / 1024, source: "maxRSS" }; // maxRSS is in KiB
}

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
