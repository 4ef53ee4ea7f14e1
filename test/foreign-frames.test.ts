// Frames python-blosc2 writes for things that are not arrays are refused by
// their metalayers (FORMAT.md "Metalayers honoured or refused"); the real
// frames, from python-blosc2 itself, are in test/interop.test.ts.
import { describe, expect, it } from 'vitest';
import { Packr } from 'msgpackr';
import type { OpenedFrame } from '../src/backend/types';
import { Blosc2Error } from '../src/errors';
import { REFUSED, refuseNonArrayFrame } from '../src/records/foreign-frames';

function frame(metalayers: string[], vlmetalayers: string[] = [], b2o: Uint8Array = new Uint8Array(0)): OpenedFrame {
  return {
    shape: [10],
    chunkshape: [10],
    blockshape: [10],
    typesize: 8,
    dtype: '<f8',
    jsKind: '',
    b2nd: true,
    nchunks: 1,
    chunksize: 80,
    nbytes: 80,
    contiguous: true,
    rawOffset: -1,
    metalayers,
    vlmetalayers,
    b2o,
    handle: null,
  };
}

function refusal(info: OpenedFrame): Blosc2Error | undefined {
  try {
    refuseNonArrayFrame(info);
  } catch (err) {
    return err as Blosc2Error;
  }
  return undefined;
}

describe('frames that hold no array data', () => {
  it('arrays, with any other metalayers and vlmeta, are read', () => {
    expect(refusal(frame(['b2nd']))).toBeUndefined();
    expect(refusal(frame(['b2nd', 'js', 'user'], ['note', '__pack_tensor__']))).toBeUndefined();
  });

  it.each([...REFUSED.metalayers.map((m) => ['metalayer', m]), ...REFUSED.vlmetalayers.map((m) => ['vlmeta', m])])(
    'a %s %s is ERR_UNSUPPORTED, named',
    (where, name) => {
      const e = refusal(where === 'metalayer' ? frame(['b2nd', name]) : frame(['b2nd'], [name]));
      expect(e).toBeInstanceOf(Blosc2Error);
      expect(e?.code).toBe('ERR_UNSUPPORTED');
      expect(e?.message).toContain(name);
    },
  );

  it('b2o names its kind when the marker says one, and only a plain name', () => {
    const packr = new Packr({ useRecords: false });
    expect(refusal(frame(['b2nd', 'b2o'], [], packr.pack({ kind: 'lazyudf', version: 1 })))?.message).toMatch(/'lazyudf' object/);
    expect(refusal(frame(['b2nd', 'b2o'], [], packr.pack({ kind: 'a b<script>', version: 1 })))?.message).toMatch(/persisted object \(b2o/);
    expect(refusal(frame(['b2nd', 'b2o'], [], Uint8Array.from([0xc1, 0xff])))?.code).toBe('ERR_UNSUPPORTED');
  });
});
