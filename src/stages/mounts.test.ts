// RUN --mount and --device values: the parse-time reading (readMount), the build-time reading
// (parseMount, with every BuildKit rule), CSV splitting, and BuildKit's commands_rundevice_test.go cases.
import { describe, expect, test } from '@jest/globals';
import { DockerfileError } from '../dockerfile/index.js';
import type { RunMount } from './instructions.js';
import { csvFields, parseDevice, parseMount, readMount } from './mounts.js';

const BIND: Omit<RunMount, 'raw'> = {
  type: 'bind',
  from: undefined,
  source: undefined,
  target: undefined,
  readOnly: true,
  id: undefined,
  sharing: undefined,
  mode: undefined,
  uid: undefined,
  gid: undefined,
  size: undefined,
  required: undefined,
  env: undefined,
};

describe('parseMount reads', () => {
  // prettier-ignore
  test.each([
    { name: 'bind by default, read-only',   value: 'target=/x',                                 expected: { target: '/x' } },
    { name: 'cache is read-write',          value: 'type=cache,target=/root/.cache',            expected: { type: 'cache', target: '/root/.cache', readOnly: false } },
    { name: 'tmpfs is read-write',          value: 'type=tmpfs,target=/t,size=64m',             expected: { type: 'tmpfs', target: '/t', readOnly: false, size: '64m' } },
    { name: 'secret is read-only',          value: 'type=secret,id=npm,required',               expected: { type: 'secret', id: 'npm', required: true } },
    { name: 'ssh is read-only',             value: 'type=ssh',                                  expected: { type: 'ssh' } },
    { name: 'type in any case',             value: 'TYPE=Cache,Target=/c',                      expected: { type: 'cache', target: '/c', readOnly: false } },
    { name: 'rw on a bind',                 value: 'type=bind,rw',                              expected: { readOnly: false } },
    { name: 'readwrite=true on a bind',     value: 'readwrite=true',                            expected: { readOnly: false } },
    { name: 'ro on a cache',                value: 'type=cache,target=/c,ro',                   expected: { type: 'cache', target: '/c', readOnly: true } },
    { name: 'readonly=false',               value: 'readonly=false',                            expected: { readOnly: false } },
    { name: 'ro=1 (Go ParseBool)',          value: 'type=cache,ro=1',                           expected: { type: 'cache', readOnly: true } },
    { name: 'aliases src and dst',          value: 'from=build,src=/out,dst=/in',               expected: { from: 'build', source: '/out', target: '/in' } },
    { name: 'alias destination',            value: 'source=a,destination=/b',                   expected: { source: 'a', target: '/b' } },
    { name: 'cache file info',              value: 'type=cache,target=/c,mode=0755,uid=1000,gid=1000,sharing=LOCKED,id=go', expected: { type: 'cache', target: '/c', readOnly: false, mode: '0755', uid: '1000', gid: '1000', sharing: 'locked', id: 'go' } },
    { name: 'secret env',                   value: 'type=secret,id=tok,env=TOKEN',              expected: { type: 'secret', id: 'tok', env: 'TOKEN' } },
    { name: 'required=false on ssh',        value: 'type=ssh,required=false',                   expected: { type: 'ssh', required: false } },
    { name: 'empty values are unset',       value: 'from=,target=',                             expected: {} },
    { name: 'a quoted field with a comma',  value: '"target=/a,b",type=cache',                  expected: { type: 'cache', target: '/a,b', readOnly: false } },
    { name: 'the last of a repeated key',   value: 'target=/a,target=/b',                       expected: { target: '/b' } },
    { name: 'size with a space and unit',   value: 'type=tmpfs,size=1.5 GiB',                   expected: { type: 'tmpfs', readOnly: false, size: '1.5 GiB' } },
    { name: 'size in bytes with b',         value: 'type=tmpfs,size=512b',                      expected: { type: 'tmpfs', readOnly: false, size: '512b' } },
    { name: 'size as a hex float',          value: 'type=tmpfs,size=0x1p10',                    expected: { type: 'tmpfs', readOnly: false, size: '0x1p10' } },
    { name: 'size with a Kelvin-sign k',    value: 'type=tmpfs,size=1\u212a',                   expected: { type: 'tmpfs', readOnly: false, size: '1\u212a' } },
    { name: 'İ lowercases to i in Go',      value: 'type=B\u0130ND,rw',                         expected: { readOnly: false } },
  ])('$name', ({ value, expected }) => {
    expect(parseMount(value)).toEqual({ ...BIND, ...expected, raw: value });
  });

  test('values are expanded, keys and bare words are not', () => {
    const env = new Map([
      ['T', 'cache'],
      ['DIR', '/go'],
    ]);
    const mount = parseMount('type=$T,target=$DIR,ro', (word) =>
      word.replace(/\$(\w+)/g, (_, n: string) => env.get(n) ?? ''),
    );
    expect(mount).toEqual({
      ...BIND,
      type: 'cache',
      target: '/go',
      readOnly: true,
      raw: 'type=$T,target=$DIR,ro',
    });
  });
});

