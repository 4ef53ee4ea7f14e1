/**
 * structuredClone: true, reading. msgpackr has read the envelope's value into
 * a tree holding markers (src/clone/wire.ts); this walks it once, in the
 * order it was written, making each object before its children so that
 * references (to an object met earlier, an ancestor included) resolve to the
 * object itself: cycles and shared references come back as they were.
 * Plain objects and arrays msgpackr made are kept and filled in place.
 * @internal
 * @packageDocumentation
 */
import { platform } from '../platform';
import { ERROR_CONSTRUCTORS, MAX_DEPTH } from './kinds';
import { IdWire, RecordTag, RecordWire, RefWire, ViewWire } from './wire';
import { buildView } from '../records/view';
import { corrupt } from '../records/values';

/** Marks an id whose object is not made yet (a view, made after its buffer). */
const PENDING = Symbol('pending');

// Records nest one level more than values at most (a record and its fields).
const MAX_WIRE_DEPTH = 2 * MAX_DEPTH + 8;

const dataProperty = (value: unknown): PropertyDescriptor => ({ value, writable: true, enumerable: true, configurable: true });
const hiddenProperty = (value: unknown): PropertyDescriptor => ({ value, writable: true, enumerable: false, configurable: true });

function isNode(v: unknown): v is object {
  return typeof v === 'object' && v !== null;
}

/** The value of a structuredClone message's tree, and how many markers it resolved. */
export function rebuild(root: unknown): { value: unknown; resolved: number } {
  const r = new Rebuild();
  return { value: r.go(root, 0), resolved: r.resolved };
}

class Rebuild {
  readonly #ids: unknown[] = [];
  resolved = 0;

  go(node: unknown, depth: number): unknown {
    if (!isNode(node)) return node;
    if (depth > MAX_WIRE_DEPTH) throw corrupt(`structuredClone message: nested deeper than ${MAX_WIRE_DEPTH} levels`);
    if (node instanceof RefWire) {
      this.resolved++;
      const target = node.id < this.#ids.length ? this.#ids[node.id] : PENDING;
      if (target === PENDING) throw corrupt(`structuredClone message: a reference to id ${node.id}, which is not (yet) an object`);
      return target;
    }
    if (node instanceof IdWire) {
      this.resolved++;
      const slot = this.#ids.length;
      this.#ids.push(PENDING);
      if (!isNode(node.value) || node.value instanceof IdWire || node.value instanceof RefWire) {
        throw corrupt('structuredClone message: an identity record must hold an object');
      }
      return this.#make(node.value, depth, slot);
    }
    return this.#make(node, depth, -1);
  }

