#!/usr/bin/env node
/**
 * The `s3tokenizer` command. Exit codes: 0 success, 1 a check failed (verify), 2 usage or model
 * errors (reported before any work), 3 extraction finished with some utterances failed.
 */
import { isS3TokenizerError } from "../errors.js";
import { EXPORT_HELP, exportCommand } from "./exportCommand.js";
import { MERGE_HELP, mergeCommand } from "./mergeCommand.js";
import { MODELS_HELP, modelsCommand } from "./modelsCommand.js";
import { EXIT_USAGE, EXTRACT_HELP, extractCommand } from "./extractCommand.js";
import { SERVE_HELP, serveCommand } from "./serveCommand.js";
import { VERIFY_HELP, verifyCommand } from "./verifyCommand.js";

const HELP = `s3tokenizer: S3Tokenizer speech tokens (CosyVoice 1/2/3) on onnxruntime

Commands:
  s3tokenizer --wav_scp FILE --model NAME|PATH --output_dir DIR [...]
                                                   tokenize a Kaldi list (see: s3tokenizer help extract)
  s3tokenizer verify --model PATH --wav_scp FILE   compare against the released ONNX, one utterance at a time
  s3tokenizer export --model PATH --out FILE        write the batched graph as an ONNX file
  s3tokenizer models [--download NAME]             list the known models and the cache; fetch models ahead of time
  s3tokenizer serve --model NAME|PATH [--port P]   tokenize audio over HTTP, batching concurrent requests
  s3tokenizer merge --output_dir DIR [--format jsonl|cosyvoice]
                                                   merge an extraction's part files (e.g. into utt2speech_token.pt)
  s3tokenizer help [COMMAND]

Flags may be written --snake_case or --kebab-case.`;

const COMMANDS: Record<string, { run: (argv: string[]) => Promise<number>; help: string }> = {
  verify: { run: verifyCommand, help: VERIFY_HELP },
  export: { run: exportCommand, help: EXPORT_HELP },
  models: { run: modelsCommand, help: MODELS_HELP },
  extract: { run: extractCommand, help: EXTRACT_HELP },
  serve: { run: serveCommand, help: SERVE_HELP },
  merge: { run: mergeCommand, help: MERGE_HELP },
};

export async function main(argv: string[]): Promise<number> {
  // Upstream's command line has no subcommand: `s3tokenizer --wav_scp ... --model ...`.
  const implicitExtract = argv[0]?.startsWith("--") && argv[0] !== "--help";
  const [command, ...rest] = implicitExtract ? ["extract", ...argv] : argv;
  if (command === undefined || command === "help" || command === "--help" || command === "-h") {
    const topic = command === "help" && rest[0] ? COMMANDS[rest[0]] : undefined;
    process.stdout.write((topic ? topic.help : HELP) + "\n");
    return 0;
  }
  const entry = COMMANDS[command];
  if (!entry) {
    process.stderr.write(`unknown command "${command}"\n\n${HELP}\n`);
    return EXIT_USAGE;
  }
  if (rest.includes("--help") || rest.includes("-h")) {
    process.stdout.write(entry.help + "\n");
    return 0;
  }
  try {
    return await entry.run(rest);
  } catch (error) {
    if (isS3TokenizerError(error)) {
      process.stderr.write(`s3tokenizer ${command}: ${error.message}\n`);
      return EXIT_USAGE;
    }
    throw error;
  }
}

process.exitCode = await main(process.argv.slice(2));
