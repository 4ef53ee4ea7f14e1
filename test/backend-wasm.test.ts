// The WebAssembly backend itself (src/backend/wasm.ts over wasm/blosc2.wasm),
// loaded beside the addon: requests built wrongly, frame handles, detached
// buffers, its memory (no growth over many calls, given back when idle), and
// how Node chooses a backend (BLOSC2_BACKEND, the fallback and its notice).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { type Backend, HeaderCheck, backend as native } from '../src/backend';
import type { Blosc2Error } from '../src/errors';
import { WASM_FILE, loadWasm } from '../src/backend/load-wasm';
import type { CoreCParams } from '../src/backend/types';
import type { WasmBackend } from '../src/backend/wasm';
import { resolveCParams } from '../src/params';

/** A matcher for a message (typed, where vitest's is `any`). */
const matching = (re: RegExp): unknown => expect.stringMatching(re) as unknown;

// Idle memory given back after 1 s instead of 10, so that the test need not wait.
const wasm = loadWasm(WASM_FILE, { idleMs: 1000 }) as WasmBackend;
const cparams: CoreCParams = resolveCParams({ codec: 'zstd', clevel: 5 }, 8);
const ROOT = path.join(__dirname, '..');

function ramp(n: number): Float64Array {
  return new Float64Array(n).map((_, i) => Math.floor(i / 3));
}

function frameOf(data: Float64Array): Uint8Array {
  let out = new Uint8Array(0);
  wasm.frameEncode({
    data,
    shape: [data.length],
    itemsize: 8,
    dtype: '<f8',
    jsKind: 'Float64Array',
    cparams,
    allocate: (n) => (out = new Uint8Array(n)),
  });
  return out;
}

describe('the wasm backend', () => {
  it('says what it is: C-Blosc2 2.17.1 with every codec', () => {
    expect(wasm.name).toBe('wasm');
    expect(wasm.version).toMatch(/^2\.17\.1/);
    expect(wasm.compressors.split(',')).toEqual(['blosclz', 'lz4', 'lz4hc', 'zlib', 'zstd']);
    expect([wasm.maxOverhead, wasm.maxBufferSize]).toEqual([32, 2 ** 31 - 1 - 32]);
  });

  it('a request built wrongly is a Blosc2Error naming the field, not a trap', () => {
    expect(() => wasm.decompress({ src: new Uint8Array(32), out: new Uint8Array(8) } as never)).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARG', message: matching(/nthreads/) }) as Error,
    );
    expect(() =>
      wasm.frameDecode({ frame: new Uint8Array(64), handle: {}, out: new Uint8Array(0), nthreads: 1, threadsBySize: false }),
    ).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG', message: matching(/handle/) }) as Error);
    expect(() => wasm.compress({ src: new Uint8Array(8), out: new Uint8Array(64), cparams: { ...cparams, filters: [1] } })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARG', message: matching(/6 slots/) }) as Error,
    );
    expect(() => wasm.chunkInfo({ src: 'no' as never, check: HeaderCheck.Exact })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARG', message: matching(/src must be an ArrayBufferView/) }) as Error,
    );
  });

  it("the core's failures come back as the addon's: the same code, message and C-Blosc2 errno", () => {
    const src = ramp(4096);
    const out = new Uint8Array(src.byteLength + 32);
    const n = native.compress({ src, out, cparams });
    const failures = (b: Backend) =>
      [40, 60, n - 9, n - 1].map((at) => {
        const chunk = out.slice(0, n);
        chunk[at] = (chunk[at] as number) ^ 0x5a;
        try {
          b.decompress({ src: chunk, out: new Float64Array(4096), nthreads: 1, threadsBySize: false });
          return 'value';
        } catch (err) {
          const e = err as Blosc2Error;
          return { name: e.name, code: e.code, message: e.message, errno: e.errno };
        }
      });
    const got = failures(wasm);
    expect(got).toEqual(failures(native));
    expect(got.filter((f) => typeof f === 'object' && f.errno !== undefined).length).toBeGreaterThan(0);
    expect(() => wasm.compress({ src: new Uint8Array(100), out: new Uint8Array(100), cparams })).toThrow(
      expect.objectContaining({ code: 'ERR_OUTPUT_TOO_SMALL', message: 'out is shorter than compressBound(src)' }) as Error,
    );
  });

  it('frame handles: decode once opened, refused once closed, and the frame is the one opened', () => {
    const data = ramp(10_000);
    const frame = frameOf(data);
    const opened = wasm.frameOpen({ frame });
    expect(opened).toMatchObject({ shape: [10_000], typesize: 8, dtype: '<f8', jsKind: 'Float64Array', b2nd: true, contiguous: true });
    const out = new Float64Array(10_000);
    expect(() => wasm.frameDecode({ frame: frame.subarray(1), handle: opened.handle, out, nthreads: 1, threadsBySize: false })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARG', message: matching(/not the one that was opened/) }) as Error,
    );
    wasm.frameDecode({ frame, handle: opened.handle, out, nthreads: 1, threadsBySize: false });
    expect(out).toEqual(data);
    wasm.frameClose(opened.handle);
    wasm.frameClose(opened.handle); // twice: nothing
    expect(() => wasm.frameDecode({ frame, handle: opened.handle, out, nthreads: 1, threadsBySize: false })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARG', message: matching(/handle/) }) as Error,
    );
  });

  it('a trap in the core (here: a handle forged to point outside memory) is a Blosc2Error, and the next call gets a fresh instance', () => {
    const data = ramp(1000);
    const frame = frameOf(data);
    const opened = wasm.frameOpen({ frame });
    (opened.handle as { meta: number }).meta = 0xfffffff0;
    expect(() =>
      wasm.frameDecode({ frame, handle: opened.handle, out: new Float64Array(1000), nthreads: 1, threadsBySize: false }),
    ).toThrow(expect.objectContaining({ code: 'ERR_CORRUPT', message: matching(/WebAssembly core failed \(.*out of bounds/) }) as Error);
    expect(wasm.memoryBytes()).toBe(0); // the trapped instance is gone
    const again = wasm.frameOpen({ frame });
    const out = new Float64Array(1000);
    wasm.frameDecode({ frame, handle: again.handle, out, nthreads: 1, threadsBySize: false });
    wasm.frameClose(again.handle);
    expect(out).toEqual(data);
  });

  it('detached buffers: told apart without Node-API, and refused with ERR_DETACHED', () => {
    const ab = new ArrayBuffer(16);
    const view = new Uint8Array(ab);
    structuredClone(ab, { transfer: [ab] });
    expect(wasm.isDetached(ab)).toBe(true);
    expect(wasm.isDetached(new ArrayBuffer(0))).toBe(false);
    expect(wasm.isDetached(new ArrayBuffer(8))).toBe(false);
    expect(() => wasm.compress({ src: view, out: new Uint8Array(64), cparams })).toThrow(
      expect.objectContaining({ code: 'ERR_DETACHED' }) as Error,
    );
  });

  it('its memory does not grow over many calls once warm (nothing leaks in the core)', () => {
    const data = ramp(200_000);
    const frame = frameOf(data);
    const cycle = () => {
      const out = new Uint8Array(data.byteLength + 32);
      const n = wasm.compress({ src: data, out, cparams });
      wasm.decompress({ src: out.subarray(0, n), out: new Float64Array(data.length), nthreads: 1, threadsBySize: false });
      const opened = wasm.frameOpen({ frame });
      wasm.frameDecode({ frame, handle: opened.handle, out: new Float64Array(data.length), nthreads: 1, threadsBySize: false });
      wasm.frameClose(opened.handle);
      frameOf(data);
      try {
        wasm.frameOpen({ frame: frame.subarray(0, 100) });
      } catch {
        // ERR_CORRUPT, and nothing kept
      }
    };
    for (let i = 0; i < 20; i++) cycle();
    const warm = wasm.memoryBytes();
    for (let i = 0; i < 300; i++) cycle();
    expect(wasm.memoryBytes()).toBe(warm);
  });

  it('gives a large memory back once idle (a WebAssembly memory never shrinks)', async () => {
    const big = ramp(12_500_000); // 100 MB
    const frame = frameOf(big);
    expect(wasm.memoryBytes()).toBeGreaterThan(150 << 20);
    await new Promise((r) => setTimeout(r, 3000));
    expect(wasm.memoryBytes()).toBe(0);
    // The next call makes a fresh instance.
    const opened = wasm.frameOpen({ frame });
    const out = new Float64Array(big.length);
    wasm.frameDecode({ frame, handle: opened.handle, out, nthreads: 1, threadsBySize: false });
    wasm.frameClose(opened.handle);
    expect(Buffer.compare(Buffer.from(out.buffer), Buffer.from(big.buffer))).toBe(0);
  });
});

