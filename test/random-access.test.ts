// Random access (issue 13): lazy arrays in memory and over range readers, the
// selection rules, the safety of every error path (a lying index, a chunk over
// maxOutputBytes, a reader's short or wrong bytes, selections out of bounds),
// and the block mask on large multi-threaded chunks.
import { describe, expect, it } from 'vitest';
import * as http from 'node:http';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { AddressInfo } from 'node:net';
import {
  AsyncLazyArray,
  type Blosc2ErrorCode,
  LazyArray,
  NDArray,
  type RangeReader,
  type Selection,
  openFrame,
  pack,
  packChunks,
  unpack,
  unpackAsync,
} from '../src/index';
import { backend } from '../src/backend';
import { bytesOf } from './support/compare';
import { expectCode, expectRejection } from './support/errors';
import { countingReader, nums, referenceSelect } from './support/random-access';

/** A Blosc2Error with this code, and a message that says what went wrong. */
function expectError(fn: () => unknown, code: Blosc2ErrorCode, message?: RegExp): void {
  const err = expectCode(fn, code);
  if (message) expect(err.message).toMatch(message);
}

async function expectReject(p: Promise<unknown>, code: Blosc2ErrorCode, message?: RegExp): Promise<void> {
  const err = await expectRejection(p, code);
  if (message) expect(err.message).toMatch(message);
}

// 12 x 100 float64 in chunks of 4 rows: three chunks.
const grid = Float64Array.from({ length: 1200 }, (_, i) => i);
const gridFrame = () =>
  packChunks([grid], { shape: [12, 100], dtype: '<f8', chunkshape: [4, 100], blockshape: [1, 100], nthreads: 1, codec: 'zstd' });

