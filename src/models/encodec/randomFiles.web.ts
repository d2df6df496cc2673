/** The page bundle's twin of randomFiles.node.ts (see family/nodeOnly.ts). */
import { nodeOnly } from "../../family/nodeOnly.js";
import type { writeRandomEncodec as NodeWrite } from "./randomFiles.node.js";

export const writeRandomEncodec: typeof NodeWrite = async () => {
  throw nodeOnly("writing a random EnCodec model");
};
