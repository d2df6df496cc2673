/**
 * The flags every family declares for itself (family/options.ts), made into a command's parseArgs
 * table and help lines, and what a given flag puts into the loader's, each encode's or each
 * decode's options or the part file's provenance. A flag of a family other than the loaded
 * model's is refused naming both. No family is named here: each one's options live in its folder.
 */
import { existsSync, statSync } from "node:fs";
import type { ParseArgsConfig } from "node:util";
import { ModelNotFoundError, UsageError } from "../errors.js";
import { filesSource } from "../family/localSource.js";
import { FAMILIES } from "../registry/families.js";
import { flagText, ownedOptions, ownerTitles, type FamilyOption, type OptionCommand } from "../family/options.js";
import type { ModelFiles, TokenizerModel, TokenizerFamily } from "../family/types.js";
import { integerFlag, type FlagValues } from "./args.js";

/** One family option a command was given, with its checked value. */
export interface GivenOption {
  readonly option: FamilyOption;
  readonly value: unknown;
}

/** The flags `command` takes from the families, each name once (several families may declare one). */
function commandOptions(command: OptionCommand): FamilyOption[] {
  const byName = new Map<string, FamilyOption>();
  for (const { option } of ownedOptions(FAMILIES)) {
    if (option.commands.includes(command) && option.value === undefined && !byName.has(option.name)) byName.set(option.name, option);
  }
  return [...byName.values()];
}

/** Values of common flags that families own (`--format funcodec`), for `command`. */
function ownedValues(command: OptionCommand): FamilyOption[] {
  return ownedOptions(FAMILIES).flatMap(({ option }) => (option.value !== undefined && option.commands.includes(command) ? [option] : []));
}

/** parseArgs options of the families' flags for `command`. */
export function familyFlagTable(command: OptionCommand): NonNullable<ParseArgsConfig["options"]> {
  return Object.fromEntries(commandOptions(command).map((option) => [option.name, { type: option.type === "boolean" ? "boolean" : "string" } as const]));
}

/** The widest help line the commands write. */
const HELP_WIDTH = 104;

/** `line` cut at spaces into lines of at most `width` characters, the later ones after `indent`. */
function wrap(line: string, width: number, indent: string): string[] {
  const lines: string[] = [];
  let rest = line;
  while (rest.length > width) {
    const cut = rest.lastIndexOf(" ", width);
    if (cut <= indent.length) break;
    lines.push(rest.slice(0, cut));
    rest = indent + rest.slice(cut + 1);
  }
  return [...lines, rest];
}

/** Help lines laid out as a command's: the flag, then its text from `column` on (long lines wrapped). */
export function helpLines(flag: string, text: readonly string[], column: number): string {
  const head = `  ${flag}`;
  const pad = " ".repeat(column);
  const body = text.flatMap((line) => wrap(line, HELP_WIDTH - column, /^ */.exec(line)![0] + "  "));
  const first = head.length < column ? [head.padEnd(column) + body[0]] : [head, pad + body[0]];
  return [...first, ...body.slice(1).map((line) => pad + line)].join("\n");
}

/** The help of the families' flags for `command`, each laid out from `column`. */
export function familyFlagsHelp(command: OptionCommand, column: number): string {
  return commandOptions(command)
    .map((option) => helpLines(`${flagText(option.name)}${option.placeholder === undefined ? "" : ` ${option.placeholder}`}`, option.help, column))
    .join("\n");
}

/** The family-owned values of the common flag `name` (`funcodec` of --format), and their help lines. */
export function ownedFlagValues(command: OptionCommand, name: string): { values: string[]; help: string[] } {
  const owned = ownedValues(command).filter((option) => option.name === name);
  return { values: owned.map((option) => option.value!), help: owned.flatMap((option) => option.help) };
}

/** The family options among `values`, checked (type, value, flags they exclude), in declaration order. */
export function givenFamilyOptions(values: FlagValues, command: OptionCommand): GivenOption[] {
  const given: GivenOption[] = [];
  for (const option of commandOptions(command)) {
    const raw = values[option.name];
    if (raw === undefined || raw === false) continue;
    const value = option.type === "integer" ? integerFlag(values, option.name) : option.type === "boolean" ? true : option.parse ? option.parse(String(raw)) : String(raw);
    if (option.excludes !== undefined && values[option.excludes] !== undefined) {
      throw new UsageError(`${flagText(option.name)} and ${flagText(option.excludes)}: give one of them, not both`);
    }
    given.push({ option, value });
  }
  for (const option of ownedValues(command)) if (values[option.name] === option.value) given.push({ option, value: option.value });
  return given;
}

