/**
 * python-blosc2 frames that hold no array data (FORMAT.md, "Metalayers
 * honoured or refused"): lazy expressions and UDFs, persisted objects, proxy
 * caches and containers of other objects. Their chunks are empty, "uninit" or
 * hold serialized objects, so decoding them as an array would give zeros or
 * meaningless bytes: they are refused, named by the metalayer that marks them.
 * @internal
 * @packageDocumentation
 */
import { unpack as msgpackUnpack } from 'msgpackr';
import type { OpenedFrame } from '../backend';
import { Blosc2Error } from '../errors';

/** Fixed metalayers python-blosc2 (4.x, and 3.x for LazyArray) puts on frames that are not arrays. */
const REFUSED_METALAYERS: ReadonlyMap<string, string> = new Map([
  ['LazyArray', 'a python-blosc2 lazy expression or UDF (LazyArray metalayer): its frame holds no data, only the expression'],
  ['proxy-source', 'a python-blosc2 Proxy cache (proxy-source metalayer): chunks not yet fetched are not data'],
  ['b2embed', 'a python-blosc2 EmbedStore (b2embed metalayer): a store of other objects, not an array'],
  ['listarray', 'a python-blosc2 ListArray (listarray metalayer): serialized lists, not an array'],
  ['batcharray', 'a python-blosc2 BatchArray (batcharray metalayer): serialized batches, not an array'],
  ['vlarray', 'a python-blosc2 ObjectArray (vlarray metalayer): serialized objects, not an array'],
]);

/** Variable-length metalayers that mark the same (older python-blosc2 wrote only these). */
const REFUSED_VLMETALAYERS: ReadonlyMap<string, string> = new Map([
  ['_LazyArray', 'a python-blosc2 lazy expression or UDF (_LazyArray vlmeta): its frame holds no data, only the expression'],
  ['b2o', 'a python-blosc2 persisted object (b2o vlmeta): its frame holds no data'],
]);

// The kind named by a b2o metalayer ({kind: 'lazyexpr', version: 1}), quoted, if it is a plain name.
function b2oKind(content: Uint8Array): string {
  try {
    const marker = msgpackUnpack(content) as { kind?: unknown } | null;
    const kind = marker?.kind;
    if (typeof kind === 'string' && /^[A-Za-z0-9_]{1,32}$/.test(kind)) return ` '${kind}'`;
  } catch {
    // A marker we cannot read still marks the frame: name it generically.
  }
  return '';
}

/** Throws ERR_UNSUPPORTED when the frame is one of python-blosc2's non-array frames. */
export function refuseNonArrayFrame(info: OpenedFrame): void {
  if (info.metalayers.includes('b2o')) {
    const kind = b2oKind(info.b2o);
    throw new Blosc2Error(
      `the frame is a python-blosc2 persisted${kind} object (b2o metalayer), which holds no array data; evaluate it in python-blosc2 and send the result`,
      'ERR_UNSUPPORTED',
    );
  }
  for (const name of info.metalayers) {
    const what = REFUSED_METALAYERS.get(name);
    if (what) throw new Blosc2Error(`the frame is ${what}`, 'ERR_UNSUPPORTED');
  }
  for (const name of info.vlmetalayers) {
    const what = REFUSED_VLMETALAYERS.get(name);
    if (what) throw new Blosc2Error(`the frame is ${what}`, 'ERR_UNSUPPORTED');
  }
}

/** The metalayer names refused, for the documentation test. @internal */
export const REFUSED = { metalayers: [...REFUSED_METALAYERS.keys(), 'b2o'], vlmetalayers: [...REFUSED_VLMETALAYERS.keys()] };
