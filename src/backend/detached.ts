/**
 * Whether an ArrayBuffer is detached, without Node-API: ES2024's
 * `ArrayBuffer.prototype.detached` where the runtime has it, else the one
 * observable trace (a detached buffer reads as 0 bytes and refuses to be viewed).
 * @internal
 * @packageDocumentation
 */
export function isDetached(buffer: ArrayBuffer): boolean {
  const flag = (buffer as { detached?: unknown }).detached;
  if (typeof flag === 'boolean') return flag;
  if (buffer.byteLength !== 0) return false;
  try {
    new Uint8Array(buffer);
    return false;
  } catch {
    return true;
  }
}