  // Makes the object a node stands for, registering it under `slot` (if any) before its children.
  #make(node: object, depth: number, slot: number): unknown {
    const own = <T>(made: T): T => {
      if (slot >= 0) this.#ids[slot] = made;
      return made;
    };
    if (node instanceof RecordWire) {
      this.resolved++;
      return this.#record(node.fields, depth, own);
    }
    if (node instanceof ViewWire) {
      this.resolved++;
      // The view's id comes first, then its buffer's: the view is made once the buffer is.
      return own(buildView(node.fields, this.go(node.fields[0], depth + 1)));
    }
    if (Array.isArray(node)) {
      own(node);
      for (let i = 0; i < node.length; i++) {
        const child: unknown = node[i];
        if (isNode(child)) node[i] = this.go(child, depth + 1);
      }
      return node;
    }
    if (node instanceof Map) {
      const map = own(new Map<unknown, unknown>());
      for (const [k, v] of node as Map<unknown, unknown>) map.set(this.go(k, depth + 1), this.go(v, depth + 1));
      return map;
    }
    if (node instanceof Set) {
      const set = own(new Set<unknown>());
      for (const v of node as Set<unknown>) set.add(this.go(v, depth + 1));
      return set;
    }
    if (Object.getPrototypeOf(node) === Object.prototype) {
      // msgpackr reads a key __proto__ as __proto_, so assigning is safe here.
      own(node);
      const o = node as Record<string, unknown>;
      for (const k in o) {
        const child = o[k];
        if (isNode(child)) o[k] = this.go(child, depth + 1);
      }
      return node;
    }
    // A leaf: a Date, RegExp, buffer, view, NDArray, or what msgpackr's own extensions make.
    return own(node);
  }

  #record(f: readonly unknown[], depth: number, own: <T>(made: T) => T): unknown {
    switch (f[0]) {
      case RecordTag.Number:
        if (typeof f[1] !== 'number') break;
        return own(new Number(f[1]));
      case RecordTag.String: {
        const str = this.#string(f[1], depth);
        return own(new String(str));
      }
      case RecordTag.String16:
        if (!(f[1] instanceof Uint8Array) || f[1].byteLength % 2 !== 0 || f.length !== 2) break;
        return platform.fromUtf16le(f[1]);
      case RecordTag.RegExp: {
        if (typeof f[2] !== 'string') break;
        try {
          return own(new RegExp(this.#string(f[1], depth), f[2]));
        } catch {
          throw corrupt('structuredClone message: a bad RegExp record');
        }
      }
      case RecordTag.Boolean:
        if (typeof f[1] !== 'boolean') break;
        return own(new Boolean(f[1]));
      case RecordTag.BigInt:
        if (typeof f[1] !== 'bigint') break;
        return own(Object(f[1]));
      case RecordTag.Error:
        return this.#error(f, depth, own);
      case RecordTag.Array:
        return this.#sparse(f, depth, own);
      case RecordTag.Object: {
        const o = own({});
        for (let i = 1; i + 1 < f.length; i += 2) {
          Object.defineProperty(o, this.#string(f[i], depth), dataProperty(this.go(f[i + 1], depth + 1)));
        }
        if (f.length % 2 === 0) break;
        return o;
      }
      default:
    }
    throw corrupt(`structuredClone message: a bad object record (tag ${String(f[0])})`);
  }

  // A string field: a msgpack string, or a String16 record for one with a lone surrogate.
  #string(field: unknown, depth: number): string {
    const s = field instanceof RecordWire && field.fields[0] === RecordTag.String16 ? this.go(field, depth + 1) : field;
    if (typeof s !== 'string') throw corrupt('structuredClone message: a string field is not a string');
    return s;
  }

  #error(f: readonly unknown[], depth: number, own: <T>(made: T) => T): unknown {
    const ctor = typeof f[1] === 'string' ? ERROR_CONSTRUCTORS.get(f[1]) : undefined;
    const props = f[2] as Record<string, unknown> | null;
    if (!ctor || !isNode(props) || Object.getPrototypeOf(props) !== Object.prototype || f.length !== 3) {
      throw corrupt('structuredClone message: a bad Error record');
    }
    const has = (k: string) => Object.hasOwn(props, k);
    // As V8 makes a clone: own message only if the original had one, own stack always (undefined
    // when the original had none), cause last.
    const e = own(has('message') ? new ctor(this.#string(props['message'], depth)) : new ctor());
    Object.defineProperty(e, 'stack', hiddenProperty(has('stack') ? this.#string(props['stack'], depth) : undefined));
    if (has('cause')) Object.defineProperty(e, 'cause', hiddenProperty(this.go(props['cause'], depth + 1)));
    return e;
  }

  #sparse(f: readonly unknown[], depth: number, own: <T>(made: T) => T): unknown {
    const length = f[1];
    if (typeof length !== 'number' || !Number.isInteger(length) || length < 0 || length > 0xffffffff || f.length % 2 !== 0) {
      throw corrupt('structuredClone message: a bad array record');
    }
    const a = own(new Array<unknown>(length));
    for (let i = 2; i < f.length; i += 2) {
      const k = f[i];
      const v = this.go(f[i + 1], depth + 1);
      if (typeof k === 'number' && Number.isInteger(k) && k >= 0 && k < length) a[k] = v;
      else if (typeof k === 'string' || k instanceof RecordWire) {
        const name = this.#string(k, depth);
        if (name === 'length' || String(Number(name) >>> 0) === name)
          throw corrupt('structuredClone message: an array record names an index or length');
        Object.defineProperty(a, name, dataProperty(v));
      } else throw corrupt('structuredClone message: an array record key is neither an index below its length nor a name');
    }
    return a;
  }
}
