// Formatting of sizes and timestamps for display.

const UNITS = ['KiB', 'MiB', 'GiB', 'TiB'];

/** Human size with binary units: 0 B, 999 B, 1.2 KiB, 10 MiB. */
export function formatSize(n: number): string {
  if (!Number.isFinite(n) || n < 0) return '?';
  if (n < 1024) return `${n} B`;
  let v = n;
  let u = -1;
  do {
    v /= 1024;
    u++;
  } while (v >= 1024 && u < UNITS.length - 1);
  // One decimal below 10 (1.2 KiB), none above (120 KiB); drop a trailing ".0".
  const txt = v < 10 ? v.toFixed(1).replace(/\.0$/, '') : Math.round(v).toString();
  // Rounding can produce "1024 KiB"; move up a unit in that case.
  if (txt === '1024' && u < UNITS.length - 1) return `1 ${UNITS[u + 1]}`;
  return `${txt} ${UNITS[u]}`;
}

/** Exact byte count with thousands separators: "12,582,912 bytes". */
export function formatBytesExact(n: number): string {
  return `${groupDigits(n)} ${n === 1 ? 'byte' : 'bytes'}`;
}

export function groupDigits(n: number): string {
  return String(Math.trunc(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

const pad2 = (n: number) => String(n).padStart(2, '0');
const pad3 = (n: number) => String(n).padStart(3, '0');

/** Local wall-clock time with milliseconds: "14:03:07.123". */
export function formatClock(us: number): string {
  const d = new Date(Math.floor(us / 1000));
  return `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}.${pad3(d.getMilliseconds())}`;
}

/** Local date and time with microseconds: "2024-05-01 14:03:07.123456". */
export function formatLocalFull(us: number): string {
  const d = new Date(Math.floor(us / 1000));
  const micro = String(((us % 1_000_000) + 1_000_000) % 1_000_000).padStart(6, '0');
  return (
    `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} ` +
    `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}.${micro}`
  );
}

/** Tooltip text for a timestamp: local time plus the exact UTC value from the backend. */
export function timestampTitle(us: number, rfc3339: string): string {
  return `${formatLocalFull(us)} local\n${rfc3339}`;
}

/** "3 captures", "1 capture". */
export function plural(n: number, word: string): string {
  return `${groupDigits(n)} ${word}${n === 1 ? '' : 's'}`;
}
