/**
 * The one mutation engine of the "damaged input decodes to a value or a
 * Blosc2Error" properties: the mutations (bit flips, byte overwrites,
 * truncation, insertion, deletion, integers set to extremes, msgpack int64s
 * and ext types rewritten), applying them, fast-check arbitraries of them, and
 * their JSON form for child processes (test/children/decode-mutations.ts,
 * test/children/hostile.ts).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { CHILDREN, runNode } from './child';

/** One change to a byte string. Positions are taken modulo the length, so any value applies to any input. */
export type Mutation =
  | { op: 'flip'; at: number; bit: number }
  /** `count` flips, 7919 bytes apart, of bits bit, bit + 1, ... */
  | { op: 'flips'; at: number; bit: number; count: number }
  | { op: 'set'; at: number; value: number }
  | { op: 'truncate'; keep: number }
  | { op: 'insert'; at: number; bytes: Uint8Array }
  | { op: 'delete'; at: number; count: number }
  /** An integer of `width` bytes written at `at`. */
  | { op: 'int'; at: number; width: 1 | 2 | 4 | 8; value: bigint; le: boolean }
  /** The nth msgpack int32/int64/uint64 (the b2nd metalayer's shape and sizes) set to `value`. */
  | { op: 'int64'; nth: number; value: bigint }
  /** The nth ext8/16/32 or fixext record given another type. */
  | { op: 'extType'; nth: number; type: number };

/** The kinds of {@link Mutation}. */
export type MutationOp = Mutation['op'];

/** Where a mutation anchors: its position, or which occurrence. */
export function anchorOf(m: Mutation): number {
  return 'at' in m ? m.at : 'keep' in m ? m.keep : m.nth;
}

function positionsOf(bytes: Uint8Array, pred: (b: number, i: number) => boolean): number[] {
  const out: number[] = [];
  for (let i = 0; i < bytes.length; i++) if (pred(bytes[i] as number, i)) out.push(i);
  return out;
}

/** Applies the mutations, in order, to a copy of `input`. */
export function mutate(input: Uint8Array, mutations: Mutation | readonly Mutation[]): Buffer {
  let b = Buffer.from(input);
  for (const m of Array.isArray(mutations) ? (mutations as readonly Mutation[]) : [mutations as Mutation]) {
    const n = b.length;
    switch (m.op) {
      case 'flip':
        if (n) b[m.at % n] = (b[m.at % n] as number) ^ (1 << m.bit);
        break;
      case 'flips':
        for (let i = 0; n && i < m.count; i++) {
          const at = ((m.at % n) + i * 7919) % n;
          b[at] = (b[at] as number) ^ (1 << ((m.bit + i) % 8));
        }
        break;
      case 'set':
        if (n) b[m.at % n] = m.value;
        break;
      case 'truncate':
        b = b.subarray(0, n ? m.keep % n : 0);
        break;
      case 'insert': {
        const at = n ? m.at % (n + 1) : 0;
        b = Buffer.concat([b.subarray(0, at), m.bytes, b.subarray(at)]);
        break;
      }
      case 'delete': {
        const at = n ? m.at % n : 0;
        b = Buffer.concat([b.subarray(0, at), b.subarray(at + m.count)]);
        break;
      }
      case 'int': {
        if (n < m.width) break;
        const at = m.at % (n - m.width + 1);
        const mask = (1n << BigInt(8 * m.width)) - 1n;
        let v = BigInt.asUintN(64, m.value) & mask;
        for (let i = 0; i < m.width; i++) {
          b[m.le ? at + i : at + m.width - 1 - i] = Number(v & 0xffn);
          v >>= 8n;
        }
        break;
      }
      case 'int64': {
        // msgpack int64 (0xd3) / uint64 (0xcf) / int32 (0xd2): the b2nd metalayer's shape and sizes.
        const at = positionsOf(b, (x, i) => (x === 0xd3 || x === 0xcf || x === 0xd2) && i + 5 <= n);
        if (at.length === 0) break;
        const p = at[m.nth % at.length] as number;
        const width = b[p] === 0xd2 ? 4 : 8;
        if (p + 1 + width > n) break;
        let v = BigInt.asUintN(64, m.value);
        for (let i = width - 1; i >= 0; i--) {
          b[p + 1 + i] = Number(v & 0xffn);
          v >>= 8n;
        }
        break;
      }
      case 'extType': {
        const at = positionsOf(b, (x, i) => (x === 0xc7 || x === 0xc8 || x === 0xc9 || x === 0xd4 || x === 0xd5) && i + 2 < n);
        if (at.length === 0) break;
        const p = at[m.nth % at.length] as number;
        const typeAt = p + ((b[p] as number) === 0xc7 ? 2 : (b[p] as number) === 0xc8 ? 3 : (b[p] as number) === 0xc9 ? 5 : 1);
        if (typeAt < n) b[typeAt] = m.type;
        break;
      }
    }
  }
  return b;
}

