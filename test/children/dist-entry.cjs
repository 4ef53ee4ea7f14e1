'use strict';
// The published build (dist/) seen from outside, for test/dist.test.ts.
// Run as a program, it loads dist/index.js through require (CommonJS) and
// prints one JSON line: the names it exports and what checks() found.
// test/children/dist-entry.mjs uses checks() for the ESM entry point and for
// the two entry points together. Nothing here loads src/ or the test loader.
const path = require('node:path');

const DIST_CJS = path.join(__dirname, '..', '..', 'dist', 'index.js');

/** The exported names of an entry point (an ES module namespace's 'default' aside). */
function namesOf(lib) {
  return Object.keys(lib)
    .filter((n) => n !== 'default')
    .sort();
}

/** A value with raw records, a frame (over the threshold), an NDArray, a Buffer and plain data. */
function sampleValue(lib) {
  return {
    f64: Float64Array.from({ length: 1000 }, (_, i) => i / 7),
    big: Float32Array.from({ length: 20000 }, (_, i) => Math.sin(i / 100)),
    grid: new lib.NDArray(
      Int16Array.from({ length: 12 }, (_, i) => i - 6),
      [3, 4],
    ),
    buf: Buffer.from('some bytes'),
    text: 'text',
    n: 42,
  };
}

function sameView(a, b) {
  return (
    ArrayBuffer.isView(b) &&
    Object.getPrototypeOf(a) === Object.getPrototypeOf(b) &&
    Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.byteLength), Buffer.from(b.buffer, b.byteOffset, b.byteLength)) === 0
  );
}

/**
 * Packs a value with `P`, unpacks it with `U`, and decodes garbage with `U`:
 * which parts came back exactly, and whether the classes are `P`'s too.
 */
function checks(P, U) {
  const value = sampleValue(P);
  const message = new P.Packer({ nthreads: 1 }).pack(value);
  const back = U.unpack(message);
  let error = null;
  try {
    U.decompress(new Uint8Array(40));
  } catch (err) {
    error = {
      code: err.code,
      ofPacker: err instanceof P.Blosc2Error,
      ofUnpacker: err instanceof U.Blosc2Error,
      isError: err instanceof Error,
    };
  }
  return {
    message: Buffer.from(message).toString('hex'),
    same: {
      f64: sameView(value.f64, back.f64),
      big: sameView(value.big, back.big),
      grid:
        back.grid instanceof P.NDArray &&
        back.grid instanceof U.NDArray &&
        back.grid.dtype === '<i2' &&
        back.grid.shape.join() === '3,4' &&
        sameView(value.grid.data, back.grid.data),
      buf: Buffer.isBuffer(back.buf) && sameView(value.buf, back.buf),
      plain: back.text === 'text' && back.n === 42,
    },
    error,
    version: U.versions.cblosc2,
  };
}

module.exports = { DIST_CJS, namesOf, checks };

if (require.main === module) {
  const lib = require(DIST_CJS);
  process.stdout.write(`${JSON.stringify({ names: namesOf(lib), checks: checks(lib, lib) })}\n`);
}
