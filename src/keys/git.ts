// What git says about a work tree, parsed from its `-z` output (pure; `context-hash.ts` runs git):
// which files git's index can vouch for, with the mode and blob id a content hash of the file would give.

/** A file or symlink whose index entry equals what is on disk: git mode and blob id. */
export interface GitBlob {
  readonly mode: GitMode;
  readonly oid: string;
}

/** The modes git records for files (the executable bit only) and symlinks. */
export type GitMode = '100644' | '100755' | '120000';

/**
 * `git ls-files -s -v -z` (`<tag> <mode> <oid> <stage>\t<path>\0` per entry), keeping the entries that can
 * stand for a file on disk: tag `H` (not assume-unchanged `h`, not skip-worktree `S`), stage 0 (not a
 * conflict), a regular file or a symlink (not a submodule). Paths are relative to where git ran.
 */
export function parseIndexCandidates(output: string): Map<string, GitBlob> {
  const candidates = new Map<string, GitBlob>();
  let start = 0;
  while (start < output.length) {
    let end = output.indexOf('\0', start);
    if (end < 0) end = output.length;
    const tab = output.indexOf('\t', start);
    const space1 = output.indexOf(' ', start);
    const space2 = space1 < 0 ? -1 : output.indexOf(' ', space1 + 1);
    const space3 = space2 < 0 ? -1 : output.indexOf(' ', space2 + 1);
    if (
      tab < 0 ||
      tab > end ||
      space3 < 0 ||
      space3 > tab ||
      !/^[0-3]$/.test(output.slice(space3 + 1, tab))
    ) {
      throw new Error(`git ls-files: cannot read entry ${JSON.stringify(output.slice(start, end))}`);
    }
    const mode = output.slice(space1 + 1, space2);
    const trusted =
      space1 === start + 1 &&
      output[start] === 'H' &&
      output[space3 + 1] === '0' &&
      (mode === '100644' || mode === '100755' || mode === '120000');
    if (trusted) candidates.set(output.slice(tab + 1, end), { mode, oid: output.slice(space2 + 1, space3) });
    start = end + 1;
  }
  return candidates;
}

/** NUL-separated paths (`git ls-files -m -z`). */
export function parsePathList(output: string): string[] {
  return splitNul(output);
}

/** `git config -z --list`: `key\nvalue\0`, or `key\0` for a key without a value (boolean true). */
export function parseConfigList(output: string): Map<string, string> {
  const config = new Map<string, string>();
  for (const record of splitNul(output)) {
    const newline = record.indexOf('\n');
    const key = (newline < 0 ? record : record.slice(0, newline)).toLowerCase();
    config.set(key, newline < 0 ? 'true' : record.slice(newline + 1));
  }
  return config;
}

/** git's boolean config syntax; undefined when the value is unset or not a boolean. */
export function configBoolean(value: string | undefined): boolean | undefined {
  if (value === undefined) return undefined;
  const lower = value.toLowerCase();
  if (['true', 'yes', 'on', '1', ''].includes(lower)) return lower !== '';
  if (['false', 'no', 'off', '0'].includes(lower)) return false;
  return undefined;
}

/**
 * Why the index cannot stand for the work tree as a whole (git rewrites file contents on checkout), or
 * undefined when it can.
 */
export function configRejectsIndex(config: ReadonlyMap<string, string>): string | undefined {
  const autocrlf = config.get('core.autocrlf');
  if (autocrlf !== undefined && configBoolean(autocrlf) !== false && autocrlf.toLowerCase() !== 'input') {
    return `core.autocrlf=${autocrlf} converts line endings on checkout`;
  }
  if ((config.get('core.eol') ?? '').toLowerCase() === 'crlf') {
    return 'core.eol=crlf converts line endings on checkout';
  }
  if (configBoolean(config.get('core.filemode')) === false) {
    return 'core.fileMode=false: the index does not record executable bits from disk';
  }
  return undefined;
}

/**
 * `git check-attr -a -z`: `<path>\0<attribute>\0<value>\0`. Returns the paths whose checkout differs from
 * the blob: a filter (e.g. LFS), `ident`, `working-tree-encoding` or `eol=crlf`.
 */
export function parseRewrittenPaths(output: string): Set<string> {
  const fields = splitNul(output);
  const rewritten = new Set<string>();
  for (let i = 0; i + 2 < fields.length; i += 3) {
    const path = fields[i]!;
    const attribute = fields[i + 1]!;
    const value = fields[i + 2]!;
    if (rewrites(attribute, value)) rewritten.add(path);
  }
  return rewritten;
}

function rewrites(attribute: string, value: string): boolean {
  const set = value !== 'unset' && value !== 'unspecified';
  switch (attribute) {
    case 'filter':
    case 'ident':
    case 'working-tree-encoding':
      return set;
    case 'eol':
      return value === 'crlf';
    default:
      return false;
  }
}

function splitNul(output: string): string[] {
  if (output === '') return [];
  const parts = output.split('\0');
  if (parts[parts.length - 1] === '') parts.pop();
  return parts;
}
