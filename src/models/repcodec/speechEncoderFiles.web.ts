/** The page bundle's twin of speechEncoderFiles.node.ts (see family/nodeOnly.ts). */
import { nodeOnly } from "../../family/nodeOnly.js";
import type { openRepCodecSpeechEncoder as NodeOpen } from "./speechEncoderFiles.node.js";

export const openRepCodecSpeechEncoder: typeof NodeOpen = async (files) => {
  throw nodeOnly(`opening ${files.featureModel} by path`);
};
