// Fields of the readable cache keys for stored documents (size baselines, drift records): `-` only ever
// separates fields, so a restore prefix such as `…-main-` never matches `…-main-old-`.
import { createHash } from 'node:crypto';

function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 8);
}

/** A key field: kept when it is already [A-Za-z0-9._] and short, else cleaned, cut and given a hash. */
export function keyField(text: string, max: number): string {
  if (/^[A-Za-z0-9._]+$/.test(text) && text.length <= max) return text;
  const clean = text.replace(/[^A-Za-z0-9.]+/g, '_').replace(/^_+|_+$/g, '') || '_';
  return `${clean.slice(0, max - 9)}_${shortHash(text)}`;
}

/** `linux/arm64/v8` → `linux_arm64_v8`; anything unusual goes through `keyField`. */
export function platformKeyField(platform: string, max: number): string {
  return /^[a-z0-9]+(\/[a-z0-9.]+){1,2}$/.test(platform) && platform.length <= max
    ? platform.replace(/\//g, '_')
    : keyField(platform, max);
}
