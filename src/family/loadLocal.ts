/**
 * Opening a model of a known family from local files in Node: the files (name → path) as a model
 * source, on onnxruntime-node. The families' own Node entry points (loadFunCodec, ...) are this.
 * Loading by name or by any path goes through the registry (src/registry/load.ts) instead.
 */
import { nodeBackend } from "../runtime/nodeBackend.js";
import { filesSource, localSource } from "./localSource.js";
import { ModelNotFoundError, UnrecognizedModelError } from "../errors.js";
import type { DerivedFileCache } from "./derivedFiles.js";
import type { FamilyLoadOptions, ModelFiles, TokenizerModel, TokenizerFamily } from "./types.js";

/** `family`'s model from `files`; `label` names it in messages; `derivedFiles`: where converted graphs are kept, if anywhere. */
export function loadLocalFiles(family: TokenizerFamily, files: ModelFiles, label: string, options: FamilyLoadOptions = {}, derivedFiles?: DerivedFileCache): Promise<TokenizerModel> {
  return family.open(filesSource(files, label), options, { backend: nodeBackend, ...(derivedFiles ? { derivedFiles } : {}) });
}

/**
 * `family`'s files at a local path (name → path), or null when the path holds none of its model:
 * what the family's detect() finds in the path's source.
 */
export async function detectLocal(family: TokenizerFamily, path: string): Promise<ModelFiles | null> {
  const source = localSource(path);
  if (source === null) throw new ModelNotFoundError(path, "no such file or folder");
  const names = await family.detect(source);
  return names === null ? null : Object.fromEntries(names.map((name) => [name, source.locate(name)]));
}

/** `family`'s model at a local path (file or folder), or UnrecognizedModelError when it holds none. */
export async function loadLocalPath(family: TokenizerFamily, path: string, options: FamilyLoadOptions = {}, derivedFiles?: DerivedFileCache): Promise<TokenizerModel> {
  const files = await detectLocal(family, path);
  if (files === null) throw new UnrecognizedModelError(path, [family.name]);
  return loadLocalFiles(family, files, path, options, derivedFiles);
}
