/**
 * Where a FrameWriter's bytes go, in the browser bundle: memory only (target
 * null). Files and Writables are Node's (sinks.ts).
 * @packageDocumentation
 */
import { Blosc2Error } from '../errors';
import { type FrameSink, MemorySink } from './memory-sink';

export { type FrameSink, MemorySink } from './memory-sink';

/** The sink for a FrameWriter's target: in a browser, null (memory) only. @internal */
export function sinkFor(target: unknown): FrameSink {
  if (target === null) return new MemorySink();
  throw new Blosc2Error(
    "in a browser a FrameWriter writes to memory only (target null): files and Writables are Node's",
    'ERR_UNSUPPORTED',
  );
}
