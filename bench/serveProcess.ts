/**
 * `s3tokenizer serve` in a child process for the load benchmark, on 127.0.0.1 and a port the OS
 * picks: ready when it says so on stderr; stopped with SIGTERM (its graceful path), killed if it
 * does not exit in time or the benchmark itself ends first.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

export interface ServeProcess {
  url: string;
  /** SIGTERM, then the exit code (SIGKILL after `graceMs`). */
  stop(graceMs?: number): Promise<number | null>;
}

const CLI = fileURLToPath(new URL("../src/cli/main.js", import.meta.url));

export function startServeProcess(model: string, flags: readonly string[], timeoutMs: number): Promise<ServeProcess> {
  const child: ChildProcess = spawn(process.execPath, [CLI, "serve", "--model", model, "--host", "127.0.0.1", "--port", "0", ...flags], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  const killOnExit = () => child.kill("SIGKILL");
  process.on("exit", killOnExit);
  const exited = new Promise<number | null>((resolve) => child.on("close", (code) => {
    process.off("exit", killOnExit);
    resolve(code);
  }));
  let stderr = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`the server was not ready within ${timeoutMs} ms: ${stderr.slice(-2000)}`));
    }, timeoutMs);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`the server exited with code ${code} before it was ready: ${stderr.slice(-2000)}`));
    });
    child.stderr!.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk;
      const url = /listening on (http:\/\/[^\s;]+)/.exec(stderr)?.[1];
      if (url === undefined || !/serve: ready/.test(stderr)) return;
      clearTimeout(timer);
      resolve({
        url,
        stop: (graceMs = 60_000) => {
          const kill = setTimeout(() => child.kill("SIGKILL"), graceMs);
          child.kill("SIGTERM");
          return exited.finally(() => clearTimeout(kill));
        },
      });
    });
  });
}
