// `max-cache-age`: how old a stage's cache may be before a scheduled run rebuilds it anyway (package updates
// behind an unchanged base). Strict, pure.
import { InputError } from '../input-error.js';

const UNITS: ReadonlyMap<string, number> = new Map([
  ['m', 60_000],
  ['h', 3_600_000],
  ['d', 86_400_000],
  ['w', 604_800_000],
]);

/** `7d`, `12h`, `30m`, `2w` → milliseconds. A whole number of at least 1, then one unit; nothing else. */
export function parseMaxCacheAge(value: string, input = 'max-cache-age'): number {
  const match = /^([0-9]+)([mhdw])$/.exec(value.trim());
  const unit = match === null ? undefined : UNITS.get(match[2]!);
  if (match === null || unit === undefined) {
    const hint = /^[0-9]+$/.test(value.trim()) ? ' (the unit is required)' : '';
    throw new InputError(
      `Input ${input}: expected a whole number and a unit m, h, d or w (minutes, hours, days, weeks), such as 7d, 12h, 30m or 2w${hint}, got ${JSON.stringify(value)}`,
    );
  }
  const count = Number(match[1]);
  if (count < 1)
    throw new InputError(`Input ${input}: must be at least 1${match[2]}, got ${JSON.stringify(value)}`);
  const ms = count * unit;
  if (!Number.isSafeInteger(ms))
    throw new InputError(`Input ${input}: ${JSON.stringify(value)} is too large`);
  return ms;
}

/**
 * An age or a limit, short and rounded down: days from 2 days (`9d`, `14d` for two weeks), hours from 2 hours
 * (`36h`), else minutes (`45m`, `0m`).
 */
export function formatAge(ms: number): string {
  const minutes = Math.max(0, Math.floor(ms / 60_000));
  if (minutes >= 2 * 24 * 60) return `${Math.floor(minutes / (24 * 60))}d`;
  if (minutes >= 2 * 60) return `${Math.floor(minutes / 60)}h`;
  return `${minutes}m`;
}
