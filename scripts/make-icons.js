// Writes the tray icons as small PNGs (no image tool needed): a filled circle per state, in
// colour for Windows/Linux and as black-with-alpha template images for the macOS menu bar,
// each at 1x (16 px) and 2x (32 px). Run: node scripts/make-icons.js
import { Buffer } from 'node:buffer';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

const OUT = 'resources/tray';
const STATES = {
  capturing: [46, 160, 67],
  paused: [140, 140, 150],
  error: [210, 50, 50],
};

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}
function png(size, pixel) {
  const rows = [];
  for (let y = 0; y < size; y++) {
    const row = Buffer.alloc(1 + size * 4);
    for (let x = 0; x < size; x++) row.set(pixel(x, y), 1 + x * 4);
    rows.push(row);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // RGBA
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(Buffer.concat(rows))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** Coverage of a pixel by a disc (4×4 supersampling for smooth edges). */
function disc(size, inner) {
  const r = size * 0.4;
  const c = size / 2;
  return (x, y) => {
    let hit = 0;
    for (let i = 0; i < 4; i++)
      for (let j = 0; j < 4; j++) {
        const d = Math.hypot(x + (i + 0.5) / 4 - c, y + (j + 0.5) / 4 - c);
        if (d <= r && (!inner || d >= r * inner)) hit++;
      }
    return hit / 16;
  };
}

fs.mkdirSync(OUT, { recursive: true });
for (const [state, [r, g, b]] of Object.entries(STATES)) {
  for (const [scale, suffix] of [
    [1, ''],
    [2, '@2x'],
  ]) {
    const size = 16 * scale;
    // Paused is a ring, the others solid discs: the state reads without colour (template images).
    const cover = disc(size, state === 'paused' ? 0.55 : 0);
    const colour = png(size, (x, y) => [r, g, b, Math.round(255 * cover(x, y))]);
    const template = png(size, (x, y) => [0, 0, 0, Math.round(255 * cover(x, y))]);
    fs.writeFileSync(path.join(OUT, `${state}${suffix}.png`), colour);
    fs.writeFileSync(path.join(OUT, `${state}Template${suffix}.png`), template);
  }
}
// The app icon for installers: a 512 px disc.
const big = disc(512, 0);
fs.writeFileSync(
  'resources/icon.png',
  png(512, (x, y) => [79, 70, 229, Math.round(255 * big(x, y))]),
);
console.log(`icons written to ${OUT}/ and resources/icon.png`);
