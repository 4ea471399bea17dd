/**
 * Growable regions of linear memory owned by the core.
 *
 * Everything the core keeps lives in blocks from the runtime's TLSF allocator
 * (`heap.alloc`); no managed objects are created on the hot path, so the
 * garbage collector never runs. A grown block may move: the host re-reads
 * pointers after every call that can allocate.
 */

/** Grows (or first allocates) a block to `newBytes`, keeping its first `oldBytes` and zeroing the rest. */
export function growZeroed(ptr: usize, oldBytes: usize, newBytes: usize): usize {
  const grown = ptr == 0 ? heap.alloc(newBytes) : heap.realloc(ptr, newBytes);
  memory.fill(grown + oldBytes, 0, newBytes - oldBytes);
  return grown;
}

/** Allocates a zeroed block. */
export function allocZeroed(bytes: usize): usize {
  const ptr = heap.alloc(bytes);
  memory.fill(ptr, 0, bytes);
  return ptr;
}

/** Frees a block if there is one; returns 0 so callers can write `p = release(p)`. */
export function release(ptr: usize): usize {
  if (ptr != 0) heap.free(ptr);
  return 0;
}

/** True when the `len` bytes at a and b are equal (a word at a time). */
export function bytesEqual(a: usize, b: usize, len: usize): bool {
  let i: usize = 0;
  for (; i + 8 <= len; i += 8) if (load<u64>(a + i) != load<u64>(b + i)) return false;
  for (; i < len; i++) if (load<u8>(a + i) != load<u8>(b + i)) return false;
  return true;
}

/**
 * A growable list of i32 (key ids) in linear memory.
 *
 * ┌──────┬──────┬─────┬──────────┐
 * │ id 0 │ id 1 │ ... │ (spare)  │   ptr → len used of cap
 * └──────┴──────┴─────┴──────────┘
 */
export class I32List {
  ptr: usize = 0;
  len: i32 = 0;
  cap: i32 = 0;

  /** Appends one id, doubling the block when full. */
  @inline push(value: i32): void {
    if (this.len == this.cap) this.reserve(this.len + 1);
    store<i32>(this.ptr + (<usize>this.len << 2), value);
    this.len++;
  }

  /** Reads the id at `index` (no bounds check: callers iterate below `len`). */
  @inline get(index: i32): i32 {
    return load<i32>(this.ptr + (<usize>index << 2));
  }

  /** Overwrites the id at `index` (used by in-place compaction). */
  @inline set(index: i32, value: i32): void {
    store<i32>(this.ptr + (<usize>index << 2), value);
  }

  /** Makes room for at least `count` ids. */
  reserve(count: i32): void {
    if (count <= this.cap) return;
    let cap = this.cap < 16 ? 16 : this.cap;
    while (cap < count) cap <<= 1;
    this.ptr = growZeroed(this.ptr, <usize>this.cap << 2, <usize>cap << 2);
    this.cap = cap;
  }

  /** Forgets all ids and frees the block. */
  clear(): void {
    this.ptr = release(this.ptr);
    this.len = 0;
    this.cap = 0;
  }
}

/**
 * A growable array of fixed-size f64 records, reset after every batch: the
 * output columns the host reads.
 *
 * ┌──────────────┬──────────────┬─────┐
 * │ record 0     │ record 1     │ ... │   each `width` f64 fields
 * └──────────────┴──────────────┴─────┘
 */
export class RecordBuffer {
  ptr: usize = 0;
  count: i32 = 0;
  cap: i32 = 0;
  width: i32;

  constructor(width: i32) {
    this.width = width;
  }

  /** Returns the address of a fresh record at the end, growing the block when full. */
  @inline next(): usize {
    if (this.count == this.cap) this.grow();
    const at = this.ptr + <usize>(this.count * this.width) * 8;
    this.count++;
    return at;
  }

  /** Doubles the capacity (at least 1024 records). */
  grow(): void {
    const cap = this.cap < 1024 ? 1024 : this.cap << 1;
    const recordBytes = <usize>this.width * 8;
    this.ptr = growZeroed(this.ptr, <usize>this.cap * recordBytes, <usize>cap * recordBytes);
    this.cap = cap;
  }

  /** Frees the block. */
  clear(): void {
    this.ptr = release(this.ptr);
    this.count = 0;
    this.cap = 0;
  }
}
