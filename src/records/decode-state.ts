/**
 * The settings of the unpack in progress. msgpackr calls extension readers
 * with the record's bytes only, not the Unpackr, so a Packer puts its
 * per-call settings in force here around msgpackr's unpack (nesting-safe)
 * and the readers take them from here.
 * @internal
 * @packageDocumentation
 */
import { Blosc2Error } from '../errors';
import { DEFAULT_MAX_OUTPUT_BYTES, getNthreads } from '../params';

export interface DecodeState {
  nthreads: number;
  /** No count was given: the core picks one by size, up to nthreads. */
  threadsBySize: boolean;
  maxOutputBytes: number;
  /** What is left of maxOutputBytes for the rest of this message. */
  remaining: number;
  zeroCopy: boolean;
  /** unpackOutOfBand: the buffers placeholders refer to. */
  buffers?: readonly Uint8Array[] | undefined;
  /** unpackAsync: decodes queued here run on the libuv pool after msgpackr returns. */
  deferred?: Array<Promise<void>> | undefined;
  /**
   * structuredClone records read (markers made) and resolved by the
   * envelope, and whether an envelope was read: every marker must be resolved
   * by the one envelope of the message (src/clone/decode.ts).
   */
  clone?: { made: number; resolved: number; envelope: boolean } | undefined;
}

let current: DecodeState | null = null;

/** Puts decode settings in force and returns the previous ones, which the caller restores in a `finally`. */
export function swapDecodeState(state: DecodeState | null): DecodeState | null {
  const prev = current;
  current = state;
  return prev;
}

/** The settings in force; a foreign Unpackr that meets one of our records decodes it with the defaults. */
export function decodeState(): DecodeState {
  return (
    current ?? {
      nthreads: getNthreads(),
      threadsBySize: true,
      maxOutputBytes: DEFAULT_MAX_OUTPUT_BYTES,
      remaining: DEFAULT_MAX_OUTPUT_BYTES,
      zeroCopy: false,
    }
  );
}

/** Takes nbytes from the message's output budget, or refuses with ERR_MAX_OUTPUT. */
export function charge(state: DecodeState, nbytes: number, what: string): void {
  if (nbytes > state.remaining) {
    throw new Blosc2Error(
      `${what} decodes to ${nbytes} bytes, over maxOutputBytes (${state.maxOutputBytes} for the whole message); raise maxOutputBytes to accept it`,
      'ERR_MAX_OUTPUT',
    );
  }
  state.remaining -= nbytes;
}

/** Counts a structuredClone marker made by a record reader (for the check that the envelope resolved them all). */
export function countCloneMarker(): void {
  const c = current?.clone;
  if (c) c.made++;
}
