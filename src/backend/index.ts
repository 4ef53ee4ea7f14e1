/**
 * The backend this thread uses: the Node-API addon.
 * @internal
 * @packageDocumentation
 */
import { Blosc2Error } from '../errors';
import { loadNative } from './native';
import type { Backend } from './types';

if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) {
  throw new Blosc2Error('blosc2 supports little-endian platforms only', 'ERR_UNSUPPORTED');
}

/** The compiled core, loaded once per thread. */
export const backend: Backend = loadNative();
export type * from './types';
export { HeaderCheck } from './types';
