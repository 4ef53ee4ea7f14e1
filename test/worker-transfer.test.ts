import { afterAll, describe, expect, it } from 'vitest';
import * as path from 'node:path';
import { once } from 'node:events';
import { MessageChannel, Worker } from 'node:worker_threads';
import { Blosc2Error, encodeValue, isValueMessage, NDArray, Packer, postValue, receiveValue, type ValueMessage } from '../src/index';
import { CHILDREN } from './support/child';
import { diff } from './support/compare';
import { expectCode } from './support/errors';

const fixture = path.join(CHILDREN, 'transfer-worker.cjs');
const workers: Worker[] = [];

afterAll(async () => {
  await Promise.all(workers.map((w) => w.terminate()));
});

function startWorker(): Worker {
  const w = new Worker(fixture);
  workers.push(w);
  return w;
}

/** A value with large arrays (one a view at an offset inside a bigger ArrayBuffer), small ones and a graph. */
function makeValue(): Record<string, unknown> {
  const n = 1 << 20; // 8 MiB of float64
  const backing = new ArrayBuffer(n * 8 + 64);
  const f = new Float64Array(backing, 64, n);
  for (let i = 0; i < n; i++) f[i] = Math.cos(i / 300) * 1e6 + i;
  const ints = new Int16Array(300_000);
  for (let i = 0; i < ints.length; i++) ints[i] = (i * 31) & 0x7fff;
  const big = Buffer.alloc(100_000);
  for (let i = 0; i < big.length; i++) big[i] = (i * 13) & 0xff;
  const grid = new NDArray(
    new Uint32Array(256 * 256).map((_, i) => i * 2654435761),
    [256, 256],
    '<u4',
  );
  return { f, ints, big, grid, small: new Float32Array([1.5, -2, NaN]), meta: { name: 'sensor', tags: ['a', 'b'], t: 1234.5 } };
}

function deepCopy(value: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (v instanceof NDArray) out[k] = new NDArray((v.data as Uint32Array).slice(), v.shape, v.dtype);
    else if (Buffer.isBuffer(v)) out[k] = Buffer.from(v);
    else if (ArrayBuffer.isView(v)) out[k] = (v as Float64Array).slice();
    else out[k] = structuredClone(v);
  }
  return out;
}

interface EchoReply {
  echo: Record<string, unknown>;
  received: Record<string, { byteOffset: number; bufferBytes: number; shared: boolean }>;
}

/** Posts to the worker and resolves with its echo (decoded here) and its after-echo report. */
async function roundTrip(
  worker: Worker,
  value: unknown,
  mode: 'transfer' | 'compress',
): Promise<{ reply: EchoReply; afterEcho: Record<string, number> }> {
  const messages: unknown[] = [];
  const done = new Promise<void>((resolve, reject) => {
    const onMessage = (m: unknown): void => {
      messages.push(m);
      if ((m as { error?: string }).error) reject(new Error((m as { error: string }).error));
      if (messages.length === 2) {
        worker.off('message', onMessage);
        resolve();
      }
    };
    worker.on('message', onMessage);
    worker.once('error', reject);
  });
  postValue(worker, value, { mode });
  await done;
  const [first, second] = messages;
  expect(isValueMessage(first)).toBe(true);
  expect((first as ValueMessage).mode).toBe(mode);
  const reply = receiveValue(first) as EchoReply;
  return { reply, afterEcho: (second as { afterEcho: Record<string, number> }).afterEcho };
}

