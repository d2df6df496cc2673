/** The other families' part of the readable report: headline table, timings, notes and errors. */
import { firstTokenNote, fixed, table, timingTable } from "./report.js";
import type { FamilyResult } from "./results.js";
import { cliLoads, type FamilyKey } from "./familyModels.js";

/** The flags that give each family's upstream, for the note when (u) was left out. */
const UPSTREAM_FLAGS: Record<string, string> = {
  speechtokenizer: "--upstream-speechtokenizer DIR",
  funcodec: "--upstream-funcodec DIR",
  repcodec_whisper: "--upstream-repcodec DIR --upstream-whisper DIR",
  repcodec_hubert: "--upstream-repcodec DIR",
  encodec_24khz: "--upstream-encodec DIR",
  encodec_48khz: "--upstream-encodec DIR",
};

export function formatFamilyReport(results: Record<string, FamilyResult>): string {
  const entries = Object.entries(results);
  const out: string[] = [];
  out.push(table(
    ["family", "(a) encode xRT", "fast xRT", "(d) decode xRT", "(u) encode xRT", "(u) decode xRT", "a/u", "fast/u", "d/u", "peak RSS MB", "(u) peak RSS MB", "first token s", "codes = upstream", "fast = exact (fixtures)"],
    entries.map(([key, r]) => [
      key,
      fixed(r.a_xrt, 1),
      fixed(r.fast_xrt, 1),
      fixed(r.d_xrt, 1),
      fixed(r.u_encode_xrt, 1),
      fixed(r.u_decode_xrt, 1),
      fixed(r.a_over_u, 2),
      fixed(r.fast_over_u, 2),
      fixed(r.d_over_u, 2),
      fixed(r.peak_rss_mb, 0),
      fixed(r.u_peak_rss_mb, 0),
      fixed(r.first_token_s, 2),
      fixed(r.a_vs_u_codes_equal_pct, 2, "%"),
      fixed(r.fast_vs_exact_fixtures_equal_pct, 2, "%"),
    ]),
  ));
  out.push("");
  out.push(timingTable(entries));
  out.push("");
  for (const [key, r] of entries) {
    for (const [what, error] of Object.entries(r.errors)) out.push(`${key}: ERROR in ${what}: ${error}`);
    if (Object.keys(r.timings).length === 0) continue; // nothing ran: the errors say why
    // The workload line above counts the whole set; EnCodec's --quick measures a part of it (encodecBench.ts).
    const notes = [`${r.audio_seconds.toFixed(1)} s of audio`, `${r.threads} threads on both sides`];
    if (r.u_torch) {
      const blas = r.u_torch.openblas_core ? `OpenBLAS kernel ${r.u_torch.openblas_core}` : "not OpenBLAS";
      notes.push(`upstream on torch ${r.u_torch.version} (${blas}), 1024x1024 fp32 matmul ${r.u_torch.matmul_gflops.toFixed(0)} GFLOP/s`);
    }
    if (r.load_average_1m) notes.push(`load average ${r.load_average_1m.map((l) => l.toFixed(1)).join(" → ")} over the timed rounds`);
    if (r.first_token) notes.push(firstTokenNote(r.first_token));
    else if (!cliLoads(key as FamilyKey)) notes.push("no first-token figure: the CLI does not load this model yet (opened by its library call)");
    if (r.u_encode_xrt == null && !r.errors["u"]) notes.push(`(u) left out: give ${UPSTREAM_FLAGS[key] ?? "its upstream checkout"} (and --python with torch)`);
    if (r.d_xrt == null && !r.errors["a"] && !r.errors["d"]) notes.push("no (d): the family has no audio decoder");
    if (r.fast_fixtures) {
      const f = r.fast_fixtures;
      notes.push(`fast mode: ${f.differing} of ${f.positions} codes differ from exact mode on ${f.clips.length} fixture clips (${f.fixtures})` +
        (r.fast_vs_a_codes_equal_pct == null ? "" : `, ${fixed(r.fast_vs_a_codes_equal_pct, 2, "%")} equal to (a)'s on the workload (random weights)`));
    }
    out.push(`${key}: ${notes.join("; ")}`);
    if (r.u_torch?.slow_blas) out.push(`${key}: WARNING: upstream's torch has a slow BLAS; its figures are not representative (docs/benchmark.md)`);
  }
  return out.join("\n") + "\n";
}