describe('choosing the backend under Node', () => {
  /** Runs the built package (dist/) in a child, from a copy where the addon may be missing. */
  function child(env: Record<string, string>, withAddon: boolean): { status: number | null; stdout: string; stderr: string } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'blosc2-choose-'));
    try {
      fs.cpSync(path.join(ROOT, 'dist'), path.join(dir, 'dist'), { recursive: true });
      fs.symlinkSync(path.join(ROOT, 'wasm'), path.join(dir, 'wasm'), 'dir');
      fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
      if (withAddon) fs.symlinkSync(path.join(ROOT, 'build'), path.join(dir, 'build'), 'dir');
      const script =
        "const b = require('./dist/index.js'); console.log(b.versions.backend, b.unpack(b.pack(new Float64Array(9000).fill(2)))[8999]);";
      const r = spawnSync(process.execPath, ['-e', script], { cwd: dir, encoding: 'utf8', env: { ...process.env, ...env } });
      return { status: r.status, stdout: r.stdout.trim(), stderr: r.stderr.trim() };
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }

  it('the addon by default, the WebAssembly core with BLOSC2_BACKEND=wasm, both silently', () => {
    expect(child({ BLOSC2_BACKEND: '' }, true)).toEqual({ status: 0, stdout: 'native 2', stderr: '' });
    expect(child({ BLOSC2_BACKEND: 'wasm' }, true)).toEqual({ status: 0, stdout: 'wasm 2', stderr: '' });
  });

  it('falls back to wasm with a one-line notice when the addon cannot be loaded; BLOSC2_BACKEND=native refuses to', () => {
    const fallback = child({ BLOSC2_BACKEND: '' }, false);
    expect(fallback.stdout).toBe('wasm 2');
    expect(fallback.stderr.split('\n')).toHaveLength(1);
    expect(fallback.stderr).toMatch(
      /^blosc2: using the WebAssembly build \(one thread\): No blosc2 native addon for \S+: none of .*blosc2\.node exists\. \(BLOSC2_BACKEND=wasm/,
    );
    const forced = child({ BLOSC2_BACKEND: 'native' }, false);
    expect(forced.status).not.toBe(0);
    expect(forced.stderr).toContain('ERR_NATIVE_LOAD');
    const bad = child({ BLOSC2_BACKEND: 'gpu' }, true);
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toContain("BLOSC2_BACKEND must be 'native' or 'wasm', not 'gpu'");
  });
});
