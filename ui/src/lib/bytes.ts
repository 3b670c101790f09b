// Byte helpers: base64 decoding, UTF-8 detection, hex dumps.
// Pure functions only (no DOM), unit-tested in bytes.test.ts.

/** Decode standard base64 (with or without padding) into bytes. */
export function base64ToBytes(b64: string): Uint8Array {
  if (!b64) return new Uint8Array(0);
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** Encode bytes as standard base64 (used by the fake backend and tests). */
export function bytesToBase64(bytes: Uint8Array): string {
  let bin = '';
  const chunk = 0x8000;
  for (let i = 0; i < bytes.length; i += chunk) {
    bin += String.fromCharCode(...bytes.subarray(i, i + chunk));
  }
  return btoa(bin);
}

/** Encode a JS string as UTF-8 bytes. */
export function utf8Bytes(s: string): Uint8Array {
  return new TextEncoder().encode(s);
}

/** Strict UTF-8 decode: returns null when the bytes are not valid UTF-8. */
export function decodeUtf8(bytes: Uint8Array): string | null {
  try {
    // ignoreBOM keeps a leading BOM visible instead of silently dropping it.
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return null;
  }
}

export function isValidUtf8(bytes: Uint8Array): boolean {
  return decodeUtf8(bytes) !== null;
}

export const HEX_ROW_BYTES = 16;

export type HexRow = {
  /** Byte offset of the first byte of the row. */
  offset: number;
  /** "00000010" */
  offsetText: string;
  /** "de ad be ef 00 ...", with an extra space after the 8th byte, padded to fixed width. */
  hex: string;
  /** Printable ASCII (0x20..0x7e) as-is, everything else as '.'. */
  ascii: string;
};

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
/** Width of the hex column: 16 * "xx " + 1 extra group space, minus trailing space. */
const HEX_WIDTH = HEX_ROW_BYTES * 3;

/** Hex dump rows for bytes[start, end) (end clamped to the length). start should be a multiple of 16. */
export function hexRows(bytes: Uint8Array, start = 0, end = bytes.length): HexRow[] {
  const stop = Math.min(end, bytes.length);
  const rows: HexRow[] = [];
  for (let off = Math.max(0, start); off < stop; off += HEX_ROW_BYTES) {
    const rowEnd = Math.min(off + HEX_ROW_BYTES, stop);
    let hex = '';
    let ascii = '';
    for (let i = off; i < rowEnd; i++) {
      const b = bytes[i];
      if (i > off) hex += i - off === 8 ? '  ' : ' ';
      hex += HEX[b];
      ascii += b >= 0x20 && b <= 0x7e ? String.fromCharCode(b) : '.';
    }
    rows.push({
      offset: off,
      offsetText: off.toString(16).padStart(8, '0'),
      hex: hex.padEnd(HEX_WIDTH, ' '),
      ascii,
    });
  }
  return rows;
}

/** Full hex dump as text (offset, hex, |ascii|), like `hexdump -C` without the trailing total. */
export function hexDumpText(bytes: Uint8Array, start = 0, end = bytes.length): string {
  return hexRows(bytes, start, end)
    .map((r) => `${r.offsetText}  ${r.hex}  |${r.ascii}|`)
    .join('\n');
}

/** Continuous lowercase hex ("deadbeef"), suitable for `xxd -r -p`. */
export function bytesToHex(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += HEX[bytes[i]];
  return s;
}
