// The canonical encoding everything in a key is hashed through: JSON with object keys sorted and
// `undefined` fields left out, so the same value always gives the same bytes, whatever order the code
// built it in. Hashes are sha256 in lowercase hex.
import { createHash } from 'node:crypto';

/** A value the canonical encoding accepts: JSON's, with `undefined` fields dropped as JSON.stringify does. */
export type Canonical =
  string | number | boolean | null | undefined | readonly Canonical[] | { readonly [key: string]: Canonical };

/** JSON with object keys in code-unit order and no whitespace; arrays keep their order. */
export function encodeCanonical(value: Canonical): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) {
      throw new TypeError(`encodeCanonical: ${value} has no JSON form`);
    }
    return JSON.stringify(value ?? null);
  }
  if (Array.isArray(value)) {
    return `[${(value as readonly Canonical[]).map((item) => encodeCanonical(item ?? null)).join(',')}]`;
  }
  const object = value as { readonly [key: string]: Canonical };
  const fields: string[] = [];
  for (const key of Object.keys(object).sort(compareCodeUnits)) {
    const field = object[key];
    if (field === undefined) continue;
    fields.push(`${JSON.stringify(key)}:${encodeCanonical(field)}`);
  }
  return `{${fields.join(',')}}`;
}

export function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** sha256 of the UTF-8 bytes, lowercase hex (64 characters). */
export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** sha256 of the canonical encoding. */
export function hashCanonical(value: Canonical): string {
  return sha256Hex(encodeCanonical(value));
}
