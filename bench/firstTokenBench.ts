/**
 * `npm run bench -- --first-token-only`: the CLI's start-up to its first tokens (firstToken.ts)
 * for every model asked for (an S3 version's file, another family's folder), one after another,
 * with nothing else running, and no throughput rounds: the measurement the full benchmark takes
 * after each model's rounds, repeatable in a minute or two.
 */
import { firstTokenNote, fixed, table } from "./report.js";
import { measureFirstToken, type FirstTokenResult } from "./firstToken.js";

export type FirstTokenOutcome = { result: FirstTokenResult } | { error: string };

export interface FirstTokenContext {
  cliPath: string;
  /** The one-line list of the 2 s utterance (the workload's firstTokenScp). */
  scp: string;
  repeats: number;
  deviceFlag: string;
  log: (line: string) => void;
}

/** Each model's measurement, in the order given (`models`: key → what --model takes). */
export async function benchFirstTokens(models: readonly [string, string][], ctx: FirstTokenContext): Promise<Record<string, FirstTokenOutcome>> {
  const outcomes: Record<string, FirstTokenOutcome> = {};
  for (const [key, model] of models) {
    ctx.log(`${key}: start-up to first token (CLI, 1 + ${ctx.repeats} runs)`);
    try {
      const result = await measureFirstToken(ctx.cliPath, ctx.scp, model, ctx.repeats, ctx.deviceFlag);
      outcomes[key] = { result };
      ctx.log(`  ${key}: ${firstTokenNote(result)}`);
    } catch (error) {
      outcomes[key] = { error: error instanceof Error ? error.message : String(error) };
    }
  }
  return outcomes;
}

/** A table of the medians and every run, then each model's note or error. */
export function formatFirstTokenReport(outcomes: Record<string, FirstTokenOutcome>): string {
  const entries = Object.entries(outcomes);
  const out = [table(
    ["model", "first token s", "runs s", "exit s", "load average"],
    entries.map(([key, o]) => "error" in o
      ? [key, "–", "–", "–", "–"]
      : [
        key,
        fixed(o.result.first_token_s, 2),
        o.result.first_token_runs_s.map((s) => s.toFixed(2)).join(", "),
        fixed(o.result.process_total_s, 2),
        o.result.load_average_1m.map((l) => l.toFixed(1)).join(" → "),
      ]),
  ), ""];
  for (const [key, o] of entries) out.push("error" in o ? `${key}: ERROR in first_token: ${o.error}` : `${key}: ${firstTokenNote(o.result)}`);
  return out.join("\n") + "\n";
}
