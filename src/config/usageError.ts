/**
 * The error for input a user must correct before eddy can run (a command
 * line that cannot be understood, a config whose parts cannot be combined):
 * the CLI prints it with usage and exits 2. It lives with the config, the
 * lowest layer that throws it, so config code need not import the CLI.
 */

/** Thrown for a command line or config that cannot be used as given (exit code 2). */
export class UsageError extends Error {}
