/**
 * Input limits shared by the sources and the engine's byte path.
 */

/** Default longest accepted line: 1 MiB. */
export const DEFAULT_MAX_LINE_BYTES = 1024 * 1024;
