/**
 * Turning an I/O failure into the message a user can act on:
 * `cannot read data/cpu.csv: no such file`. Node's own messages repeat the
 * path (possibly made absolute) and lead with the errno code.
 */

const REASONS: Record<string, string> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'is a directory, not a file',
  EMFILE: 'too many open files',
  ENAMETOOLONG: 'file name too long',
  ENOTDIR: 'a part of the path is not a directory',
};

/** An Error `cannot read <what>: <reason>`, with the original error as its cause. */
export function readError(what: string, error: unknown): Error {
  const code = (error as { code?: unknown } | null)?.code;
  const reason = (typeof code === 'string' ? REASONS[code] : undefined) ?? (error instanceof Error ? error.message : String(error));
  return new Error(`cannot read ${what}: ${reason}`, { cause: error });
}
