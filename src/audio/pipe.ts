/**
 * Kaldi pipe entries (`key sox in.flac -t wav - |`): the command before the final `|` is run by
 * the shell and its standard output is the audio file. Only run when the user allows pipes.
 */
import { spawn } from "node:child_process";
import { AudioDecodeError } from "../errors.js";

/** Runs `command |` and returns its standard output. */
export function runPipeCommand(entry: string): Promise<Buffer> {
  const command = entry.replace(/\|\s*$/, "").trim();
  return new Promise((resolvePromise, reject) => {
    const child = spawn("sh", ["-c", command], { stdio: ["ignore", "pipe", "pipe"] });
    const chunks: Buffer[] = [];
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => chunks.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => {
      stderr = (stderr + chunk.toString("utf8")).slice(-500);
    });
    child.on("error", (error) => reject(new AudioDecodeError(entry, `cannot run the pipe command: ${error.message}`, { cause: error })));
    child.on("close", (code, signal) => {
      if (code === 0) resolvePromise(Buffer.concat(chunks));
      else reject(new AudioDecodeError(entry, `pipe command failed (${signal ?? `exit ${code}`}): ${stderr.trim() || "no message"}`));
    });
  });
}
