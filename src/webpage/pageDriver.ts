/**
 * The page driven in headless Chromium, for the browser tests and the benchmark's browser column:
 * puppeteer-core (no browser download: it drives the one installed), looked for in $CHROMIUM,
 * $PUPPETEER_EXECUTABLE_PATH, then Debian's and other usual paths; where none is found the tests
 * skip with that reason, as the WebGPU tests do without an adapter. The page is served by its own
 * static server (page.js built here, the library bundle from `npm run build:web`) with a model
 * folder at /models/, and driven through its controls as a person would use it.
 */
import { accessSync, constants, existsSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import puppeteer, { type Browser, type Page } from "puppeteer-core";
import { buildPage, CORE_BUNDLE, PAGE_OUT_DIR } from "./buildPage.js";
import { startStaticServer, type StaticServer, type StaticServerOptions } from "./staticServer.js";

const CANDIDATES = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome", "/usr/bin/google-chrome-stable"];

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The Chromium to drive, or null. */
export function findChromium(): string | null {
  for (const variable of ["CHROMIUM", "PUPPETEER_EXECUTABLE_PATH"]) {
    const path = process.env[variable];
    if (path) return executable(path) ? path : null;
  }
  return CANDIDATES.find(executable) ?? null;
}

export const chromiumSkipReason = "no Chromium found ($CHROMIUM, $PUPPETEER_EXECUTABLE_PATH, /usr/bin/chromium): skipped (.ci/run installs Debian's chromium where it can)";

export interface ChromiumOptions {
  /**
   * "swiftshader": WebGPU on Chromium's own SwiftShader adapter (Vulkan on the CPU, shipped with
   * Chromium), so a machine with no GPU still runs the page's WebGPU path. Default: no GPU.
   */
  webgpu?: "swiftshader";
  /**
   * A WAV file that plays as the microphone: Chromium's fake capture device, with its permission
   * prompt answered yes, so the page's Record button can be tested with known audio.
   */
  fakeMicrophone?: string;
}

/** Headless Chromium; without a sandbox when running as root (Chromium refuses root otherwise). */
export async function launchChromium(executablePath: string, options: ChromiumOptions = {}): Promise<Browser> {
  const gpu = options.webgpu === "swiftshader" ? ["--enable-unsafe-webgpu", "--use-webgpu-adapter=swiftshader"] : ["--disable-gpu"];
  const microphone = options.fakeMicrophone === undefined
    ? []
    : ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream", `--use-file-for-fake-audio-capture=${options.fakeMicrophone}`];
  const args = ["--disable-dev-shm-usage", ...gpu, ...microphone, "--mute-audio"];
  if (process.getuid?.() === 0) args.push("--no-sandbox");
  return puppeteer.launch({ executablePath, headless: true, args, defaultViewport: { width: 1200, height: 900 } });
}

export interface PageSite {
  server: StaticServer;
  /** Where the page is built and served from. */
  pageDir: string;
}

/**
 * Builds the page into dist/web (esbuild, a second or so) and serves it, with `models` at /models/.
 * The library bundle must be there already: `npm run build` makes it.
 */
export async function servePage(models: string, onServed?: StaticServerOptions["onServed"]): Promise<PageSite> {
  const core = join(PAGE_OUT_DIR, CORE_BUNDLE);
  if (!existsSync(core)) throw new Error(`${core} is missing: build the library bundle first (npm run build:web)`);
  await buildPage(PAGE_OUT_DIR);
  const server = await startStaticServer({ root: PAGE_OUT_DIR, models, port: 0, ...(onServed ? { onServed } : {}) });
  return { server, pageDir: PAGE_OUT_DIR };
}

/** Opens the page and waits until its script has started (it marks body[data-page="ready"]). */
export async function openPage(browser: Browser, url: string): Promise<Page> {
  const page = await browser.newPage();
  const logs: string[] = [];
  page.on("console", (message) => logs.push(`${message.type()}: ${message.text()}`));
  page.on("pageerror", (error) => logs.push(`pageerror: ${error instanceof Error ? error.message : String(error)}`));
  await page.goto(url, { waitUntil: "load" });
  try {
    await page.waitForSelector('body[data-page="ready"]', { timeout: 30_000 });
  } catch (error) {
    throw new Error(`the page did not start; its console:\n${logs.join("\n")}`, { cause: error });
  }
  return page;
}

/** Error messages the page shows. */
export async function pageErrors(page: Page): Promise<string[]> {
  return page.$$eval("#errors .error", (nodes) => nodes.map((n) => (n.querySelector(".error-text") ?? n).textContent ?? ""));
}

/**
 * Loads a model by URLs through the form (each line a URL, optionally followed by its sha256);
 * resolves when it is loaded, fails with the page's message otherwise.
 */
export async function loadModelByUrls(page: Page, urls: readonly string[], options: { family?: string; mode?: "exact" | "fast"; timeoutMs?: number } = {}): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 120_000;
  await page.click('input[name="model-source"][value="urls"]');
  await page.$eval("#model-urls", (area, text) => ((area as HTMLTextAreaElement).value = text), urls.join("\n"));
  if (options.family !== undefined) await page.select("#model-family", options.family);
  await page.select("#model-mode", options.mode ?? "exact");
  await page.click("#load-model");
  await page.waitForSelector('body[data-model="ready"], body[data-model="failed"]', { timeout: timeoutMs });
  const state = await page.$eval("body", (body) => body.dataset.model);
  if (state !== "ready") throw new Error(`the page could not load ${urls.join(", ")}: ${(await pageErrors(page)).join(" | ")}`);
}

