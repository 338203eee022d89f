// buildx `--cache-from` / `--cache-to` values. buildx reads them as one CSV record of `key=value` fields, so a
// field holding a comma or a quote (a path, say) is quoted CSV-style.

/** One `key=value` field of a buildx cache spec, quoted where CSV needs it. */
export function specField(key: string, value: string): string {
  const field = `${key}=${value}`;
  return /[",\r\n]/.test(field) ? `"${field.replace(/"/g, '""')}"` : field;
}

export function encodeSpec(fields: readonly (readonly [string, string])[]): string {
  return fields.map(([key, value]) => specField(key, value)).join(',');
}

/** `--cache-from` for one tag of a local OCI layout. */
export function localCacheFromSpec(layoutDir: string, tag: string): string {
  return encodeSpec([
    ['type', 'local'],
    ['src', layoutDir],
    ['tag', tag],
  ]);
}

/** `--cache-to` that exports a stage's whole cache graph (mode=max) into a local OCI layout. */
export function localCacheToSpec(exportDir: string, tag?: string): string {
  const fields: [string, string][] = [
    ['type', 'local'],
    ['dest', exportDir],
    ['mode', 'max'],
  ];
  if (tag !== undefined) fields.push(['tag', tag]);
  return encodeSpec(fields);
}

/** `--cache-from` / `--cache-to` for a registry reference (`repository:tag`). */
export function registryCacheSpec(ref: string, modeMax?: boolean): string {
  const fields: [string, string][] = [
    ['type', 'registry'],
    ['ref', ref],
  ];
  if (modeMax === true) fields.push(['mode', 'max']);
  return encodeSpec(fields);
}