describe('postValue / receiveValue between worker threads', () => {
  it("'transfer' mode moves the arrays: the sender's ArrayBuffers are detached and the values arrive bit-exact", async () => {
    const worker = startWorker();
    const value = makeValue();
    const expected = deepCopy(value);
    const f = value['f'] as Float64Array;
    const backing = f.buffer;
    const { reply, afterEcho } = await roundTrip(worker, value, 'transfer');
    // Sender side: every large array's ArrayBuffer moved (detached), not copied.
    expect(backing.byteLength).toBe(0);
    expect(f.byteLength).toBe(0);
    expect((value['ints'] as Int16Array).byteLength).toBe(0);
    expect((value['big'] as Buffer).buffer.byteLength).toBe(0);
    expect((value['grid'] as NDArray).data.byteLength).toBe(0);
    // Small arrays travel inside the message (copied): untouched.
    expect((value['small'] as Float32Array).byteLength).toBe(12);
    // Receiver side: the view sits at offset 64 of the whole moved 8 MiB + 64 buffer: the same memory.
    expect(reply.received['f']).toEqual({ byteOffset: 64, bufferBytes: (1 << 20) * 8 + 64, shared: false });
    // The worker posted it back the same way: its own copies are now detached in turn.
    expect(afterEcho['f']).toBe(0);
    expect(afterEcho['ints']).toBe(0);
    expect(afterEcho['small']).toBe(12);
    expect(diff(reply.echo, expected)).toBe('');
  });

  it("'compress' mode moves compressed frames: the sender keeps its arrays, the values arrive bit-exact", async () => {
    const worker = startWorker();
    const value = makeValue();
    const expected = deepCopy(value);
    const { message, transferList } = encodeValue(value, { mode: 'compress', codec: 'zstd', clevel: 5 });
    const raw = (value['f'] as Float64Array).byteLength + (value['ints'] as Int16Array).byteLength + 100_000 + 256 * 256 * 4;
    const compressed = message.buffers.reduce((s, b) => s + b.byteLength, 0);
    expect(transferList.length).toBe(message.buffers.length);
    expect(compressed).toBeLessThan(raw);
    const { reply, afterEcho } = await roundTrip(worker, value, 'compress');
    expect((value['f'] as Float64Array).byteLength).toBe((1 << 20) * 8);
    expect(diff(value, expected)).toBe('');
    expect(diff(reply.echo, expected)).toBe('');
    // The worker decompressed into memory of its own, and kept it after replying.
    expect(reply.received['f']).toEqual({ byteOffset: 0, bufferBytes: (1 << 20) * 8, shared: false });
    expect(afterEcho['f']).toBe((1 << 20) * 8);
  });

  it('shares SharedArrayBuffer memory instead of moving it', async () => {
    const worker = startWorker();
    const shared = new Int32Array(new SharedArrayBuffer(64 * 1024));
    shared[1] = 7;
    const { transferList } = encodeValue({ shared });
    expect(transferList).toEqual([]);
    const { reply } = await roundTrip(worker, { shared }, 'transfer');
    expect(reply.received['shared']).toMatchObject({ shared: true, bufferBytes: 64 * 1024 });
    // The worker's write landed in our memory: one buffer, no copy.
    expect(Atomics.load(shared, 0)).toBe(42);
    expect(shared[1]).toBe(7);
  });

  it('runs the addon in several workers at once', async () => {
    const pair = [startWorker(), startWorker()];
    const values = [makeValue(), makeValue()];
    const expected = values.map(deepCopy);
    const replies = await Promise.all(pair.map((w, k) => roundTrip(w, values[k], 'compress')));
    for (let k = 0; k < 2; k++) expect(diff(replies[k]?.reply.echo, expected[k])).toBe('');
  });

  it('works over a MessageChannel in one thread too', async () => {
    const { port1, port2 } = new MessageChannel();
    try {
      const a = new Uint8Array(50_000).map((_, i) => i % 251);
      const copy = a.slice();
      const got = once(port2, 'message');
      postValue(port1, { a });
      const [data] = await got;
      expect(a.byteLength).toBe(0);
      expect(diff(receiveValue(data), { a: copy })).toBe('');
    } finally {
      port1.close();
    }
  });

  it('validates its arguments and refuses bad messages with a Blosc2Error', () => {
    expect(() => postValue({} as never, 1)).toThrow(/postMessage/);
    expect(() => encodeValue(1, { mode: 'copy' as 'transfer' })).toThrow(/mode/);
    expect(() => encodeValue(1, { mode: 'transfer', clevel: 5 })).toThrow(/clevel/);
    expect(() => encodeValue(1, { packer: new Packer(), codec: 'lz4' })).toThrow(/codec/);
    expect(() => receiveValue({ hello: 1 })).toThrow(Blosc2Error);
    expectCode(() => receiveValue({ blosc2Value: 1, mode: 'transfer', message: 'x', buffers: [] }), 'ERR_CORRUPT');
    // A message that names an out-of-band buffer that did not come along.
    const { message } = encodeValue({ a: new Float64Array(10_000) });
    expectCode(() => receiveValue({ ...message, buffers: [] }), 'ERR_CORRUPT');
    // Options pass through to the Packer on the receiving side.
    const big = encodeValue({ a: new Float64Array(10_000) }, { mode: 'compress' }).message;
    expectCode(() => receiveValue(big, { maxOutputBytes: 1000 }), 'ERR_MAX_OUTPUT');
  });
});
