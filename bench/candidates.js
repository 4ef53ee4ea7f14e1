'use strict';
// The candidates: peers and this library. Each one turns a dataset value into
// bytes (pack) and back (unpack) until a TypedArray of the original type is in
// hand; codecs that return bytes are charged for the restore (a view when the
// bytes are aligned, else a copy).
const v8 = require('node:v8');

/** How the last restore went: 'view' or 'copy' (read by the harness right after unpack). */
let lastRestore = '';

/** A TypedArray of type Ctor over the bytes of `v` (a view if aligned, else a copy). */
function restore(v, Ctor) {
  if (v instanceof Ctor) return v;
  if (!ArrayBuffer.isView(v)) throw new Error(`expected bytes, got ${Object.prototype.toString.call(v)}`);
  const bpe = Ctor.BYTES_PER_ELEMENT;
  if (v.byteOffset % bpe === 0) {
    lastRestore = 'view';
    return new Ctor(v.buffer, v.byteOffset, v.byteLength / bpe);
  }
  lastRestore = 'copy';
  const copy = new Uint8Array(v.byteLength);
  copy.set(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
  return new Ctor(copy.buffer);
}

function takeRestore() {
  const r = lastRestore;
  lastRestore = '';
  return r;
}

/**
 * A candidate: { name, note, kinds, roundTripOnly?, setup(lib), pack(value), unpack(bytes, Ctor) }
 * value by dataset kind: 'array' -> the TypedArray; 'nd' -> {data, shape, dtype}
 * (peers pack {shape, data}; this library packs an NDArray); 'messages' -> one message.
 * unpack returns: 'array'/'nd' -> the TypedArray; 'messages' -> the message with v a Float32Array.
 */
function peerCodec(name, note, encode, decode, kinds = ['array', 'nd', 'messages']) {
  return {
    name,
    note,
    kinds,
    pack: (value, kind) => encode(kind === 'nd' ? { shape: value.shape, data: value.data } : value),
    unpack: (bytes, Ctor, kind) => {
      const v = decode(bytes);
      if (kind === 'array') return restore(v, Ctor);
      if (kind === 'nd') return restore(v.data, Ctor);
      v.v = restore(v.v, Float32Array);
      return v;
    },
  };
}

async function makeCandidates(lib, kind) {
  const { Packr } = require('msgpackr');
  const msgpack = require('@msgpack/msgpack');
  const cborx = require('cbor-x');
  const { default: Blosc } = await import('numcodecs/blosc');
  const list = [];

  list.push({
    name: 'memcpy (slice)',
    note: 'TypedArray.prototype.slice both ways; for E a shallow copy + v.slice()',
    kinds: ['array', 'nd', 'messages'],
    baseline: true,
    pack: (value, k) => (k === 'messages' ? { ...value, v: value.v.slice() } : value.data ? value.data.slice() : value.slice()),
    unpack: (copy, _Ctor, k) => (k === 'messages' ? { ...copy, v: copy.v.slice() } : copy.slice()),
  });
  list.push(
    peerCodec(
      'v8.serialize',
      'node:v8 serialize / deserialize',
      (x) => v8.serialize(x),
      (b) => v8.deserialize(b),
    ),
  );
  list.push({
    name: 'structuredClone',
    note: 'round trip only (no byte form)',
    kinds: ['array', 'nd', 'messages'],
    roundTripOnly: true,
    roundTrip: (value, k) => {
      const c = structuredClone(k === 'nd' ? { shape: value.shape, data: value.data } : value);
      return k === 'nd' ? c.data : c;
    },
  });
  const packrDefault = new Packr();
  list.push(
    peerCodec(
      'msgpackr Packr()',
      'default: TypedArray -> bin, unpacks as Buffer (type restored by caller)',
      (x) => packrDefault.pack(x),
      (b) => packrDefault.unpack(b),
    ),
  );
  const packrMore = new Packr({ moreTypes: true });
  list.push(
    peerCodec(
      'msgpackr moreTypes',
      'ext 0x74 typed array; records on (msgpackr default)',
      (x) => packrMore.pack(x),
      (b) => packrMore.unpack(b),
    ),
  );
  if (kind === 'messages') {
    const packrMoreNoRec = new Packr({ moreTypes: true, useRecords: false });
    list.push(
      peerCodec(
        'msgpackr moreTypes, useRecords:false',
        'E only: plain msgpack maps (what blosc2 pack writes by default)',
        (x) => packrMoreNoRec.pack(x),
        (b) => packrMoreNoRec.unpack(b),
      ),
    );
  }
  const enc = new msgpack.Encoder();
  const dec = new msgpack.Decoder();
  list.push(
    peerCodec(
      '@msgpack/msgpack',
      'reused Encoder/Decoder; TypedArray -> bin, decodes to Uint8Array',
      (x) => enc.encode(x),
      (b) => dec.decode(b),
    ),
  );
  const cbor = new cborx.Encoder();
  list.push(
    peerCodec(
      'cbor-x',
      'default Encoder; RFC 8746 typed-array tags',
      (x) => cbor.encode(x),
      (b) => cbor.decode(b),
    ),
  );
  if (kind !== 'messages') {
    const nc = Blosc.fromConfig({ id: 'blosc', cname: 'lz4', clevel: 5, shuffle: 1, blocksize: 0 });
    list.push({
      name: 'numcodecs Blosc lz4',
      note: 'wasm c-blosc 1.x, lz4 clevel 5, SHUFFLE (typesize fixed at 4 by the wasm glue), 1 thread; async API',
      kinds: ['array', 'nd'],
      pack: (value, k) => nc.encode(k === 'nd' ? bytesOf(value.data) : bytesOf(value)),
      unpack: async (bytes, Ctor) => restore(await nc.decode(bytes), Ctor),
    });
  }

  // ---- this library ----
  const { Packer, NDArray, compress, decompress } = lib;
  const ours = (name, note, packer, opts = {}) => ({
    name,
    note,
    ours: true,
    kinds: ['array', 'nd', 'messages'],
    pack: opts.async
      ? (value, k) => packer.packAsync(k === 'nd' ? new NDArray(value.data, value.shape, value.dtype) : value)
      : (value, k) => packer.pack(k === 'nd' ? new NDArray(value.data, value.shape, value.dtype) : value),
    unpack: opts.async
      ? async (bytes, _Ctor, k) => unwrapOurs(await packer.unpackAsync(bytes), k)
      : (bytes, _Ctor, k) => unwrapOurs(packer.unpack(bytes), k),
  });
  const unwrapOurs = (v, k) => (k === 'nd' ? v.data : v);
  const presets = PRESETS;
  list.push(ours('blosc2 pack (default = balanced)', `Packer() defaults: ${describePreset(presets.balanced)}`, new Packer()));
  list.push(ours('blosc2 packAsync (default)', 'Packer().packAsync / unpackAsync, libuv pool', new Packer(), { async: true }));
  list.push(ours('blosc2 pack fastest', `Packer(${JSON.stringify(presets.fastest)})`, new Packer(presets.fastest)));
  list.push(ours('blosc2 pack smallest', `Packer(${JSON.stringify(presets.smallest)})`, new Packer(presets.smallest)));
  if (kind === 'messages') {
    list.push(
      ours('blosc2 pack, useRecords:true', 'Packer({useRecords:true}) vs msgpackr moreTypes (records)', new Packer({ useRecords: true })),
    );
    list.push(
      ours(
        "blosc2 pack, smallArrays:'compact'",
        "Packer({smallArrays:'compact'}): small arrays as our raw ext 80 instead of python-blosc2's ext 46 (the default)",
        new Packer({ smallArrays: 'compact' }),
      ),
    );
  } else {
    list.push({
      name: 'blosc2 core compress/decompress',
      note: 'compress(arr) / decompress(chunk) into a fresh Buffer, viewed as the original type (one chunk, default cparams)',
      ours: true,
      kinds: ['array', 'nd'],
      pack: (value, k) => compress(k === 'nd' ? value.data : value),
      unpack: (chunk, Ctor) => {
        const out = decompress(chunk);
        return new Ctor(out.buffer, out.byteOffset, out.byteLength / Ctor.BYTES_PER_ELEMENT);
      },
    });
  }
  return list.filter((c) => c.kinds.includes(kind));
}

function bytesOf(a) {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/** The presets measured for this library (see bench/README.md for how they were picked). */
const PRESETS = {
  fastest: { codec: 'blosclz', clevel: 5, filters: ['shuffle'] },
  balanced: { codec: 'lz4', clevel: 5, filters: ['shuffle'] },
  smallest: { codec: 'zstd', clevel: 5, filters: ['bitshuffle'] },
};

function describePreset(p) {
  return `${p.codec} clevel ${p.clevel} ${p.filters.join('+')}`;
}

module.exports = { makeCandidates, restore, takeRestore, PRESETS, describePreset };
