/** The page bundle's twin of randomFiles.node.ts (see family/nodeOnly.ts). */
import { nodeOnly } from "../../family/nodeOnly.js";
import type { writeRandomSpeechTokenizer as NodeWrite } from "./randomFiles.node.js";

export const writeRandomSpeechTokenizer: typeof NodeWrite = async () => {
  throw nodeOnly("writing a random SpeechTokenizer model");
};
