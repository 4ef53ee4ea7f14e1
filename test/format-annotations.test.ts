/**
 * FORMAT.md says what it shows (issue 14): every annotated hex dump in it
 * (a code block opening with "offset  bytes  meaning") is checked against the
 * bytes it annotates, line by line: each line's offset is where the previous
 * line ended, its bytes are the bytes there, and the dump covers the whole
 * record. The table of test vectors is checked against test/vectors/*.json
 * (lengths, hex fragments, SHA-256 digests), and the structuredClone rules of
 * "Which view defines the buffer's dtype" against what pack writes.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Packr } from 'msgpackr';
import { pack, useBlosc2 } from '../src/index';

const ROOT = path.join(__dirname, '..');
const FORMAT = fs.readFileSync(path.join(ROOT, 'FORMAT.md'), 'utf8');

interface Vector {
  name: string;
  hex: string;
  buffers?: string[];
}
const VECTORS = new Map<string, Vector>(
  fs
    .readdirSync(path.join(__dirname, 'vectors'))
    .filter((f) => f.endsWith('.json'))
    .map((f) => JSON.parse(fs.readFileSync(path.join(__dirname, 'vectors', f), 'utf8')) as Vector)
    .map((v) => [v.name, v]),
);

function vectorBytes(name: string): Buffer {
  const v = VECTORS.get(name);
  if (!v) throw new Error(`no vector ${name}`);
  return Buffer.from(v.hex, 'hex');
}

/**
 * The bytes each annotated dump describes, by the heading it sits under. A dump
 * under any other heading fails the test until it is added here.
 */
const DUMPS: Readonly<Record<string, () => Buffer>> = {
  // "offsets below are from the start of the frame": after the ext16 header c8 012f 2a.
  'frame-float64-threshold0, annotated': () => vectorBytes('frame-float64-threshold0').subarray(4),
  'structuredClone messages': () => {
    const x = { k: 100 };
    return pack({ n: 1, pair: [x, x] }, { structuredClone: true });
  },
  // What a structuredClone Packr of msgpackr's own writes (and Packers wrote before 0.2).
  "msgpackr's own structured clone (read; written before 0.2)": () => {
    const x = { k: 100 };
    return Buffer.from(useBlosc2(new Packr({ structuredClone: true })).pack({ n: 1, pair: [x, x] }));
  },
};

interface DumpLine {
  line: number;
  offset: number;
  bytes: Buffer;
}

interface Dump {
  heading: string;
  line: number;
  lines: DumpLine[];
}

/** Every annotated dump of FORMAT.md, parsed: the bytes column ends where the header's "meaning" starts. */
function dumps(): Dump[] {
  const lines = FORMAT.split('\n');
  const found: Dump[] = [];
  let heading = '';
  for (let i = 0; i < lines.length; i++) {
    const text = lines[i] as string;
    const h = /^#{2,4} (.*)$/.exec(text);
    if (h) heading = h[1] as string;
    if (text !== '```' || !/^offset\s+bytes\s+meaning/.test(lines[i + 1] ?? '')) continue;
    const meaningAt = (lines[i + 1] as string).indexOf('meaning');
    const dump: Dump = { heading, line: i + 2, lines: [] };
    let next = 0;
    for (let j = i + 2; j < lines.length && lines[j] !== '```'; j++) {
      const row = lines[j] as string;
      if (row.startsWith('--')) continue;
      const offsetText = row.slice(0, 8).trim();
      const column = row.slice(8, meaningAt).trim();
      if (column === '') continue; // a meaning that goes on from the line above
      const m = /^((?:[0-9a-f]{2}\s*)+?)(?:\+ (\d+) zero bytes)?$/.exec(column);
      if (!m) throw new Error(`FORMAT.md line ${j + 1}: cannot read the bytes column '${column}'`);
      const bytes = Buffer.concat([Buffer.from((m[1] as string).replace(/\s+/g, ''), 'hex'), Buffer.alloc(Number(m[2] ?? 0))]);
      const offset = offsetText === '' ? next : parseInt(offsetText, 16);
      dump.lines.push({ line: j + 1, offset, bytes });
      next = offset + bytes.length;
    }
    found.push(dump);
  }
  return found;
}

describe('annotated dumps in FORMAT.md', () => {
  const all = dumps();

  it('are found, and each has the bytes it annotates', () => {
    expect(all.length).toBeGreaterThanOrEqual(2);
    for (const d of all) {
      expect(DUMPS[d.heading], `FORMAT.md line ${d.line}: add the bytes of the dump under '${d.heading}' to DUMPS`).toBeDefined();
    }
  });

  for (const d of all) {
    it(`under '${d.heading}' (line ${d.line}): offsets follow each other, bytes match, the whole record is covered`, () => {
      const bytes = (DUMPS[d.heading] as () => Buffer)();
      let expected = 0;
      for (const l of d.lines) {
        expect(l.offset.toString(16).padStart(4, '0'), `FORMAT.md line ${l.line}: offset`).toBe(expected.toString(16).padStart(4, '0'));
        expect(l.bytes.toString('hex'), `FORMAT.md line ${l.line}: bytes at 0x${l.offset.toString(16)}`).toBe(
          bytes.subarray(l.offset, l.offset + l.bytes.length).toString('hex'),
        );
        expected = l.offset + l.bytes.length;
      }
      expect(expected, 'the dump ends where the bytes do').toBe(bytes.length);
    });
  }

  it("the frame's full message hex is the vector's", () => {
    const m = /Full message hex:\n\n```\n([0-9a-f\n]+)```/.exec(FORMAT);
    expect(m).not.toBeNull();
    expect((m?.[1] as string).replace(/\n/g, '')).toBe(VECTORS.get('frame-float64-threshold0')?.hex);
  });
});

