// The records of a structuredClone message (FORMAT.md "structuredClone
// messages", ext 83-86) made by hand: what they decode to, and every
// malformed one refused with a stable code, never a crash, a hang or a value
// holding unresolved markers.
import { describe, expect, it } from 'vitest';
import { Packr } from 'msgpackr';
import { Blosc2Error, type Blosc2ErrorCode, Packer, pack, unpack } from '../src/index';
import { cloneDiff } from './support/clone-compare';

// Values inside the messages as a structuredClone Packer writes them: objects as msgpackr records.
const records = new Packr({ moreTypes: true });
const sc = new Packer({ structuredClone: true });

/** Bytes from byte arrays and values (packed as msgpackr records). */
function m(...parts: Array<number[] | { v: unknown }>): Buffer {
  return Buffer.concat(parts.map((p) => (Array.isArray(p) ? Buffer.from(p) : Buffer.from(records.pack(p.v)))));
}
const ENVELOPE = [0xd4, 83, 0];
const REF = [0xd4, 84, 0];
const ID = [0xd4, 85, 0];
const RECORD = [0xd4, 86, 0];
const VIEW = [0xd4, 81, 0];
/** The envelope around a value: [1, value]. */
const env = (...value: Array<number[] | { v: unknown }>) => m(ENVELOPE, [0x92, 0x01], ...value);

function expectCode(bytes: Buffer, code: Blosc2ErrorCode, message?: RegExp): void {
  for (const reader of [sc, new Packer()]) {
    let caught: unknown;
    try {
      reader.unpack(bytes);
    } catch (err) {
      caught = err;
    }
    expect(caught, bytes.toString('hex')).toBeInstanceOf(Blosc2Error);
    expect((caught as Blosc2Error).code).toBe(code);
    if (message) expect((caught as Blosc2Error).message).toMatch(message);
  }
}

describe('hand-made structuredClone records that are well formed', () => {
  it('an identity record, then references to it: one object, a cycle', () => {
    // [id [ref 0, 1], ref 0]
    const bytes = env([0x92], ID, [0x92], REF, [0x00, 0x01], REF, [0x00]);
    const r = unpack(bytes) as [unknown[], unknown];
    expect(r[0][0] === r[0]).toBe(true);
    expect(r[1] === r[0]).toBe(true);
    expect(r[0][1]).toBe(1);
    // A plain msgpack map is a Map in a structuredClone message (objects are records).
    const map = unpack(env([0x81, 0xa1, 0x6b, 0x01])) as Map<string, number>;
    expect(map).toBeInstanceOf(Map);
    expect(map.get('k')).toBe(1);
  });

  it('object records of every tag', () => {
    const bytes = env(
      [0x97],
      RECORD,
      { v: [0, 1.5] },
      RECORD,
      { v: [1, 'str'] },
      RECORD,
      { v: [2, false] },
      RECORD,
      { v: [4, 'RangeError', { message: 'm', stack: 's' }] },
      RECORD,
      { v: [5, 3, 1, 'x', 'p', 'y'] },
      RECORD,
      { v: [6, '__proto__', 1] },
      RECORD,
      [0x93, 0x08],
      RECORD,
      { v: [7, Buffer.from('a\uD800', 'utf16le')] },
      { v: 'g' },
    );
    const r = unpack(bytes) as unknown[];
    const err = new RangeError('m');
    Object.defineProperty(err, 'stack', { value: 's', writable: true, configurable: true, enumerable: false });
    const sparse: unknown[] = [, 'x', ,]; // eslint-disable-line no-sparse-arrays
    Object.assign(sparse, { p: 'y' });
    const proto = JSON.parse('{"__proto__": 1}') as object;
    expect(cloneDiff(r, [new Number(1.5), new String('str'), new Boolean(false), err, sparse, proto, new RegExp('a\uD800', 'g')])).toBe('');
  });
});

