/** The browser column's part of the readable report: one row per model, then notes and errors. */
import type { BrowserResult } from "./browserBench.js";
import { fixed, table } from "./report.js";

function megabytes(bytes: number | null | undefined): string {
  return bytes == null ? "–" : (bytes / 1e6).toFixed(2);
}

export function formatBrowserReport(results: [string, BrowserResult][]): string {
  const out: string[] = [];
  const threads = results[0]?.[1].threads ?? 0;
  out.push(`In the browser: headless Chromium, the page (npm run web), onnxruntime-web on WebAssembly with ${threads} threads, one timed pass`);
  out.push("");
  out.push(table(
    ["model", "browser xRT", "Node (a) xRT", "browser/Node", "fast: browser xRT", "Node xRT", "browser/Node", "page JS MB", "page wasm MB", "first load s", "cached load s", "first token (cached) s"],
    results.map(([key, r]) => [
      key,
      fixed(r.xrt, 2),
      fixed(r.node_xrt, 2),
      fixed(r.over_node == null ? null : r.over_node * 100, 0, "%"),
      fixed(r.fast_xrt, 2),
      fixed(r.node_fast_xrt, 2),
      fixed(r.fast_over_node == null ? null : r.fast_over_node * 100, 0, "%"),
      megabytes(r.download_bytes?.js),
      megabytes(r.download_bytes?.wasm),
      fixed(r.first_load_s, 1),
      fixed(r.cached_load_s, 1),
      fixed(r.first_token_cached_s, 2),
    ]),
  ));
  out.push("");
  for (const [key, r] of results) {
    for (const [what, error] of Object.entries(r.errors)) out.push(`${key}: ERROR in ${what}: ${error}`);
    if (r.xrt == null) continue;
    const notes = [
      `${r.chromium ?? "Chromium"}, ${r.cross_origin_isolated ? "cross-origin isolated" : "NOT cross-origin isolated (1 thread)"}`,
      `pass ${fixed(r.pass_s, 1)} s (in the page: decode ${fixed(r.decode_s, 1)} s, tokenize ${fixed(r.tokenize_s, 1)} s)`,
      `model ${megabytes(r.model_bytes)} MB; ${megabytes(r.cached_load_downloaded_bytes)} MB of it fetched again on the second visit`,
      `second visit's page start ${fixed(r.page_start_s, 2)} s`,
    ];
    out.push(`${key} browser: ${notes.join("; ")}`);
    if (r.xrt_bound != null) {
      out.push(`${key} bound: the page's fp32 MatMul ceiling ${fixed(r.wasm_gemm_gflops, 0)} GFLOP/s (best run; onnxruntime-web, ${r.threads} threads; ` +
        `onnxruntime-node's ${fixed(r.node_gemm_gflops, 0)}) over the model's ${fixed(r.gflop_per_audio_s, 2)} GFLOP per audio second: ` +
        `at most ${fixed(r.xrt_bound, 2)}x real time in the page, ${fixed(r.bound_over_node == null ? null : r.bound_over_node * 100, 0, "%")} of Node (a)`);
    }
  }
  return out.join("\n") + "\n";
}
