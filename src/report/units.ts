// Sizes as Docker prints them, and the strict parsers for the size and budget inputs. Pure.
//
// Docker formats image sizes with go-units `HumanSizeWithPrecision(size, 3)`: divide by 1000 while the value
// is at least 1000 (B, kB, MB, GB, …), then Go's `%.3g` and the unit with no space: `999B`, `1kB`, `1.02kB`,
// `77.9MB`, `1.5GB`. We reproduce `%.3g` exactly (three significant digits, ties to even on the exact binary
// value, trailing zeros dropped) with one deliberate difference: where Go rounds 999.5–999.99 up to `1e+03kB`,
// we move to the next unit and print `1MB`.
import { InputError } from '../input-error.js';
import type { SizeDelta } from '../size/types.js';

const DECIMAL_UNITS = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB', 'ZB', 'YB'] as const;
const PRECISION = 3;

/** `bytes` as Docker shows it: `0B`, `999B`, `1.23kB`, `77.9MB`. A negative size gets a leading `-`. */
export function formatSize(bytes: number): string {
  if (!Number.isFinite(bytes)) throw new RangeError(`formatSize: ${bytes} is not a finite number`);
  if (bytes < 0) return `-${formatSize(-bytes)}`;
  const last = DECIMAL_UNITS.length - 1;
  let size = bytes;
  let unit = 0;
  while (size >= 1000 && unit < last) {
    size /= 1000;
    unit++;
  }
  if (unit < last && size > 0 && roundSignificant(size, PRECISION).exponent >= PRECISION) {
    size /= 1000;
    unit++;
  }
  return `${formatGo(size, PRECISION)}${DECIMAL_UNITS[unit]}`;
}

/** A size change with an explicit ASCII sign: `+1.2MB`, `-512B`; no change is `0B`. */
export function formatSizeDelta(bytes: number): string {
  return bytes === 0 ? '0B' : `${bytes > 0 ? '+' : '-'}${formatSize(Math.abs(bytes))}`;
}

/** A count change with an explicit sign: `+2`, `-1`, `0`. */
export function formatCountDelta(count: number): string {
  return count > 0 ? `+${count}` : `${count}`;
}

/**
 * A relative change, one decimal, signed by the direction of the change itself (so a tiny growth reads
 * `+0.0%`): `+3.4%`, `-0.5%`, `0.0%`; `n/a` when the baseline was 0 and the value moved.
 */
export function formatPercentDelta(delta: SizeDelta): string {
  if (delta.change === 0) return '0.0%';
  if (delta.percent === undefined) return 'n/a';
  return `${delta.change > 0 ? '+' : '-'}${Math.abs(delta.percent).toFixed(1)}%`;
}

/** Go's `%.<precision>g` for a non-negative finite number. */
export function formatGo(value: number, precision: number): string {
  if (value === 0) return '0';
  const { digits, exponent } = roundSignificant(value, precision);
  if (exponent < -4 || exponent >= precision) {
    const mantissa = trimFraction(`${digits[0]}.${digits.slice(1)}`);
    const sign = exponent < 0 ? '-' : '+';
    return `${mantissa}e${sign}${String(Math.abs(exponent)).padStart(2, '0')}`;
  }
  if (exponent >= 0) {
    return trimFraction(`${digits.slice(0, exponent + 1)}.${digits.slice(exponent + 1)}`);
  }
  return trimFraction(`0.${'0'.repeat(-exponent - 1)}${digits}`);
}

/**
 * `value` (positive, finite) rounded to `precision` significant digits: the digits and the decimal exponent
 * of the first one. Rounds the exact binary value, ties to even, as Go's strconv does.
 */
