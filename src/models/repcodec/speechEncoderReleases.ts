/**
 * RepCodec's four models over fairseq encoders (its README's table), which no registry entry can
 * offer: fairseq publishes no digest for its .pt files and RepCodec's .pkl are on Google Drive.
 * What the user fetches and where from, and the layer each was trained on: a RepCodec file of one
 * of these names reads that layer when --layer is not given. Browser-safe.
 */
export interface RepCodecSpeechEncoderRelease {
  /** RepCodec's name for it (its .pkl is `${name}.pkl`). */
  name: string;
  encoder: { file: string; url: string };
  repcodec: { file: string; page: string };
  /** 1-based transformer layer RepCodec was trained on. */
  layer: number;
}

const FAIRSEQ = "https://dl.fbaipublicfiles.com";
const DRIVE = "https://drive.google.com/file/d";

export const REPCODEC_SPEECH_ENCODER_RELEASES: readonly RepCodecSpeechEncoderRelease[] = [
  { name: "hubert_base_l9", encoder: { file: "hubert_base_ls960.pt", url: `${FAIRSEQ}/hubert/hubert_base_ls960.pt` }, repcodec: { file: "hubert_base_l9.pkl", page: `${DRIVE}/1XD0HKl607FFjri2-VJT7lHQeSpxsCCFO/view` }, layer: 9 },
  { name: "hubert_large_l18", encoder: { file: "hubert_large_ll60k.pt", url: `${FAIRSEQ}/hubert/hubert_large_ll60k.pt` }, repcodec: { file: "hubert_large_l18.pkl", page: `${DRIVE}/1mTbm5GeJ7gp_5L3QLP-JGXdf8RnRw5n6/view` }, layer: 18 },
  { name: "data2vec_base_l6", encoder: { file: "audio_base_ls.pt", url: `${FAIRSEQ}/fairseq/data2vec/audio_base_ls.pt` }, repcodec: { file: "data2vec_base_l6.pkl", page: `${DRIVE}/1d8sf3Ko_fYM9zlaiwxK_4xusLRKV5EMd/view` }, layer: 6 },
  { name: "data2vec_large_l18", encoder: { file: "vox_pretrained.pt", url: `${FAIRSEQ}/fairseq/data2vec/vox_pretrained.pt` }, repcodec: { file: "data2vec_large_l18.pkl", page: `${DRIVE}/1nuRIHaejT-uVi4cluftbT8o_JZqar5SU/view` }, layer: 18 },
];

/** The release whose RepCodec file is called `name`, if any. */
export function speechEncoderReleaseOf(name: string): RepCodecSpeechEncoderRelease | undefined {
  const base = name.replace(/^.*\//, "");
  return REPCODEC_SPEECH_ENCODER_RELEASES.find((release) => release.repcodec.file === base);
}
