/** Running the built `s3tokenizer` command in a child process from tests. */
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync, existsSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const CLI = resolve(fileURLToPath(import.meta.url), "../../../src/cli/main.js");

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function startCli(args: string[], env: Record<string, string | undefined> = {}): { child: ChildProcess; done: Promise<CliResult> } {
  const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (c: Buffer) => (stdout += c.toString()));
  child.stderr!.on("data", (c: Buffer) => (stderr += c.toString()));
  const done = new Promise<CliResult>((resolvePromise) => child.on("close", (code) => resolvePromise({ code, stdout, stderr })));
  return { child, done };
}

export function runCli(args: string[], env: Record<string, string | undefined> = {}): Promise<CliResult> {
  return startCli(args, env).done;
}

/** The JSON lines of a part or errors file, as key → record. */
export function readJsonLines<T extends { key: string }>(path: string): T[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, "utf8").split("\n").filter((l) => l !== "").map((l) => JSON.parse(l) as T);
}

/** runCli, killed after `ms` (its code then null): a command that hangs fails its test instead of hanging it. */
export async function runCliWithin(args: string[], ms: number): Promise<CliResult> {
  const { child, done } = startCli(args);
  const timer = setTimeout(() => child.kill("SIGKILL"), ms);
  try {
    return await done;
  } finally {
    clearTimeout(timer);
  }
}
