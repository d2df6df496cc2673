/**
 * Runs a released S3Tokenizer file itself, one utterance at a time with batch size 1, as
 * CosyVoice's extraction script does: the reference that `verify` compares this project against.
 * Audio over 30 s goes through the same windows and merge as the batched path, since the
 * released graphs are only defined up to their position tables.
 */
import type * as OrtTypes from "onnxruntime-node";
import { ModelStructureError } from "../../errors.js";
import type { MelSpectrogram } from "../../features/logMel.js";
import { packBatch } from "./melView.js";
import { mergeWindowTokens, planSegments, type LongAudioCompat } from "./windows.js";
import { openSession, ort, type RuntimeOptions } from "../../runtime/session.js";

export class ReleasedModelRunner {
  private constructor(
    private readonly session: OrtTypes.InferenceSession,
    private readonly source: string,
  ) {}

  static async open(path: string, options: RuntimeOptions = {}): Promise<ReleasedModelRunner> {
    const session = await openSession(path, options, path);
    if (session.inputNames.length < 2 || session.outputNames.length < 1) {
      throw new ModelStructureError(path, "inputs (feats, feats_length) and an output (indices)");
    }
    return new ReleasedModelRunner(session, path);
  }

  /**
   * Tokens of one utterance; `tokenRate` merges the windows of long audio, planned as `compat`
   * says (models/s3/windows.ts; undefined: the whole length).
   */
  async tokens(mel: MelSpectrogram, tokenRate: number, compat?: LongAudioCompat): Promise<Int32Array> {
    const windows: Int32Array[] = [];
    for (const segment of planSegments([mel.frames], tokenRate, compat)) {
      const view = { data: mel.data, nMels: mel.nMels, offset: segment.start, rowStride: mel.frames, frames: segment.frames };
      const packed = packBatch([view], mel.nMels); // [1, M, frames]
      const [featsName, lengthName] = this.session.inputNames as [string, string];
      const outputs = await this.session.run({
        [featsName]: new ort.Tensor("float32", packed.data, [1, mel.nMels, segment.frames]),
        [lengthName]: new ort.Tensor("int32", Int32Array.from([segment.frames]), [1]),
      });
      const indices = outputs[this.session.outputNames[0]!];
      if (!indices) throw new ModelStructureError(this.source, "the indices output");
      windows.push(Int32Array.from(indices.data as ArrayLike<number | bigint>, Number)); // [T2]
      indices.dispose();
    }
    return mergeWindowTokens(windows, tokenRate);
  }

  async dispose(): Promise<void> {
    await this.session.release();
  }
}
