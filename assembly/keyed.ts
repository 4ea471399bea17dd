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

  /** Block of key `k` when it holds state (allocated and not all zero: all zero is "never seen"), else 0. */
  heldBlock(k: i32): usize {
    const b = this.blockIfAllocated(k);
    if (b == 0) return 0;
    // 8 bytes at a time: strides are multiples of 8
    for (let at: usize = 0; at < this.stride; at += 8) if (load<u64>(b + at) != 0) return b;
    return 0;
  }
}
