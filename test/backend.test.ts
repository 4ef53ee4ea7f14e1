// The seam between TypeScript and the compiled core (src/backend/): the
// product addon exports exactly the Backend interface, and nothing test-only.
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { backend } from '../src/backend';

/** A matcher for a message (typed, where vitest's is `any`). */
const matching = (re: RegExp): unknown => expect.stringMatching(re) as unknown;

const PRODUCT_EXPORTS = [
  'chunkInfo',
  'compress',
  'compressAsync',
  'compressors',
  'contextPoolStats',
  'copy',
  'decompress',
  'decompressAsync',
  'frameCapacity',
  'frameDecode',
  'frameDecodeAsync',
  'frameEncode',
  'frameEncodeAsync',
  'frameIndex',
  'frameOpen',
  'frameOpenParts',
  'frameProbe',
  'frameSlice',
  'frameSliceAsync',
  'frameSlicePlan',
  'frameWriterAppend',
  'frameWriterAppendAsync',
  'frameWriterFinish',
  'frameWriterOpen',
  'isDetached',
  'maxBufferSize',
  'maxOverhead',
  'setErrorClass',
  'version',
];

describe('the native backend', () => {
  it('the product addon exports the backend calls and no test-only function', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const addon = require(path.join(__dirname, '..', 'build', 'Release', 'blosc2.node')) as Record<string, unknown>;
    expect(
      Object.keys(addon)
        .filter((k) => k !== 'name' && k !== 'frameClose')
        .sort(),
    ).toEqual(PRODUCT_EXPORTS);
    for (const testOnly of ['encodeFrameReference', 'encodeTiledReference', 'assembleFrame', 'planGeometry']) {
      expect(addon[testOnly], testOnly).toBeUndefined();
    }
    expect(backend.name).toBe('native');
  });

  it('a request built wrongly is a Blosc2Error naming the field, not a crash', () => {
    expect(() => backend.decompress({ src: new Uint8Array(32), out: new Uint8Array(8) } as never)).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARG', message: matching(/nthreads/) }),
    );
    expect(() =>
      backend.frameDecode({ frame: new Uint8Array(64), handle: {}, out: new Uint8Array(0), nthreads: 1, threadsBySize: false }),
    ).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG', message: matching(/handle/) }));
  });
});
