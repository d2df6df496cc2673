/** FunCodec's Node entry point: config.yaml + model.pth from disk (name → path) into a FunCodecModel. */
import { loadLocalFiles } from "../../family/loadLocal.js";
import type { FamilyLoadOptions, ModelFiles } from "../../family/types.js";
import { funcodecFamily } from "./family.js";
import type { FunCodecLoadOptions, FunCodecModel } from "./model.js";

export async function loadFunCodec(files: ModelFiles, source: string, options: FamilyLoadOptions & FunCodecLoadOptions = {}): Promise<FunCodecModel> {
  return (await loadLocalFiles(funcodecFamily, files, source, options)) as FunCodecModel;
}