describe('parseMount rejects', () => {
  // prettier-ignore
  test.each([
    { name: 'an unknown type',                 value: 'type=foo',                          message: 'unsupported mount type "foo"' },
    { name: 'a misspelt type',                 value: 'type=cahce',                        message: 'unsupported mount type "cahce" (did you mean cache?)' },
    { name: 'an unknown key',                  value: 'taget=/x',                          message: "unexpected key 'taget' in 'taget=/x' (did you mean target?)" },
    { name: 'an unknown key far from all',     value: 'zzzzzz=1',                          message: "unexpected key 'zzzzzz' in 'zzzzzz=1'" },
    { name: 'a bare word',                     value: 'target=/x,cached',                  message: "invalid field 'cached' must be a key=value pair" },
    { name: 'an empty field',                  value: 'target=/x,',                        message: "invalid field '' must be a key=value pair" },
    { name: 'required on a bind',              value: 'required',                          message: "unexpected key 'required' for mount type 'bind'" },
    { name: 'required before type=secret',     value: 'required=true,type=secret,id=a',    message: "unexpected key 'required' for mount type 'bind'" },
    { name: 'a bad required value',            value: 'type=secret,id=a,required=maybe',   message: 'invalid value for required: maybe' },
    { name: 'a bad ro value',                  value: 'ro=yes',                            message: 'invalid value for ro: yes' },
    { name: 'a bad rw value',                  value: 'rw=2',                              message: 'invalid value for rw: 2' },
    { name: 'size on a cache',                 value: 'type=cache,size=1m',                message: "unexpected key 'size' for mount type 'cache'" },
    { name: 'a bad size',                      value: 'type=tmpfs,size=lots',              message: 'invalid value for size: lots' },
    { name: 'a bad size suffix',               value: 'type=tmpfs,size=1mx',               message: 'invalid value for size: 1mx' },
    { name: 'a negative size',                 value: 'type=tmpfs,size=-1',                message: 'invalid value for size: -1' },
    { name: 'an unknown sharing value',        value: 'type=cache,sharing=share',          message: 'unsupported sharing value "share" (did you mean shared?)' },
    { name: 'a decimal digit in mode',         value: 'type=cache,mode=0789',              message: 'invalid value 0789 for mode' },
    { name: 'a negative uid',                  value: 'type=cache,uid=-1',                 message: 'invalid value -1 for uid' },
    { name: 'a gid beyond 32 bits',            value: 'type=cache,gid=4294967296',         message: 'invalid value 4294967296 for gid' },
    { name: 'mode on a bind',                  value: 'mode=0644',                         message: 'mode not allowed for "bind" type mounts' },
    { name: 'uid on a tmpfs',                  value: 'type=tmpfs,uid=1',                  message: 'uid not allowed for "tmpfs" type mounts' },
    { name: 'gid on a bind',                   value: 'gid=1',                             message: 'gid not allowed for "bind" type mounts' },
    { name: 'a secret with from',              value: 'type=secret,id=a,from=build',       message: 'secret mount should not have a from' },
    { name: 'a secret with sharing',           value: 'type=secret,id=a,sharing=shared',   message: 'secret mount should not define sharing' },
    { name: 'a secret with no id or path',     value: 'type=secret',                       message: 'invalid secret mount. one of source, target required' },
    { name: 'a secret with source and id',     value: 'type=secret,id=a,source=b',         message: "both source and id can't be set" },
    { name: 'sharing on a bind',               value: 'sharing=locked',                    message: 'invalid cache sharing set for bind mount' },
    { name: 'an empty value',                  value: '',                                  message: 'failed to parse csv mounts: EOF' },
    { name: 'a bare quote',                    value: 'target=/a"b',                       message: 'failed to parse csv mounts: parse error on line 1, column 10: bare " in non-quoted-field' },
  ])('$name', ({ value, message }) => {
    expect(() => parseMount(value)).toThrow(new DockerfileError(message));
  });
});

describe('readMount (parse time)', () => {
  // prettier-ignore
  test.each([
    { name: 'from with a variable',           value: 'from=$STAGE',          message: "'from' doesn't support variable expansion, define alias stage instead" },
    { name: 'from with ${} inside',           value: 'from=a${B}c',          message: "'from' doesn't support variable expansion, define alias stage instead" },
    { name: 'FROM= in capitals',              value: 'FROM=$x,target=/x',    message: "'from' doesn't support variable expansion, define alias stage instead" },
    { name: 'a CSV error',                    value: '"target=/x',           message: 'failed to parse csv mounts: parse error on line 1, column 2: extraneous or missing " in quoted-field' },
  ])('rejects $name', ({ value, message }) => {
    expect(() => readMount(value)).toThrow(new DockerfileError(message));
  });

  // prettier-ignore
  test.each([
    { name: 'a trailing $ in from',           value: 'from=build$',                    expected: { from: 'build$' }, deferredError: undefined },
    { name: 'variables in other values',      value: 'type=cache,target=$DIR,id=${ID}', expected: { type: 'cache', target: '$DIR', id: '${ID}', readOnly: false }, deferredError: undefined },
    { name: 'an unknown type (deferred)',     value: 'type=foo,from=x',                expected: { from: 'x' }, deferredError: 'unsupported mount type "foo"' },
    { name: 'a variable uid (deferred)',      value: 'type=cache,uid=$UID',            expected: { type: 'cache', readOnly: false }, deferredError: 'invalid value $UID for uid' },
    { name: 'a secret with from (deferred)',  value: 'type=secret,id=a,from=s',        expected: { type: 'secret', id: 'a', from: 's' }, deferredError: 'secret mount should not have a from' },
    { name: 'the first problem is kept',      value: 'bogus=1,type=nope',              expected: {}, deferredError: "unexpected key 'bogus' in 'bogus=1'" },
  ])('accepts $name', ({ value, expected, deferredError }) => {
    const mount = readMount(value);
    expect(mount).toEqual({
      ...BIND,
      ...expected,
      raw: value,
      ...(deferredError === undefined ? {} : { deferredError }),
    });
  });
});

