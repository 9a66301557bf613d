// src/cli/exit-codes.ts
// The command's exit codes (README, "Errors and exit codes").

/** Stopped normally (Ctrl-C, SIGTERM), or printed --help or --version. */
export const EXIT_OK = 0;
/** Could not start, or failed while running. */
export const EXIT_FAILURE = 1;
/** The command was called wrongly (bad value, unknown flag). */
export const EXIT_USAGE = 2;