describe('LazyArray', () => {
  it('shows the attributes python-blosc2 shows', async () => {
    const lazy = openFrame(await gridFrame());
    expect(lazy).toBeInstanceOf(LazyArray);
    expect(lazy.shape).toEqual([12, 100]);
    expect(lazy.dtype).toBe('<f8');
    expect(lazy.chunkshape).toEqual([4, 100]);
    expect(lazy.blockshape).toEqual([1, 100]);
    expect(lazy.nbytes).toBe(9600);
    expect(lazy.cbytes).toBeGreaterThan(0);
    expect(lazy.cbytes).toBeLessThan(9600);
    expect(lazy.nchunks).toBe(3);
    expect(lazy.ndim).toBe(2);
    expect(lazy.size).toBe(1200);
  });

  it('takes indices, ranges, null, negative steps and empty ranges as python-blosc2 does', async () => {
    const lazy = openFrame(await gridFrame());
    const g = (sel?: Selection) => lazy.get(sel);
    expect(g(5).shape).toEqual([100]);
    expect(nums(g(5).data.slice(0, 3))).toEqual([500, 501, 502]);
    expect(nums(g([-1, -1]).data)).toEqual([1199]);
    expect(g([-1, -1]).shape).toEqual([]);
    expect(nums(g([[null, null, -4], 7]).data)).toEqual([1107, 707, 307]);
    expect(nums(g([null, [98]]).data.slice(0, 4))).toEqual([98, 99, 198, 199]);
    expect(g([[3, 3]]).shape).toEqual([0, 100]);
    expect(g([[5, 2]]).data.length).toBe(0);
    expect(
      g([
        [-100, 100, 5],
        [1, 2],
      ]).shape,
    ).toEqual([3, 1]);
    expect(g().shape).toEqual([12, 100]);
    expect(nums(g([[2, -9, -1], 50]).data)).toEqual([]);
  });

  it('returns NDArrays of the class unpack would give, and toArray as unpack does', () => {
    const data = Uint8ClampedArray.from({ length: 9000 }, (_, i) => i % 251);
    const lazy = unpack(pack({ a: data }, { threshold: 0 }), { lazy: true }) as { a: LazyArray };
    const part = lazy.a.get([[10, 20]]);
    expect(part.data).toBeInstanceOf(Uint8ClampedArray);
    expect(nums(part.data)).toEqual(nums(data.subarray(10, 20)));
    const whole = lazy.a.toArray();
    expect(whole).toBeInstanceOf(Uint8ClampedArray);
    expect(whole).toEqual(data);
    // A message that is one array opens directly too.
    const buf = Buffer.from(Array.from({ length: 20000 }, (_, i) => i & 255));
    const lb = openFrame(pack(buf, { threshold: 0 }));
    expect(Buffer.isBuffer(lb.toArray())).toBe(true);
    expect(lb.get([[5, 8]]).dtype).toBe('|u1');
  });

  it('unpackAsync with lazy: true gives lazy arrays too', async () => {
    const v = (await unpackAsync(pack({ g: grid }, { threshold: 0 }), { lazy: true })) as { g: LazyArray };
    expect(nums(v.g.get([[3, 6]]).data)).toEqual([3, 4, 5]);
  });

  it('reads 0-d arrays and plain super-chunks', () => {
    const zero = openFrame(pack(new NDArray(new Float64Array([7.5]), []), { threshold: 0 }));
    expect(zero.shape).toEqual([]);
    expect(nums(zero.get().data)).toEqual([7.5]);
    expect(zero.get([]).shape).toEqual([]);
    // python-blosc2's SChunk (test/vectors): its bytes, as unpack gives them.
    const vector = JSON.parse(readFileSync(path.join(__dirname, 'vectors', 'python-schunk-10-bytes.json'), 'utf8')) as { hex: string };
    const schunk = openFrame(Buffer.from(vector.hex, 'hex'));
    expect(schunk.shape).toEqual([10]);
    expect(schunk.dtype).toBe('|u1');
    expect(nums(schunk.get([[null, null, -3]]).data)).toEqual([9, 6, 3, 0]);
    expect(schunk.toArray()).toEqual(Uint8Array.from({ length: 10 }, (_, i) => i));
  });

  it('decodes large multi-threaded chunks with blocks masked out, DELTA included', async () => {
    const rows = 2000;
    const cols = 600;
    const data = Float64Array.from({ length: rows * cols }, (_, i) => Math.sin(i / 1000) * 1e3 + (i % 7));
    for (const filters of [['shuffle'], ['delta', 'shuffle'], ['bitshuffle']] as const) {
      const frame = await packChunks([data], {
        shape: [rows, cols],
        dtype: '<f8',
        chunkshape: [500, 600],
        blockshape: [20, 600],
        filters: [...filters],
        nthreads: 2,
      });
      const lazy = openFrame(frame, { nthreads: 2 });
      for (const sel of [
        [[777, 1234]],
        [[null, null, 97], 5],
        [
          [1500, 499, -3],
          [10, 600, 7],
        ],
        [1999],
      ] as const) {
        const want = referenceSelect(bytesOf(data), [rows, cols], 8, sel);
        expect(Buffer.from(bytesOf(lazy.get(sel).data)).equals(Buffer.from(want)), `${filters.join('+')} ${JSON.stringify(sel)}`).toBe(
          true,
        );
      }
    }
  });
});

describe('selection errors', () => {
  it('refuses indices out of bounds, zero steps, non-integers and too many dimensions', async () => {
    const lazy = openFrame(await gridFrame());
    expectError(() => lazy.get(12), 'ERR_INVALID_ARG', /index 12 is out of bounds for axis 0 with size 12/);
    expectError(() => lazy.get([-13]), 'ERR_INVALID_ARG', /out of bounds/);
    expectError(() => lazy.get([0, 100]), 'ERR_INVALID_ARG', /axis 1/);
    expectError(() => lazy.get([[0, 5, 0]]), 'ERR_INVALID_ARG', /step/);
    expectError(() => lazy.get([1.5]), 'ERR_INVALID_ARG', /integer/);
    expectError(() => lazy.get([[0.5]]), 'ERR_INVALID_ARG', /start/);
    expectError(() => lazy.get([0, 0, 0]), 'ERR_INVALID_ARG', /too many indices/);
    expectError(() => lazy.get([[1, 2, 3, 4]] as never), 'ERR_INVALID_ARG', /at most 3/);
    expectError(() => lazy.get('a' as never), 'ERR_INVALID_ARG', /selection/);
    expectError(() => lazy.get([{}] as never), 'ERR_INVALID_ARG', /selection\[0\]/);
  });

  it('refuses a selection over maxOutputBytes before allocating', async () => {
    const lazy = openFrame(await gridFrame(), { maxOutputBytes: 3200 });
    expect(lazy.get([[0, 4]]).data.length).toBe(400);
    expectError(() => lazy.get([[0, 5]]), 'ERR_MAX_OUTPUT', /4000 bytes, over maxOutputBytes \(3200\)/);
    expectError(() => lazy.toArray(), 'ERR_MAX_OUTPUT');
  });

  it('refuses bad openFrame options and sources', () => {
    expectError(() => openFrame(new Uint8Array(10), { nope: 1 } as never), 'ERR_INVALID_ARG', /options.nope/);
    expectError(() => openFrame(new Uint8Array(10), { nthreads: 0 }), 'ERR_INVALID_ARG', /nthreads/);
    expectError(() => openFrame('frame' as never), 'ERR_INVALID_ARG', /source/);
    expectError(() => openFrame(new Uint8Array(100)), 'ERR_CORRUPT');
    expectError(() => openFrame(pack(new Int16Array(3))), 'ERR_CORRUPT', /ext \d+ record, not a frame/);
  });
});

