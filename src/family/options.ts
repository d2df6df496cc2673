/**
 * A family's own options, declared once in its folder (src/models/<family>/options.ts) and read
 * from its TokenizerFamily: the commands' flags and their help (cli/familyFlags.ts), the
 * service's query parameters (serve/encodeQuery.ts), the part file's provenance and the refusal
 * of an option given to a model of another family are all made from these declarations, so a
 * new family's option needs no line outside its folder.
 */
import type { FamilyFacts, ModelFiles } from "./types.js";

/** The commands that take family options as flags. */
export type OptionCommand = "extract" | "serve" | "decode";

/** Where an option's value goes. */
export type OptionTarget =
  /** The loader's options (FamilyLoadOptions and the family's own), under this key. */
  | { readonly load: string }
  /** Each encode call's options, under this key. */
  | { readonly encode: string }
  /** Each decode call's options, under this key; a flag without a value puts `value` there. */
  | { readonly decode: string; readonly value?: unknown }
  /** With --model, the local files the family loads from (a file flag naming a second file). */
  | { readonly files: (model: string, value: string) => ModelFiles };

/** How the part file's provenance record keeps an option that changes tokens. */
export interface ProvenanceField {
  /** The record's field ("bitWidth"). */
  readonly field: string;
  /** How messages name it ("bit width"). */
  readonly label: string;
  /**
   * Present: every record of the family holds the field, given or not, as `record(value)`
   * (value undefined when not given). Absent: only a given value is recorded, as given.
   */
  readonly record?: (value: unknown) => unknown;
  /** A value messages need not name (what the field is when nothing was asked). */
  readonly quiet?: unknown;
  /** What a record of the family without the field means (one written before the field existed). */
  readonly olderRecords?: unknown;
}

/** The service's query parameter that carries an option per request. */
export interface QueryParameter {
  readonly name: string;
  /** Smallest and largest value for a model (integers). */
  readonly min: number;
  readonly max: (model: FamilyFacts) => number;
  /**
   * A value that is not an integer (EnCodec's bandwidth, 1.5 kbps): its text checked and
   * converted, throwing a message that says what is wrong; min and max do not apply then.
   */
  readonly parse?: (text: string) => number;
}

export interface FamilyOption {
  /**
   * The flag as parseArgs sees it, kebab-case without dashes ("bit-width"); help and messages
   * write it --bit_width. For an option that only owns a value of a flag every family takes
   * (`value`), that flag's name.
   */
  readonly name: string;
  /** "integer": a positive integer; "string": text that `parse` checks; "boolean": given or not; "file": a local file. */
  readonly type: "integer" | "string" | "boolean" | "file";
  /** Set: the family owns only this value of the common flag `name` (`--format funcodec`), not the flag. */
  readonly value?: string;
  /** The value's name in help ("B"); absent for a boolean. */
  readonly placeholder?: string;
  /** Help lines: the first beside the flag, the others under it. */
  readonly help: readonly string[];
  /** Commands that take it as a flag (none: a query parameter only). */
  readonly commands: readonly OptionCommand[];
  /** Where its value goes; absent for a value of a common flag (`value`), which that flag's own code reads. */
  readonly into?: OptionTarget;
  /** A "string" value checked and converted; throws a UsageError saying what is wrong. */
  readonly parse?: (text: string) => unknown;
  /** A flag every family takes that cannot be given with this one ("n-q"), nor its query parameter. */
  readonly excludes?: string;
  readonly query?: QueryParameter;
  readonly provenance?: ProvenanceField;
  /**
   * The refusal when a model of another family is given it (`source` names the model); absent:
   * "--flag: SOURCE is a FAMILY model; only OWNER models take it".
   */
  readonly refusal?: (value: unknown, source: string, family: string) => string;
}

/** A family as its options see it: its name, how messages title it, and its declarations. */
export interface OptionOwner {
  readonly name: string;
  readonly title: string;
  readonly options: readonly FamilyOption[];
}

/** `bit-width` → `--bit_width`, as the help texts and messages write flags. */
export function flagText(name: string): string {
  return `--${name.replace(/-/g, "_")}`;
}

/** The options of every family with their owners, each declaration once. */
export function ownedOptions(families: readonly OptionOwner[]): { option: FamilyOption; owner: OptionOwner }[] {
  return families.flatMap((owner) => owner.options.map((option) => ({ option, owner })));
}

/** Titles of the families that declare an option called `name` (with `value`, where it owns a value). */
export function ownerTitles(families: readonly OptionOwner[], option: FamilyOption): string[] {
  return families.filter((f) => f.options.some((o) => o.name === option.name && o.value === option.value)).map((f) => f.title);
}
