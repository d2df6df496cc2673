/** RepCodec over Whisper's registry models: the facts the family object needs without the model code. */

/** A registry model: the Whisper file it downloads, the RepCodec file the user places. */
export interface RepCodecWhisperRelease {
  name: string;
  whisper: { file: string; url: string; sha256: string };
  repcodec: { file: string; page: string };
  /** 1-based Whisper block RepCodec was trained on. */
  layer: number;
}

const WHISPER_BASE = "https://openaipublic.azureedge.net/main/whisper/models";

export const REPCODEC_RELEASES: readonly RepCodecWhisperRelease[] = [
  {
    name: "repcodec_whisper_medium_l24",
    whisper: { file: "medium.pt", url: `${WHISPER_BASE}/345ae4da62f9b3d59415adc60127b97c714f32e89e936602e85993674d08dcb1/medium.pt`, sha256: "345ae4da62f9b3d59415adc60127b97c714f32e89e936602e85993674d08dcb1" },
    repcodec: { file: "whisper_medium_l24.pkl", page: "https://drive.google.com/file/d/1V6YJSA2V4iywXrecJAN0oqsa3aHowexZ/view" },
    layer: 24,
  },
  {
    name: "repcodec_whisper_large_l32",
    whisper: { file: "large-v2.pt", url: `${WHISPER_BASE}/81f7c96c852ee8fc832187b0132e569d6c3065a3252ed18e56effd0b6a73e524/large-v2.pt`, sha256: "81f7c96c852ee8fc832187b0132e569d6c3065a3252ed18e56effd0b6a73e524" },
    repcodec: { file: "whisper_large_l32.pkl", page: "https://drive.google.com/file/d/1k_X7ZMPg8iOeDrIJe70v6CHfFygzufXC/view" },
    layer: 32,
  },
];
