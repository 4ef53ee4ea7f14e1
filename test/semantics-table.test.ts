// The README's table "What pack writes, value by value" is generated here:
// every cell is checked against what pack (default and structuredClone: true),
// v8.serialize and structuredClone really do with the value, and the README
// must hold exactly the table these checks produce (so it cannot drift).
// UPDATE_README=1 npx vitest run test/semantics-table.test.ts rewrites it.
import { describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as v8 from 'node:v8';
import { Blosc2Error, NDArray, pack, unpack } from '../src/index';
import { cloneDiff } from './support/clone-compare';

/** What a cell says, and how the test checks it against the value that came back. */
interface Cell {
  text: string;
  /** 'same' (deep-equal with sharing), 'refused' (throws; ERR_DATA_CLONE for pack), or a check of the result. */
  is: 'same' | 'refused' | ((back: unknown, original: unknown) => boolean);
}

interface Row {
  kind: string;
  make: () => unknown;
  pack: Cell;
  clone: Cell;
  v8: Cell;
  sc: Cell;
}

const same: Cell = { text: 'kept', is: 'same' };
const refused: Cell = { text: '**refused** (`ERR_DATA_CLONE`)', is: 'refused' };
const throws: Cell = { text: 'throws', is: 'refused' };
const cell = (text: string, is: Cell['is']): Cell => ({ text, is });

const bytesOf = (v: ArrayBufferView): Buffer => Buffer.from(v.buffer, v.byteOffset, v.byteLength);

const ROWS: Row[] = [
  { kind: '`-0`', make: () => -0, pack: cell('`0`', (b) => Object.is(b, 0)), clone: same, v8: same, sc: same },
  { kind: '`NaN`, `Infinity`', make: () => [NaN, -Infinity], pack: same, clone: same, v8: same, sc: same },
  { kind: '`undefined` (in an object)', make: () => ({ u: undefined }), pack: same, clone: same, v8: same, sc: same },
  { kind: 'BigInt within 64 bits', make: () => -(2n ** 63n), pack: same, clone: same, v8: same, sc: same },
  { kind: 'BigInt beyond 64 bits', make: () => 2n ** 70n, pack: refused, clone: same, v8: same, sc: same },
  {
    kind: 'string with a lone surrogate',
    make: () => 'a\uD800',
    pack: cell('U+FFFD in its place (UTF-8)', (b) => b === 'a\uFFFD'),
    clone: same,
    v8: same,
    sc: same,
  },
  {
    kind: 'boxed primitive (`new Number(1)`, `Object(1n)`)',
    make: () => [new Number(1), Object(1n) as object],
    pack: refused,
    clone: same,
    v8: same,
    sc: same,
  },
  { kind: '`Date`', make: () => new Date(1.7e12), pack: same, clone: same, v8: same, sc: same },
  { kind: '`RegExp` with flags', make: () => /a+/gi, pack: refused, clone: same, v8: same, sc: same },
  {
    kind: '`Error` (name, message, stack, cause)',
    make: () => new TypeError('bad', { cause: 'why' }),
    pack: refused,
    clone: same,
    v8: same,
    sc: same,
  },
  {
    kind: '`Error` whose `name` is not a standard one',
    make: () => Object.assign(new RangeError('m'), { name: 'Custom' }),
    pack: refused,
    clone: cell('an `Error`', (b) => b instanceof Error && b.constructor === Error),
    v8: cell('an `Error`', (b) => b instanceof Error && b.constructor === Error),
    sc: cell('an `Error`', (b) => b instanceof Error && b.constructor === Error),
  },
  {
    kind: '`Map` with string or number keys',
    make: () =>
      new Map<unknown, unknown>([
        ['a', 1],
        [2, 'b'],
      ]),
    pack: cell('a plain object (keys as strings)', (b) => cloneDiff(b, { 2: 'b', a: 1 }, { identity: false }) === ''),
    clone: same,
    v8: same,
    sc: same,
  },
  { kind: '`Map` with an object key', make: () => new Map([[{ k: 1 }, 1]]), pack: refused, clone: same, v8: same, sc: same },
  {
    kind: '`Set`',
    make: () => new Set([1, 'x']),
    pack: cell('an array', (b) => cloneDiff(b, [1, 'x'], { identity: false }) === ''),
    clone: same,
    v8: same,
    sc: same,
  },
  {
    kind: 'array with holes and other properties',
    make: () => Object.assign([1, , 3], { tag: 'x' }), // eslint-disable-line no-sparse-arrays
    pack: cell('holes as `undefined`, other properties dropped', (b) => cloneDiff(b, [1, undefined, 3], { identity: false }) === ''),
    clone: same,
    v8: same,
    sc: same,
  },
  {
    kind: 'an object twice (shared reference)',
    make: () => {
      const o = { k: 1 };
      return [o, o];
    },
    pack: cell('two copies', (b) => Array.isArray(b) && b[0] !== b[1] && cloneDiff(b, [{ k: 1 }, { k: 1 }], { identity: false }) === ''),
    clone: same,
    v8: same,
    sc: same,
  },
  {
    kind: 'cycle',
    make: () => {
      const o: Record<string, unknown> = { k: 1 };
      o['self'] = o;
      return o;
    },
    pack: refused,
    clone: same,
    v8: same,
    sc: same,
  },
  {
    kind: 'class instance, null-prototype object',
    make: () => [
      new (class P {
        x = 1;
      })(),
      Object.assign(Object.create(null) as object, { y: 2 }),
    ],
    pack: cell('plain objects (own enumerable properties)', (b) => cloneDiff(b, [{ x: 1 }, { y: 2 }]) === ''),
    clone: cell('plain objects (own enumerable properties)', (b) => cloneDiff(b, [{ x: 1 }, { y: 2 }]) === ''),
    v8: cell('plain objects (own enumerable properties)', (b) => cloneDiff(b, [{ x: 1 }, { y: 2 }]) === ''),
    sc: cell('plain objects (own enumerable properties)', (b) => cloneDiff(b, [{ x: 1 }, { y: 2 }]) === ''),
  },
  {
    kind: 'own key `__proto__` (from `JSON.parse`)',
    make: () => JSON.parse('{"__proto__": 1}') as unknown,
    pack: refused,
    clone: same,
    v8: same,
    sc: same,
  },
  {
    kind: 'TypedArray, DataView',
    make: () => [new Float32Array([1, 2]), new DataView(new Uint8Array([7]).buffer)],
    pack: same,
    clone: same,
    v8: cell('kept (at some offset of a buffer of its own)', (b, o) =>
      (b as ArrayBufferView[]).every(
        (x, i) =>
          x.constructor === (o as ArrayBufferView[])[i]?.constructor &&
          bytesOf(x).equals(bytesOf((o as ArrayBufferView[])[i] as ArrayBufferView)),
      ),
    ),
    sc: same,
  },
  {
    kind: 'view at an offset of a larger buffer',
    make: () => new Uint8Array(new Uint8Array(16).map((_, i) => i).buffer, 4, 4),
    pack: cell(
      'its own bytes, offset 0',
      (b, o) => b instanceof Uint8Array && b.byteOffset === 0 && b.buffer.byteLength === 4 && bytesOf(b).equals(bytesOf(o as Uint8Array)),
    ),
    clone: same,
    v8: cell('its own bytes', (b, o) => b instanceof Uint8Array && b.byteLength === 4 && bytesOf(b).equals(bytesOf(o as Uint8Array))),
    sc: same,
  },
  {
    kind: 'two views over one `ArrayBuffer`',
    make: () => {
      const ab = new ArrayBuffer(8);
      return [new Uint8Array(ab, 0, 4), new Uint16Array(ab, 4, 2)];
    },
    pack: cell('two separate copies', (b) => Array.isArray(b) && (b[0] as Uint8Array).buffer !== (b[1] as Uint16Array).buffer),
    clone: same,
    v8: cell('one buffer', (b) => Array.isArray(b) && (b[0] as Uint8Array).buffer === (b[1] as Uint16Array).buffer),
    sc: same,
  },
  {
    kind: 'Node.js `Buffer`',
    make: () => Buffer.from('buffer'),
    pack: cell('a `Buffer` of its own bytes', (b, o) => Buffer.isBuffer(b) && b.equals(o as Buffer)),
    clone: cell(
      'a `Buffer` of its own bytes',
      (b, o) => Buffer.isBuffer(b) && b.equals(o as Buffer) && b.buffer.byteLength === b.byteLength,
    ),
    v8: cell('a `Buffer`', (b, o) => Buffer.isBuffer(b) && b.equals(o as Buffer)),
    sc: cell(
      'a `Uint8Array` over the whole 8 KiB pool slab',
      (b) => b instanceof Uint8Array && !Buffer.isBuffer(b) && b.buffer.byteLength > b.byteLength,
    ),
  },
  {
    kind: '`SharedArrayBuffer`',
    make: () => new SharedArrayBuffer(4),
    pack: cell('a copy of its bytes', (b) => b instanceof SharedArrayBuffer && b.byteLength === 4),
    clone: cell('a copy of its bytes', (b) => b instanceof SharedArrayBuffer && b.byteLength === 4),
    v8: throws,
    sc: cell('the same memory, shared', (b) => b instanceof SharedArrayBuffer),
  },
  {
    kind: 'resizable `ArrayBuffer`',
    make: () => new (ArrayBuffer as unknown as new (n: number, o: object) => ArrayBuffer)(2, { maxByteLength: 4 }),
    pack: cell(
      'a fixed-length `ArrayBuffer` of its bytes',
      (b) => b instanceof ArrayBuffer && !(b as { resizable?: boolean }).resizable && b.byteLength === 2,
    ),
    clone: refused,
    v8: same,
    sc: same,
  },
  {
    kind: '`NDArray` (this package)',
    make: () => new NDArray(new Float32Array([1, 2, 3, 4]), [2, 2]),
    pack: same,
    clone: same,
    v8: cell('a plain object', (b) => Object.getPrototypeOf(b) === Object.prototype),
    sc: cell('a plain object', (b) => Object.getPrototypeOf(b) === Object.prototype),
  },
  { kind: 'function, class', make: () => () => 1, pack: refused, clone: refused, v8: throws, sc: throws },
  { kind: 'symbol, `Object(Symbol())`', make: () => Symbol('s'), pack: refused, clone: refused, v8: throws, sc: throws },
  {
    kind: '`WeakMap`, `WeakSet`, `WeakRef`, `Promise`, generators, iterators',
    make: () => new WeakMap(),
    pack: refused,
    clone: refused,
    v8: throws,
    sc: throws,
  },
  {
    kind: '`Proxy`',
    make: () => new Proxy({ a: 1 }, {}),
    pack: cell('read through its traps (a plain object)', (b) => cloneDiff(b, { a: 1 }) === ''),
    clone: refused,
    v8: throws,
    sc: throws,
  },
  {
    kind: 'host objects (`Blob`, `MessagePort`, `KeyObject`, ...)',
    make: () => new Blob(['x']),
    pack: refused,
    clone: refused,
    v8: throws,
    sc: same,
  },
];

type Column = 'pack' | 'clone' | 'v8' | 'sc';

function run(column: Column, value: unknown): { back?: unknown; error?: unknown } {
  try {
    const wrapped = { v: value };
    let back: { v: unknown };
    if (column === 'pack') back = unpack(pack(wrapped)) as typeof back;
    else if (column === 'clone') back = unpack(pack(wrapped, { structuredClone: true })) as typeof back;
    else if (column === 'v8') back = v8.deserialize(v8.serialize(wrapped)) as typeof back;
    else back = structuredClone(wrapped);
    return { back: back.v };
  } catch (error) {
    return { error };
  }
}

function checkCell(row: Row, column: Column): string {
  const c = row[column];
  const original = row.make();
  const { back, error } = run(column, original);
  if (c.is === 'refused') {
    if (error === undefined) return `expected a refusal, got a value`;
    if ((column === 'pack' || column === 'clone') && !(error instanceof Blosc2Error && error.code === 'ERR_DATA_CLONE'))
      return `refused with ${(error as Error)?.message}`;
    return '';
  }
  if (error !== undefined) return `threw ${(error as Error)?.message}`;
  if (c.is === 'same') return cloneDiff(back, original) ? `not kept: ${cloneDiff(back, original)}` : '';
  return c.is(back, original) ? '' : 'the check of its cell fails';
}

const HEADER = '| value | `pack` | `pack`, `structuredClone: true` | `v8.serialize` | `structuredClone` |\n|---|---|---|---|---|';

function table(): string {
  return [HEADER, ...ROWS.map((r) => `| ${r.kind} | ${r.pack.text} | ${r.clone.text} | ${r.v8.text} | ${r.sc.text} |`)].join('\n');
}

const README = path.join(__dirname, '..', 'README.md');
const START = '<!-- semantics-table:start (generated by test/semantics-table.test.ts) -->';
const END = '<!-- semantics-table:end -->';

describe("README's table of what pack writes", () => {
  for (const row of ROWS) {
    it(`${row.kind}: every cell says what really happens`, () => {
      const problems = (['pack', 'clone', 'v8', 'sc'] as const).map((c) => [c, checkCell(row, c)]).filter(([, p]) => p);
      expect(problems).toEqual([]);
    });
  }

  it('is in the README exactly as generated', () => {
    const readme = readFileSync(README, 'utf8');
    const start = readme.indexOf(START);
    const end = readme.indexOf(END);
    expect(start, `README.md needs the markers ${START} ... ${END}`).toBeGreaterThan(0);
    const generated = `${START}\n${table()}\n${END}`;
    const current = readme.slice(start, end + END.length);
    if (current !== generated && process.env['UPDATE_README'] === '1') {
      writeFileSync(README, readme.slice(0, start) + generated + readme.slice(end + END.length));
      return;
    }
    expect(current, 'run UPDATE_README=1 npx vitest run test/semantics-table.test.ts').toBe(generated);
  });
});