describe('hostile frames', () => {
  it('refuses a chunk larger than maxOutputBytes when opening', async () => {
    const frame = await gridFrame();
    expectError(() => openFrame(frame, { maxOutputBytes: 3000 }), 'ERR_MAX_OUTPUT', /chunks are 3200 bytes/);
    await expectReject(openFrame(countingReader(frame).read, { maxOutputBytes: 3000 }), 'ERR_MAX_OUTPUT');
  });

  it('refuses a lying offsets index', async () => {
    const frame = Buffer.from(await gridFrame());
    const info = backend.frameOpen({ frame });
    // Rewrite the index as a stored (memcpyed) chunk of offsets pointing past the chunks.
    const index = frame.subarray(info.indexOffset);
    const lying = Buffer.from(frame);
    const offsets = new BigInt64Array([0n, 10n ** 9n, 5n]);
    const chunk = Buffer.alloc(32 + 24);
    index.copy(chunk, 0, 0, 32);
    chunk[2] = (chunk[2] as number) | 0x02; // memcpyed
    chunk.writeInt32LE(24, 4);
    chunk.writeInt32LE(24, 8);
    chunk.writeInt32LE(56, 12);
    Buffer.from(offsets.buffer).copy(chunk, 32);
    const forged = Buffer.concat([lying.subarray(0, info.indexOffset), chunk, frame.subarray(frame.length - 35)]);
    forged.writeBigUInt64BE(BigInt(forged.length), 16);
    expectError(() => openFrame(forged), 'ERR_CORRUPT');
    await expectReject(openFrame(countingReader(forged).read), 'ERR_CORRUPT');
  });

  it('refuses frames whose header lies about its lengths', async () => {
    const frame = Buffer.from(await gridFrame());
    const huge = Buffer.from(frame);
    huge.writeInt32BE(0x7fff0000, 11); // header length
    await expectReject(openFrame(countingReader(huge).read), 'ERR_CORRUPT', /lengths disagree/);
    const long = Buffer.from(frame);
    long.writeBigUInt64BE(BigInt(frame.length + 1000), 16); // frame length
    await expectReject(openFrame(countingReader(long).read), 'ERR_CORRUPT');
    const hugeIndex = Buffer.from(frame);
    hugeIndex.writeBigUInt64BE(2n ** 40n, 16);
    await expectReject(openFrame(countingReader(hugeIndex).read, { maxOutputBytes: 1 << 20 }), 'ERR_MAX_OUTPUT', /offsets index/);
  });
});

