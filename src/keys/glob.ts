// Paths and wildcards of COPY/ADD sources as BuildKit resolves them against the build context:
// `system.NormalizePath` (clean, rooted at the context), fsutil's `splitWildcards`/`containsWildcards`,
// and Go's `filepath.Match` on Unix, applied one path component at a time as fsutil's `resolveWildcards`
// does (`*` and `?` never match `/`).
import { FilepathPatternError, goFilepathMatch } from '../dockerfile/index.js';

/** `/`-separated, cleaned, relative to the context root; `''` is the root. `..` cannot leave the root. */
export function cleanContextPath(path: string): string {
  const out: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') out.pop();
    else out.push(part);
  }
  return out.join('/');
}

export function splitContextPath(path: string): string[] {
  return path === '' ? [] : path.split('/');
}

export function joinContextPath(dir: string, name: string): string {
  return dir === '' ? name : `${dir}/${name}`;
}

/** fsutil `containsWildcards` on Unix: `*`, `?` or `[`, where `\` escapes the next character. */
export function containsWildcards(component: string): boolean {
  for (let i = 0; i < component.length; i++) {
    const ch = component[i];
    if (ch === '\\') i++;
    else if (ch === '*' || ch === '?' || ch === '[') return true;
  }
  return false;
}

/** ADD sources BuildKit fetches itself (HTTP or git), which never read the build context. */
export function isRemoteSource(source: string): boolean {
  return /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(source) || source.startsWith('git@');
}

/**
 * Go's `filepath.Match(pattern, name)` on Unix for one path component; a malformed pattern matches
 * nothing, as BuildKit ignores the error (`match, _ := filepath.Match(...)`).
 */
export function matchComponent(pattern: string, name: string): boolean {
  try {
    return goFilepathMatch(pattern, name);
  } catch (error) {
    if (error instanceof FilepathPatternError) return false;
    throw error;
  }
}
