/** Worker thread entry of convertWhisperInWorker: converts once, posts the outcome, ends. */
import { parentPort, workerData } from "node:worker_threads";
import { convertWhisper, type WhisperConvertReply, type WhisperConvertRequest } from "./whisperConvert.js";

const reply: WhisperConvertReply = await convertWhisper(workerData as WhisperConvertRequest).then(
  (converted) => ({ ok: true as const, converted }),
  (error: unknown) => ({ ok: false as const, reason: error instanceof Error ? error.message : String(error) }),
);
parentPort!.postMessage(reply);
