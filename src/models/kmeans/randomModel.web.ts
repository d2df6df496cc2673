/** The page bundle's twin of randomModel.node.ts (see family/nodeOnly.ts). */
import { nodeOnly } from "../../family/nodeOnly.js";
import type { writeRandomKMeansModel as NodeWrite } from "./randomModel.node.js";

export const writeRandomKMeansModel: typeof NodeWrite = () => {
  throw nodeOnly("writing a random k-means model");
};
