/**
 * The readable report: Markdown tables (so a run can be pasted into the README as it is) with
 * the headline figures per version, then the min/median details, the MatMul ceiling per shape,
 * and every note and error.
 */
import type { FirstTokenResult } from "./firstToken.js";
import type { MachineInfo } from "./machine.js";
import { DISTURBED_BELOW, type VariantTiming, type VersionResult } from "./results.js";
import type { Workload } from "./workload.js";

export function fixed(value: number | null | undefined, digits: number, suffix = ""): string {
  return value == null || !Number.isFinite(value) ? "–" : `${value.toFixed(digits)}${suffix}`;
}

export function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}

/** Every variant's runs, best and median, per model. */
export function timingTable(entries: [string, { timings: Partial<Record<string, VariantTiming>> }][]): string {
  const rows: string[][] = [];
  for (const [key, r] of entries) {
    for (const [name, t] of Object.entries(r.timings)) {
      if (!t) continue;
      rows.push([key, name, String(t.runs_s.length), fixed(t.min_s, 2), fixed(t.median_s, 2), fixed(t.xrt_best, 1), fixed(t.xrt_median, 1)]);
    }
  }
  return table(["model", "variant", "runs", "min s", "median s", "xRT best", "xRT median"], rows);
}

/** The first-token measurement in words: every run, the exit, the unmeasured first start, the load. */
export function firstTokenNote(f: FirstTokenResult): string {
  const runs = f.first_token_runs_s.map((s) => s.toFixed(2)).join(", ");
  const load = f.load_average_1m ? `; load average ${f.load_average_1m.map((l) => l.toFixed(1)).join(" → ")}` : "";
  return `CLI with one 2 s utterance: first line after ${fixed(f.first_token_s, 2)} s (median of ${runs}), ` +
    `exit after ${fixed(f.process_total_s, 2)} s (unmeasured first run: exit after ${fixed(f.cold_run_total_s, 2)} s)${load}`;
}

export function describeWorkload(workload: Workload): string {
  const long = workload.spec.longSeconds.join(", ");
  return `${workload.utterances.length} utterances (${workload.spec.shortCount} of 2-20 s, ${workload.spec.longSeconds.length} of ${long} s), ` +
    `${workload.audioSeconds.toFixed(1)} s of audio`;
}

export function formatReport(machine: MachineInfo, workload: Workload, repeats: number, results: Record<string, VersionResult>, device = "cpu"): string {
  const entries = Object.entries(results);
  const out: string[] = [];
  out.push(`Machine: ${machine.cpu_model}, ${machine.cores} cores, ${machine.memory_gb} GB; ${machine.simd.join(" ")}; ` +
    `node ${machine.node}, onnxruntime-node ${machine.onnxruntime}; device ${device}`);
  out.push(`Workload: ${describeWorkload(workload)}; ${repeats} repeats; x real time from median times.`);
  out.push("");
  if (entries.length === 0) return out.join("\n") + "\n"; // only other families were asked for
  out.push(table(
    ["model", "(a) xRT", "(b1) xRT", "(b2) xRT", "a/b1", "a/b2", "(a) GFLOP/s", "ceiling GFLOP/s", "share", "peak RSS MB", "first token s", "fast xRT", "fast miss %"],
    entries.map(([key, r]) => [
      key,
      fixed(r.a_xrt, 1),
      fixed(r.b1_xrt, 1),
      fixed(r.b2_xrt, 1),
      fixed(r.a_over_b1, 2),
      fixed(r.a_over_b2, 2),
      fixed(r.a_gflops, 0),
      fixed(r.gemm_gflops, 0),
      fixed(r.a_share_of_ceiling == null ? null : r.a_share_of_ceiling * 100, 0, "%"),
      fixed(r.peak_rss_mb, 0),
      fixed(r.first_token_s, 2),
      fixed(r.fast_xrt, 1),
      fixed(r.fast_miss_rate_pct, 2),
    ]),
  ));
  out.push("");
  out.push(timingTable(entries));
  out.push("");
  const gemmRows = entries.flatMap(([key, r]) =>
    (r.gemm?.shapes ?? []).map((s) => [key, s.shape, String(s.runs), fixed(s.median_gflops, 0), fixed(s.best_gflops, 0)]));
  if (gemmRows.length > 0) {
    out.push(table(["measured with", "MatMul (all cores)", "runs", "median GFLOP/s", "best GFLOP/s"], gemmRows));
    out.push("");
  }
  for (const [key, r] of entries) {
    const extra: string[] = [`model work ${(r.flops.total / 1e12).toFixed(2)} TFLOP`];
    if (r.load_average_1m) extra.push(`load average ${r.load_average_1m.map((l) => l.toFixed(1)).join(" → ")} over the timed rounds`);
    if (r.a_vs_b1_miss_rate_pct != null) extra.push(`(a) vs (b1) token miss rate ${r.a_vs_b1_miss_rate_pct.toFixed(3)}%`);
    if (r.first_token) extra.push(firstTokenNote(r.first_token));
    out.push(`${key}: ${extra.join("; ")}`);
    const stability = r.gemm_median_over_best;
    if (stability != null && stability < DISTURBED_BELOW) {
      out.push(`${key}: WARNING: the MatMul ceiling's median is ${(100 * (1 - stability)).toFixed(0)}% below its best run: ` +
        "other work shared the cores during these rounds, so this version's medians are disturbed; rerun on a quiet machine");
    }
    for (const [what, error] of Object.entries(r.errors)) out.push(`${key}: ERROR in ${what}: ${error}`);
  }
  return out.join("\n") + "\n";
}
