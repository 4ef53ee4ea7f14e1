/**
 * structuredClone: true, writing. The value becomes a tree that msgpackr
 * writes as it is (src/clone/wire.ts): every object is met once and wrapped,
 * later meetings become references to it, and what msgpackr would write
 * unfaithfully (-0, holes, boxed primitives, Errors, `__proto__` keys) becomes
 * a record of ours. Values structuredClone refuses are refused here, naming
 * their path (ERR_DATA_CLONE).
 * @internal
 * @packageDocumentation
 */
import type { NDArray } from '../ndarray';
import { platform } from '../platform';
import { ERROR_CONSTRUCTORS, MAX_DEPTH, isResizable, isWellFormed, objectKind, refusalOf } from './kinds';
import { Refusal, indexStep, keyStep, mapKeyStep, mapValueStep, setStep, toDataCloneError, withStep } from './path';
import { CloneRecord, IdCounter, IdTag, NEGATIVE_ZERO, RecordTag, RefTag, WireView } from './wire';

/* eslint-disable @typescript-eslint/unbound-method -- called with .call on the boxed value */
const numberValue = Number.prototype.valueOf;
const stringValue = String.prototype.valueOf;
const booleanValue = Boolean.prototype.valueOf;
const bigintValue = BigInt.prototype.valueOf;
/* eslint-enable @typescript-eslint/unbound-method */

/** The wire tree of a value for a structuredClone message, or ERR_DATA_CLONE naming what cannot be cloned. */
export function toWire(value: unknown): unknown {
  try {
    return new Encoder().wire(value, 0);
  } catch (err) {
    if (err instanceof Refusal) throw toDataCloneError(err);
    throw err;
  }
}

/** An own data property's value, or `absent`. */
function ownData(o: object, key: string): { value: unknown } | undefined {
  const d = Object.getOwnPropertyDescriptor(o, key);
  return d && 'value' in d ? { value: d.value } : undefined;
}

class Encoder {
  readonly #seen = new Map<object, IdTag>();
  readonly #counter = new IdCounter();

  wire(v: unknown, depth: number): unknown {
    switch (typeof v) {
      case 'number':
        return v === 0 && 1 / v < 0 ? NEGATIVE_ZERO : v;
      case 'string':
        return isWellFormed(v) ? v : new CloneRecord([RecordTag.String16, platform.utf16le(v)]);
      case 'object':
        if (v === null) return null;
        break;
      case 'symbol':
      case 'function':
        throw new Refusal(`is ${refusalOf(v)}, which structuredClone cannot clone`);
      default:
        return v;
    }
    const seen = this.#seen.get(v);
    if (seen) {
      seen.refs++;
      return new RefTag(seen);
    }
    if (depth >= MAX_DEPTH) throw new Refusal(`is nested deeper than ${MAX_DEPTH} levels, more than pack writes`);
    const tag = new IdTag(this.#counter);
    this.#seen.set(v, tag);
    tag.value = this.#object(v, depth);
    return tag;
  }

  #child(v: unknown, depth: number, step: () => string): unknown {
    try {
      return this.wire(v, depth + 1);
    } catch (err) {
      throw withStep(err, step());
    }
  }

  #object(v: object, depth: number): unknown {
    const kind = objectKind(v, true);
    switch (kind) {
      case 'object':
        return this.#plain(v as Record<string, unknown>, depth);
      case 'array':
        return this.#array(v as unknown[], depth);
      case 'Map': {
        const out = new Map<unknown, unknown>();
        let i = 0;
        for (const [k, x] of v as Map<unknown, unknown>) {
          const at = i++;
          out.set(
            this.#child(k, depth, () => mapKeyStep(at)),
            this.#child(x, depth, () => mapValueStep(k, at)),
          );
        }
        return out;
      }
      case 'Set': {
        const out = new Set<unknown>();
        let i = 0;
        for (const x of v as Set<unknown>) {
          const at = i++;
          out.add(this.#child(x, depth, () => setStep(at)));
        }
        return out;
      }
      case 'Date':
        // msgpackr's timestamp; a subclass's own toJSON must not be used.
        return v.constructor === Date ? v : new Date((v as Date).getTime());
      case 'RegExp': {
        // lastIndex and other properties are not cloned, only source and flags.
        const re = v as RegExp;
        if (!isWellFormed(re.source)) return new CloneRecord([RecordTag.RegExp, this.wire(re.source, depth), re.flags]);
        return v.constructor === RegExp ? v : new RegExp(re.source, re.flags);
      }
      case 'Error':
        return this.#error(v as Error, depth);
      case 'boxed':
        return this.#boxed(v);
      case 'ArrayBuffer':
      case 'SharedArrayBuffer':
        if (isResizable(v as ArrayBufferLike)) throw new Refusal('is a resizable ArrayBuffer, which pack does not write');
        return v;
      case 'view':
      case 'NDArray': {
        // A Buffer is its own bytes (see registration.ts): no buffer to share.
        if (platform.isBuffer(v)) return v;
        const buffer = kind === 'view' ? (v as ArrayBufferView).buffer : (v as NDArray).data.buffer;
        return new WireView(
          v as ArrayBufferView | NDArray,
          this.#child(buffer, depth, () => '.buffer'),
        );
      }
      default:
        throw new Refusal(`is ${refusalOf(v)}, which structuredClone cannot clone`);
    }
  }

