/**
 * The extraction's help text, in a module of its own: it lists every family's models by name,
 * which loads every family's description, and a run has no need of that before its model loads.
 */
import { BATCH_BUDGET_ALIAS_HELP, HUB_FLAGS_HELP } from "./args.js";
import { batchBudgetHelp, familyFlagsHelp, helpLines, ownedFlagValues } from "./familyFlags.js";
import { modelNamesByFamily } from "./modelNames.js";

/** Where each flag's text starts. */
const COLUMN = 26;

const formats = ownedFlagValues("extract", "format");

export const EXTRACT_HELP = `s3tokenizer --wav_scp FILE --model NAME|PATH --output_dir DIR [options]

Tokenizes every utterance of a Kaldi wav.scp ("key path" per line) into
DIR/part_{rank+1}_of_{world_size}: one JSON line {"key": ..., "code": [...]} per utterance
({"key": ..., "code": [[row 0], ..., [row n-1]]} for a model of several code rows, with
"scale": x for a model whose codes carry a normalisation scale).
Failures go to DIR/errors_{rank+1}_of_{world_size} as {"key", "path", "error"} lines.

Options (snake_case or kebab-case):
  --device cpu|cuda|cuda:N|webgpu
                          execution device (cuda uses the GPU of the local rank unless N is given)
  --batch_size N          most utterances or windows per forward pass (default 64 on cpu, 128 on a GPU)
${batchBudgetHelp("--max_batch_frames F", COLUMN, [BATCH_BUDGET_ALIAS_HELP])}
  --num_workers W         decoding/feature threads (default: cores - 1, at least 1)
  --streams S             model sessions running batches side by side, each with its share of
                          the cores and its own copy of the weights (default 2 on a CPU, 1 on a GPU)
  --rank R --world_size W this process's shard; otherwise read from torchrun (RANK, WORLD_SIZE,
                          LOCAL_RANK), SLURM (SLURM_PROCID, SLURM_NTASKS), a Kubernetes Indexed
                          Job (JOB_COMPLETION_INDEX with --world_size) or OpenMPI
  --overwrite             start the part file afresh instead of resuming it
  --allow_pipes           run Kaldi pipe entries ("key cmd ... |") through the shell
  --n_q N                 code rows per utterance, for families with residual rows (default: all;
                          S3 models have one)
${helpLines(["--format jsonl", ...formats.values].join("|"), ["jsonl (default): the JSON lines above", ...formats.help], COLUMN)}
${familyFlagsHelp("extract", COLUMN)}
  --mode exact|fast       exact (default): the released files' tokens; fast: int8 projections,
                          several times faster on CPUs with VNNI, a few percent of tokens differ

Models by name are downloaded once into the cache and verified:
${modelNamesByFamily()}
${HUB_FLAGS_HELP}

Rerunning the same command resumes: keys already in the part file are skipped.

Exit codes: 0 all utterances done; 3 some failed (see the errors file; the rest are written);
2 usage, model or output-directory errors (not a writable directory, the part file locked by
another process, or written by another model or mode), reported before any output;
4 writing the output failed mid-run (full disk, I/O error): what was written is intact, rerun to resume.
A part file of an S3 model written before the long-audio windows covered the whole length resumes
only with --long_audio_compat s3tokenizer-0.3.0 (or starts afresh with --overwrite).`;
