// The prebuilt linux-x64 addon (prebuilds/linux-x64/blosc2.node, made by
// scripts/build-prebuilt.js, which `npm test` runs first): it asks for no glibc
// newer than 2.28 and no libstdc++, exports only the Node-API entry points, and
// writes and reads exactly the bytes the locally built addon does.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backend as local } from '../src/backend';
import { loadNative } from '../src/backend/native';
import type { Backend, CoreCParams } from '../src/backend/types';
import { sameBytes } from './support/compare';
import { sampleBytes } from './support/data';

const PREBUILT = path.join(__dirname, '..', 'prebuilds', 'linux-x64', 'blosc2.node');
/** What a glibc 2.28 system (RHEL 8, Debian 10, Ubuntu 20.04 has 2.31) has: Node 20's own floor. */
const MAX_GLIBC = [2, 28];
const ALLOWED_NEEDED = ['libc.so.6', 'libm.so.6', 'libpthread.so.0', 'libdl.so.2', 'librt.so.1', 'ld-linux-x86-64.so.2'];

function newerThanMax(version: string): boolean {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  return major > MAX_GLIBC[0]! || (major === MAX_GLIBC[0] && minor > MAX_GLIBC[1]!);
}

describe.runIf(process.platform === 'linux' && process.arch === 'x64')('the prebuilt linux-x64 addon', () => {
  it('exists (scripts/build-prebuilt.js, run by npm test and npm pack)', () => {
    expect(fs.existsSync(PREBUILT), `${PREBUILT}: run \`npm run build:prebuilt\``).toBe(true);
  });

  it('references no glibc symbol newer than 2.28 and no GLIBCXX/CXXABI (libstdc++) version', () => {
    const dynsyms = execFileSync('objdump', ['-T', '-w', PREBUILT], { encoding: 'utf8' });
    const versions = [...dynsyms.matchAll(/\b(GLIBC|GLIBCXX|CXXABI)_([\d.]+)/g)].map((m) => ({ lib: m[1]!, version: m[2]! }));
    expect(versions.length).toBeGreaterThan(0); // the reader sees the versions at all
    expect(versions.filter((v) => v.lib !== 'GLIBC')).toEqual([]);
    expect(versions.filter((v) => newerThanMax(v.version)).map((v) => `GLIBC_${v.version}`)).toEqual([]);
    const needs = execFileSync('readelf', ['-V', '-W', PREBUILT], { encoding: 'utf8' });
    expect(needs).not.toMatch(/GLIBCXX|CXXABI|libstdc\+\+|libgcc_s/);
  });

  it('needs only glibc libraries: the C++ runtime is linked in', () => {
    const dynamic = execFileSync('readelf', ['-d', '-W', PREBUILT], { encoding: 'utf8' });
    const needed = [...dynamic.matchAll(/\(NEEDED\)\s+Shared library: \[([^\]]+)\]/g)].map((m) => m[1]!);
    expect(needed).toContain('libc.so.6');
    expect(needed.filter((n) => !ALLOWED_NEEDED.includes(n))).toEqual([]);
  });

  it('exports only the Node-API entry points (C-Blosc2, the codecs and libc++ stay inside)', () => {
    const defined = execFileSync('nm', ['-D', '--defined-only', PREBUILT], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .map((l) => l.trim().split(/\s+/)[2]);
    expect(defined.sort()).toEqual(['napi_register_module_v1', 'node_api_module_get_api_version_v1']);
  });

  it("writes the chunks and frames the local build writes, and each reads the other's bit-exact (property)", () => {
    const prebuilt: Backend = loadNative([PREBUILT]);
    expect(prebuilt.version).toBe(local.version);
    expect(prebuilt.compressors).toBe(local.compressors);
    const cparams = fc.record({
      codec: fc.constantFrom(0, 1, 2, 4, 5), // BloscLZ, LZ4, LZ4HC, zlib, Zstd
      clevel: fc.integer({ min: 0, max: 9 }),
      typesize: fc.constantFrom(1, 2, 4, 8),
      nthreads: fc.constantFrom(1, 2),
      threadsBySize: fc.constant(false),
      blocksize: fc.constant(0),
      splitmode: fc.constantFrom(1, 2, 3, 4),
      filters: fc.constantFrom(0, 1, 2, 3).map((f) => [0, 0, 0, 0, 0, f]),
      filtersMeta: fc.constant([0, 0, 0, 0, 0, 0]),
    });
    // Sizes and seeds, not the bytes, so that a counterexample stays readable.
    const data = fc.record({ n: fc.integer({ min: 0, max: 1 << 20 }), seed: fc.integer({ min: 1, max: 1000 }), noise: fc.boolean() });
    fc.assert(
      fc.property(data, cparams, ({ n, seed, noise }, cp: CoreCParams) => {
        // Delta needs whole items (src/params.ts refuses the rest before the core sees it).
        const len = cp.filters[5] === 3 ? n - (n % cp.typesize) : n;
        const src = noise
          ? Uint8Array.from({ length: Math.min(len, 4096) }, (_, i) => (i * seed * 2654435761) >>> 24)
          : sampleBytes(len, seed);
        const chunk = (b: Backend) => {
          const out = new Uint8Array(src.byteLength + b.maxOverhead);
          return out.subarray(0, b.compress({ src, out, cparams: cp }));
        };
        // With two threads C-Blosc2 stores blocks in the order they finish, so
        // only one thread's chunks are comparable byte for byte; both decode.
        const mine = chunk(prebuilt);
        const theirs = chunk(local);
        if (cp.nthreads === 1) expect(sameBytes(mine, theirs)).toBe(true);
        for (const [reader, bytes] of [
          [prebuilt, mine],
          [prebuilt, theirs],
          [local, mine],
        ] as const) {
          const back = new Uint8Array(src.byteLength);
          reader.decompress({ src: bytes, out: back, nthreads: cp.nthreads, threadsBySize: false });
          expect(sameBytes(back, src)).toBe(true);
        }

        // A frame of bytes, as pack writes one for a Uint8Array (typesize = itemsize).
        const frame = (b: Backend) => {
          const req = {
            data: src,
            shape: [src.byteLength],
            itemsize: 1,
            dtype: '|u1',
            jsKind: 'Uint8Array',
            cparams: { ...cp, typesize: 1 },
          };
          let dest = new Uint8Array(0);
          b.frameEncode({ ...req, allocate: (n: number) => (dest = new Uint8Array(n)) });
          return dest;
        };
        const f = frame(prebuilt);
        const g = frame(local);
        if (cp.nthreads === 1) expect(sameBytes(f, g)).toBe(true);
        for (const [reader, bytes] of [
          [prebuilt, f],
          [prebuilt, g],
          [local, f],
        ] as const) {
          const decoded = new Uint8Array(src.byteLength);
          reader.frameDecode({
            frame: bytes,
            handle: reader.frameOpen({ frame: bytes }).handle,
            out: decoded,
            nthreads: cp.nthreads,
            threadsBySize: false,
          });
          expect(sameBytes(decoded, src)).toBe(true);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('answers mutated chunks and frames with the same bytes or the same error code as the local build', () => {
    const prebuilt = loadNative([PREBUILT]);
    const src = sampleBytes(50_000, 3);
    const cparams = {
      codec: 5,
      clevel: 5,
      typesize: 8,
      nthreads: 1,
      threadsBySize: false,
      blocksize: 0,
      splitmode: 4,
      filters: [0, 0, 0, 0, 0, 1],
      filtersMeta: [0, 0, 0, 0, 0, 0],
    };
    const out = new Uint8Array(src.byteLength + local.maxOverhead);
    const chunk = out.slice(0, local.compress({ src, out, cparams }));
    let frame = new Uint8Array(0);
    local.frameEncode({
      data: src,
      shape: [src.byteLength / 8],
      itemsize: 8,
      dtype: '<f8',
      jsKind: 'Float64Array',
      cparams,
      allocate: (n: number) => (frame = new Uint8Array(n)),
    });
    const outcome = (b: Backend, bytes: Uint8Array, isFrame: boolean): string => {
      try {
        const dest = new Uint8Array(src.byteLength);
        if (isFrame)
          b.frameDecode({ frame: bytes, handle: b.frameOpen({ frame: bytes }).handle, out: dest, nthreads: 1, threadsBySize: false });
        else b.decompress({ src: bytes, out: dest, nthreads: 1, threadsBySize: false });
        return `ok ${Buffer.from(dest).toString('base64').length} ${sameBytes(dest, src)}`;
      } catch (err) {
        return `${(err as Error).name} ${(err as { code?: string }).code}`;
      }
    };
    let errors = 0;
    fc.assert(
      fc.property(fc.boolean(), fc.nat(), fc.integer({ min: 1, max: 255 }), (isFrame, at, xor) => {
        const bytes = (isFrame ? frame : chunk).slice();
        bytes[at % bytes.length]! ^= xor;
        const mine = outcome(prebuilt, bytes, isFrame);
        expect(mine).toBe(outcome(local, bytes, isFrame));
        if (!mine.startsWith('ok')) {
          expect(mine).toMatch(/^Blosc2Error ERR_/);
          errors++;
        }
      }),
      { numRuns: 300 },
    );
    expect(errors).toBeGreaterThan(0); // the mutations did reach the error paths
  });
});
