/**
 * The result cards: one per audio input, from "decoding" through "waiting for a model" to its
 * tokens (one row per codebook for the RVQ families) with timing and x real time, and buttons to
 * copy or download its JSON line (the CLI's format, from the core's codesJsonLine) and, where the
 * family decodes, to play the decoded audio. The card's data-* attributes carry the same facts
 * for scripts (the browser tests and the benchmark read them).
 */
import { codesJsonLine, decodeToWav, type Codes, type TokenizerModel } from "./core.js";
import { byId, describeError, download, el, formatSeconds } from "./dom.js";
import { showError } from "./errors.js";

export class ResultCard {
  readonly element: HTMLLIElement;
  private readonly facts: HTMLParagraphElement;
  private readonly body: HTMLDivElement;
  jsonLine: string | null = null;

  constructor(readonly key: string) {
    this.facts = el("p", { class: "facts" }, "Decoding audio…");
    this.body = el("div", { class: "card-body" });
    this.element = el("li", { class: "result", "data-key": key, "data-state": "decoding" }, el("h3", {}, key), this.facts, this.body);
    byId("results").prepend(this.element);
  }

  private state(state: string, text: string): void {
    this.element.dataset.state = state;
    this.facts.textContent = text;
  }

  /** Decoded: `seconds` of audio, decoded (and resampled) in `decodeMs`. */
  waiting(seconds: number, decodeMs: number): void {
    this.element.dataset.audioSeconds = String(seconds);
    this.element.dataset.decodeMs = decodeMs.toFixed(1);
    this.state("waiting", `${formatSeconds(seconds)} of audio, waiting for a model`);
  }

  running(seconds: number, model: TokenizerModel): void {
    this.state("running", `${formatSeconds(seconds)} of audio, tokenizing with ${model.source}…`);
  }

  failed(error: unknown): void {
    this.state("error", `Failed: ${describeError(error)}`);
    this.body.replaceChildren();
  }

  /** Shows the tokens; `ms` is the tokenize call's time, the x real time is audio seconds over it. */
  done(codes: Codes, seconds: number, ms: number, model: TokenizerModel): void {
    const realTime = seconds / (ms / 1000);
    this.jsonLine = codesJsonLine(this.key, codes).trimEnd();
    Object.assign(this.element.dataset, {
      jsonl: this.jsonLine,
      ms: ms.toFixed(1),
      realTime: realTime.toFixed(2),
      // performance.now() counts from the navigation: the time to this first token since the page opened.
      sinceNavigationMs: performance.now().toFixed(1),
    });
    const shape = codes.codebooks === 1 ? `${codes.frames} tokens` : `${codes.codebooks} rows × ${codes.frames} frames`;
    this.state("done", `${formatSeconds(seconds)} of audio · ${shape} · ${model.family} · ${(ms / 1000).toFixed(3)} s · ${realTime.toFixed(1)}× real time`);
    this.body.replaceChildren(this.tokenRows(codes), this.actions(codes, model));
  }

  private tokenRows(codes: Codes): HTMLDivElement {
    const rows = el("div", { class: "tokens", role: "group", "aria-label": `Tokens of ${this.key}`, tabindex: "0" });
    const first = codes.firstCodebook ?? 0;
    for (let r = 0; r < codes.codebooks; r++) {
      const row = codes.data.subarray(r * codes.frames, (r + 1) * codes.frames); // [frames] of row r
      rows.append(el("div", { class: "token-row" }, el("span", { class: "row-label" }, codes.codebooks === 1 ? "" : `q${first + r}`), el("code", {}, Array.from(row).join(" "))));
    }
    return rows;
  }

  private actions(codes: Codes, model: TokenizerModel): HTMLDivElement {
    const line = this.jsonLine!;
    const copy = el("button", { type: "button", class: "secondary" }, "Copy JSON line");
    copy.addEventListener("click", () => copyText(line, copy));
    const save = el("button", { type: "button", class: "secondary" }, "Download .jsonl");
    save.addEventListener("click", () => download(`${this.key}.jsonl`, line + "\n", "application/jsonl"));
    const actions = el("div", { class: "row" }, copy, save);
    if (model.decode !== undefined) {
      const play = el("button", { type: "button", class: "secondary" }, "Decode and play");
      play.addEventListener("click", () => void this.play(codes, model, play));
      actions.append(play);
    }
    return actions;
  }

  private async play(codes: Codes, model: TokenizerModel, button: HTMLButtonElement): Promise<void> {
    button.disabled = true;
    button.textContent = "Decoding…";
    try {
      const wav = await decodeToWav(model, codes);
      const url = URL.createObjectURL(new Blob([wav as Uint8Array<ArrayBuffer>], { type: "audio/wav" }));
      const audio = el("audio", { controls: "", src: url, "aria-label": `Decoded audio of ${this.key}` });
      this.body.append(audio);
      button.remove();
      await audio.play().catch(() => undefined); // autoplay may be refused: the controls are there
    } catch (error) {
      button.disabled = false;
      button.textContent = "Decode and play";
      showError(`Decoding ${this.key} to audio`, error);
    }
  }
}

/** Copies text to the clipboard, saying so on the button for a moment. */
export async function copyText(text: string, button: HTMLButtonElement): Promise<void> {
  const label = button.textContent;
  try {
    await navigator.clipboard.writeText(text);
    button.textContent = "Copied";
  } catch (error) {
    showError("Copying to the clipboard", error);
  }
  setTimeout(() => (button.textContent = label), 1500);
}
