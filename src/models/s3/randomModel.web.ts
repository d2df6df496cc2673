/** The page bundle's twin of randomModel.node.ts (see family/nodeOnly.ts). */
import { nodeOnly } from "../../family/nodeOnly.js";
import type { writeRandomS3 as NodeWrite } from "./randomModel.node.js";

export const writeRandomS3: typeof NodeWrite = async () => {
  throw nodeOnly("writing a random S3 model");
};
