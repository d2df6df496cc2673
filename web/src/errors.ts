/**
 * Error messages in the page: every failure (a bad file, an unsupported format, a model too large,
 * a failed download, and anything uncaught) becomes a dismissable message at the top of the page,
 * never a blank page or a console-only error.
 */
import { byId, describeError, el } from "./dom.js";

/** Shows `error` as a message; `context` says what was being done (e.g. the file's name). */
export function showError(context: string, error: unknown): void {
  const text = `${context}: ${describeError(error)}`;
  const dismiss = el("button", { type: "button", class: "dismiss", "aria-label": "Dismiss this message" }, "×");
  const message = el("div", { class: "error", role: "alert" }, el("span", { class: "error-text" }, text), dismiss);
  dismiss.addEventListener("click", () => message.remove());
  byId("errors").append(message);
  console.error(text, error);
}

/** Uncaught errors and rejections end up in the page too. */
export function installGlobalErrorHandlers(): void {
  window.addEventListener("error", (event) => showError("Unexpected error", event.error ?? event.message));
  window.addEventListener("unhandledrejection", (event) => showError("Unexpected error", event.reason));
}
