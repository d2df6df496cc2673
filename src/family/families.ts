/**
 * Every tokenizer family the toolkit serves: the one place a family is registered. `load`, the
 * corpus job, `serve`, `models` and the shared test suite read this list; adding a family is one
 * line here (its TokenizerFamily object from src/models/<family>/family.ts).
 */
import { s3Family } from "../models/s3/family.js";
import { speechTokenizerFamily } from "../models/speechtokenizer/family.js";
import type { FamilyName, TokenizerFamily } from "./types.js";

export const FAMILIES: readonly TokenizerFamily[] = [s3Family, speechTokenizerFamily];

/** The family called `name`, or undefined. */
export function familyNamed(name: string): TokenizerFamily | undefined {
  return FAMILIES.find((family) => family.name === (name as FamilyName));
}
