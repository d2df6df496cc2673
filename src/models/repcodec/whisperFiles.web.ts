/** The page bundle's twin of whisperFiles.node.ts (see family/nodeOnly.ts). */
import { nodeOnly } from "../../family/nodeOnly.js";
import type { RepCodecWhisperModel as NodeOpen } from "./whisperFiles.node.js";

export const RepCodecWhisperModel: typeof NodeOpen = {
  async open(files) {
    throw nodeOnly(`opening ${files.whisper} by path`);
  },
};
