/** Opening a k-means model file in Node (units.ts has the backend-neutral quantizer). */
import { readWholeFile } from "../../checkpoint/readWholeFile.js";
import { parseKMeansModel } from "./joblibModel.js";
import { KMeansQuantizer } from "./units.js";

/** The quantizer of the joblib k-means file at `path`. */
export async function openKMeansQuantizer(path: string): Promise<KMeansQuantizer> {
  return new KMeansQuantizer(parseKMeansModel(await readWholeFile(path), path));
}
