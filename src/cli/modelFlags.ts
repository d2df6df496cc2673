/**
 * `--model` and the family flags that say how to load it: a registry name or a local path (any
 * family), or the local files a family's file flag names beside it (RepCodec's --feature_model);
 * the flags go into the loader's options, and a flag of another family than the model's is
 * refused once the model is known (cli/familyFlags.ts).
 */
import type { FamilyLoadOptions, TokenizerModel } from "../family/types.js";
import { requireFlag, type FlagValues } from "./args.js";
import { loadLocalFiles } from "../family/loadLocal.js";
import { familyLoadOptions, localModelFiles, refuseForeignOptions, type GivenOption } from "./familyFlags.js";

/** The model the flags name, loaded with `options` and the given family options. */
export async function loadModelFlags(values: FlagValues, given: readonly GivenOption[], options: FamilyLoadOptions): Promise<TokenizerModel> {
  const modelName = requireFlag(values, "model");
  const loadOptions: FamilyLoadOptions = { ...options, ...familyLoadOptions(given) };
  const local = await localModelFiles(given, modelName);
  const model = local !== undefined
    ? await loadLocalFiles(local.family, local.files, modelName, loadOptions)
    : await (await import("../registry/load.js")).load(modelName, loadOptions);
  try {
    refuseForeignOptions(given, model, modelName);
  } catch (error) {
    await model.dispose();
    throw error;
  }
  return model;
}
