import { describe, expect, test } from '@jest/globals';
import { encodeCanonical, hashCanonical, sha256Hex, type Canonical } from './encode.js';

describe('canonical encoding', () => {
  test('object keys sorted at every depth, undefined fields dropped, arrays in order', () => {
    expect(encodeCanonical({ b: 1, a: [{ d: 'x', c: undefined }, null, true], e: undefined })).toBe(
      '{"a":[{"d":"x"},null,true],"b":1}',
    );
  });

  test('equal values encode equally however they were built', () => {
    const built: { [key: string]: Canonical } = {};
    built.z = 'z';
    built.a = { y: 2, x: 1 };
    expect(hashCanonical(built)).toBe(hashCanonical({ a: { x: 1, y: 2 }, z: 'z' }));
  });

  test('strings are JSON-escaped, so no two values share an encoding', () => {
    expect(encodeCanonical(['a,b'])).not.toBe(encodeCanonical(['a', 'b']));
    expect(encodeCanonical('line\nbreak "quoted"')).toBe('"line\\nbreak \\"quoted\\""');
  });

  test('numbers without a JSON form are refused', () => {
    expect(() => encodeCanonical(Number.NaN)).toThrow('has no JSON form');
  });

  test('sha256 in lowercase hex', () => {
    expect(sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });
});