// ---------------------------------------------------------------------------
// Arbitraries.

/** Integers that make size and offset fields lie: 0, 1, -1, the edges of every width, 2^31, 2^40, 2^53. */
export const EXTREMES: readonly bigint[] = [
  0n,
  1n,
  -1n,
  0x7fn,
  0x80n,
  0xffn,
  0x7fffn,
  0xffffn,
  0x7fffffffn,
  0x80000000n,
  0x7fffffe0n,
  0xffffffffn,
  0x7fffffffffffffffn,
  -0x8000000000000000n,
  1n << 31n,
  1n << 40n,
  1n << 53n,
  64n,
  32n,
  16n,
];

/** Positions where half the draws land in the first 200 bytes (the msgpack, record and frame headers). */
export const HEADER_BIASED_AT: fc.Arbitrary<number> = fc.oneof(fc.nat(200), fc.nat(1_000_000));

/** Every kind of mutation, in the order {@link mutationArb} draws them by default (set and flips are asked for). */
export const DEFAULT_OPS: readonly MutationOp[] = ['flip', 'truncate', 'insert', 'delete', 'int', 'int64', 'extType'];

function opArb(op: MutationOp, at: fc.Arbitrary<number>): fc.Arbitrary<Mutation> {
  switch (op) {
    case 'flip':
      return fc.record({ op: fc.constant(op), at, bit: fc.integer({ min: 0, max: 7 }) });
    case 'flips':
      return fc.record({ op: fc.constant(op), at, bit: fc.integer({ min: 0, max: 7 }), count: fc.integer({ min: 2, max: 8 }) });
    case 'set':
      return fc.record({ op: fc.constant(op), at, value: fc.oneof(fc.constantFrom(0, 0xff, 0x7f, 0x80, 0x01), fc.nat(255)) });
    case 'truncate':
      return fc.record({ op: fc.constant(op), keep: at });
    case 'insert':
      return fc.record({ op: fc.constant(op), at, bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }) });
    case 'delete':
      return fc.record({ op: fc.constant(op), at, count: fc.integer({ min: 1, max: 64 }) });
    case 'int':
      return fc.record({
        op: fc.constant(op),
        at,
        width: fc.constantFrom(1 as const, 2 as const, 4 as const, 8 as const),
        value: fc.oneof(fc.constantFrom(...EXTREMES), fc.bigInt({ min: -(1n << 63n), max: (1n << 64n) - 1n })),
        le: fc.boolean(),
      });
    case 'int64':
      return fc.record({ op: fc.constant(op), nth: fc.nat(), value: fc.constantFrom(...EXTREMES) });
    case 'extType':
      return fc.record({ op: fc.constant(op), nth: fc.nat(), type: fc.constantFrom(42, 80, 81, 82, 0x74, 0xff) });
  }
}

/** How {@link mutationArb} draws. */
export interface MutationArbOptions {
  /** The kinds to draw, each once or with a weight. Default {@link DEFAULT_OPS}. */
  ops?: ReadonlyArray<MutationOp | { op: MutationOp; weight: number }>;
  /** Positions (and truncation lengths). Default: any natural number. */
  at?: fc.Arbitrary<number>;
}

