/**
 * A model configuration's text turned into values, the same in Node and a page: YAML parsed as
 * PyYAML reads it (1.1) with anchors and aliases bounded (real configurations have none, and each
 * alias is looked up among every anchor before it, so thousands take time quadratic in their
 * number), and values described shallowly in errors (never walked, however deep they nest).
 */
import { parseDocument, visit } from "yaml";

/** The most anchors and aliases a YAML configuration may hold together. */
export const MAX_YAML_ALIASES = 100;

/** Builds the caller's typed error from what is wrong (`cause`: the parser's error, where one). */
export type ConfigProblem = (problem: string, cause?: unknown) => Error;

/**
 * YAML text as PyYAML (YAML 1.1) reads it, into plain values; `problem` builds the caller's typed
 * error for text that is not YAML or holds more than MAX_YAML_ALIASES anchors and aliases.
 */
export function parseConfigYaml(text: string, problem: ConfigProblem): unknown {
  let document;
  try {
    document = parseDocument(text, { version: "1.1" });
  } catch (error) {
    throw problem(`not YAML (${error instanceof Error ? error.message : String(error)})`, error);
  }
  if (document.errors.length > 0) throw problem(`not YAML (${document.errors[0]!.message})`, document.errors[0]);
  let references = 0;
  visit(document, {
    Alias: () => void references++,
    Node: (_key, node) => void (node.anchor === undefined ? 0 : references++),
  });
  if (references > MAX_YAML_ALIASES) {
    throw problem(`${references} anchors and aliases, more than a configuration has (at most ${MAX_YAML_ALIASES})`);
  }
  try {
    return document.toJS({ maxAliasCount: MAX_YAML_ALIASES });
  } catch (error) {
    throw problem(`not YAML (${error instanceof Error ? error.message : String(error)})`, error);
  }
}

/** A value as an error shows it: a number, boolean or short string as written, anything else by its kind. */
export function describeValue(value: unknown): string {
  if (typeof value === "number" || typeof value === "boolean" || value === null) return String(value);
  if (typeof value === "string") return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (Array.isArray(value)) return `a list of ${value.length} item${value.length === 1 ? "" : "s"}`;
  return value === undefined ? "nothing (absent)" : `a ${typeof value === "object" ? "mapping" : typeof value}`;
}
