/**
 * The few file-system primitives a crash-safe write needs and that
 * `fs/promises` does not give directly: write a whole buffer (a single
 * write() may be partial), read a whole file into one buffer, and fsync a
 * directory so a rename or a new entry in it survives a power loss.
 */
import { constants as bufferConstants } from 'node:buffer';
import { open, type FileHandle } from 'node:fs/promises';

/**
 * Largest single read() or write() request: Linux moves at most 0x7ffff000
 * bytes per call and Node refuses lengths ≥ 2 GiB, so larger buffers go in
 * several calls.
 */
const MAX_IO_BYTES = 1 << 30;

/** Writes all of `data` at `position`, looping over partial writes. */
export async function writeFully(handle: FileHandle, data: Uint8Array, position: number): Promise<void> {
  let done = 0;
  while (done < data.length) {
    const { bytesWritten } = await handle.write(data, done, Math.min(data.length - done, MAX_IO_BYTES), position + done);
    // A regular file never accepts 0 bytes without an error; guard against spinning anyway.
    if (bytesWritten <= 0) throw new Error(`write made no progress after ${done} of ${data.length} bytes`);
    done += bytesWritten;
  }
}

/**
 * The whole file in one freshly allocated buffer (no pooling, no zero-fill,
 * no copies), sized by fstat. When the file turns out shorter than fstat
 * said, the bytes that were there are returned and the decoder reports the
 * truncation.
 */
export async function readWholeFile(path: string): Promise<Uint8Array> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    if (size > bufferConstants.MAX_LENGTH) {
      throw Object.assign(new Error(`${size} bytes is more than this Node can hold in one buffer (${bufferConstants.MAX_LENGTH})`), { code: 'EFBIG' });
    }
    // allocUnsafeSlow: never a slice of the shared pool, so the returned views
    // do not keep (or expose) unrelated memory, and no time goes to zeroing
    // bytes that the read overwrites at once.
    const buffer = Buffer.allocUnsafeSlow(size);
    let done = 0;
    while (done < size) {
      const { bytesRead } = await handle.read(buffer, done, Math.min(size - done, MAX_IO_BYTES), done);
      if (bytesRead === 0) break;
      done += bytesRead;
    }
    return new Uint8Array(buffer.buffer, buffer.byteOffset, done);
  } finally {
    await handle.close();
  }
}

/**
 * fsyncs a directory so that entries created, renamed or removed in it are
 * on disk. On Linux this is what makes a rename durable and every error is
 * real, so all of them propagate. Elsewhere EISDIR and EPERM are ignored:
 * Windows can neither open a directory (EISDIR) nor fsync one (EPERM), and
 * NTFS journals the rename itself.
 */
export async function syncDirectory(path: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(path, 'r');
    await handle.sync();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (process.platform === 'linux' || (code !== 'EISDIR' && code !== 'EPERM')) throw e;
  } finally {
    await handle?.close();
  }
}