describe('malformed structuredClone messages', () => {
  it('a bad envelope: ERR_CORRUPT, or ERR_UNSUPPORTED for a version from the future', () => {
    expectCode(m(ENVELOPE, { v: 5 }), 'ERR_CORRUPT');
    expectCode(m(ENVELOPE, { v: [1] }), 'ERR_CORRUPT');
    expectCode(m(ENVELOPE, { v: ['1', 2] }), 'ERR_CORRUPT');
    expectCode(m(ENVELOPE, { v: [2, 0] }), 'ERR_UNSUPPORTED', /format version 2/);
    expectCode(m(ENVELOPE), 'ERR_CORRUPT');
  });

  it('two envelopes in one message', () => {
    expectCode(env(ENVELOPE, [0x92, 0x01, 0x01]), 'ERR_CORRUPT', /more than one envelope/);
    expectCode(m([0x92], ENVELOPE, [0x92, 0x01, 0x01], ENVELOPE, [0x92, 0x01, 0x02]), 'ERR_CORRUPT');
  });

  it('references: before their object, to no object, not an id', () => {
    expectCode(env(REF, [0x00]), 'ERR_CORRUPT', /reference to id 0/);
    expectCode(env([0x92], ID, [0x90], REF, [0x05]), 'ERR_CORRUPT');
    for (const id of [{ v: -1 }, { v: 1.5 }, { v: 'x' }, { v: null }]) expectCode(env(REF, id), 'ERR_CORRUPT');
  });

  it('an identity record around something that is not an object, or around another marker', () => {
    expectCode(env(ID, [0x05]), 'ERR_CORRUPT', /must hold an object/);
    expectCode(env(ID, ID, [0x90]), 'ERR_CORRUPT');
  });

  it('records outside an envelope', () => {
    expectCode(m([0x91], ID, [0x90]), 'ERR_CORRUPT', /outside the envelope/);
    expectCode(m(RECORD, { v: [0, 1] }), 'ERR_CORRUPT');
    expectCode(m([0x92], ENVELOPE, [0x92, 0x01, 0x01], ID, [0x90]), 'ERR_CORRUPT');
  });

  it('object records with a bad tag or bad fields', () => {
    const bad: unknown[] = [
      [],
      [9, 1],
      [0, 'x'],
      [1, 5],
      [2, 1],
      [3, 1],
      [4, 'NotAnError', {}],
      [4, 'Error', 5],
      [4, 'Error', { message: 5 }],
      [4, 'Error', new Map([['message', 'm']])],
      [4, 'Error', {}, 'extra'],
      [5, -1],
      [5, 2 ** 33],
      [5, 2, 0],
      [5, 2, 2, 'x'],
      [5, 2, 'length', 1],
      [5, 2, '1', 1],
      [5, 2, true, 1],
      [6, 'a'],
      [6, 1, 'a'],
      [7, 'abc'],
      [7, Buffer.from([1, 2, 3])],
      [8, 'a', 5],
      [8, '(', 'g'],
    ];
    for (const fields of bad) expectCode(env(RECORD, { v: fields }), 'ERR_CORRUPT');
  });

  it('a view whose buffer slot refers to no buffer, or to the view itself', () => {
    // [id ArrayBuffer, view over ref 0]: fine; then a view over a reference to an array.
    const ab = [0xc7, 0x03, 80, 0x32, 0x01, 0x02]; // ext 80, kind 3 (ArrayBuffer), 2 bytes
    const ok = env([0x92], ID, ab, VIEW, [0x95], REF, [0x00, 0x00, 0x02, 0x00, 0x02]);
    const r = unpack(ok) as [ArrayBuffer, Uint8Array];
    expect(r[1].buffer).toBe(r[0]);
    expectCode(env([0x92], ID, [0x90], VIEW, [0x95], REF, [0x00, 0x00, 0x02, 0x00, 0x02]), 'ERR_CORRUPT');
    expectCode(env(ID, VIEW, [0x95], REF, [0x00, 0x00, 0x02, 0x00, 0x02]), 'ERR_CORRUPT', /not \(yet\) an object/);
    expectCode(env([0x92], ID, ab, VIEW, [0x95], REF, [0x00, 0x01, 0x05, 0x00, 0x02]), 'ERR_CORRUPT');
  });

  it('nesting deeper than pack writes is refused, not a stack overflow', () => {
    const depth = 3000;
    const bytes = env(...Array.from({ length: depth }, () => [0x91]), [0x01]);
    let caught: unknown;
    try {
      sc.unpack(bytes);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(Blosc2Error);
    expect((caught as Blosc2Error).code).toBe('ERR_CORRUPT');
  });
});

describe('refusals that are not of a kind', () => {
  it('a getter that throws, values nested deeper than 500 levels: ERR_DATA_CLONE with the path, in both modes', () => {
    const getter = {
      a: {
        get b(): number {
          throw new TypeError('no');
        },
      },
    };
    let deep: unknown = 1;
    for (let i = 0; i < 600; i++) deep = [deep];
    for (const options of [{}, { structuredClone: true }]) {
      let caught: unknown;
      try {
        pack(getter, options);
      } catch (err) {
        caught = err;
      }
      expect((caught as Blosc2Error).code).toBe('ERR_DATA_CLONE');
      expect((caught as Blosc2Error).message).toMatch(/value\.a\.b: it threw when read: no/);
      expect(() => pack({ deep }, options)).toThrow(
        expect.objectContaining({ code: 'ERR_DATA_CLONE', message: expect.stringMatching(/nested deeper than 500/) as unknown }),
      );
    }
  });
});
