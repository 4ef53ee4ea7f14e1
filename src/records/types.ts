/**
 * What the record writers and readers share: the kinds of value a record
 * rebuilds, a value described as bytes + dtype + shape, and the per-Packr
 * configuration (FORMAT.md, "Kinds").
 * @internal
 * @packageDocumentation
 */
import type { CoreCParams } from '../backend/types';
import type { DTypeEntry } from '../dtypes';

/** Extension type of a b2nd CFrame record (python-blosc2's own). */
export const B2ND_EXT = 42;
/** Extension type of the compact raw record. */
export const RAW_EXT = 80;
/** Extension type of the view tag (structuredClone only). */
export const VIEW_EXT = 81;
/** Extension type of the out-of-band placeholder. */
export const OOB_EXT = 82;
/** Extension type of python-blosc2's plain NumPy array record (read only). */
export const NUMPY_EXT = 46;

/** What a record rebuilds, beside the dtype. */
export const Kind = { Typed: 0, Buffer: 1, DataView: 2, ArrayBuffer: 3, SharedArrayBuffer: 4, NDArray: 5 } as const;
export type Kind = (typeof Kind)[keyof typeof Kind];

/** A value to pack, as bytes with a dtype, a shape and the kind to rebuild. */
export interface Described {
  bytes: Uint8Array;
  entry: DTypeEntry;
  kind: Kind;
  shape: readonly number[];
  dtype: string;
}

/** Where packOutOfBand and packAsync put large arrays instead of into the message. */
export interface OutOfBandSink {
  /** Arrays at or above this many bytes travel out of band. */
  minBytes: number;
  /** Entries: a frame (compressed) or the array's own bytes (clevel 0). */
  buffers: Uint8Array[];
  /** packAsync: compressions to run on the pool, in placeholder order. */
  pending?: Described[];
  /** packAsync: the random tag of this call's placeholders. */
  nonce?: Uint8Array;
}

/**
 * The record of arrays under the threshold: python-blosc2's own NumPy record
 * (ext 46, which python reads) or our compact raw record (ext 80).
 */
export type SmallArrays = 'numpy' | 'compact';

/** Per-Packr settings of the extension. */
export interface PackConfig {
  cparams: CoreCParams;
  threshold: number;
  /** The record of arrays under the threshold. */
  small: SmallArrays;
  structuredClone: boolean;
  /** When set, large arrays go to this sink instead of into the message. */
  outOfBand?: OutOfBandSink | undefined;
  /**
   * Set by a view tag just before it packs its ArrayBuffer, so that the buffer
   * is shuffled with the item size of the view that led to it.
   */
  typesizeHint: number;
}
