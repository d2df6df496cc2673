/**
 * Kaldi pipe entries (`key sox in.flac -t wav - |`): the command before the final `|` is run by
 * the shell and its standard output is the audio file. Only run when the user allows pipes.
 */
import { spawn } from "node:child_process";
import { AudioDecodeError } from "../errors.js";
import { MAX_STREAM_BYTES } from "./limits.js";

/**
 * Runs `command |` and returns its standard output, at most `maxBytes` of it: a command that
 * streams without end (`cat /dev/zero |`) is killed and the entry fails instead of filling memory.
 */
export function runPipeCommand(entry: string, maxBytes = MAX_STREAM_BYTES): Promise<Buffer> {
  const command = entry.replace(/\|\s*$/, "").trim();
  return new Promise((resolvePromise, reject) => {
    const child = spawn("sh", ["-c", command], { stdio: ["ignore", "pipe", "pipe"] });
    const chunks: Buffer[] = [];
    let stderr = "";
    let received = 0;
    let overflow = false;
    child.stdout.on("data", (chunk: Buffer) => {
      received += chunk.length;
      if (received > maxBytes) {
        if (!overflow) child.kill("SIGKILL");
        overflow = true;
        chunks.length = 0;
        return;
      }
      chunks.push(chunk);
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr = (stderr + chunk.toString("utf8")).slice(-500);
    });
    child.on("error", (error) => reject(new AudioDecodeError(entry, `cannot run the pipe command: ${error.message}`, { cause: error })));
    child.on("close", (code, signal) => {
      if (overflow) reject(new AudioDecodeError(entry, `pipe command wrote more than ${maxBytes} bytes, the most one input may be`));
      else if (code === 0) resolvePromise(Buffer.concat(chunks));
      else reject(new AudioDecodeError(entry, `pipe command failed (${signal ?? `exit ${code}`}): ${stderr.trim() || "no message"}`));
    });
  });
}
