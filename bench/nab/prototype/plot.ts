/** Scratch: render NAB files (values, windows, probation, detections) to PNG panels. */
import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import type { NabFile } from '../data.js';
import { parseNabTimestamp } from '../data.js';
import { probationLength } from '../scorer.js';

const crcTable = new Uint32Array(256).map((_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of buf) c = (crcTable[(c ^ b) & 0xff] as number) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type: string, data: Uint8Array): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), Buffer.from(data)]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}
export function writePng(path: string, w: number, h: number, rgb: Uint8Array): void {
  const raw = Buffer.alloc((w * 3 + 1) * h);
  for (let y = 0; y < h; y++) {
    raw[y * (w * 3 + 1)] = 0;
    Buffer.from(rgb.buffer, rgb.byteOffset + y * w * 3, w * 3).copy(raw, y * (w * 3 + 1) + 1);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8;
  ihdr[9] = 2;
  writeFileSync(path, Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', new Uint8Array())]));
}

export function plotFiles(path: string, files: NabFile[], scores?: Float64Array[], threshold?: number, W = 1400, H = 110): void {
  const img = new Uint8Array(W * H * files.length * 3).fill(255);
  const set = (x: number, y: number, r: number, g: number, b: number): void => {
    if (x < 0 || x >= W || y < 0 || y >= H * files.length) return;
    const o = (y * W + x) * 3;
    img[o] = r; img[o + 1] = g; img[o + 2] = b;
  };
  files.forEach((f, p) => {
    const n = f.values.length;
    const y0 = p * H;
    const col = (i: number): number => Math.floor((i / n) * W);
    const prob = probationLength(n);
    for (let x = 0; x < col(prob); x++) for (let y = 2; y < H - 2; y++) set(x, y0 + y, 225, 225, 225);
    for (const [s, e] of f.windows) {
      const a = f.times.indexOf(parseNabTimestamp(s));
      const b = f.times.indexOf(parseNabTimestamp(e));
      for (let x = col(a); x <= col(b); x++) for (let y = 2; y < H - 2; y++) set(x, y0 + y, 255, 215, 215);
      for (let y = 2; y < H - 2; y++) set(col(Math.round((a + b) / 2)), y0 + y, 255, 170, 170);
    }
    let lo = Infinity, hi = -Infinity;
    for (const v of f.values) { if (v < lo) lo = v; if (v > hi) hi = v; }
    const yOf = (v: number): number => y0 + 8 + Math.round((1 - (v - lo) / (hi - lo || 1)) * (H - 26));
    for (let i = 0; i < n; i++) set(col(i), yOf(f.values[i] as number), 0, 0, 120);
    const sc = scores?.[p];
    if (sc) {
      for (let i = 0; i < n; i++) {
        const s = sc[i] as number;
        const y = y0 + H - 4 - Math.round(s * 12);
        set(col(i), y, 0, 150, 0);
        if (threshold !== undefined && s >= threshold && i >= prob) for (let y = 0; y < 8; y++) set(col(i), y0 + y, 230, 0, 0);
      }
    }
    for (let x = 0; x < W; x++) set(x, y0 + H - 1, 0, 0, 0);
  });
  writePng(path, W, H * files.length, img);
}
