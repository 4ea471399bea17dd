/**
 * Input limits shared by the sources and the engine's byte path.
 */

/** Default longest accepted line: 1 MiB. */
export const DEFAULT_MAX_LINE_BYTES = 1024 * 1024;

/**
 * Bytes of message values scanned in one core call. The core takes at most
 * 2^24 rows per call and a row takes at least 6 bytes (`{"":0}`), so a call under
 * this bound always fits.
 */
export const MAX_MESSAGE_BYTES_PER_CALL = 32 * 1024 * 1024;