function roundSignificant(value: number, precision: number): { digits: string; exponent: number } {
  if (value >= 1e21) {
    const [mantissa, exp] = value.toExponential(precision - 1).split('e');
    return { digits: mantissa!.replace('.', ''), exponent: Number(exp) };
  }
  // toFixed is exact (the spec asks for the integer n closest to value × 10^f), and 100 places hold the whole
  // decimal expansion of any double from 2^-48 up, which covers every size.
  const fixed = value.toFixed(100);
  const point = fixed.indexOf('.');
  const all = fixed.slice(0, point) + fixed.slice(point + 1);
  const first = all.search(/[1-9]/);
  let exponent = point - first - 1;
  let digits = all.slice(first, first + precision).padEnd(precision, '0');
  const rest = all.slice(first + precision);
  const head = rest[0] ?? '0';
  const tail = /[1-9]/.test(rest.slice(1));
  const odd = Number(digits[digits.length - 1]) % 2 === 1;
  if (head > '5' || (head === '5' && (tail || odd))) {
    const next = (BigInt(digits) + 1n).toString();
    if (next.length > precision) {
      digits = next.slice(0, precision);
      exponent++;
    } else {
      digits = next;
    }
  }
  return { digits, exponent };
}

function trimFraction(text: string): string {
  return text.includes('.') ? text.replace(/0+$/, '').replace(/\.$/, '') : text;
}

const SIZE_UNITS: ReadonlyMap<string, number> = new Map([
  ['b', 1],
  ['k', 1e3],
  ['kb', 1e3],
  ['m', 1e6],
  ['mb', 1e6],
  ['g', 1e9],
  ['gb', 1e9],
  ['t', 1e12],
  ['tb', 1e12],
  ['kib', 1024],
  ['mib', 1024 ** 2],
  ['gib', 1024 ** 3],
  ['tib', 1024 ** 4],
]);

const SIZE_EXAMPLES = 'a size with a unit such as 150MB, 1.5GB or 500kB';

/**
 * A size input in bytes: a non-negative number and a unit, decimal as Docker's (`B`, `kB`, `MB`, `GB`, `TB`,
 * case-insensitive, the `B` optional after a prefix) or binary (`KiB`, `MiB`, `GiB`, `TiB`); one space
 * between them at most. A bare number is refused: `150` is far more likely a slip than 150 bytes.
 */
export function parseSize(value: string, input = 'size'): number {
  const match = /^(\d+(?:\.\d+)?|\.\d+) ?([A-Za-z]+)$/.exec(value);
  const multiplier = match === null ? undefined : SIZE_UNITS.get(match[2]!.toLowerCase());
  if (match === null || multiplier === undefined) {
    const hint = /^\d+(?:\.\d+)?$/.test(value.trim()) ? ' (the unit is required)' : '';
    throw new InputError(`Input ${input}: expected ${SIZE_EXAMPLES}${hint}, got ${JSON.stringify(value)}`);
  }
  const bytes = Math.round(Number(match[1]) * multiplier);
  if (!Number.isSafeInteger(bytes)) {
    throw new InputError(`Input ${input}: ${JSON.stringify(value)} is too large`);
  }
  return bytes;
}

/** A percentage input such as `5%` or `0.1%`: a non-negative number, then `%`. */
export function parsePercent(value: string, input = 'percent'): number {
  const match = /^(\d+(?:\.\d+)?|\.\d+) ?%$/.exec(value);
  if (match === null) {
    throw new InputError(
      `Input ${input}: expected a percentage such as 5% or 0.1%, got ${JSON.stringify(value)}`,
    );
  }
  return Number(match[1]);
}

export type MaxIncrease =
  { readonly kind: 'percent'; readonly percent: number } | { readonly kind: 'bytes'; readonly bytes: number };

/** `max-increase`: a percentage of the baseline (`5%`) or a size (`10MB`). */
export function parseMaxIncrease(value: string, input = 'max-increase'): MaxIncrease {
  if (/%\s*$/.test(value)) return { kind: 'percent', percent: parsePercent(value, input) };
  if (/^(\d+(?:\.\d+)?|\.\d+) ?[A-Za-z]+$/.test(value)) {
    return { kind: 'bytes', bytes: parseSize(value, input) };
  }
  throw new InputError(
    `Input ${input}: expected a percentage such as 5% or ${SIZE_EXAMPLES}, got ${JSON.stringify(value)}`,
  );
}

export function formatMaxIncrease(limit: MaxIncrease): string {
  return limit.kind === 'percent' ? `${limit.percent}%` : formatSize(limit.bytes);
}