export interface CardResult {
  key: string;
  /** decoding, waiting, running, done or error. */
  state: string;
  /** The card's line of facts (duration, shape, time, x real time), or its error. */
  facts: string;
  /** The codes as the CLI's JSON line, once done. */
  jsonl?: string;
  /** The card's data-* attributes (ms, decodeMs, realTime, audioSeconds, sinceNavigationMs, ...). */
  data: Record<string, string>;
}

/**
 * Waits until the page shows at least `count` result cards and every card is finished (tokens or
 * an error); returns every card, newest first.
 */
export async function finishedCards(page: Page, count: number, timeoutMs = 120_000): Promise<CardResult[]> {
  await page.waitForFunction(
    (atLeast: number) => {
      const cards = [...document.querySelectorAll<HTMLElement>("#results .result")];
      return cards.length >= atLeast && cards.every((c) => c.dataset.state === "done" || c.dataset.state === "error");
    },
    { timeout: timeoutMs, polling: 100 },
    count,
  );
  return page.$$eval("#results .result", (cards) =>
    cards.map((c) => {
      const card = c as HTMLElement;
      const data = { ...card.dataset } as Record<string, string>;
      return { key: data.key ?? "", state: data.state ?? "", facts: card.querySelector(".facts")?.textContent ?? "", data, ...(data.jsonl ? { jsonl: data.jsonl } : {}) };
    }),
  );
}

function cardCount(page: Page): Promise<number> {
  return page.$$eval("#results .result", (cards) => cards.length);
}

/**
 * Gives files to the audio picker (none: only waits) and waits until every card is finished
 * (tokens or an error); returns every card, newest first.
 */
export async function tokenizeFiles(page: Page, paths: readonly string[], timeoutMs = 120_000): Promise<CardResult[]> {
  const before = await cardCount(page);
  if (paths.length > 0) {
    const input = await page.$("#audio-files");
    if (input === null) throw new Error("the page has no #audio-files input");
    await (input as unknown as { uploadFile(...paths: string[]): Promise<void> }).uploadFile(...paths);
  }
  return finishedCards(page, before + paths.length, timeoutMs);
}

/**
 * Drops files on the page's drop zone as a person's drag and drop does (a DataTransfer holding
 * the files, dragover then drop) and waits for their cards; returns every card, newest first.
 */
export async function dropFiles(page: Page, paths: readonly string[], timeoutMs = 120_000): Promise<CardResult[]> {
  const before = await cardCount(page);
  const files = paths.map((path) => ({ name: basename(path), base64: readFileSync(path).toString("base64") }));
  await page.$eval(
    "#drop-zone",
    (zone, given: { name: string; base64: string }[]) => {
      const transfer = new DataTransfer();
      for (const file of given) transfer.items.add(new File([Uint8Array.from(atob(file.base64), (c) => c.charCodeAt(0))], file.name));
      zone.dispatchEvent(new DragEvent("dragover", { dataTransfer: transfer, bubbles: true, cancelable: true }));
      zone.dispatchEvent(new DragEvent("drop", { dataTransfer: transfer, bubbles: true, cancelable: true }));
    },
    files,
  );
  return finishedCards(page, before + paths.length, timeoutMs);
}

/**
 * Presses Record, lets the microphone run for `ms`, presses it again, and waits for the
 * recording's card; returns every card, newest first. In headless Chromium the microphone is
 * the one ChromiumOptions.fakeMicrophone gives.
 */
export async function recordFromMicrophone(page: Page, ms: number, timeoutMs = 120_000): Promise<CardResult[]> {
  const before = await cardCount(page);
  await page.click("#record");
  await page.waitForSelector('#record[aria-pressed="true"], #errors .error', { timeout: 30_000 });
  const errors = await pageErrors(page);
  if (errors.length > 0) throw new Error(`the page could not record: ${errors.join(" | ")}`);
  await new Promise((done) => setTimeout(done, ms));
  await page.click("#record");
  return finishedCards(page, before + 1, timeoutMs);
}

/** Rows of a page's JSON line (`{"key", "code"}`, one list or a list of rows). */
export function jsonLineRows(line: string): { key: string; rows: number[][] } {
  const value = JSON.parse(line) as { key: string; code: number[] | number[][] };
  const rows = Array.isArray(value.code[0]) ? (value.code as number[][]) : [value.code as number[]];
  return { key: value.key, rows };
}

