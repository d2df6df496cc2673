/**
 * The command line's exit codes, in a module of their own so that a command (or the entry point)
 * can name them without loading another command's code.
 */
export const EXIT_OK = 0;
/** Some utterances failed (the rest are written). */
export const EXIT_SOME_FAILED = 3;
/** Usage, model or output-directory errors, reported before any work. */
export const EXIT_USAGE = 2;
/** Writing the output failed mid-run (full disk, I/O error): what was written is intact, rerun resumes. */
export const EXIT_OUTPUT_FAULT = 4;
