/**
 * Per family, how the benchmark runs upstream on the family's released-size random model: which
 * runner under bench/upstream, with which checkout(s) and model files, and whether it decodes.
 */
import { join } from "node:path";
import type { ModelFiles } from "../src/family/types.js";
import { randomHubertRepCodecLayer } from "../src/models/repcodec/speechEncoderRandomModel.js";
import type { FamilyKey } from "./familyModels.js";
import type { RunnerCommand } from "./upstreamProcess.js";

/** The checkouts given on the command line (null: not given). */
export interface UpstreamCheckouts {
  speechtokenizer: string | null;
  funcodec: string | null;
  repcodec: string | null;
  whisper: string | null;
}

export interface UpstreamAdapter {
  /** The runner command for a model's files. */
  command(files: ModelFiles): RunnerCommand;
  /** Whether upstream decodes codes to audio ((ud) is timed). */
  decodes: boolean;
}

/** FunCodec's (a) runs the CLI's default, every row: 32 rows, which is upstream's bit width 8000 on the ds640 model. */
export const FUNCODEC_BIT_WIDTH = 8000;
/** Whisper-medium's last block, the one RepCodec's whisper_medium_l24 reads (1-based). */
export const REPCODEC_WHISPER_LAYER = 24;

function fileMatching(files: ModelFiles, pattern: RegExp, what: string): string {
  const name = Object.keys(files).find((n) => pattern.test(n));
  if (name === undefined) throw new Error(`the model's files lack ${what}: ${Object.keys(files).join(", ")}`);
  return files[name]!;
}

/** The adapter of `key`, or null when its checkout(s) were not given. */
export function upstreamAdapter(key: FamilyKey, checkouts: UpstreamCheckouts): UpstreamAdapter | null {
  switch (key) {
    case "speechtokenizer": {
      const dir = checkouts.speechtokenizer;
      if (dir === null) return null;
      return {
        decodes: true,
        command: (files) => ({
          script: "speechtokenizer_run.py",
          args: ["--upstream", dir, "--config", fileMatching(files, /\.json$/, "a config"), "--ckpt", fileMatching(files, /\.(pt|pth|ckpt|bin)$/, "a checkpoint")],
        }),
      };
    }
    case "funcodec": {
      const dir = checkouts.funcodec;
      if (dir === null) return null;
      return {
        decodes: true,
        command: (files) => ({
          script: "funcodec_run.py",
          args: ["--upstream", dir, "--config", fileMatching(files, /\.ya?ml$/, "a config.yaml"), "--ckpt", fileMatching(files, /\.pth$/, "a model.pth"),
            "--bit-width", String(FUNCODEC_BIT_WIDTH)],
        }),
      };
    }
    case "repcodec_whisper": {
      const { repcodec, whisper } = checkouts;
      if (repcodec === null || whisper === null) return null;
      return {
        decodes: false,
        command: (files) => ({
          script: "repcodec_whisper_run.py",
          args: ["--upstream-repcodec", repcodec, "--upstream-whisper", whisper,
            "--whisper", fileMatching(files, /\.pt$/, "a Whisper .pt"), "--repcodec", fileMatching(files, /\.pkl$/, "a RepCodec .pkl"),
            // The released random model's RepCodec has repcodec_dim1024's shapes (src/models/repcodec/randomModel.node.ts).
            "--repcodec-config", join(repcodec, "repcodec", "configs", "repcodec_dim1024.yaml"), "--layer", String(REPCODEC_WHISPER_LAYER)],
        }),
      };
    }
    case "repcodec_hubert": {
      const { repcodec } = checkouts;
      if (repcodec === null) return null;
      return {
        decodes: false,
        command: (files) => ({
          script: "repcodec_hubert_run.py",
          args: ["--upstream-repcodec", repcodec,
            "--feature-model", fileMatching(files, /\.pt$/, "a fairseq HuBERT .pt"), "--repcodec", fileMatching(files, /\.pkl$/, "a RepCodec .pkl"),
            // The released random model's RepCodec has repcodec_dim768's shapes (src/models/repcodec/speechEncoderRandomModel.ts).
            "--repcodec-config", join(repcodec, "repcodec", "configs", "repcodec_dim768.yaml"), "--layer", String(randomHubertRepCodecLayer("released"))],
        }),
      };
    }
  }
}
