/**
 * Fixed-size per-key blocks for the analytics kernels (z-score rings, Holt
 * state, detector state): chunks of 1024 keys allocated as ids appear, each
 * key's block contiguous (a kernel reads all of one key's state per row).
 *
 * ┌───────────────┬───────────────┬─────┬──────────────────┐
 * │ key 0 block   │ key 1 block   │ ... │ key 2^shift − 1  │   one chunk, `stride` bytes per key
 * └───────────────┴───────────────┴─────┴──────────────────┘
 *
 * A chunk holds 2^shift keys, shift ≤ 10 chosen so a chunk is about 256 KiB:
 * a store of 4 KB blocks (the detector's) does not zero 4 MB for its first key.
 *
 * A block is zero until its kernel first writes it, so "all zero" is every
 * kernel's "never seen" state.
 */
import { allocZeroed, growZeroed, release } from "./buffers";
import { Writer, Reader } from "./serial";

/** Target bytes per chunk: small blocks share a chunk among up to 1024 keys, big ones (the detector's 4000-byte blocks) among 64. */
const CHUNK_TARGET_BYTES: usize = 256 * 1024;
const MAX_SHIFT: i32 = 10;

export class KeyedBlocks {
  stride: usize = 8;
  shift: i32 = MAX_SHIFT;
  mask: i32 = (1 << MAX_SHIFT) - 1;
  table: usize = 0;
  cap: i32 = 0;
  /** Highest key id given a block + 1. */
  count: i32 = 0;

  /** Frees everything and sets the block size (rounded up to 8 bytes). */
  configure(bytes: usize): void {
    this.reset();
    this.stride = (bytes + 7) & ~7;
    let shift = MAX_SHIFT;
    // in 64 bits: a big block shifted left must not wrap to a tiny chunk
    while (shift > 0 && (<u64>this.stride << <u64>shift) > <u64>CHUNK_TARGET_BYTES) shift--;
    this.shift = shift;
    this.mask = (1 << shift) - 1;
  }

  /** The block of key `k`, allocated (zeroed) on first use. */
  @inline block(k: i32): usize {
    const c = k >> this.shift;
    if (c < this.cap) {
      const base = load<usize>(this.table + (<usize>c << alignof<usize>()));
      if (base != 0) {
        if (k >= this.count) this.count = k + 1;
        return base + <usize>(k & this.mask) * this.stride;
      }
    }
    return this.allocate(k);
  }

  /** The block of key `k`, or 0 if its chunk was never allocated. */
  blockIfAllocated(k: i32): usize {
    const c = k >> this.shift;
    if (c >= this.cap) return 0;
    const base = load<usize>(this.table + (<usize>c << alignof<usize>()));
    return base == 0 ? 0 : base + <usize>(k & this.mask) * this.stride;
  }

  private allocate(k: i32): usize {
    const c = k >> this.shift;
    if (c >= this.cap) {
      let cap = this.cap < 16 ? 16 : this.cap;
      while (cap <= c) cap <<= 1;
      this.table = growZeroed(this.table, <usize>this.cap << alignof<usize>(), <usize>cap << alignof<usize>());
      this.cap = cap;
    }
    const slot = this.table + (<usize>c << alignof<usize>());
    let base = load<usize>(slot);
    if (base == 0) {
      base = allocZeroed(this.stride << <usize>this.shift);
      store<usize>(slot, base);
    }
    if (k >= this.count) this.count = k + 1;
    return base + <usize>(k & this.mask) * this.stride;
  }

  /** Frees every chunk. */
  reset(): void {
    for (let c = 0; c < this.cap; c++) release(load<usize>(this.table + (<usize>c << alignof<usize>())));
    this.table = release(this.table);
    this.cap = 0;
    this.count = 0;
  }

  /** Bytes allocated for blocks. */
  allocatedBytes(): f64 {
    let chunks = 0;
    for (let c = 0; c < this.cap; c++) if (load<usize>(this.table + (<usize>c << alignof<usize>())) != 0) chunks++;
    return <f64>chunks * <f64>(this.stride << <usize>this.shift);
  }

  /** Upper bound of save()'s bytes. */
  saveBound(): f64 {
    return 8 + <f64>this.count * (4 + <f64>this.stride);
  }

  /** Writes every allocated block (a flag per key: 0 = none, 1 = block follows). */
  save(w: Writer): void {
    w.i32(<i32>this.stride);
    w.i32(this.count);
    for (let k = 0; k < this.count; k++) {
      const b = this.blockIfAllocated(k);
      if (b == 0) {
        w.i32(0);
      } else {
        w.i32(1);
        w.bytes(b, this.stride);
      }
    }
  }

  /** Reads blocks written by save(); the stride must match this store's configuration. */
  load(r: Reader): bool {
    const stride = r.i32();
    const count = r.i32();
    if (!r.ok || <usize>stride != this.stride || count < 0) return false;
    for (let k = 0; k < count; k++) {
      const flag = r.i32();
      if (!r.ok || (flag != 0 && flag != 1)) return false;
      if (flag == 1) r.bytes(this.block(k), this.stride);
    }
    return r.ok;
  }
}