/** What the given options put under one target ("load", "encode", "decode"). */
function optionsInto(given: readonly GivenOption[], target: "load" | "encode" | "decode"): Record<string, unknown> {
  const options: Record<string, unknown> = {};
  for (const { option, value } of given) {
    const into = option.into as Record<string, unknown> | undefined;
    if (into === undefined || typeof into[target] !== "string") continue;
    options[into[target] as string] = "value" in into ? into.value : value;
  }
  return options;
}

/** The loader's options the given flags set (the family's own keys; another family's loader ignores them). */
export function familyLoadOptions(given: readonly GivenOption[]): Record<string, unknown> {
  return optionsInto(given, "load");
}

/** Each encode call's options the given flags set. */
export function familyEncodeOptions(given: readonly GivenOption[]): Record<string, unknown> {
  return optionsInto(given, "encode");
}

/** Each decode call's options the given flags set. */
export function familyDecodeOptions(given: readonly GivenOption[]): Record<string, unknown> {
  return optionsInto(given, "decode");
}

function localFile(path: string, flag: string): string {
  if (!existsSync(path)) throw new ModelNotFoundError(path, `${flag}: no such file`);
  if (!statSync(path).isFile()) throw new UsageError(`${flag} ${path}: expected a file, got a folder`);
  return path;
}

/**
 * The family and local files a given file flag names with `--model` (RepCodec's or k-means'
 * --feature_model: a model outside any registry), or undefined when none was given. Several
 * families may declare the flag: the first whose detect() accepts the files takes them (a
 * RepCodec .pkl and a joblib k-means file are told apart by their content); when none does, the
 * first declaring family opens them and says what is wrong.
 */
export async function localModelFiles(given: readonly GivenOption[], modelPath: string): Promise<{ family: TokenizerFamily; files: ModelFiles } | undefined> {
  for (const { option, value } of given) {
    if (!isFilesOption(option)) continue;
    const model = localFile(modelPath, "--model");
    const second = localFile(String(value), flagText(option.name));
    const owners = FAMILIES.flatMap((family) =>
      family.options.flatMap((o) => (o.name === option.name && isFilesOption(o) ? [{ family, files: o.into.files(model, second) }] : [])),
    );
    for (const owner of owners) {
      if ((await owner.family.detect(filesSource(owner.files, modelPath))) !== null) return owner;
    }
    return owners[0]!;
  }
  return undefined;
}

function isFilesOption(option: FamilyOption): option is FamilyOption & { into: { files: (model: string, value: string) => ModelFiles } } {
  return option.into !== undefined && "files" in option.into;
}

/** Refuses (UsageError) a given option that the model's family does not declare; `source` names the model. */
export function refuseForeignOptions(given: readonly GivenOption[], model: Pick<TokenizerModel, "family">, source: string): void {
  for (const { option, value } of given) {
    const own = FAMILIES.find((f) => f.name === model.family)?.options.some((o) => o.name === option.name && o.value === option.value) ?? false;
    if (own) continue;
    const shown = option.value === undefined ? flagText(option.name) : `${flagText(option.name)} ${option.value}`;
    throw new UsageError(
      option.refusal?.(value, source, model.family) ??
        `${shown}: ${source} is a ${model.family} model; only ${ownerTitles(FAMILIES, option).join(" and ")} models take it`,
    );
  }
}

/**
 * The provenance fields of the model's family: a given option as its declaration records it,
 * and those every record of the family holds (given or not).
 */
export function familyProvenance(given: readonly GivenOption[], model: Pick<TokenizerModel, "family">): Record<string, unknown> {
  const record: Record<string, unknown> = {};
  for (const option of FAMILIES.find((f) => f.name === model.family)?.options ?? []) {
    const field = option.provenance;
    if (field === undefined) continue;
    const chosen = given.find((g) => g.option.name === option.name);
    if (chosen !== undefined) record[field.field] = field.record ? field.record(chosen.value) : chosen.value;
    else if (field.record) record[field.field] = field.record(undefined);
  }
  return record;
}

/** The help's lines for the batch budget, in each family's unit, from `column` on. */
export function batchBudgetHelp(flag: string, column: number, extra: readonly string[] = []): string {
  return helpLines(
    flag,
    [
      "most padded units per forward pass (batch size x longest input), in the model's own unit:",
      ...FAMILIES.map((family) => `${family.title}: ${family.batching.unitName}, default ${family.batching.defaults}`),
      ...extra,
    ],
    column,
  );
}
