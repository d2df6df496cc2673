/**
 * A model's configuration file (config.json, config.yaml, a RepCodec YAML): read only when it is
 * a regular file of a bounded size, parsed with YAML's aliases bounded, and described shallowly
 * in errors. Real configurations are a few kB with no aliases at all; the bounds keep a FIFO from
 * hanging the load, /dev/zero or a huge file from being read, and a file of many aliases from
 * taking time quadratic in their number (each alias is looked up among all anchors before it).
 */
import { parseDocument, visit } from "yaml";
import { readRegularText, type FileProblem } from "./regularFile.js";

/** The largest configuration file read: hundreds of times any real one. */
export const MAX_CONFIG_BYTES = 1024 * 1024;
/** The most anchors and aliases a YAML configuration may hold together. */
export const MAX_YAML_ALIASES = 100;

/** The text of the configuration file `path`; `problem` builds the caller's typed error. */
export function readConfigFile(path: string, problem: FileProblem): string {
  return readRegularText(path, MAX_CONFIG_BYTES, problem);
}

/**
 * YAML text as PyYAML (YAML 1.1) reads it, into plain values; `problem` builds the caller's typed
 * error for text that is not YAML or holds more than MAX_YAML_ALIASES anchors and aliases.
 */
export function parseConfigYaml(text: string, problem: FileProblem): unknown {
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
