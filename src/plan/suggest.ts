// "did you mean …?" hints, as BuildKit's util/suggest gives them (edit distance under 3).

/** Levenshtein distance over code points, unit costs. */
export function editDistance(a: string, b: string): number {
  const left = [...a];
  const right = [...b];
  let previous = Array.from({ length: right.length + 1 }, (_, i) => i);
  for (let i = 1; i <= left.length; i++) {
    const current = [i];
    for (let j = 1; j <= right.length; j++) {
      const substitution = previous[j - 1]! + (left[i - 1] === right[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution));
    }
    previous = current;
  }
  return previous[right.length]!;
}

/** The closest option, or `undefined` when none is close or one matches exactly. */
export function findSuggestion(
  value: string,
  options: readonly string[],
  caseSensitive: boolean,
): string | undefined {
  const needle = caseSensitive ? value : value.toLowerCase();
  let match: string | undefined;
  let best = 3;
  for (const option of options) {
    const candidate = caseSensitive ? option : option.toLowerCase();
    if (candidate === needle) return undefined;
    const distance = editDistance(needle, candidate);
    if (distance < best) {
      match = caseSensitive ? candidate : matchCase(candidate, value);
      best = distance;
    }
  }
  return match;
}

function matchCase(value: string, original: string): string {
  if (original === original.toLowerCase()) return value.toLowerCase();
  if (original === original.toUpperCase()) return value.toUpperCase();
  return value;
}

/** Appends BuildKit's hint to a message when there is one. */
export function withSuggestion(
  message: string,
  value: string,
  options: readonly string[],
  caseSensitive: boolean,
): string {
  const match = findSuggestion(value, options, caseSensitive);
  return match === undefined ? message : `${message} (did you mean ${match}?)`;
}
