/** EnCodec's Node entry point: a checkpoint (and config.json) from disk (name → path) into an EncodecModel. */
import { loadLocalFiles } from "../../family/loadLocal.js";
import type { FamilyLoadOptions, ModelFiles } from "../../family/types.js";
import { encodecFamily } from "./family.js";
import type { EncodecLoadOptions, EncodecModel } from "./model.js";

export async function loadEncodec(files: ModelFiles, source: string, options: FamilyLoadOptions & EncodecLoadOptions = {}): Promise<EncodecModel> {
  return (await loadLocalFiles(encodecFamily, files, source, options)) as EncodecModel;
}
