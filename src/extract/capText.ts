/**
 * Error lines repeat inputs (a path, a message quoting it): a 5 MB path must not make a 15 MB line.
 * Text longer than `max` characters keeps its head and tail and says how much was left out.
 */
export const MAX_ERROR_FIELD = 2000;

export function capText(text: string, max = MAX_ERROR_FIELD): string {
  if (text.length <= max) return text;
  const keep = Math.floor((max - 40) / 2);
  return `${text.slice(0, keep)}…[${text.length - 2 * keep} characters left out]…${text.slice(-keep)}`;
}
