/**
 * Deterministic values rebuilt the same in every process and thread, so a
 * receiver checks what it got without a second channel: the transport
 * tests' message stream, the concurrency workload, and the values whose
 * msgpackr encoding must not change when this package is loaded.
 * Imports nothing from the library except NDArray: the msgpackr reference
 * child (test/children/msgpackr-reference.cjs) must never load the extension.
 */
import { NDArray } from '../../src/ndarray';
import { sameBytes } from './compare';
import { prng } from './random';

/** Message i of a mixed stream: mostly small, some medium, every 97th carries megabytes of arrays. */
export function transportValue(i: number): Record<string, unknown> {
  const r = prng(i + 1);
  const v: Record<string, unknown> = {
    i,
    name: `message-${i}`,
    flag: i % 2 === 0,
    nested: { list: [i, -i - 1, i / 3], text: 'x'.repeat(i % 50) },
  };
  const kind = i % 97 === 0 ? 'large' : i % 5 === 0 ? 'medium' : 'small';
  if (kind === 'large') {
    const n = 512 * 1024 + (i % 7);
    const f = new Float64Array(n);
    for (let k = 0; k < n; k++) f[k] = Math.sin((k + i) / 500) * 1000 + r();
    const ints = new Int32Array(256 * 1024);
    for (let k = 0; k < ints.length; k++) ints[k] = (k * 7919 + i) | 0;
    v['f'] = f;
    v['grid'] = new NDArray(ints, [512, 512], '<i4');
  } else if (kind === 'medium') {
    const n = 1000 + Math.floor(r() * 20000);
    const u = new Uint16Array(n);
    for (let k = 0; k < n; k++) u[k] = Math.floor(r() * 65536);
    v['u16'] = u;
    v['bytes'] = Buffer.from(u.buffer, 0, Math.min(u.byteLength, 333));
  } else {
    v['small'] = new Float32Array([i, i + 0.5, r()]);
  }
  return v;
}

// ---------------------------------------------------------------------------
// The workload of test/hardening/concurrency.test.ts: values of random sizes
// and kinds made from a seed, so any thread can rebuild and check what another packed.

/** The value number `i` of the stream `seed`: a typed array or NDArray of random size (0..~200 KB) and a tag. */
export function workloadValue(seed: number, i: number): { tag: string; data: unknown } {
  const r = prng(seed * 100_003 + i);
  const kind = Math.floor(r() * 4);
  const n = r() < 0.2 ? Math.floor(r() * 64) : Math.floor(r() * 25_000);
  const base = Math.floor(r() * 1000);
  const tag = `${seed}:${i}`;
  switch (kind) {
    case 0:
      return { tag, data: Float64Array.from({ length: n }, (_, k) => base + k * 0.5) };
    case 1:
      return { tag, data: Int32Array.from({ length: n }, (_, k) => (base * 7 + k) | 0) };
    case 2:
      return { tag, data: Uint8Array.from({ length: n * 4 }, (_, k) => (base + k * 13) & 0xff) };
    default: {
      const rows = 1 + (n % 7);
      const cols = Math.floor(n / rows);
      return {
        tag,
        data: new NDArray(
          Float32Array.from({ length: rows * cols }, (_, k) => base - k),
          [rows, cols],
        ),
      };
    }
  }
}

function sameView(a: ArrayBufferView, b: unknown): boolean {
  return ArrayBuffer.isView(b) && a.constructor === b.constructor && sameBytes(a, b);
}

/** Whether `got` is exactly value `i` of stream `seed`. */
export function isWorkloadValue(seed: number, i: number, got: unknown): boolean {
  const want = workloadValue(seed, i);
  const g = got as { tag?: unknown; data?: unknown } | null;
  if (!g || g.tag !== want.tag) return false;
  if (want.data instanceof NDArray) {
    const d = g.data;
    return (
      d instanceof NDArray && d.shape.join() === want.data.shape.join() && d.dtype === want.data.dtype && sameView(want.data.data, d.data)
    );
  }
  return sameView(want.data as ArrayBufferView, g.data);
}

// ---------------------------------------------------------------------------
// Values packed by a plain msgpackr Packr, here and in a process where only
// msgpackr is loaded (test/pack.test.ts compares the bytes).

/** Named values; NDArray only as msgpackr sees it: an object with data, shape and dtype. */
export function msgpackrReferenceValues(): Array<[string, unknown]> {
  const ab = new ArrayBuffer(64);
  new Uint8Array(ab).forEach((_, i, a) => (a[i] = (i * 37 + 11) & 0xff));
  const values: Array<[string, unknown]> = [
    ['Int8Array', new Int8Array([-128, -1, 0, 1, 127])],
    ['Uint8Array', new Uint8Array([0, 1, 255])],
    ['Uint8ClampedArray', new Uint8ClampedArray([0, 9, 255])],
    ['Int16Array', new Int16Array([-32768, -2, 32767])],
    ['Uint16Array', new Uint16Array([0, 65535])],
    ['Int32Array', new Int32Array([-(2 ** 31), 2 ** 31 - 1])],
    ['Uint32Array', new Uint32Array([0, 2 ** 32 - 1])],
    ['Float32Array', new Float32Array([-0, 1.5, NaN, Infinity])],
    ['Float64Array', new Float64Array([-0, Math.PI, NaN, Number.MIN_VALUE])],
    ['BigInt64Array', new BigInt64Array([-(2n ** 63n), 2n ** 63n - 1n])],
    ['BigUint64Array', new BigUint64Array([0n, 2n ** 64n - 1n])],
    ['Buffer', Buffer.from('buffer bytes')],
    ['ArrayBuffer', ab.slice(0, 10)],
    ['DataView', new DataView(ab, 3, 7)],
    ['Float64Array view', new Float64Array(ab, 8, 3)],
    ['Uint8Array view', new Uint8Array(ab, 5, 9)],
    ['empty Int32Array', new Int32Array(0)],
    ['300-byte Uint16Array', new Uint16Array(150).map((_, i) => i * 401)],
    ['70000-byte Uint8Array', new Uint8Array(70000).map((_, i) => i % 251)],
    ['nested', { a: [new Int16Array([1, 2]), { b: new Float32Array([3]) }], c: Buffer.from([4]) }],
    ['SharedArrayBuffer', new SharedArrayBuffer(4)],
    ['NDArray', new NDArray(new Float32Array([1, 2, 3, 4, 5, 6]), [2, 3])],
    ['nested NDArray', { a: [new NDArray(new Int16Array([7]), [])] }],
  ];
  return values;
}

/** The msgpackr option sets compared. */
export const MSGPACKR_OPTION_SETS: ReadonlyArray<Record<string, boolean>> = [{}, { moreTypes: true }, { structuredClone: true }];