describe('range readers', () => {
  it('reads only the chunks a get touches, adjacent ones in one read', async () => {
    const frame = await gridFrame();
    const reader = countingReader(frame);
    const lazy = await openFrame(reader.read);
    expect(lazy).toBeInstanceOf(AsyncLazyArray);
    const opened = reader.served();
    expect(lazy.reads).toBeLessThanOrEqual(2);
    const row = await lazy.get(9);
    expect(nums(row.data.slice(0, 2))).toEqual([900, 901]);
    const oneChunk = reader.served() - opened;
    expect(oneChunk).toBeLessThan(lazy.cbytes / 2);
    const readsBefore = lazy.reads;
    expect((await lazy.toArray()) as NDArray).toEqual(new NDArray(grid, [12, 100]));
    expect(lazy.reads - readsBefore).toBe(1);
    expect(reader.served() - opened - oneChunk).toBe(lazy.cbytes);
  });

  it('opens a message that is one array, at an offset of the source', async () => {
    const msg = pack(grid, { threshold: 0 });
    const source = Buffer.concat([Buffer.from('junk!'), msg]);
    const lazy = await openFrame(countingReader(source).read, { offset: 5 });
    expect(nums((await lazy.get([[-2]])).data)).toEqual([1198, 1199]);
    expect(await lazy.toArray()).toEqual(grid);
  });

  it('refuses short, long, wrong or missing bytes with ERR_CORRUPT, and passes the reader own errors through', async () => {
    const frame = await gridFrame();
    const open = (reader: RangeReader) => openFrame(reader);
    // Short while opening: the tail ends early.
    const shortTail: RangeReader = (o, n) => Promise.resolve(frame.subarray(o, o + (o === 0 ? n : n - 1)));
    await expectReject(open(shortTail), 'ERR_CORRUPT', /returned \d+ bytes for a read of/);
    await expectReject(
      open(() => Promise.resolve(Buffer.alloc(5000))),
      'ERR_CORRUPT',
      /returned 5000 bytes for a read of 1024/,
    );
    await expectReject(
      open(() => Promise.resolve(Buffer.alloc(500))),
      'ERR_CORRUPT',
      /not a Blosc2 frame/,
    );
    await expectReject(
      open(() => Promise.resolve(Buffer.alloc(50))),
      'ERR_CORRUPT',
      /too short/,
    );
    await expectReject(
      open(() => Promise.resolve('x' as never)),
      'ERR_CORRUPT',
      /not a Uint8Array/,
    );
    const boom = new Error('connection reset');
    await expect(open(() => Promise.reject(boom))).rejects.toBe(boom);
    // Faults after opening, in a get.
    const faulty = (fault: (bytes: Uint8Array) => Uint8Array): RangeReader => {
      let calls = 0;
      return (o, n) => {
        const part = frame.subarray(o, o + n);
        return Promise.resolve(++calls > 2 ? fault(part) : part);
      };
    };
    const cases: Array<[string, (b: Uint8Array) => Uint8Array, RegExp]> = [
      ['short', (b) => b.subarray(0, b.length - 1), /returned \d+ bytes for a read of/],
      ['long', (b) => Buffer.concat([b, Buffer.alloc(3)]), /returned \d+ bytes for a read of/],
      ['zeros', (b) => new Uint8Array(b.length), /./],
      ['shifted', (b) => Buffer.concat([b.subarray(1), Buffer.alloc(1)]), /./],
    ];
    for (const [label, fault, message] of cases) {
      const lazy = await openFrame(faulty(fault));
      await expectReject(lazy.get([[0, 5]]), 'ERR_CORRUPT', message).catch((e: unknown) => {
        throw new Error(`${label}: ${String(e)}`);
      });
    }
  });

  it('serves the README HTTP Range reader', async () => {
    const frame = await gridFrame();
    let served = 0;
    const server = http.createServer((req, res) => {
      const m = /^bytes=(\d+)-(\d+)$/.exec(req.headers.range ?? '');
      if (!m) {
        res.writeHead(200).end(frame);
        return;
      }
      const start = Number(m[1]);
      const end = Math.min(Number(m[2]), frame.length - 1);
      served += end + 1 - start;
      res.writeHead(206, { 'Content-Range': `bytes ${start}-${end}/${frame.length}` }).end(frame.subarray(start, end + 1));
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/frame`;
    try {
      // As in the README.
      const httpRangeReader =
        (url: string): RangeReader =>
        async (offset, length) => {
          const res = await fetch(url, { headers: { Range: `bytes=${offset}-${offset + length - 1}` } });
          if (res.status !== 206) throw new Error(`expected 206 Partial Content, got ${res.status}`);
          return new Uint8Array(await res.arrayBuffer());
        };
      const lazy = await openFrame(httpRangeReader(url));
      expect(nums((await lazy.get([11, [97]])).data)).toEqual([1197, 1198, 1199]);
      expect(served).toBe(lazy.bytesRead);
      expect(served).toBeLessThan(frame.length);
    } finally {
      server.close();
    }
  });
});
