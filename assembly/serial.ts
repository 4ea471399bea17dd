/**
 * Little-endian writer and reader over a block of linear memory, for
 * snapshots; one instance of each lives for the module's lifetime (no
 * allocation per snapshot). The reader never reads past its end: a short or malformed
 * snapshot turns `ok` false instead of trapping.
 */

/** Appends values at a cursor; the caller sized the block with an upper bound. */
export class Writer {
  start: usize = 0;
  end: usize = 0;
  pos: usize = 0;
  /** Points the writer at a fresh block. */
  reset(start: usize, end: usize): void {
    this.start = start;
    this.end = end;
    this.pos = start;
  }
  /** Bytes written so far. */
  get length(): usize {
    return this.pos - this.start;
  }
  @inline i32(v: i32): void {
    store<i32>(this.pos, v);
    this.pos += 4;
  }
  @inline i64(v: i64): void {
    store<i64>(this.pos, v);
    this.pos += 8;
  }
  @inline f64(v: f64): void {
    store<f64>(this.pos, v);
    this.pos += 8;
  }
  bytes(src: usize, n: usize): void {
    memory.copy(this.pos, src, n);
    this.pos += n;
  }
}

/** Reads values written by Writer; `ok` turns false on the first read past the end. */
export class Reader {
  start: usize = 0;
  end: usize = 0;
  pos: usize = 0;
  ok: bool = true;
  /** Points the reader at a block to read. */
  reset(start: usize, end: usize): void {
    this.start = start;
    this.end = end;
    this.pos = start;
    this.ok = true;
  }
  @inline private take(n: usize): usize {
    if (!this.ok || this.pos + n > this.end) {
      this.ok = false;
      return 0;
    }
    const at = this.pos;
    this.pos += n;
    return at;
  }
  i32(): i32 {
    const at = this.take(4);
    return this.ok ? load<i32>(at) : 0;
  }
  i64(): i64 {
    const at = this.take(8);
    return this.ok ? load<i64>(at) : 0;
  }
  f64(): f64 {
    const at = this.take(8);
    return this.ok ? load<f64>(at) : 0;
  }
  bytes(dst: usize, n: usize): void {
    const at = this.take(n);
    if (this.ok) memory.copy(dst, at, n);
  }
}