/** The hex fragments of a table cell, in order: code spans made of hex digits (spaces and … allowed). */
function hexSpans(cell: string): string[][] {
  return [...cell.matchAll(/`([^`]+)`/g)]
    .map((m) => m[1] as string)
    .filter((span) => /^[0-9a-f\s…]+$/.test(span) && /[0-9a-f]{2}/.test(span))
    .map((span) =>
      span
        .split('…')
        .map((p) => p.replace(/\s+/g, ''))
        .filter((p) => p !== ''),
    );
}

function expectInOrder(hex: string, spans: string[][], where: string): void {
  let at = 0;
  for (const pieces of spans) {
    for (const piece of pieces) {
      const found = hex.indexOf(piece, at);
      expect(found, `${where}: '${piece}' in order`).toBeGreaterThanOrEqual(0);
      at = found + piece.length;
    }
  }
}

describe('the table of test vectors in FORMAT.md', () => {
  const table = FORMAT.slice(FORMAT.indexOf('## Test vectors'));
  const rows = [...table.matchAll(/^\| ([a-z0-9-]+) \| (\d+) \| (.*) \|$/gm)];

  it('lists vectors that exist', () => {
    expect(rows.length).toBeGreaterThanOrEqual(20);
    for (const r of rows) expect(VECTORS.has(r[1] as string), `FORMAT.md names vector ${r[1]}`).toBe(true);
  });

  it('gives each one its length, hex fragments in order and digests as in the vector file', () => {
    for (const r of rows) {
      const name = r[1] as string;
      const v = VECTORS.get(name) as Vector;
      expect(v.hex.length / 2, `${name}: length`).toBe(Number(r[2]));
      // Digests are checked below; their code spans are no fragments of the bytes.
      const [message, ...buffers] = (r[3] as string).replace(/SHA-256[^`|]*`[^`]*`/g, '').split(/;\s*buffer (?=\d+ =)/);
      expectInOrder(v.hex, hexSpans(message as string), name);
      for (const b of buffers) {
        const index = Number(/^(\d+)/.exec(b)?.[1]);
        const spans = hexSpans(b.replace(/^\d+ =/, ''));
        if (/the \d+-byte frame of ([a-z0-9-]+)/.test(b)) {
          const [, size, of] = /the (\d+)-byte frame of ([a-z0-9-]+)/.exec(b) as RegExpExecArray;
          expect((v.buffers?.[index]?.length ?? 0) / 2, `${name}: buffer ${index}`).toBe(Number(size));
          expect(
            vectorBytes(of as string)
              .toString('hex')
              .endsWith(v.buffers?.[index] as string),
            `${name}: buffer ${index} is ${of}'s frame`,
          ).toBe(true);
        } else expectInOrder(v.buffers?.[index] ?? '', spans, `${name} buffer ${index}`);
      }
      for (const d of (r[3] as string).matchAll(/SHA-256[^`|]*`([0-9a-f]{8})…([0-9a-f]{8})`/g)) {
        const sha = createHash('sha256').update(vectorBytes(name)).digest('hex');
        expect([sha.slice(0, 8), sha.slice(-8)], `${name}: SHA-256`).toEqual([d[1], d[2]]);
      }
    }
  });

  it('gives the full digests right', () => {
    const digests: Array<[string, string]> = [...table.matchAll(/([a-z0-9-]+)\n`([0-9a-f]{64})`/g)].map((d) => [
      d[1] as string,
      d[2] as string,
    ]);
    const annotated = /### (frame-float64-threshold0), annotated\n\n[^]*?\(SHA-256 `([0-9a-f]{64})`\)/.exec(FORMAT);
    if (annotated) digests.push([annotated[1] as string, annotated[2] as string]);
    expect(digests.length).toBeGreaterThanOrEqual(3);
    for (const [name, digest] of digests) expect(createHash('sha256').update(vectorBytes(name)).digest('hex'), name).toBe(digest);
  });
});

describe("structuredClone: which view defines a buffer's dtype (FORMAT.md, ext 81)", () => {
  /** The typesize in the header of the message's first frame (frame offset 0x30, a big-endian int32 after d2). */
  function frameTypesize(message: Buffer): number {
    const at = message.indexOf(Buffer.from('b2frame\0', 'latin1')) - 2;
    expect(at).toBeGreaterThanOrEqual(0);
    expect(message[at + 0x2f]).toBe(0xd2);
    return message.readInt32BE(at + 0x30);
  }
  const options = { structuredClone: true, threshold: 0 };

  it('the first view that names the buffer: its item size when it divides the length', () => {
    const ab = new ArrayBuffer(4096);
    expect(frameTypesize(pack([new Uint16Array(ab), new Float64Array(ab)], options))).toBe(2);
    expect(frameTypesize(pack([new Float64Array(ab), new Uint16Array(ab)], options))).toBe(8);
    expect(frameTypesize(pack({ a: new Float32Array(ab, 4, 10) }, options))).toBe(4);
  });

  it('bytes when a Buffer or DataView comes first, when the buffer itself does, or when the item size does not divide the length', () => {
    const ab = new ArrayBuffer(4096);
    expect(frameTypesize(pack([new DataView(ab), new Float64Array(ab)], options))).toBe(1);
    expect(frameTypesize(pack([Buffer.from(ab), new Float64Array(ab)], options))).toBe(1);
    expect(frameTypesize(pack([ab, new Float64Array(ab)], options))).toBe(1);
    expect(frameTypesize(pack([new Float64Array(new ArrayBuffer(4100), 8, 8)], options))).toBe(1);
  });
});
