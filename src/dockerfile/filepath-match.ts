// Go's `filepath.Match` on Unix, on code points as Go works on runes. BuildKit uses it to match COPY source
// components and to reject malformed .dockerignore patterns.

export class FilepathPatternError extends Error {
  constructor() {
    super('syntax error in pattern');
  }
}

/** Whether `name` matches `pattern`; throws FilepathPatternError where Go returns ErrBadPattern. */
export function goFilepathMatch(pattern: string, name: string): boolean {
  return match(Array.from(pattern), Array.from(name));
}

type Runes = readonly string[];

function match(patternIn: Runes, nameIn: Runes): boolean {
  let pattern = patternIn;
  let name = nameIn;
  outer: while (pattern.length > 0) {
    const { star, chunk, rest } = scanChunk(pattern);
    pattern = rest;
    if (star && chunk.length === 0) return !name.includes('/');
    const here = matchChunk(chunk, name);
    if (here !== undefined && (here.length === 0 || pattern.length > 0)) {
      name = here;
      continue;
    }
    if (star) {
      for (let i = 0; i < name.length && name[i] !== '/'; i++) {
        const skipped = matchChunk(chunk, name.slice(i + 1));
        if (skipped !== undefined) {
          if (pattern.length === 0 && skipped.length > 0) continue;
          name = skipped;
          continue outer;
        }
      }
    }
    // Go checks the rest of the pattern is well-formed before answering false.
    while (pattern.length > 0) {
      const next = scanChunk(pattern);
      pattern = next.rest;
      matchChunk(next.chunk, []);
    }
    return false;
  }
  return name.length === 0;
}

function scanChunk(patternIn: Runes): { star: boolean; chunk: Runes; rest: Runes } {
  let pattern = patternIn;
  let star = false;
  while (pattern.length > 0 && pattern[0] === '*') {
    pattern = pattern.slice(1);
    star = true;
  }
  let inRange = false;
  let i = 0;
  scan: for (; i < pattern.length; i++) {
    switch (pattern[i]) {
      case '\\':
        if (i + 1 < pattern.length) i++;
        break;
      case '[':
        inRange = true;
        break;
      case ']':
        inRange = false;
        break;
      case '*':
        if (!inRange) break scan;
        break;
    }
  }
  return { star, chunk: pattern.slice(0, i), rest: pattern.slice(i) };
}

/** The rest of `s` after `chunk` matched its start, or undefined; throws BadPattern like Go. */
function matchChunk(chunkIn: Runes, sIn: Runes): Runes | undefined {
  let chunk = chunkIn;
  let s = sIn;
  let failed = false;
  while (chunk.length > 0) {
    if (!failed && s.length === 0) failed = true;
    const head = chunk[0];
    if (head === '[') {
      let r = '';
      if (!failed) {
        r = s[0]!;
        s = s.slice(1);
      }
      chunk = chunk.slice(1);
      let negated = false;
      if (chunk.length > 0 && chunk[0] === '^') {
        negated = true;
        chunk = chunk.slice(1);
      }
      let matched = false;
      let ranges = 0;
      for (;;) {
        if (chunk.length > 0 && chunk[0] === ']' && ranges > 0) {
          chunk = chunk.slice(1);
          break;
        }
        const low = escaped(chunk);
        chunk = low.rest;
        let high = low.rune;
        if (chunk[0] === '-') {
          const upper = escaped(chunk.slice(1));
          chunk = upper.rest;
          high = upper.rune;
        }
        if (!failed && codePoint(low.rune) <= codePoint(r) && codePoint(r) <= codePoint(high)) matched = true;
        ranges++;
      }
      if (matched === negated) failed = true;
    } else if (head === '?') {
      if (!failed) {
        if (s[0] === '/') failed = true;
        s = s.slice(1);
      }
      chunk = chunk.slice(1);
    } else {
      if (head === '\\') {
        chunk = chunk.slice(1);
        if (chunk.length === 0) throw new FilepathPatternError();
      }
      if (!failed) {
        if (chunk[0] !== s[0]) failed = true;
        s = s.slice(1);
      }
      chunk = chunk.slice(1);
    }
  }
  return failed ? undefined : s;
}

/** Go's `getEsc`: one (possibly escaped) character of a class, which must be followed by more. */
function escaped(chunkIn: Runes): { rune: string; rest: Runes } {
  let chunk = chunkIn;
  if (chunk.length === 0 || chunk[0] === '-' || chunk[0] === ']') throw new FilepathPatternError();
  if (chunk[0] === '\\') {
    chunk = chunk.slice(1);
    if (chunk.length === 0) throw new FilepathPatternError();
  }
  const rune = chunk[0]!;
  const rest = chunk.slice(1);
  if (rest.length === 0) throw new FilepathPatternError();
  return { rune, rest };
}

function codePoint(rune: string): number {
  return rune.codePointAt(0) ?? -1;
}
