/**
 * RepCodec over HuBERT with seeded random weights, in the released formats (a fairseq HuBERT
 * checkpoint and a RepCodec trainer `.pkl`): "released" is RepCodec's hubert_base_l9 (HuBERT
 * base read at layer 9, repcodec_dim768.yaml's shapes), "tiny" a test-sized one.
 */
import { join } from "node:path";
import { writeRandomHubert } from "../speechEncoders/randomModel.js";
import { uniformSource, writeRandomRepCodec, type RepCodecShapes } from "./randomModel.node.js";
import { SPEECH_ENCODER_REPCODEC_FILES } from "./speechEncoderRepCodec.js";

const SIZES: Record<"tiny" | "released", { width: number; layer: number; repcodec: RepCodecShapes }> = {
  tiny: { width: 64, layer: 2, repcodec: { channels: 32, codeDim: 16, codebookSize: 64 } },
  released: { width: 768, layer: 9, repcodec: { channels: 768, codeDim: 768, codebookSize: 1024 } },
};

/** The layer RepCodec reads for a size (hubert_base_l9: 9). */
export function randomHubertRepCodecLayer(size: "tiny" | "released"): number {
  return SIZES[size].layer;
}

/** Writes feature_model.pt and repcodec.pkl into `dir`; returns file name → path. */
export function writeRandomRepCodecHubert(dir: string, seed: number, size: "tiny" | "released"): Record<string, string> {
  const names = SPEECH_ENCODER_REPCODEC_FILES;
  const files = { [names.featureModel]: join(dir, names.featureModel), [names.repcodec]: join(dir, names.repcodec) };
  const random = uniformSource(seed);
  writeRandomHubert(files[names.featureModel]!, size, random);
  writeRandomRepCodec(files[names.repcodec]!, SIZES[size].width, SIZES[size].repcodec, random);
  return files;
}
