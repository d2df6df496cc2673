#!/usr/bin/env node
/**
 * The `s3tokenizer` command. Exit codes: 0 success, 1 a check failed (verify), 2 usage, model or
 * output-directory errors (reported before any work), 3 extraction finished with some utterances
 * failed, 4 an output write failed mid-run (full disk, I/O error; rerun to resume).
 */
import { readFileSync } from "node:fs";
import { isTokenizerError } from "../errors.js";
import { EXIT_OUTPUT_FAULT, EXIT_USAGE } from "./exitCodes.js";
import type { FamilyCommand } from "../family/types.js";
import { nearestName } from "../flags/nearestName.js";

/** The families' titles and own commands, from the registry (loaded only for help and family commands). */
async function familyParts(): Promise<{ titles: string[]; commands: FamilyCommand[] }> {
  const { FAMILIES } = await import("../registry/families.js");
  return { titles: FAMILIES.map((family) => family.title), commands: FAMILIES.flatMap((family) => family.commands ?? []) };
}

/** The top-level help: the built-in commands, then each family's own. */
async function helpText(): Promise<string> {
  const { titles, commands } = await familyParts();
  const familyLines = commands.map((command) => `  ${command.usage}\n${" ".repeat(51)}${command.summary}\n`).join("");
  return HELP_HEAD.replace("FAMILIES", titles.join(", ")) + familyLines + HELP_TAIL;
}

const HELP_HEAD = `s3tokenizer: speech tokens (FAMILIES) on onnxruntime

Commands:
  s3tokenizer --wav_scp FILE --model NAME|PATH --output_dir DIR [...]
                                                   tokenize a Kaldi list (see: s3tokenizer help extract)
  s3tokenizer verify --model PATH --wav_scp FILE   compare against the released ONNX, one utterance at a time
  s3tokenizer export --model PATH --out FILE        write an S3 model's batched graph as an ONNX file
  s3tokenizer models [--download NAME]             list the known models and the cache; fetch models ahead of time
  s3tokenizer serve --model NAME|PATH [--port P]   tokenize audio over HTTP, batching concurrent requests
  s3tokenizer merge --output_dir DIR [--format jsonl|cosyvoice]
                                                   merge an extraction's part files (e.g. into utt2speech_token.pt)
  s3tokenizer decode --codes FILE --model NAME|PATH --output_dir DIR
                                                   codes back to audio, one WAV per key (families with a decoder)
`;

const HELP_TAIL = `  s3tokenizer help [COMMAND]
  s3tokenizer --version                            the package's version

Flags may be written --snake_case or --kebab-case.`;

interface Command {
  /** The command's entry point. */
  run: () => Promise<(argv: string[]) => Promise<number>>;
  help: () => Promise<string>;
}

/**
 * Each command's module is imported only when that command runs (or its help is asked for): a
 * start loads one command's code, not every command's (the service's HTTP stack, the verifier),
 * which would otherwise delay the extraction's first tokens by the time it takes to load them.
 */
const COMMANDS: Record<string, Command> = {
  verify: { run: async () => (await import("./verifyCommand.js")).verifyCommand, help: async () => (await import("./verifyCommand.js")).VERIFY_HELP },
  export: { run: async () => (await import("./exportCommand.js")).exportCommand, help: async () => (await import("./exportCommand.js")).EXPORT_HELP },
  models: { run: async () => (await import("./modelsCommand.js")).modelsCommand, help: async () => (await import("./modelsCommand.js")).MODELS_HELP },
  // The extraction's help lists every family's models: its own module, so that a run does not load them for it.
  extract: { run: async () => (await import("./extractCommand.js")).extractCommand, help: async () => (await import("./extractHelp.js")).EXTRACT_HELP },
  serve: { run: async () => (await import("./serveCommand.js")).serveCommand, help: async () => (await import("./serveCommand.js")).SERVE_HELP },
  merge: { run: async () => (await import("./mergeCommand.js")).mergeCommand, help: async () => (await import("./mergeCommand.js")).MERGE_HELP },
  decode: { run: async () => (await import("./decodeCommand.js")).decodeCommand, help: async () => (await import("./decodeCommand.js")).DECODE_HELP },
};

/** The command called `name`: a built-in one (own keys only: "toString" is no command), else a family's. */
async function commandNamed(name: string): Promise<Command | undefined> {
  if (Object.hasOwn(COMMANDS, name)) return COMMANDS[name];
  const own = (await familyParts()).commands.find((command) => command.name === name);
  if (own === undefined) return undefined;
  return {
    run: async () => {
      const [{ run }, { load }, { writeOutputFileSync }] = await Promise.all([own.load(), import("../registry/load.js"), import("../hub/atomicWrite.js")]);
      return (argv: string[]) => run(argv, { loadModel: load, writeOutput: (path, data) => writeOutputFileSync(path, data) });
    },
    help: async () => (await own.load()).help,
  };
}

/** The package's version, from the package.json beside the built tree (dist/src/cli → the package root). */
function packageVersion(): string {
  const { version } = JSON.parse(readFileSync(new URL("../../../package.json", import.meta.url), "utf8")) as { version: string };
  return version;
}

/** "unknown command" with the nearest command's name when it looks like a typo, and where the list is. */
async function unknownCommand(command: string): Promise<string> {
  const near = nearestName(command, [...Object.keys(COMMANDS), ...(await familyParts()).commands.map((c) => c.name), "help"]);
  return `unknown command "${command}"${near === null ? "" : `; did you mean "${near}"?`} (s3tokenizer help lists the commands)`;
}

export async function main(argv: string[]): Promise<number> {
  if (argv[0] === "--version" || argv[0] === "-V") {
    process.stdout.write(`${packageVersion()}\n`);
    return 0;
  }
  // Upstream's command line has no subcommand: `s3tokenizer --wav_scp ... --model ...`.
  const implicitExtract = argv[0]?.startsWith("--") && argv[0] !== "--help";
  const [command, ...rest] = implicitExtract ? ["extract", ...argv] : argv;
  if (command === undefined || command === "help" || command === "--help" || command === "-h") {
    const name = command === "help" ? rest[0] : undefined;
    if (name === undefined) {
      process.stdout.write((await helpText()) + "\n");
      return 0;
    }
    const topic = await commandNamed(name);
    if (!topic) {
      process.stderr.write(`${await unknownCommand(name)}\n`);
      return EXIT_USAGE;
    }
    process.stdout.write((await topic.help()) + "\n");
    return 0;
  }
  const entry = await commandNamed(command);
  if (!entry) {
    process.stderr.write(`${await unknownCommand(command)}\n\n${await helpText()}\n`);
    return EXIT_USAGE;
  }
  if (rest.includes("--help") || rest.includes("-h")) {
    process.stdout.write((await entry.help()) + "\n");
    return 0;
  }
  try {
    const run = await entry.run();
    return await run(rest);
  } catch (error) {
    if (isTokenizerError(error)) {
      process.stderr.write(`s3tokenizer ${command}: ${error.message}\n`);
      return error.code === "OUTPUT_WRITE" ? EXIT_OUTPUT_FAULT : EXIT_USAGE;
    }
    throw error;
  }
}

process.exitCode = await main(process.argv.slice(2));