  #plain(o: Record<string, unknown>, depth: number): unknown {
    const keys = Object.keys(o);
    if (Object.hasOwn(o, '__proto__') || !keys.every(isWellFormed)) {
      // msgpackr reads a key __proto__ back as __proto_, and writes lone surrogates
      // as U+FFFD: an object record keeps such keys.
      const fields: unknown[] = [RecordTag.Object];
      for (const k of keys)
        fields.push(
          this.wire(k, depth),
          this.#child(this.#read(o, k), depth, () => keyStep(k)),
        );
      return new CloneRecord(fields);
    }
    const out: Record<string, unknown> = {};
    for (const k of keys) out[k] = this.#child(this.#read(o, k), depth, () => keyStep(k));
    return out;
  }

  // Reads a property as structuredClone does (getters run); one that throws is refused with its error.
  #read(o: object, k: string): unknown {
    try {
      return (o as Record<string, unknown>)[k];
    } catch (err) {
      throw withStep(new Refusal(`threw when read: ${(err as Error)?.message ?? String(err)}`, { cause: err }), keyStep(k));
    }
  }

  #array(a: unknown[], depth: number): unknown {
    const n = a.length;
    const keys = Object.keys(a);
    // Dense with no other own properties: then the keys are exactly "0".."n-1".
    if (keys.length === n && (n === 0 || keys[n - 1] === String(n - 1))) {
      const out = new Array<unknown>(n);
      for (let i = 0; i < n; i++) out[i] = this.#child(a[i], depth, () => indexStep(i));
      return out;
    }
    const fields: unknown[] = [RecordTag.Array, n];
    for (const k of keys) {
      const index = Number(k);
      const isIndex = String(index >>> 0) === k && index >>> 0 !== 0xffffffff;
      fields.push(
        isIndex ? index : this.wire(k, depth),
        this.#child(this.#read(a, k), depth, () => (isIndex ? indexStep(k) : keyStep(k))),
      );
    }
    return new CloneRecord(fields);
  }

  #error(e: Error, depth: number): unknown {
    // As V8 writes an error: the name read (getters run) and kept only for the
    // standard constructors; message and cause only as own data properties;
    // the stack when it is a string.
    const name = String(e.name);
    const props: Record<string, unknown> = {};
    const message = ownData(e, 'message');
    if (message) props['message'] = this.wire(String(message.value), depth);
    const stack = (e as { stack?: unknown }).stack;
    if (typeof stack === 'string') props['stack'] = this.wire(stack, depth);
    const cause = ownData(e, 'cause');
    if (cause) props['cause'] = this.#child(cause.value, depth, () => '.cause');
    return new CloneRecord([RecordTag.Error, ERROR_CONSTRUCTORS.has(name) ? name : 'Error', props]);
  }

  #boxed(v: object): unknown {
    const types = platform.types;
    if (types.isNumberObject(v)) return new CloneRecord([RecordTag.Number, this.wire(numberValue.call(v), 0)]);
    if (types.isStringObject(v)) return new CloneRecord([RecordTag.String, this.wire(stringValue.call(v), 0)]);
    if (types.isBooleanObject(v)) return new CloneRecord([RecordTag.Boolean, booleanValue.call(v)]);
    return new CloneRecord([RecordTag.BigInt, bigintValue.call(v as unknown as bigint)]);
  }
}