/** One mutation. */
export function mutationArb(options: MutationArbOptions = {}): fc.Arbitrary<Mutation> {
  const at = options.at ?? fc.nat();
  const ops = options.ops ?? DEFAULT_OPS;
  return fc.oneof(...ops.map((o) => (typeof o === 'string' ? opArb(o, at) : { arbitrary: opArb(o.op, at), weight: o.weight })));
}

// ---------------------------------------------------------------------------
// Mutations in a child process.

/** JSON with bigints and byte arrays (the fields of {@link Mutation}). */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v === 'bigint') return { $bigint: v.toString() };
    if (v instanceof Uint8Array) return { $hex: Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('hex') };
    return v;
  });
}

/** Reads what {@link toJson} wrote. */
export function fromJson<T>(text: string): T {
  return JSON.parse(text, (_key, v: unknown) => {
    if (v !== null && typeof v === 'object') {
      const o = v as { $bigint?: string; $hex?: string };
      if (typeof o.$bigint === 'string') return BigInt(o.$bigint);
      if (typeof o.$hex === 'string') return Uint8Array.from(Buffer.from(o.$hex, 'hex'));
    }
    return v;
  }) as T;
}

/** A mutation of a message, or of one of its out-of-band buffers (the one at anchorOf(m) % buffers). */
export type TargetedMutation = Mutation & { target: 'message' | 'buffer' };

/** A damaged-input case for test/children/decode-mutations.ts: a message (and out-of-band buffers) and the mutations to try on it, one at a time. */
export interface MutationCase {
  options: Record<string, unknown>;
  mode: 'plain' | 'structuredClone' | 'outOfBand';
  /** base64 */
  message: string;
  /** base64 */
  buffers: string[];
  mutations: TargetedMutation[];
  /** Decoding threads (default: the library's). */
  nthreads?: number;
}

/** What test/children/decode-mutations.ts reports. */
export interface MutationReport {
  decodes: number;
  values: number;
  errors: Record<string, number>;
  other: number;
  otherExamples: unknown[];
}

/**
 * Decodes every mutation of every case in a child process. Returns the child's
 * report, or undefined when it crashed, hung or failed, and a description of
 * the run that names the last input tried (the culprit, if it crashed).
 */
export function decodeMutationsInChild(
  cases: readonly MutationCase[],
  timeoutMs = 240_000,
): { report: MutationReport | undefined; status: number | null; signal: string | null; context: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'blosc2-mutate-'));
  try {
    const input = path.join(dir, 'cases.json');
    const progress = path.join(dir, 'progress');
    fs.writeFileSync(input, toJson(cases));
    const child = runNode([path.join(CHILDREN, 'decode-mutations.ts'), input, progress], { timeoutMs });
    const where = fs.existsSync(progress) ? fs.readFileSync(progress, 'utf8') : '(not started)';
    const [c, m] = where.split('/').map(Number);
    const k = Number.isInteger(c) ? cases[c as number] : undefined;
    let culprit = '';
    if (k && Number.isInteger(m) && child.status !== 0) {
      // The whole input that crashed or hung, kept for a reproduction (decode-mutations.ts <file> <progress>).
      const file = path.join(os.tmpdir(), `blosc2-mutation-culprit-${process.pid}-${Date.now()}.json`);
      fs.writeFileSync(file, toJson([{ ...k, mutations: [k.mutations[m as number]] }]));
      culprit = `(input saved to ${file}) ${toJson({ ...k, message: `${k.message.slice(0, 600)}...`, mutations: [k.mutations[m as number]] })}`;
    }
    const context = `child exit ${String(child.status)} signal ${String(child.signal)}; last decode ${where} ${culprit}\n${(child.stderr ?? '').slice(0, 2000)}`;
    let report: MutationReport | undefined;
    if (child.status === 0) report = JSON.parse(child.stdout) as MutationReport;
    return { report, status: child.status, signal: child.signal, context };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