describe('csvFields', () => {
  // prettier-ignore
  test.each([
    { name: 'plain fields',             line: 'a,b,c',          fields: ['a', 'b', 'c'] },
    { name: 'a trailing comma',         line: 'a,',             fields: ['a', ''] },
    { name: 'a quoted field',           line: '"a,b",c',        fields: ['a,b', 'c'] },
    { name: 'a doubled quote',          line: '"a""b"',         fields: ['a"b'] },
    { name: 'an empty quoted field',    line: '"",x',           fields: ['', 'x'] },
    { name: 'a trailing newline',       line: 'a,b\n',          fields: ['a', 'b'] },
    { name: 'a trailing CRLF',          line: 'a\r\n',          fields: ['a'] },
    { name: 'spaces kept',              line: ' a , b ',        fields: [' a ', ' b '] },
  ])('splits $name', ({ line, fields }) => {
    expect(csvFields(line, 'mounts')).toEqual(fields);
  });

  // prettier-ignore
  test.each([
    { name: 'a quote inside a field',       line: 'ab"c',          message: 'failed to parse csv mounts: parse error on line 1, column 3: bare " in non-quoted-field' },
    { name: 'text after a closing quote',   line: '"ab"c',         message: 'failed to parse csv mounts: parse error on line 1, column 4: extraneous or missing " in quoted-field' },
    { name: 'an unclosed quote',            line: 'x,"ab',         message: 'failed to parse csv mounts: parse error on line 1, column 4: extraneous or missing " in quoted-field' },
    { name: 'columns count bytes',          line: 'é"',            message: 'failed to parse csv devices: parse error on line 1, column 3: bare " in non-quoted-field' },
    { name: 'an empty line',                line: '\n',            message: 'failed to parse csv mounts: EOF' },
  ])('rejects $name', ({ line, message }) => {
    const what = message.includes('devices') ? 'devices' : 'mounts';
    expect(() => csvFields(line, what)).toThrow(new DockerfileError(message));
  });
});

describe('parseDevice (BuildKit TestParseDevice)', () => {
  // prettier-ignore
  test.each([
    { name: 'a name with =',                 value: 'vendor1.com/device=foo',                                 name_: 'vendor1.com/device=foo', required: false },
    { name: 'a plain name',                  value: 'vendor1.com/device',                                     name_: 'vendor1.com/device', required: false },
    { name: 'required as a word',            value: 'vendor1.com/device=foo,required',                        name_: 'vendor1.com/device=foo', required: true },
    { name: 'required=true',                 value: 'vendor1.com/device=foo,required=true',                   name_: 'vendor1.com/device=foo', required: true },
    { name: 'required=false',                value: 'vendor1.com/device=foo,required=false',                  name_: 'vendor1.com/device=foo', required: false },
    { name: 'name=',                         value: 'name=vendor1.com/device=foo',                            name_: 'vendor1.com/device=foo', required: false },
    { name: 'name= and required',            value: 'name=vendor1.com/device=foo,required',                   name_: 'vendor1.com/device=foo', required: true },
  ])('reads $name', ({ value, name_, required }) => {
    expect(parseDevice(value)).toEqual({ name: name_, required });
  });

  // prettier-ignore
  test.each([
    { name: 'a second name',                 value: 'vendor1.com/device=foo,name=vendor2.com/device=bar',     message: 'device name already set to vendor1.com/device=foo' },
    { name: 'a second bare word',            value: 'a,b',                                                    message: "invalid field 'b' must be a key=value pair" },
    { name: 'an unknown key after the name', value: 'a,nme=b',                                                message: "unexpected key 'nme' in 'nme=b' (did you mean name?)" },
    { name: 'a bad required value',          value: 'a,required=yes',                                         message: 'invalid value for required: yes' },
    { name: 'an empty value',                value: '',                                                       message: 'failed to parse csv devices: EOF' },
  ])('rejects $name', ({ value, message }) => {
    expect(() => parseDevice(value)).toThrow(new DockerfileError(message));
  });
});
