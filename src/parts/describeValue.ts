/** Values of parsed JSON named in error messages, safely whatever their size or depth. */

/**
 * A JSON value in a message, never serialised whole: a number or short text as it is, a list or
 * object by its kind (JSON.stringify of a deeply nested value overflows the stack).
 */
export function describeJsonValue(value: unknown): string {
  if (typeof value === "number" || typeof value === "boolean" || value === null) return String(value);
  if (typeof value === "string") return value.length <= 40 ? JSON.stringify(value) : `${JSON.stringify(value.slice(0, 40))}... (${value.length} characters)`;
  if (Array.isArray(value)) return `a list of ${value.length}`;
  return typeof value === "object" ? "an object" : typeof value;
}
